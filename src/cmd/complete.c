/* SPDX-License-Identifier: MIT */
/*
 * alupdate complete WHAT [ARG]: the words contrib/completion/ offers, one a
 * line. Options come from the tables main.c parses, so completions cannot
 * drift from the parser; package names come from the cache only (-C is
 * forced: a TAB must never go to the network).
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/help.h"
#include "cmd/pkgq.h"
#include "conf/conf.h"
#include "db/cache.h"
#include "db/state.h"
#include "ops/ops.h"
#include "repo/repo.h"
#include "util/out.h"

extern const struct alu_cmd alu_cmd_complete;

static void put_opts(const struct alu_opt *o)
{
	/* "--name=" when it takes a value: the completion then adds no space */
	for (; o && o->name; o++) {
		printf("--%s%s\n", o->name, o->has_arg ? "=" : "");
		if (o->short_opt)
			printf("-%c\n", o->short_opt);
	}
}

static int options(const char *name)
{
	const struct alu_cmd *c = name ? alu_cmd_find(name) : NULL;

	if (name && !c) {
		alu_error("complete options: unknown command '%s'", name);
		return 1;
	}
	put_opts(alu_main_opt_groups[0]);
	if (c && (c->groups & ALU_OPTG_TXN))
		put_opts(alu_main_opt_groups[1]);
	if (c && (c->groups & ALU_OPTG_FILTER))
		put_opts(alu_main_opt_groups[2]);
	if (c)
		put_opts(c->opts);
	return 0;
}

static int repos(struct alu_ctx *ctx)
{
	struct alu_conf c = { 0 };
	struct alu_err e = { 0 };

	if (alu_conf_load(ctx, &c, &e)) {
		alu_error("%s", e.msg);
		return 1;
	}
	for (size_t i = 0; i < c.nrepos; i++)
		puts(c.repos[i].id);
	alu_conf_free(&c);
	return 0;
}

static int packages(struct alu_ctx *ctx, int available)
{
	struct alu_repos rp = { 0 };
	struct alu_state *s = NULL;
	struct pkgq_rows inst = { 0 }, av = { 0 };
	struct alu_err e = { 0 };
	const struct pkgq_rows *out = available ? &av : &inst;
	int rc;

	ctx->cacheonly = 1;
	if (available && (rc = alu_repos_open(ctx, 0, &rp, &e)))
		goto out;
	if ((rc = alu_ops_state_open_ro(ctx, &s, &e)))
		goto out;
	if ((rc = pkgq_installed(s, NULL, 0, &inst))) {
		alu_err_set(&e, rc, "reading installed packages: %s", alu_strerror(rc));
		goto out;
	}
	if (available)
		rc = pkgq_available(rp.cache, &inst, NULL, 0, 0, &av, &e);
	for (size_t i = 0; !rc && i < out->n; i++)
		if (!i || strcmp(out->v[i].name, out->v[i - 1].name))
			puts(out->v[i].name);
out:
	if (rc)
		alu_error("%s", e.msg);
	pkgq_free(&inst);
	pkgq_free(&av);
	alu_state_close(s);
	alu_repos_close(&rp);
	return rc ? 1 : 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	if (!strcmp(argv[0], "commands") && argc == 1) {
		for (size_t i = 0; alu_cmds[i]; i++) {
			if (alu_cmds[i] == &alu_cmd_complete)   /* for scripts, not offered */
				continue;
			puts(alu_cmds[i]->name);
			for (size_t j = 0; alu_cmds[i]->aliases && alu_cmds[i]->aliases[j]; j++)
				puts(alu_cmds[i]->aliases[j]);
		}
		return 0;
	}
	if (!strcmp(argv[0], "options") && argc <= 2)
		return options(argc == 2 ? argv[1] : NULL);
	if (!strcmp(argv[0], "repos") && argc == 1)
		return repos(ctx);
	if ((!strcmp(argv[0], "installed") || !strcmp(argv[0], "available")) && argc == 1)
		return packages(ctx, argv[0][0] == 'a');
	alu_error("complete: expected commands | options [COMMAND] | repos | installed | available, not '%s'",
		  argv[0]);
	return 1;
}

const struct alu_cmd alu_cmd_complete = {
	.name = "complete",
	.summary = "the words the shell completions offer (for contrib/completion)",
	.usage = "commands | options [COMMAND] | repos | installed | available",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
