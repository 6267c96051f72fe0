/* SPDX-License-Identifier: MIT */
/*
 * `alupdate info NAME|./pkg.rpm...`: yum's info layout for installed
 * packages and local package files. (Repository packages come from the
 * metadata layer; a name that is not installed says so.)
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/state.h"
#include "rpm/rpm.h"
#include "util/out.h"

static void size_str(unsigned long long n, char *buf, size_t len)
{
	/* yum's format_number: 1024 steps, one decimal below 10 */
	static const char *const u[] = { "", " k", " M", " G", " T" };
	double v = (double)n;
	int i = 0;

	while (v >= 999.5 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu", n);
	else
		snprintf(buf, len, "%.*f%s", v < 9.95 ? 1 : 0, v, u[i]);
}

static void field(const char *k, const char *v)
{
	const char *p = v ? v : "";

	printf("%-12s: ", k);
	for (; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			printf("%-12s: ", "");
	}
	if (!v || !*v || v[strlen(v) - 1] != '\n')
		putchar('\n');
}

static void show(const struct alu_hdr *h, const char *repo, const char *from)
{
	struct alu_pkginfo pi;
	char buf[64];

	if (alu_hdr_info(h, &pi))
		return;
	field("Name", pi.name);
	field("Arch", pi.arch);
	if (pi.epoch) {
		snprintf(buf, sizeof(buf), "%u", pi.epoch);
		field("Epoch", buf);
	}
	field("Version", pi.version);
	field("Release", pi.release);
	size_str(pi.size, buf, sizeof(buf));
	field("Size", buf);
	field("Repo", repo);
	if (from && *from)
		field("From repo", from);
	field("Summary", pi.summary);
	field("URL", pi.url);
	field("License", pi.license);
	field("Description", pi.description);
	putchar('\n');
}

struct ictx {
	struct alu_state *s;
	const char *glob;
	int found, heading;
};

static int each(void *arg, const struct alu_instpkg *p)
{
	struct ictx *x = arg;
	struct alu_hdr *h;
	char na[512];

	snprintf(na, sizeof(na), "%s.%s", p->name, p->arch);
	if (fnmatch(x->glob, p->name, 0) && fnmatch(x->glob, na, 0))
		return 0;
	if (alu_state_header(x->s, p->id, &h, NULL))
		return 0;
	if (!x->heading++)
		printf("Installed Packages\n");
	x->found = 1;
	show(h, "installed", p->repo);
	alu_hdr_free(h);
	return 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct ictx x = { 0 };
	struct alu_err e = { 0 };
	int r, rc = 0;

	(void)priv;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (strchr(argv[i], '/') || (n > 4 && !strcmp(argv[i] + n - 4, ".rpm"))) {
			struct alu_rpm rp;
			r = alu_rpm_open(argv[i], &rp, &e);
			if (r) {
				alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
				alu_err_clear(&e);
				rc = 1;
				continue;
			}
			printf("Package File\n");
			show(rp.hdr, argv[i], NULL);
			alu_rpm_close(&rp);
			continue;
		}
		if (!x.s && (r = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &x.s, &e))) {
			alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
			return 1;
		}
		x.glob = argv[i];
		x.found = 0;
		alu_state_foreach(x.s, each, &x);
		if (!x.found) {
			alu_error("No matching Packages to list: %s is not installed", argv[i]);
			rc = 1;
		}
	}
	alu_state_close(x.s);
	return rc;
}

const struct alu_cmd alu_cmd_info = {
	.name = "info",
	.summary = "show details of installed packages or package files",
	.usage = "NAME|./PACKAGE.rpm...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
