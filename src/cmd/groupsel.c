/* SPDX-License-Identifier: MIT */
/* Group selection for the group commands (cmd/groupsel.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/groupsel.h"
#include "cmd/opsrun.h"
#include "db/cache.h"
#include "util/out.h"

static const char *conf_other(const struct alu_strv *v, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = v->n; i-- > 0;)
		if (!strncmp(v->v[i], key, kl) && v->v[i][kl] == '=')
			return v->v[i] + kl + 1;
	return NULL;
}

int alu_groupsel_open(struct alu_ctx *ctx, struct alu_groupsel *g, struct alu_err *e)
{
	const char *types;
	int rc;

	memset(g, 0, sizeof(*g));
	rc = alu_repos_open(ctx, 0, &g->rp, e);
	if (rc)
		return rc;
	types = conf_other(&g->rp.conf.other, "group_package_types");
	if (alu_comps_types(types, &g->types))
		return alu_err_set(e, -ALUE_USAGE, "group_package_types=%s: expected mandatory, default, "
				   "optional or conditional", types);
	rc = alu_comps_load(&g->rp, ctx->cacheonly, &g->comps, e);
	if (!rc)
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &g->s, e);
	return rc;
}

void alu_groupsel_close(struct alu_groupsel *g)
{
	alu_state_close(g->s);
	alu_comps_free(&g->comps);
	alu_repos_close(&g->rp);
	memset(g, 0, sizeof(*g));
}

static int stop_inst(void *arg, const struct alu_instpkg *p)
{
	(void)arg;
	(void)p;
	return 1;
}

static int stop_cpkg(void *arg, const struct alu_cpkg *p)
{
	(void)arg;
	(void)p;
	return 1;
}

int alu_groupsel_installed(struct alu_groupsel *g, const char *name)
{
	return alu_state_find_name(g->s, name, stop_inst, NULL) == 1;
}

int alu_groupsel_available(struct alu_groupsel *g, const char *name)
{
	return alu_cache_by_name(g->rp.cache, name, stop_cpkg, NULL, NULL) == 1;
}

int alu_groupsel_group_installed(struct alu_groupsel *g, const struct alu_group *grp)
{
	const struct alu_strv *m = &grp->pkgs[ALU_GREQ_MANDATORY];

	if (m->n) {
		for (size_t i = 0; i < m->n; i++)
			if (!alu_groupsel_installed(g, m->v[i]))
				return 0;
		return 1;
	}
	for (int t = 0; t < ALU_GREQ_N; t++)
		for (size_t i = 0; i < grp->pkgs[t].n; i++)
			if (alu_groupsel_installed(g, grp->pkgs[t].v[i]))
				return 1;
	return 0;
}

int alu_groupsel_names(struct alu_groupsel *g, char **pats, int npats, int remove,
		       struct alu_strv *names)
{
	int missing = 0;

	for (int i = 0; i < npats; i++) {
		const struct alu_group *grp = NULL;
		int hit = 0;

		while ((grp = alu_comps_find(&g->comps, pats[i], grp))) {
			hit = 1;
			for (int t = 0; t < ALU_GREQ_N; t++) {
				if (remove != 1 && !(g->types & ALU_GREQ_BIT(t)))
					continue;
				for (size_t k = 0; k < grp->pkgs[t].n; k++) {
					const char *n = grp->pkgs[t].v[k];
					int inst = alu_groupsel_installed(g, n);
					/* remove 2 (groupupdate): installed members too, to update them */
					if (remove == 1 ? !inst : (inst && remove != 2) || !alu_groupsel_available(g, n))
						continue;
					if (!alu_strv_has(names, n) && alu_strv_push(names, n))
						return -ENOMEM;
				}
			}
		}
		if (!hit) {
			alu_warn("group %s does not exist.", pats[i]);
			missing++;
		}
	}
	return missing;
}

int alu_cmd_group_mixed(struct alu_ctx *ctx, const char *cmdname, int remove, char **argv, int argc)
{
	struct alu_groupsel g;
	struct alu_strv names = { 0 }, groups = { 0 };
	struct alu_err e = { 0 };
	int rc = alu_groupsel_open(ctx, &g, &e), ngroups = 0;

	for (int i = 0; !rc && i < argc; i++) {
		if (argv[i][0] == '@')
			rc = alu_strv_push(&groups, argv[i] + 1);
		else if (!alu_strv_has(&names, argv[i]))
			rc = alu_strv_push(&names, argv[i]);
	}
	if (!rc) {
		size_t before = names.n;
		ngroups = alu_groupsel_names(&g, groups.v, (int)groups.n, remove, &names);
		rc = ngroups < 0 ? ngroups : 0;
		if (!rc && names.n == before && before == 0 && !remove)
			rc = alu_err_set(&e, -ALUE_NOTFOUND,
					 "No packages in any requested group available to install or update");
	}
	if (!rc && remove && !names.n) {
		alu_groupsel_close(&g);
		alu_msg("No packages to remove from groups");
		alu_strv_free(&groups);
		return 0;
	}
	/* the transaction opens its own view of the repositories */
	alu_groupsel_close(&g);
	if (!rc)
		rc = alu_cmd_ops_run(ctx, cmdname, remove ? ALU_OPS_REMOVE : ALU_OPS_INSTALL, names.v,
				     (int)names.n);
	else {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
	}
	alu_strv_free(&names);
	alu_strv_free(&groups);
	return rc;
}
