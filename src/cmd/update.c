/* SPDX-License-Identifier: MIT */
/*
 * `alupdate update`: update installed packages (all, the named ones, or those an advisory filter selects) to the newest version.
 * The work is src/ops's; cmd/opsrun.c shows it the way yum does.
 */
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "repo/repo.h"

extern const struct alu_cmd alu_cmd_install;

static int rpm_file(const char *a)
{
	size_t n = strlen(a);
	return n > 4 && !strcmp(a + n - 4, ".rpm");
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	int files = 0;

	for (int i = 0; i < argc; i++)
		files += rpm_file(argv[i]);
	/* `upgrade ./x.rpm` on a root without repositories: the package files as
	 * `install ./x.rpm` takes them there (rpm -U); with repositories, yum's
	 * updateonly install through the solver (ops/local.c) */
	if (files == argc && argc && !alu_filter_active(&ctx->filter) && !alu_cmd_has_repos(ctx))
		return alu_cmd_install.run(priv, ctx, argc, argv);
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
