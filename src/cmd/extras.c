/* SPDX-License-Identifier: MIT */
/*
 * `alupdate extras list|info TOPIC|enable TOPIC[=VER]...|disable TOPIC...|
 * install TOPIC[=VER]...`, also run as `amazon-linux-extras`: the topics
 * of the mirror's extras-catalog.json (repo/extras_catalog.h; CATALOGURL
 * overrides where it is fetched from), enabled as repositories in
 * /etc/yum.repos.d/amzn2-extras.repo (cmd/extras_repo.h). Every topic named
 * is checked (exists, version, deprecation, conflicts or whitelists, with
 * the topics already enabled) before the file is replaced, atomically, once.
 * `install` then installs the topics' packages in one transaction, through
 * the same path as `install`, and later `update --security` sees the
 * topics' advisories like any repository's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/extras_repo.h"
#include "cmd/opsrun.h"
#include "conf/conf.h"
#include "db/state.h"
#include "repo/extras_catalog.h"
#include "txn/rootfile.h"
#include "util/json.h"
#include "util/out.h"

#define REPOFILE "amzn2-extras.repo"

struct xctx {
	struct alu_conf conf;
	struct alu_extras_catalog cat;
	struct alu_extras_src src;
	char path[2048];        /* the .repo file inside the root */
};

static int load(struct alu_ctx *ctx, struct xctx *x, struct alu_err *e)
{
	int rc;

	if ((rc = alu_conf_load(ctx, &x->conf, e)))
		return rc;
	snprintf(x->path, sizeof(x->path), "%s/%s",
		 x->conf.reposdirs.n ? x->conf.reposdirs.v[0] : "/etc/yum.repos.d", REPOFILE);
	return alu_extras_fetch(&x->conf, &x->src, &x->cat, e);
}

/* "" when the topic has no section, else "enabled"/"disabled"; @p ver gets the
 * version of its mirrorlist (.../extras/T/VER/...) */
static const char *state(const struct xctx *x, const char *topic, char *ver, size_t vn)
{
	char id[320], pat[320];
	const struct alu_repo *r;
	const char *p;

	snprintf(id, sizeof(id), "amzn2extra-%s", topic);
	snprintf(pat, sizeof(pat), "/extras/%s/", topic);
	ver[0] = 0;
	if (!(r = alu_conf_repo(&x->conf, id)))
		return "";
	if (r->mirrorlist && (p = strstr(r->mirrorlist, pat)))
		snprintf(ver, vn, "%.*s", (int)strcspn(p + strlen(pat), "/"), p + strlen(pat));
	return r->enabled ? "enabled" : "disabled";
}

static int count_cb(void *arg, const struct alu_instpkg *p)
{
	(void)p;
	++*(int *)arg;
	return 0;
}

/* 1 when every package the topic installs is installed */
static int installed(struct alu_state *s, const struct alu_extras_topic *t)
{
	for (size_t i = 0; s && i < t->inst.n; i++) {
		int n = 0;
		alu_state_find_name(s, t->inst.v[i], count_cb, &n);
		if (!n)
			return 0;
	}
	return s && t->inst.n;
}

static int list(struct alu_ctx *ctx, struct xctx *x)
{
	struct alu_state *s = NULL;
	struct alu_err se = { 0 };

	/* no state (a root never adopted): no installed marks, not an error */
	if (alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &se))
		s = NULL;
	for (size_t i = 0; i < x->cat.ntopics; i++) {
		const struct alu_extras_topic *t = &x->cat.topics[i];
		char ver[256], name[512];
		const char *st = state(x, t->name, ver, sizeof(ver));

		if (!t->visible && !*st)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", t->name, !strcmp(st, "enabled") ? "=" : "",
			 !strcmp(st, "enabled") ? ver : "");
		printf("%3zu  %-24s %-12s [", i, name, *st ? st : "available");
		for (size_t v = 0; v < t->versions.n; v++)
			printf(" =%s", t->versions.v[v]);
		printf(" ]%s%s%s\n", installed(s, t) ? "  installed" : "",
		       t->deprecated_at ? "  deprecated since " : "", t->deprecated_at ? t->deprecated_at : "");
	}
	alu_state_close(s);
	return 0;
}

static void json_strv(const struct alu_strv *v)
{
	printf("[");
	for (size_t i = 0; i < v->n; i++) {
		printf(i ? "," : "");
		alu_json_str(v->v[i]);
	}
	printf("]");
}

/* As amazon-linux-extras' `info`: one line per package the topic's `inst`
 * brings, "TOPIC recommends PKG   # yum install PKG"; --json says all the
 * catalog and the root know of each topic. Every topic is checked first. */
static int info(struct alu_ctx *ctx, struct xctx *x, int argc, char **argv, struct alu_err *e)
{
	for (int i = 0; i < argc; i++)
		if (!alu_extras_catalog_find(&x->cat, argv[i]))
			return alu_err_set(e, -ALUE_NOTFOUND, "Topic %s is not found.", argv[i]);
	if (ctx->json)
		printf("[");
	for (int i = 0; i < argc; i++) {
		const struct alu_extras_topic *t = alu_extras_catalog_find(&x->cat, argv[i]);
		char ver[256];
		const char *st = state(x, t->name, ver, sizeof(ver));

		if (!ctx->json) {
			for (size_t v = 0; v < t->inst.n; v++)
				printf("%s recommends %-40s # yum install %s\n", t->name, t->inst.v[v], t->inst.v[v]);
			continue;
		}
		printf("%s{\"topic\":", i ? "," : "");
		alu_json_str(t->name);
		printf(",\"state\":");
		alu_json_str(*st ? st : "available");
		printf(",\"version\":");
		alu_json_str(ver);
		printf(",\"versions\":");
		json_strv(&t->versions);
		printf(",\"inst\":");
		json_strv(&t->inst);
		printf(",\"conflicts\":");
		json_strv(&t->conflicts);
		printf(",\"visible\":%s,\"deprecated_at\":", t->visible ? "true" : "false");
		if (t->deprecated_at)
			alu_json_str(t->deprecated_at);
		else
			printf("null");
		snprintf(ver, sizeof(ver), "amzn2extra-%s", t->name);
		printf(",\"repository\":");
		alu_json_str(ver);
		printf("}");
	}
	if (ctx->json)
		printf("]\n");
	return 0;
}

/* every argument checked, then the file edited as read and replaced once */
static int enable(struct alu_ctx *ctx, struct xctx *x, int argc, char **argv, struct alu_strv *inst,
		  struct alu_err *e)
{
	struct alu_extras_file f = { 0 };
	struct alu_strv on = { 0 };
	char ver[256];
	int rc = 0;

	for (size_t i = 0; i < x->cat.ntopics; i++)
		if (!strcmp(state(x, x->cat.topics[i].name, ver, sizeof(ver)), "enabled") &&
		    alu_strv_push(&on, x->cat.topics[i].name))
			rc = -ENOMEM;
	rc = alu_root_file_read(ctx->root, x->path, 1u << 20, &f.text, &f.len, e);
	if (rc == -ENOENT) {
		alu_err_clear(e);
		rc = (f.text = strdup(alu_extras_file_header)) ? 0 : -ENOMEM;
		f.len = f.text ? strlen(f.text) : 0;
	}
	for (int i = 0; !rc && i < argc; i++) {
		char topic[256];
		const char *eq = strchr(argv[i], '='), *v = eq ? eq + 1 : "latest";
		const struct alu_extras_topic *t;

		snprintf(topic, sizeof(topic), "%.*s", (int)(eq ? (size_t)(eq - argv[i]) : strlen(argv[i])), argv[i]);
		if (!(t = alu_extras_catalog_find(&x->cat, topic)))
			rc = alu_err_set(e, -ALUE_NOTFOUND, "Topic %s is not found.", topic);
		else if (t->deprecated_at && !*state(x, topic, ver, sizeof(ver)))
			rc = alu_err_set(e, -EPERM, "Topic %s has end-of-support date of %s and cannot be enabled.",
					 topic, t->deprecated_at);
		else if (eq && !alu_strv_has(&t->versions, v))
			rc = alu_err_set(e, -ALUE_NOTFOUND, "Topic %s has no version %s (it has: %s%s).", topic,
					 v, t->versions.n ? t->versions.v[0] : "none", t->versions.n > 1 ? ", ..." : "");
		else if ((!alu_strv_has(&on, topic) && alu_strv_push(&on, topic)) ||
			 (inst && t->inst.n && alu_strv_push(inst, t->inst.v[0])))
			rc = -ENOMEM;
		for (size_t k = 1; !rc && t && inst && k < t->inst.n; k++)
			rc = alu_strv_push(inst, t->inst.v[k]);
		/* install needs the topic's repository now: say which one is missing,
		 * before anything changes; enable may be for later (a warning) */
		if (!rc && alu_extras_topic_check(&x->conf, &x->src, topic, v, e)) {
			if (inst) {
				rc = e->code;
			} else {
				alu_warn("%s", e->msg);
				alu_err_clear(e);
			}
		}
		if (!rc)
			rc = alu_extras_file_enable(&f, topic, v, x->src.base, x->src.gpgkey, e);
	}
	if (!rc)
		rc = alu_extras_catalog_check(&x->cat, &on, e);
	if (!rc)
		rc = alu_root_file_write(ctx->root, x->path, f.text, f.len, 0644, e);
	free(f.text);
	alu_strv_free(&on);
	return rc == -ENOMEM ? alu_err_set(e, rc, "out of memory") : rc;
}

static int disable(struct alu_ctx *ctx, struct xctx *x, int argc, char **argv, struct alu_err *e)
{
	struct alu_extras_file f = { 0 };
	int rc = alu_root_file_read(ctx->root, x->path, 1u << 20, &f.text, &f.len, e);

	if (rc == -ENOENT)
		rc = alu_err_set(e, rc, "no topic is enabled (%s does not exist)", x->path);
	for (int i = 0; !rc && i < argc; i++)
		rc = alu_extras_catalog_find(&x->cat, argv[i]) ? alu_extras_file_disable(&f, argv[i], e)
			: alu_err_set(e, -ALUE_NOTFOUND, "Topic %s is not found.", argv[i]);
	if (!rc)
		rc = alu_root_file_write(ctx->root, x->path, f.text, f.len, 0644, e);
	free(f.text);
	return rc;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct xctx *x = calloc(1, sizeof(*x));
	struct alu_err e = { 0 };
	struct alu_strv inst = { 0 };
	const char *verb = argc ? argv[0] : "list";
	int rc = 0, code = 1;

	(void)priv;
	if (!x) {
		alu_error("out of memory");
		return 1;
	}
	if (strcmp(verb, "list") && strcmp(verb, "info") && strcmp(verb, "enable") &&
	    strcmp(verb, "disable") && strcmp(verb, "install")) {
		alu_error("extras: unknown verb '%s' (list, info, enable, disable, install)", verb);
		goto out;
	}
	if (strcmp(verb, "list") && argc < 2) {
		alu_error("extras %s: name a topic", verb);
		goto out;
	}
	argc -= argc > 0, argv += 1;
	if ((rc = load(ctx, x, &e)))
		goto fail;
	if (!strcmp(verb, "list"))
		rc = list(ctx, x);
	else if (!strcmp(verb, "info"))
		rc = info(ctx, x, argc, argv, &e);
	else if (!strcmp(verb, "disable"))
		rc = disable(ctx, x, argc, argv, &e);
	else if (!(rc = enable(ctx, x, argc, argv, !strcmp(verb, "install") ? &inst : NULL, &e)))
		alu_msg("%s: %s enabled in %s", verb, argc == 1 ? argv[0] : "topics", x->path);
fail:
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		goto out;
	}
	code = 0;
	if (!strcmp(verb, "install") && inst.n) {
		/* the configuration is read again by the transaction: the new file counts */
		alu_extras_catalog_free(&x->cat);
		alu_conf_free(&x->conf);
		code = alu_cmd_ops_run(ctx, "install", ALU_OPS_INSTALL, inst.v, (int)inst.n);
	}
out:
	alu_extras_catalog_free(&x->cat);
	alu_conf_free(&x->conf);
	alu_strv_free(&inst);
	free(x);
	return code;
}

const struct alu_cmd alu_cmd_extras = {
	.name = "extras",
	.summary = "amazon-linux-extras: list, enable, disable and install extras topics",
	.usage = "list | info TOPIC | enable TOPIC[=VERSION]... | disable TOPIC... | install TOPIC[=VERSION]...",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
