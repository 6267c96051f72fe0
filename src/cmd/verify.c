/* SPDX-License-Identifier: MIT */
/*
 * `alupdate verify [NAME...]`: rpm -V for installed packages (all of them
 * without arguments, as rpm -Va). One line per file that differs, in rpm's
 * format ("S.5....T.  c /etc/x.conf", "missing     /usr/bin/x"), and exit
 * status 1 when anything differs, so scripts written for rpm -V keep
 * working. Named `verify` (as yum-plugin-verify's `yum verify`), not
 * `check`: `yum check`/`dnf check` mean a consistency check of the package
 * database, and a user typing it expects that.
 *
 * `verify --rpmdb`: instead, compare alupdate's installed state with the
 * root's rpm database header by header (src/rpmdb/diff.c); one line per
 * difference, exit status 1 when there is any.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/state.h"
#include "ops/ops.h"
#include "rpmdb/rpmdb_out.h"
#include "txn/txn.h"
#include "util/out.h"

#define OPTS(X) X(OPT_RPMDB, "rpmdb", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv {
	int rpmdb;
};

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	(void)ctx; (void)arg;
	if (id != OPT_RPMDB)
		return -ENOTSUP;
	((struct priv *)p)->rpmdb = 1;
	return 0;
}

static int rpmdb_diff(struct alu_ctx *ctx)
{
	struct alu_strv out = { 0 };
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	char path[4096];
	int r = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e);

	if (!r)
		r = alu_rpmdb_diff(s, ctx->root, &out, path, &e);
	if (r)
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
	for (size_t i = 0; i < out.n; i++)
		printf("%s\n", out.v[i]);
	if (!r && !out.n)
		alu_msg("alupdate's state and %s agree (%zu packages)", path, alu_state_count(s));
	alu_state_close(s);
	r = r || out.n;
	alu_strv_free(&out);
	return r;
}

struct vctx {
	struct alu_ctx *ctx;
	struct alu_state *s;
	char **globs;
	int nglobs;
	int *matched;
	uint64_t *ids;
	size_t n, cap;
	int differs;
};

static int pick(void *arg, const struct alu_instpkg *p)
{
	struct vctx *v = arg;
	char nvr[512], na[512];
	int hit = !v->nglobs;

	snprintf(nvr, sizeof(nvr), "%s-%s-%s", p->name, p->version, p->release);
	snprintf(na, sizeof(na), "%s.%s", p->name, p->arch);
	for (int g = 0; g < v->nglobs; g++)
		if (!fnmatch(v->globs[g], p->name, 0) || !fnmatch(v->globs[g], nvr, 0) ||
		    !fnmatch(v->globs[g], na, 0))
			hit = v->matched[g] = 1;
	if (!hit)
		return 0;
	if (v->n == v->cap) {
		size_t nc = v->cap ? v->cap * 2 : 64;
		uint64_t *ni = realloc(v->ids, nc * sizeof(*ni));
		if (!ni)
			return -1;
		v->ids = ni;
		v->cap = nc;
	}
	v->ids[v->n++] = p->id;
	return 0;
}

static int show(void *arg, const struct alu_vfile *f)
{
	struct vctx *v = arg;
	char marks[16];
	char m = (f->fflags & ALU_FILE_CONFIG) ? 'c' : (f->fflags & ALU_FILE_DOC) ? 'd' :
		 (f->fflags & ALU_FILE_LICENSE) ? 'l' : (f->fflags & ALU_FILE_README) ? 'r' : ' ';

	v->differs = 1;
	if (f->diff & ALU_VF_MISSING)
		printf("missing   %c %s\n", m, f->path);
	else
		printf("%s  %c %s\n", alu_txn_vflags(f, marks), m, f->path);
	return 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct vctx v = { .ctx = ctx, .globs = argv, .nglobs = argc };
	struct alu_err e = { 0 };
	int r, rc = 1;

	if (((struct priv *)priv)->rpmdb)
		return rpmdb_diff(ctx);
	v.matched = calloc((size_t)argc + 1, sizeof(int));
	r = alu_ops_state_open_ro(ctx, &v.s, &e);
	if (r) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
		goto out;
	}
	if (!v.matched || alu_state_foreach(v.s, pick, &v)) {
		alu_error("reading installed packages failed");
		goto out;
	}
	for (int g = 0; g < argc; g++)
		if (!v.matched[g]) {
			printf("package %s is not installed\n", argv[g]);
			v.differs = 1;
		}
	for (size_t i = 0; i < v.n; i++) {
		r = alu_txn_verify(v.s, ctx->root, v.ids[i], show, &v, &e);
		if (r) {
			alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
			goto out;
		}
	}
	rc = v.differs;
out:
	alu_state_close(v.s);
	free(v.ids);
	free(v.matched);
	return rc;
}

const struct alu_cmd alu_cmd_verify = {
	.name = "verify",
	.summary = "compare installed files with their packages (rpm -V)",
	.usage = "[NAME...] | --rpmdb",
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
