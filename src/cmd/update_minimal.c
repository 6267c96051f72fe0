/* SPDX-License-Identifier: MIT */
/*
 * `alupdate update-minimal`: update packages named by matching advisories to the oldest version that fixes them.
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include "cmd/cmd.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return alu_cmd_ops_run(ctx, "update-minimal", ALU_OPS_UPDATE_MINIMAL, argv, argc);
}

static const char *const aliases[] = { "upgrade-minimal", "minimal-update", NULL };

const struct alu_cmd alu_cmd_update_minimal = {
	.name = "update-minimal",
	.aliases = aliases,
	.summary = "update packages named by matching advisories to the oldest version that fixes them",
	.usage = "[PACKAGE...]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN | ALU_OPTG_FILTER,
	.run = run,
};
