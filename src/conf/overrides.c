/* SPDX-License-Identifier: MIT */
/* Command-line overrides: --setopt, --enablerepo/--disablerepo, --repofrompath. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf_int.h"
#include "util/out.h"

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Split "key=value" (key lowercased) into @p key; returns the value or NULL. */
static const char *split_opt(const char *opt, char *key, size_t size)
{
	const char *eq = strchr(opt, '=');
	size_t kl;

	if (!eq || eq == opt)
		return NULL;
	kl = (size_t)(eq - opt);
	if (kl >= size)
		return NULL;
	for (size_t i = 0; i < kl; i++)
		key[i] = (char)tolower((unsigned char)opt[i]);
	key[kl] = 0;
	return eq + 1;
}

static int apply_err(int r, const char *opt, const char *key, const char *val, struct alu_err *e)
{
	if (r == 1)
		return alu_err_set(e, -ALUE_USAGE, "--setopt=%s: unknown option '%s'", opt, key);
	if (r == -EINVAL)
		return alu_err_set(e, -ALUE_USAGE, "--setopt=%s: bad value '%s' for '%s'", opt, val, key);
	return r;
}

int alu_conf_setopt_main(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e)
{
	char key[256];

	for (size_t i = 0; i < ctx->setopts.n; i++) {
		const char *opt = ctx->setopts.v[i];
		const char *val = split_opt(opt, key, sizeof(key));
		int r;

		if (!val)
			return alu_err_set(e, -ALUE_USAGE, "--setopt=%s: expected KEY=VALUE or REPOID.KEY=VALUE", opt);
		if (strchr(key, '.'))
			continue;
		r = alu_conf_apply(c, NULL, key, val);
		/* yum warns and goes on: a script's --setopt for a plugin or a
		 * newer yum must not stop the run */
		if (r == 1)
			alu_warn("--setopt=%s: main config did not have a %s attr. (ignored)", opt, key);
		else if (r)
			return apply_err(r, opt, key, val, e);
	}
	return 0;
}

int alu_conf_setopt_repos(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e)
{
	char spec[256];

	for (size_t i = 0; i < ctx->setopts.n; i++) {
		const char *opt = ctx->setopts.v[i];
		const char *val = split_opt(opt, spec, sizeof(spec));
		char *dot, *key;
		size_t hits = 0;
		int r;

		if (!val || !(dot = strrchr(spec, '.')))
			continue;
		/* The repo id keeps its case; only the key was meant to be lowercased. */
		memcpy(spec, opt, (size_t)(dot - spec));
		*dot = 0;
		key = dot + 1;
		if (!*spec || !*key)
			return alu_err_set(e, -ALUE_USAGE, "--setopt=%s: expected REPOID.KEY=VALUE", opt);
		for (size_t j = 0; j < c->nrepos; j++) {
			if (fnmatch(spec, c->repos[j].id, 0))
				continue;
			hits++;
			r = alu_conf_apply(c, &c->repos[j], key, val);
			if (r == 1) {
				alu_warn("--setopt=%s: repo %s did not have a %s attr. (ignored)", opt,
					 c->repos[j].id, key);
				break;
			}
			if (r)
				return apply_err(r, opt, key, val, e);
		}
		if (!hits) {
			/* Still refuse a key no repository could take. */
			struct alu_repo probe = { 0 };
			r = alu_conf_apply(c, &probe, key, val);
			alu_conf_repo_free(&probe);
			if (r && r != 1)
				return apply_err(r, opt, key, val, e);
			alu_warn("--setopt=%s: no repository matches '%s'", opt, spec);
		}
	}
	return 0;
}

int alu_conf_repo_ops(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e)
{
	for (size_t i = 0; i < ctx->repo_ops.n; i++) {
		const char *op = ctx->repo_ops.v[i];
		int enable = op[0] == '+';
		const char *glob = op + 1;
		size_t hits = 0;

		if (op[0] != '+' && op[0] != '-')
			continue;
		for (size_t j = 0; j < c->nrepos; j++) {
			if (fnmatch(glob, c->repos[j].id, 0))
				continue;
			c->repos[j].enabled = enable;
			hits++;
		}
		/* yum: "Error getting repository data for X, repository not found". */
		if (!hits && enable && !has_glob(glob))
			return alu_err_set(e, -ALUE_NOTFOUND, "--enablerepo=%s: repository not found", glob);
	}
	return 0;
}

int alu_conf_valid_id(const char *id)
{
	if (!*id)
		return 0;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
			return 0;
	return 1;
}

int alu_conf_repofrompath(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e)
{
	for (size_t i = 0; i < ctx->repofrompath.n; i++) {
		const char *arg = ctx->repofrompath.v[i];
		const char *comma = strchr(arg, ',');
		char *id = NULL, *url = NULL, *sub = NULL;
		struct alu_repo *v, *r;
		int ret = -ENOMEM;

		if (!comma || comma == arg || !comma[1])
			return alu_err_set(e, -ALUE_CONFIG, "--repofrompath=%s: expected ID,URL or ID,PATH", arg);
		if (!(id = strndup(arg, (size_t)(comma - arg))))
			return -ENOMEM;
		if (!alu_conf_valid_id(id)) {
			ret = alu_err_set(e, -ALUE_CONFIG, "--repofrompath=%s: bad repository id '%s'", arg, id);
			goto fail;
		}
		if (alu_conf_repo(c, id)) {
			ret = alu_err_set(e, -ALUE_CONFIG, "--repofrompath=%s: repository '%s' already exists", arg, id);
			goto fail;
		}
		if (strstr(comma + 1, "://")) {
			url = strdup(comma + 1);
		} else {
			/* A bare path is a local directory on the host, as in dnf. */
			char cwd[PATH_MAX];
			const char *p = comma + 1;
			if (*p != '/' && !getcwd(cwd, sizeof(cwd))) {
				ret = alu_err_set(e, -errno, "--repofrompath=%s: %s", arg, strerror(errno));
				goto fail;
			}
			size_t len = strlen(p) + (*p == '/' ? 0 : strlen(cwd) + 1) + 8;
			if ((url = malloc(len)))
				snprintf(url, len, "file://%s%s%s", *p == '/' ? "" : cwd, *p == '/' ? "" : "/", p);
		}
		if (!url || alu_conf_subst(c, url, &sub))
			goto fail;
		v = realloc(c->repos, (c->nrepos + 1) * sizeof(*v));
		if (!v)
			goto fail;
		c->repos = v;
		r = &c->repos[c->nrepos];
		memset(r, 0, sizeof(*r));
		r->id = id;
		id = NULL;
		c->nrepos++;
		if (alu_conf_inherit(c, r) || !(r->name = strdup(r->id)) || alu_strv_push(&r->baseurls, sub) ||
		    !(r->file = strdup("--repofrompath")))
			goto fail;
		r->enabled = 1;
		r->priority = ALU_CONF_PRIORITY_DEFAULT;
		r->cost = ALU_CONF_COST_DEFAULT;
		r->mirrorlist_expire = r->metadata_expire;
		free(url);
		free(sub);
		continue;
fail:
		free(id);
		free(url);
		free(sub);
		return ret;
	}
	return 0;
}
