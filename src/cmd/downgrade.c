/* SPDX-License-Identifier: MIT */
/*
 * `alupdate downgrade`: replace installed packages by the next older version available.
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include "cmd/cmd.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return alu_cmd_ops_run(ctx, "downgrade", ALU_OPS_DOWNGRADE, argv, argc);
}

const struct alu_cmd alu_cmd_downgrade = {
	.name = "downgrade",
	.summary = "replace installed packages by the next older version available",
	.usage = "PACKAGE...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
