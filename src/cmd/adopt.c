/* SPDX-License-Identifier: MIT */
/*
 * `alupdate adopt`: (re-)import the root's rpm database, replacing
 * alupdate's view of what is installed with rpm's, in one transaction.
 * The rpm database is only read (a re-import adopts it whole: the write-back
 * record is reset and the next sync finds the two equal). Running it twice
 * gives the same state.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/db.h"
#include "db/rpmdb.h"
#include "db/state.h"
#include "ops/ops.h"
#include "rpmdb/rpmdb_out.h"
#include "txn/txn.h"
#include "util/out.h"

/* Is it alupdate's own state file that is damaged (not the rpm database)? */
static int state_damaged(const struct alu_ctx *ctx)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s%s/data.mdb", strcmp(ctx->root, "/") ? ctx->root : "",
		 ALU_STATE_DIR);
	return alu_db_check_file(p, NULL) == -ALUE_CORRUPT;
}

/* A damaged state file: keep it aside (under the writer lock) and adopt anew. */
static int set_aside(struct alu_ctx *ctx, struct alu_err *e)
{
	char kept[4200];
	int lockfd, r;

	alu_warn("%s", e->msg);
	alu_err_clear(e);
	r = alu_txn_lock(ctx->root, ctx->nowait ? ALU_TXNF_NOWAIT : 0, &lockfd, e);
	if (r)
		return r;
	r = alu_state_set_aside(ctx->root, kept, sizeof(kept), e);
	alu_txn_unlock(lockfd);
	if (!r)
		alu_warn("the damaged state was kept as %s; its history is not carried over", kept);
	return r;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	enum alu_rpmdb_kind kind;
	char path[4096];
	size_t n = 0;
	int r;

	(void)priv; (void)argc; (void)argv;
	/* say first, and plainly, when there is nothing to adopt */
	r = alu_rpmdb_find(ctx->root, path, sizeof(path), &kind, &e);
	if (r)
		goto fail;
	r = alu_state_open(ctx->root, 0, &s, &e);
	if (r == -ALUE_CORRUPT && state_damaged(ctx) && (r = set_aside(ctx, &e)) == 0)
		r = alu_state_open(ctx->root, 0, &s, &e);
	if (r)
		goto fail;
	if (alu_state_info(s)->adopted_now) {
		/* a first open adopts by itself: importing again would only repeat it */
		n = alu_state_info(s)->adopted_count;
		snprintf(path, sizeof(path), "%s", alu_state_info(s)->adopted_from);
	} else {
		r = alu_state_adopt(s, &n, path, &e);
		if (!r)
			r = alu_rpmdb_forget(s, &e);
		if (r)
			goto fail;
	}
	r = alu_ops_rpmdb_sync(ctx, NULL, s, &e);
	if (r)
		goto fail;
	if (ctx->json)
		printf("{\"adopted\":%zu,\"from\":\"%s\"}\n", n, path);
	else
		alu_msg("Adopted %zu packages from %s", n, path);
	alu_state_close(s);
	return 0;
fail:
	alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
	alu_state_close(s);
	return 1;
}

const struct alu_cmd alu_cmd_adopt = {
	.name = "adopt",
	.summary = "import the rpm database as the installed-package state",
	.usage = "",
	.flags = ALU_CMDF_WRITES_ROOT,
	.run = run,
};
