/* SPDX-License-Identifier: MIT */
/*
 * `alupdate swap REMOVE-SPEC INSTALL-SPEC`: one transaction that removes the
 * installed packages REMOVE-SPEC matches and installs the newest package
 * INSTALL-SPEC names (with its dependencies), as yum's and dnf's swap: the
 * exact NEVRAs go to the transaction as history undo's targets ("-NEVRA",
 * "+NEVRA"), so nothing half-done is possible: both or neither.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "cmd/rqsel.h"
#include "util/out.h"

static int target(struct alu_strv *v, char sign, const struct pkgq_row *r)
{
	char buf[1200];

	buf[0] = sign;
	alu_nevra_fmt(buf + 1, sizeof(buf) - 1, r->name, r->epoch, r->version, r->release, r->arch);
	return alu_strv_has(v, buf) ? 0 : alu_strv_push(v, buf);
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_repos rp;
	struct alu_err e = { 0 };
	struct pkgq_rows old = { 0 }, new = { 0 };
	struct rq_src src = { &rp, NULL, ctx->cacheonly };
	struct rq_query qo = { .specs = argv, .nspecs = 1, .installed = 1 };
	struct rq_query qn = { .specs = argv + 1, .nspecs = 1, .latest = 1 };
	struct alu_strv specs = { 0 };
	int rc;

	(void)priv;
	if (argc != 2) {
		alu_error("swap needs two arguments: alupdate swap REMOVE-SPEC INSTALL-SPEC");
		return 1;
	}
	rc = alu_repos_open(ctx, 0, &rp, &e);
	if (!rc)
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &src.s, &e);
	if (!rc)
		rc = rq_select(&src, &qo, &old, &e);
	if (!rc && !old.n)
		rc = alu_err_set(&e, -ALUE_NOTFOUND, "No match for argument: %s (not installed)", argv[0]);
	if (!rc)
		rc = rq_select(&src, &qn, &new, &e);
	if (!rc && !new.n)
		rc = alu_err_set(&e, -ALUE_NOTFOUND, "No package %s available.", argv[1]);
	for (size_t i = 0; !rc && i < old.n; i++)
		rc = target(&specs, '-', &old.v[i]);
	/* the newest of each name.arch */
	for (size_t i = 0; !rc && i < new.n; i++)
		rc = target(&specs, '+', &new.v[i]);
	pkgq_free(&old);
	pkgq_free(&new);
	alu_state_close(src.s);
	alu_repos_close(&rp);
	if (!rc)
		rc = alu_cmd_ops_run(ctx, "swap", ALU_OPS_TARGET, specs.v, (int)specs.n);
	else {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
	}
	alu_strv_free(&specs);
	return rc;
}

const struct alu_cmd alu_cmd_swap = {
	.name = "swap",
	.summary = "remove one package and install another in one transaction",
	.usage = "REMOVE-SPEC INSTALL-SPEC",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
