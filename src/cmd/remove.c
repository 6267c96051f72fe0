/* SPDX-License-Identifier: MIT */
/*
 * `alupdate remove NAME...` (alias erase): erase installed packages through
 * the solver, as yum does: the packages that need a removed one are removed
 * with it (shown under "Removing for dependencies:" and asked about);
 * protected packages and the running kernel are refused. Works on a root
 * without any repository configuration (src/ops opens no repository then).
 */
#include "cmd/cmd.h"
#include "cmd/groupsel.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '@')   /* remove @group: yum's groupremove spelling */
			return alu_cmd_group_mixed(ctx, "remove", 1, argv, argc);
	return alu_cmd_ops_run(ctx, "remove", ALU_OPS_REMOVE, argv, argc);
}

static const char *const aliases[] = { "erase", NULL };

const struct alu_cmd alu_cmd_remove = {
	.name = "remove",
	.aliases = aliases,
	.summary = "remove installed packages (and the packages that need them)",
	.usage = "NAME...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
