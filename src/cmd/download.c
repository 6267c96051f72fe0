/* SPDX-License-Identifier: MIT */
/*
 * `alupdate download` (also run as `yumdownloader`): fetch packages, or
 * their source packages, into a directory without installing anything.
 * Each is downloaded into a private directory inside the destination,
 * its checksum and (gpgcheck=1) signature checked, and only then renamed
 * to its final name: an interrupted or failed download never leaves a
 * file under the final name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "ops/download.h"
#include "util/fmt.h"
#include "util/fs.h"
#include "util/out.h"

#define OPTS(X) \
	X(OPT_SOURCE, "source", 0, 0) \
	X(OPT_RESOLVE, "resolve", 0, 0) \
	X(OPT_DESTDIR, "destdir", 0, 1) \
	X(OPT_URLS, "urls", 0, 0) \
	X(OPT_URL, "url", 0, 0) \
	X(OPT_ARCHLIST, "archlist", 0, 1)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv {
	int source, resolve, urls;
	const char *destdir;
	struct alu_strv archlist;
};

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *d = p;

	(void)ctx;
	switch (id) {
	case OPT_SOURCE: d->source = 1; return 0;
	case OPT_RESOLVE: d->resolve = 1; return 0;
	case OPT_DESTDIR: d->destdir = arg; return 0;
	case OPT_URLS:
	case OPT_URL: d->urls = 1; return 0;
	case OPT_ARCHLIST: return alu_strv_push_split(&d->archlist, arg);
	}
	return -ENOTSUP;
}

struct ui { size_t i, n; };

static void on_dl(void *arg, const struct alu_plan_op *op, const char *path, int cached, int done)
{
	struct ui *u = arg;
	const char *b = strrchr(path, '/');
	char sz[32];

	(void)cached;
	if (!done)
		return;
	alu_fmt_size(op->dlsize, sz, sizeof(sz));
	alu_msg("(%zu/%zu): %-50s | %6s", ++u->i, u->n, b ? b + 1 : path, sz);
}

/* Move every verified file from the private directory to its final name. */
static int publish(struct alu_ops *o, const char *dest, struct alu_err *e)
{
	for (size_t i = 0; i < o->plan.n; i++) {
		const char *p = o->paths[i], *b;
		char fin[8192];
		if (!p)
			continue;
		b = strrchr(p, '/');
		snprintf(fin, sizeof(fin), "%s/%s", dest, b ? b + 1 : p);
		if (rename(p, fin))
			return alu_err_set(e, -errno, "%s: %s", fin, strerror(errno));
	}
	return 0;
}

static int run(void *p, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *d = p;
	struct alu_dl_opts dopt = { &d->archlist, d->source, d->resolve };
	const char *dest = d->destdir ? d->destdir : ".";
	struct alu_ops o;
	struct alu_err e = { 0 };
	struct ui u = { 0, 0 };
	char tmp[4096] = "";
	int rc = 0, opened = 0;

	if (d->source)
		rc = alu_ops_dl_source_repos(ctx, &e);
	if (!rc) {
		rc = alu_ops_open(ctx, 0, &o, &e);
		opened = 1;
	}
	if (!rc)
		rc = alu_ops_dl_plan(&o, argv, argc, &dopt, &e);
	for (size_t i = 0; !rc && d->urls && i < o.plan.n; i++) {
		char *url = NULL;
		if (!(rc = alu_ops_dl_url(&o, i, &url, &e)))
			printf("%s\n", url);
		free(url);
	}
	if (rc || d->urls)
		goto out;
	if ((rc = alu_mkdir_p(dest))) {
		alu_err_set(&e, rc, "--destdir %s: %s", dest, strerror(-rc));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s/.alupdate-download.XXXXXX", dest);
	if (!mkdtemp(tmp)) {
		rc = alu_err_set(&e, -errno, "%s: %s", tmp, strerror(errno));
		tmp[0] = 0;
		goto out;
	}
	u.n = o.plan.n;
	rc = alu_ops_download(&o, tmp, on_dl, &u, &e);
	if (!rc && ctx->nogpgcheck)
		alu_warn("--nogpgcheck: package signatures are not checked");
	if (!rc)
		rc = alu_ops_verify(&o, NULL, NULL, &e);
	if (!rc)
		rc = publish(&o, dest, &e);
out:
	if (*tmp) {
		for (size_t i = 0; o.paths && i < o.plan.n; i++)
			if (o.paths[i])
				unlink(o.paths[i]);
		rmdir(tmp);
	}
	if (opened) {
		/* the files are the user's now, whatever keepcache says */
		alu_strv_free(&o.created);
		alu_ops_close(&o);
	}
	alu_strv_free(&d->archlist);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	return 0;
}

static const char *const aliases[] = { "yumdownloader", NULL };

const struct alu_cmd alu_cmd_download = {
	.name = "download",
	.aliases = aliases,
	.summary = "download packages (or their source packages) into a directory without installing",
	.usage = "[--source] [--resolve] [--destdir DIR] [--urls] [--archlist A,...] PACKAGE...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
