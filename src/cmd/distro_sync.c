/* SPDX-License-Identifier: MIT */
/*
 * `alupdate distro-sync`: synchronise installed packages with the repositories' versions (up or down).
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include "cmd/cmd.h"
#include "cmd/opsrun.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return alu_cmd_ops_run(ctx, "distro-sync", ALU_OPS_DISTSYNC, argv, argc);
}

static const char *const aliases[] = { "distribution-synchronization", "dsync", NULL };

const struct alu_cmd alu_cmd_distro_sync = {
	.name = "distro-sync",
	.aliases = aliases,
	.summary = "synchronise installed packages with the repositories' versions (up or down)",
	.usage = "[PACKAGE...]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
