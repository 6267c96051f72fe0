/* SPDX-License-Identifier: MIT */
/*
 * `alupdate config [main|REPOID...]`: the effective configuration, the way
 * `yum-config-manager --dump` shows it ([main], then each repository, keys
 * sorted, `key = value`), but as valid INI: booleans 1/0, lists joined with
 * ", ". No argument: [main] and the enabled repositories; REPOID may be a
 * glob and shows disabled repositories too. --dump-variables lists the
 * variables instead. --json: {"main": {...}, "repos": {"id": {...}}, "vars": {...}}.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"
#include "cmd/cmd.h"
#include "conf/conf.h"
#include "util/err.h"
#include "util/out.h"

#define OPTS(X) X(OPT_VARS, "dump-variables", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv {
	int vars;
};

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *pv = p;
	(void)ctx; (void)arg;
	if (id != OPT_VARS)
		return -ENOTSUP;
	pv->vars = 1;
	return 0;
}

/* "key=value" strings as INI lines or a JSON object. */
static void show(const struct alu_strv *kv, int json)
{
	for (size_t i = 0; i < kv->n; i++) {
		const char *eq = strchr(kv->v[i], '=');
		int kl = eq ? (int)(eq - kv->v[i]) : (int)strlen(kv->v[i]);
		const char *val = eq ? eq + 1 : "";
		if (!json) {
			printf("%.*s = %s\n", kl, kv->v[i], val);
			continue;
		}
		char key[256];
		snprintf(key, sizeof(key), "%.*s", kl, kv->v[i]);
		printf("%s", i ? ", " : "");
		alu_json_str(key);
		fputs(": ", stdout);
		alu_json_str(val);
	}
}

static int section(const struct alu_conf *c, const struct alu_repo *r, int json, int *first)
{
	struct alu_strv kv = { 0 };
	int ret = alu_conf_items(c, r, &kv);

	if (ret) {
		alu_strv_free(&kv);
		return ret;
	}
	if (json) {
		printf("%s", *first ? "" : ", ");
		alu_json_str(r ? r->id : "main");
		fputs(": {", stdout);
		show(&kv, 1);
		fputs("}", stdout);
	} else {
		printf("%s[%s]\n", *first ? "" : "\n", r ? r->id : "main");
		show(&kv, 0);
	}
	*first = 0;
	alu_strv_free(&kv);
	return 0;
}

static int wanted(const struct alu_repo *r, int argc, char **argv)
{
	if (!argc)
		return r->enabled;
	for (int i = 0; i < argc; i++)
		if (!fnmatch(argv[i], r->id, 0))
			return 1;
	return 0;
}

static int run(void *p, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *pv = p;
	struct alu_conf c;
	struct alu_err e = { 0 };
	int want_main = !argc, first = 1, rc = 1;

	if (alu_conf_load(ctx, &c, &e)) {
		alu_error("%s", e.msg);
		goto out;
	}
	for (int i = 0; i < argc; i++) {
		int hit = !strcmp(argv[i], "main");
		want_main |= hit;
		for (size_t j = 0; !hit && j < c.nrepos; j++)
			hit = !fnmatch(argv[i], c.repos[j].id, 0);
		if (!hit && !strpbrk(argv[i], "*?[")) {
			alu_error("no repository '%s' (see 'alupdate repolist all')", argv[i]);
			goto out;
		}
	}
	if (pv->vars) {
		if (ctx->json) {
			fputs("{", stdout);
			show(&c.vars, 1);
			fputs("}\n", stdout);
		} else {
			show(&c.vars, 0);
		}
		rc = 0;
		goto out;
	}
	if (ctx->json)
		fputs("{\"main\": {", stdout);
	if (want_main && section(&c, NULL, ctx->json, &first))
		goto oom;
	if (ctx->json)
		fputs("}, \"repos\": {", stdout);
	if (ctx->json)
		first = 1;
	for (size_t j = 0; j < c.nrepos; j++)
		if (wanted(&c.repos[j], argc, argv) && section(&c, &c.repos[j], ctx->json, &first))
			goto oom;
	if (ctx->json) {
		fputs("}, \"vars\": {", stdout);
		show(&c.vars, 1);
		fputs("}}\n", stdout);
	}
	rc = 0;
	goto out;
oom:
	fflush(stdout);
	alu_error("out of memory");
out:
	alu_conf_free(&c);
	return rc;
}

const struct alu_cmd alu_cmd_config = {
	.name = "config",
	.summary = "show the effective configuration ([main], repositories, variables)",
	.usage = "[main|REPOID...] [--dump-variables]",
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
