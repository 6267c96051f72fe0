/* SPDX-License-Identifier: MIT */
/*
 * `alupdate recover`: take the writer lock and finish or undo a transaction
 * cut by a kill or a crash (what every writing command does first), and
 * nothing else: no repository is read, so it works on a bare root. Read-only
 * commands that find an interrupted transaction name it.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/txnrun.h"
#include "ops/ops.h"
#include "util/json.h"
#include "util/out.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	char what[1024];
	int lockfd = -1, r;

	(void)priv; (void)argc; (void)argv;
	r = alu_ops_writer_open(ctx, &lockfd, &s, what, sizeof(what), &e);
	if (r) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
		return 1;
	}
	if (ctx->json) {
		printf("{\"recovered\":");
		alu_json_str(what);
		printf("}\n");
	}
	else if (what[0])
		alu_msg("Recovered an interrupted transaction: %s", what);
	else
		alu_msg("No interrupted transaction");
	alu_cmd_txn_close(lockfd, s);
	return 0;
}

const struct alu_cmd alu_cmd_recover = {
	.name = "recover",
	.summary = "finish or undo a transaction cut by a kill or a crash",
	.usage = "",
	.flags = ALU_CMDF_WRITES_ROOT,
	.run = run,
};
