/* SPDX-License-Identifier: MIT */
/*
 * `alupdate remove NAME...` (alias erase): erase installed packages through
 * the solver, as yum does: the packages that need a removed one are removed
 * with it (shown under "Removing for dependencies:" and asked about);
 * protected packages and the running kernel are refused. Works on a root
 * without any repository configuration (src/ops opens no repository then).
 */
#include <errno.h>

#include "cmd/cmd.h"
#include "cmd/groupsel.h"
#include "cmd/opsrun.h"
#include "util/out.h"

/* dnf's remove --duplicates and --oldinstallonly */
#define OPTS(X) X(OPT_DUPES, "duplicates", 0, 0) X(OPT_OLDIO, "oldinstallonly", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv { int dupes, oldio; };

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *pv = p;

	(void)ctx;
	(void)arg;
	if (id == OPT_DUPES)
		pv->dupes = 1;
	else if (id == OPT_OLDIO)
		pv->oldio = 1;
	else
		return -ENOTSUP;
	return 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *pv = priv;

	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '@')   /* remove @group: yum's groupremove spelling */
			return alu_cmd_group_mixed(ctx, "remove", 1, argv, argc);
	if ((pv->dupes || pv->oldio) && (argc || (pv->dupes && pv->oldio))) {
		alu_error("remove --duplicates and --oldinstallonly take no package names "
			  "and not each other");
		return 1;
	}
	if (pv->dupes || pv->oldio)
		return alu_cmd_ops_run(ctx, "remove", pv->dupes ? ALU_OPS_DUPLICATES :
				       ALU_OPS_OLDINSTALLONLY, argv, argc);
	if (!argc) {
		alu_error("remove needs an argument: alupdate remove NAME...");
		return 1;
	}
	return alu_cmd_ops_run(ctx, "remove", ALU_OPS_REMOVE, argv, argc);
}

static const char *const aliases[] = { "erase", NULL };

const struct alu_cmd alu_cmd_remove = {
	.name = "remove",
	.aliases = aliases,
	.summary = "remove installed packages (and the packages that need them)",
	.usage = "NAME... | --duplicates | --oldinstallonly",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
