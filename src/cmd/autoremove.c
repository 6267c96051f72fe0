/* SPDX-License-Identifier: MIT */
/*
 * `alupdate autoremove`: remove packages installed as dependencies that nothing needs any more.
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include "cmd/cmd.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return alu_cmd_ops_run(ctx, "autoremove", ALU_OPS_AUTOREMOVE, argv, argc);
}

const struct alu_cmd alu_cmd_autoremove = {
	.name = "autoremove",
	.summary = "remove packages installed as dependencies that nothing needs any more",
	.usage = "[PACKAGE...]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
