/* SPDX-License-Identifier: MIT */
/*
 * `alupdate update`: update installed packages (all, the named ones, or those an advisory filter selects) to the newest version.
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include "cmd/cmd.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return alu_cmd_ops_run(ctx, "update", ALU_OPS_UPDATE, argv, argc);
}

static const char *const aliases[] = { "upgrade", NULL };

const struct alu_cmd alu_cmd_update = {
	.name = "update",
	.aliases = aliases,
	.summary = "update installed packages (all, the named ones, or those an advisory filter selects) to the newest version",
	.usage = "[PACKAGE...]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN | ALU_OPTG_FILTER,
	.run = run,
};
