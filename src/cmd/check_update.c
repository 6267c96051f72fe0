/* SPDX-License-Identifier: MIT */
/*
 * `alupdate check-update [GLOB...]`: the updates available for installed
 * packages, as yum prints them (a blank line, then `name.arch  evr  repo`).
 * Exit 100 when there are updates, 0 when none, 1 on error; -q prints
 * nothing but keeps the code. With advisory filters only packages with a
 * matching advisory that applies are shown, after yum's summary line
 * "N package(s) needed for security, out of M available".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/pkgq.h"
#include "cmd/relnotice.h"
#include "cmd/uirows.h"
#include "db/cache.h"
#include "db/state.h"
#include "ops/ops.h"
#include "ops/rootarch.h"
#include "repo/repo.h"
#include "util/out.h"

static int has_adv(const struct uirows *u, const struct alu_update *p)
{
	for (size_t i = 0; i < u->n; i++)
		if (!strcmp(u->v[i].name, p->name) && alu_arch_compat(u->v[i].arch, p->arch))
			return 1;
	return 0;
}

static int wanted(const struct alu_update *p, char **specs, int n)
{
	if (!n)
		return 1;
	for (int i = 0; i < n; i++)
		if (alu_pkg_spec_match(specs[i], p->name, p->epoch, p->version, p->release, p->arch))
			return 1;
	return 0;
}

static const char *purpose(const struct alu_filter *f)
{
	if (f->types == ALU_ADV_BUGFIX)
		return "bugfix";
	if (f->types == ALU_ADV_ENHANCEMENT)
		return "enhancement";
	return "security";
}

static void evr(char *b, size_t n, uint32_t e, const char *v, const char *r)
{
	if (e)
		snprintf(b, n, "%u:%s-%s", e, v, r);
	else
		snprintf(b, n, "%s-%s", v, r);
}

static void print(const struct alu_update *v, const char *keep, size_t n, int json)
{
	int w1 = 0, w2 = 0;
	char na[512], ev[512];
	size_t k = 0;

	if (json) {
		printf("{\"updates\":[");
		for (size_t i = 0; i < n; i++) {
			if (!keep[i])
				continue;
			evr(ev, sizeof(ev), v[i].epoch, v[i].version, v[i].release);
			printf("%s{\"name\":", k++ ? "," : "");
			alu_json_str(v[i].name);
			printf(",\"arch\":");
			alu_json_str(v[i].arch);
			printf(",\"evr\":");
			alu_json_str(ev);
			printf(",\"repo\":");
			alu_json_str(v[i].repo);
			evr(ev, sizeof(ev), v[i].inst_epoch, v[i].inst_version, v[i].inst_release);
			printf(",\"installed\":");
			alu_json_str(ev);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		int a = snprintf(na, sizeof(na), "%s.%s", v[i].name, v[i].arch);
		evr(ev, sizeof(ev), v[i].epoch, v[i].version, v[i].release);
		w1 = a > w1 ? a : w1;
		w2 = (int)strlen(ev) > w2 ? (int)strlen(ev) : w2;
	}
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		snprintf(na, sizeof(na), "%s.%s", v[i].name, v[i].arch);
		evr(ev, sizeof(ev), v[i].epoch, v[i].version, v[i].release);
		printf("%-*s  %-*s  %s\n", w1, na, w2, ev, v[i].repo);
	}
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_repos rp;
	struct alu_state *st = NULL;
	struct alu_err e = { 0 };
	struct uirows u = { 0 };
	struct alu_update *v = NULL;
	struct pkgq_rows obs_by = { 0 }, obs_old = { 0 };
	char *keep = NULL;
	size_t n = 0, shown = 0, all = 0;
	int filt = alu_filter_active(&ctx->filter), rc;

	(void)priv;
	rc = alu_repos_open(ctx, 0, &rp, &e);
	if (!rc)
		rc = alu_ops_state_open_ro(ctx, &st, &e);
	/* a foreign root's updates are another architecture's packages */
	if (!rc)
		rc = alu_rootarch_check(ctx, rp.conf.basearch, st, &e);
	if (!rc)
		rc = alu_updates_find(rp.cache, st, &rp.conf, &v, &n, &e);
	if (!rc && filt)
		rc = uirows_collect(&u, rp.cache, st, &ctx->filter, "available", NULL, 0, &e);
	if (!rc && !(keep = calloc(n + 1, 1)))
		rc = alu_err_set(&e, -ENOMEM, "out of memory");
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!wanted(&v[i], argv, argc))
			continue;
		all++;
		keep[i] = !filt || has_adv(&u, &v[i]);
		shown += keep[i];
	}
	if (filt && !ctx->json) {
		if (shown)
			alu_msg("%zu package(s) needed for %s, out of %zu available", shown,
				purpose(&ctx->filter), all);
		else
			alu_msg("No packages needed for %s; %zu packages available",
				purpose(&ctx->filter), all);
	}
	/* yum also lists what would replace installed packages (exit 100 too) */
	if (!filt && pkgq_obsoletes(rp.cache, st, argv, argc, &obs_by, &obs_old, &e) == 0 &&
	    obs_by.n && !ctx->json && alu_out_level() >= ALU_NORMAL) {
		int w1 = 0, w2 = 0;
		if (!shown)
			printf("\n");
		pkgq_widths(&obs_by, &w1, &w2);
		if (shown)
			print(v, keep, n, 0);
		pkgq_print_obsoletes(&obs_by, &obs_old, w1, w2);
		shown += obs_by.n;
	} else if (ctx->json)
		print(v, keep, n, 1);
	else if (shown && alu_out_level() >= ALU_NORMAL)
		print(v, keep, n, 0);
	rc = shown || obs_by.n ? 100 : 0;
	alu_cmd_release_notice(ctx, &rp.conf);   /* AL2023: a newer release, as dnf says */
	pkgq_free(&obs_by);
	pkgq_free(&obs_old);
out:
	free(keep);
	alu_updates_free(v, n);
	uirows_free(&u);
	alu_state_close(st);
	alu_repos_close(&rp);
	return rc;
}

static const char *const aliases[] = { "check-updates", "check-upgrade", NULL };

const struct alu_cmd alu_cmd_check_update = {
	.name = "check-update",
	.aliases = aliases,
	.summary = "list available updates (exit 100 when there are some)",
	.usage = "[GLOB...]",
	.groups = ALU_OPTG_FILTER,
	.run = run,
};
