/* SPDX-License-Identifier: MIT */
/*
 * `alupdate verify [NAME...]`: rpm -V for installed packages (all of them
 * without arguments, as rpm -Va). One line per file that differs, in rpm's
 * format ("S.5....T.  c /etc/x.conf", "missing     /usr/bin/x"), and exit
 * status 1 when anything differs, so scripts written for rpm -V keep
 * working. Named `verify` (as yum-plugin-verify's `yum verify`), not
 * `check`: `yum check`/`dnf check` mean a consistency check of the package
 * database, and a user typing it expects that.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/state.h"
#include "txn/txn.h"
#include "util/out.h"

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

	(void)priv;
	v.matched = calloc((size_t)argc + 1, sizeof(int));
	r = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &v.s, &e);
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
	.usage = "[NAME...]",
	.run = run,
};
