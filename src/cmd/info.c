/* SPDX-License-Identifier: MIT */
/*
 * `alupdate info [installed|available|all] NAME|./pkg.rpm...`: yum's info layout for installed
 * packages and local package files, then the repositories' "Available
 * Packages" (info_repo.c).
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "cmd/cmd.h"
#include "cmd/pkgq.h"
#include "db/state.h"
#include "ops/ops.h"
#include "repo/repo.h"
#include "rpm/rpm.h"
#include "util/out.h"

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
	alu_fmt_size(pi.size, buf, sizeof(buf));
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
	const char *glob;
	uint64_t *ids;
	size_t n, cap;
};

/* Ids first, headers after the walk, so that the walk's read transaction
 * stays short. */
static int each(void *arg, const struct alu_instpkg *p)
{
	struct ictx *x = arg;
	char na[512];

	snprintf(na, sizeof(na), "%s.%s", p->name, p->arch);
	if (fnmatch(x->glob, p->name, 0) && fnmatch(x->glob, na, 0))
		return 0;
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 16;
		uint64_t *ni = realloc(x->ids, nc * sizeof(*ni));
		if (!ni)
			return -1;
		x->ids = ni;
		x->cap = nc;
	}
	x->ids[x->n++] = p->id;
	return 0;
}

struct repo_of { char repo[256]; };

static int get_repo(void *arg, const struct alu_instpkg *p)
{
	snprintf(((struct repo_of *)arg)->repo, sizeof(((struct repo_of *)arg)->repo), "%s", p->repo);
	return 0;
}

static int show_installed(struct alu_state *s, struct ictx *x, int *heading)
{
	for (size_t i = 0; i < x->n; i++) {
		struct repo_of ro = { "" };
		struct alu_hdr *h;
		if (alu_state_header(s, x->ids[i], &h, NULL))
			continue;
		alu_state_get(s, x->ids[i], get_repo, &ro);
		if (!(*heading)++)
			printf("Installed Packages\n");
		show(h, "installed", ro.repo);
		alu_hdr_free(h);
	}
	return x->n > 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct ictx x = { 0 };
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	struct alu_repos rp = { 0 };
	int r = 0, rc = 0, heading = 0, found, avail = 0, repos = 0;
	int want_inst = 1, want_avail = 1;
	static char *every[] = { "*", NULL };

	(void)priv;
	/* yum's first word narrows, as in list: info installed NAME */
	if (argc && (!strcmp(argv[0], "installed") || !strcmp(argv[0], "available") ||
		     !strcmp(argv[0], "all"))) {
		want_inst = argv[0][0] != 'a' || argv[0][1] == 'l';
		want_avail = argv[0][0] == 'a';
		argc--, argv++;
		if (!argc)
			argc = 1, argv = every;
	}
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
		if (!s && (r = alu_ops_state_open_ro(ctx, &s, &e))) {
			alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
			return 1;
		}
		x.glob = argv[i];
		x.n = 0;
		alu_state_foreach(s, each, &x);
		found = want_inst ? show_installed(s, &x, &heading) : 0;
		avail = 0;
		if (!want_avail) {
			if (!found) {
				alu_error("No matching Packages to list: %s is not installed", argv[i]);
				rc = 1;
			}
			continue;
		}
		/* then the repositories' "Available Packages"; without usable
		 * repositories info still describes what is installed */
		if (!repos && (r = alu_repos_open(ctx, 0, &rp, &e))) {
			alu_warn("%s", e.msg[0] ? e.msg : alu_strerror(r));
			alu_err_clear(&e);
		}
		repos = repos ? repos : r ? -1 : 1;
		if (repos > 0 && (r = pkgq_info_available(rp.cache, s, &argv[i], 1, ctx->showduplicates, &avail, &e))) {
			alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
			alu_err_clear(&e);
			rc = 1;
			continue;
		}
		if (!found && !(repos > 0 && avail)) {
			alu_error("No matching Packages to list: %s is not installed", argv[i]);
			rc = 1;
		}
	}
	free(x.ids);
	alu_state_close(s);
	alu_repos_close(&rp);
	return rc;
}

const struct alu_cmd alu_cmd_info = {
	.name = "info",
	.summary = "show details of installed packages or package files",
	.usage = "[installed|available|all] NAME|./PACKAGE.rpm...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
