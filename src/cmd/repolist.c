/* SPDX-License-Identifier: MIT */
/*
 * `alupdate repolist [all|enabled|disabled] [REPOID-GLOB...]`: yum's table
 * of repositories (repo id, repo name, status), sorted by id. The default
 * shows the enabled ones. --json: [{"id", "name", "enabled", "file", "line"}].
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "cmd/cmd.h"
#include "conf/conf.h"
#include "util/err.h"
#include "util/out.h"

enum { SHOW_ENABLED, SHOW_DISABLED, SHOW_ALL };

static int by_id(const void *a, const void *b)
{
	const struct alu_repo *x = *(const struct alu_repo *const *)a;
	const struct alu_repo *y = *(const struct alu_repo *const *)b;
	return strcmp(x->id, y->id);
}

static int selected(const struct alu_repo *r, int mode, int argc, char **argv)
{
	if ((mode == SHOW_ENABLED && !r->enabled) || (mode == SHOW_DISABLED && r->enabled))
		return 0;
	if (!argc)
		return 1;
	for (int i = 0; i < argc; i++)
		if (!fnmatch(argv[i], r->id, 0))
			return 1;
	return 0;
}

static void table(const struct alu_repo *const *rows, size_t n)
{
	int wid = (int)strlen("repo id"), wname = (int)strlen("repo name");

	for (size_t i = 0; i < n; i++) {
		int a = (int)strlen(rows[i]->id), b = (int)strlen(rows[i]->name);
		wid = a > wid ? a : wid;
		wname = b > wname ? b : wname;
	}
	printf("%-*s %-*s %s\n", wid, "repo id", wname, "repo name", "status");
	for (size_t i = 0; i < n; i++)
		printf("%-*s %-*s %s\n", wid, rows[i]->id, wname, rows[i]->name,
			rows[i]->enabled ? "enabled" : "disabled");
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	const struct alu_repo **rows = NULL;
	struct alu_conf c;
	struct alu_err e = { 0 };
	int mode = SHOW_ENABLED, rc = 1;
	size_t n = 0;

	(void)priv;
	if (argc && !strcmp(argv[0], "all"))
		mode = SHOW_ALL;
	else if (argc && !strcmp(argv[0], "disabled"))
		mode = SHOW_DISABLED;
	if (argc && (mode != SHOW_ENABLED || !strcmp(argv[0], "enabled"))) {
		argc--;
		argv++;
	}
	if (alu_conf_load(ctx, &c, &e)) {
		alu_error("%s", e.msg);
		goto out;
	}
	if (c.nrepos && !(rows = calloc(c.nrepos, sizeof(*rows)))) {
		alu_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < c.nrepos; i++)
		if (selected(&c.repos[i], mode, argc, argv))
			rows[n++] = &c.repos[i];
	if (n)
		qsort(rows, n, sizeof(*rows), by_id);
	if (ctx->json) {
		fputs("[", stdout);
		for (size_t i = 0; i < n; i++) {
			fputs(i ? ", {\"id\": " : "{\"id\": ", stdout);
			alu_json_str(rows[i]->id);
			fputs(", \"name\": ", stdout);
			alu_json_str(rows[i]->name);
			printf(", \"enabled\": %s, \"file\": ", rows[i]->enabled ? "true" : "false");
			alu_json_str(rows[i]->file ? rows[i]->file : "");
			printf(", \"line\": %d}", rows[i]->line);
		}
		fputs("]\n", stdout);
	} else if (n) {
		table(rows, n);
	} else {
		alu_msg("No repositories available");
	}
	rc = 0;
out:
	free(rows);
	alu_conf_free(&c);
	return rc;
}

const struct alu_cmd alu_cmd_repolist = {
	.name = "repolist",
	.summary = "list the configured repositories",
	.usage = "[all|enabled|disabled] [REPOID...]",
	.run = run,
};
