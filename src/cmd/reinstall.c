/* SPDX-License-Identifier: MIT */
/*
 * `alupdate reinstall`: install the same version of installed packages again.
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include "cmd/cmd.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return alu_cmd_ops_run(ctx, "reinstall", ALU_OPS_REINSTALL, argv, argc);
}

const struct alu_cmd alu_cmd_reinstall = {
	.name = "reinstall",
	.summary = "install the same version of installed packages again",
	.usage = "PACKAGE...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
