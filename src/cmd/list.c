/* SPDX-License-Identifier: MIT */
/*
 * `alupdate list [installed|available|updates|all|extras|obsoletes] [GLOB...]`:
 * yum's listings in its columns (name.arch, [epoch:]version-release, repo;
 * installed packages show @repo, or "installed" when the origin is unknown)
 * under yum's headings, or as JSON with --json (one key per section:
 * "installed", "available", "updates", "extras", "obsoletes").
 * Globs match as yum's do: name, name.arch, name-version,
 * name-version-release, name-version-release.arch,
 * name-epoch:version-release.arch, epoch:name-version-release.arch.
 * "available" is the newest package of each name.arch that is not installed
 * or newer than the installed one; "extras" are installed packages no
 * repository carries; without a section word "all" (installed + available).
 * Nothing to show is an error ("No matching Packages to list"), as in yum,
 * except a plain `list installed` of an empty root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/pkgq.h"
#include "db/cache.h"
#include "db/state.h"
#include "ops/ops.h"
#include "ops/rootarch.h"
#include "repo/repo.h"
#include "util/out.h"

enum { L_INSTALLED = 1, L_AVAILABLE = 2, L_UPDATES = 4, L_EXTRAS = 8, L_OBSOLETES = 16 };

struct lists {
	struct pkgq_rows inst, avail, upd, extras, obs_by, obs_old;
};

static void report_adoption(struct alu_state *s, int json)
{
	const struct alu_state_info *info = alu_state_info(s);

	if (info->adopted_now && !json)
		alu_msg("Adopted %zu packages from %s", info->adopted_count, info->adopted_from);
	else if (info->rpmdb_changed)
		alu_warn("%s changed since it was adopted; 'alupdate adopt' re-imports it",
			 info->adopted_from);
}

/* installed packages whose exact NEVRA no selected repository carries */
struct xwalk { const struct pkgq_row *p; int found; };

static int exact_cb(void *ud, const struct alu_cpkg *c)
{
	struct xwalk *w = ud;

	if (!strcmp(c->r.arch, w->p->arch) && c->r.epoch == w->p->epoch &&
	    !strcmp(c->r.version, w->p->version) && !strcmp(c->r.release, w->p->release))
		w->found = 1;
	return 0;
}

static int extras(struct alu_cache *c, const struct pkgq_rows *inst, struct pkgq_rows *out,
		  struct alu_err *e)
{
	for (size_t i = 0; i < inst->n; i++) {
		const struct pkgq_row *p = &inst->v[i];
		struct xwalk w = { p, 0 };
		int rc = alu_cache_by_name(c, p->name, exact_cb, &w, e);
		if (rc)
			return rc;
		if (w.found)
			continue;
		if (pkgq_add(out, p->name, p->epoch, p->version, p->release, p->arch, p->repo, "", p->id))
			return alu_err_set(e, -ENOMEM, "out of memory");
		out->v[out->n - 1].installed = 1;
		out->v[out->n - 1].reason = p->reason;
		out->v[out->n - 1].installtime = p->installtime;
		out->v[out->n - 1].size = p->size;
	}
	return 0;
}

static int updates(struct alu_cache *c, struct alu_state *s, const struct alu_conf *conf,
		   char **specs, int nspecs, struct pkgq_rows *out, struct alu_err *e)
{
	struct alu_update *v = NULL;
	size_t n = 0;
	int rc = alu_updates_find(c, s, conf, &v, &n, e);

	for (size_t i = 0; !rc && i < n; i++) {
		struct pkgq_row r = { .name = v[i].name, .epoch = v[i].epoch, .version = v[i].version,
				      .release = v[i].release, .arch = v[i].arch };
		if (pkgq_wanted(specs, nspecs, &r) &&
		    pkgq_add(out, v[i].name, v[i].epoch, v[i].version, v[i].release, v[i].arch,
			     v[i].repo, "", v[i].id))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	alu_updates_free(v, n);
	return rc;
}

static int collect(struct alu_ctx *ctx, unsigned what, char **specs, int nspecs, struct lists *l,
		   struct alu_err *e)
{
	struct alu_repos rp = { 0 };
	struct alu_state *s = NULL;
	struct pkgq_rows all = { 0 };
	unsigned repo_needed = what & ~(unsigned)L_INSTALLED;
	int rc;

	if (repo_needed && (rc = alu_repos_open(ctx, 0, &rp, e)))
		goto out;
	if ((rc = alu_ops_state_open_ro(ctx, &s, e)))
		goto out;
	/* what a foreign root could install is another architecture's */
	if (repo_needed && (rc = alu_rootarch_check(ctx, rp.conf.basearch, s, e)))
		goto out;
	report_adoption(s, ctx->json);
	rc = pkgq_installed(s, NULL, 0, &all);
	if (rc) {
		alu_err_set(e, rc, "reading installed packages: %s", alu_strerror(rc));
		goto out;
	}
	for (size_t i = 0; (what & (L_INSTALLED | L_EXTRAS)) && i < all.n; i++) {
		const struct pkgq_row *p = &all.v[i];
		struct pkgq_row *q;
		if (!pkgq_wanted(specs, nspecs, p))
			continue;
		if (pkgq_add(&l->inst, p->name, p->epoch, p->version, p->release, p->arch, p->repo,
			     "", p->id)) {
			rc = alu_err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
		q = &l->inst.v[l->inst.n - 1];
		q->installed = 1;
		q->reason = p->reason;
		q->installtime = p->installtime;
		q->size = p->size;
	}
	if (what & L_AVAILABLE)
		rc = pkgq_available(rp.cache, &all, specs, nspecs, ctx->showduplicates, &l->avail, e);
	if (!rc && (what & L_UPDATES))
		rc = updates(rp.cache, s, &rp.conf, specs, nspecs, &l->upd, e);
	if (!rc && (what & L_EXTRAS))
		rc = extras(rp.cache, &l->inst, &l->extras, e);
	if (!rc && (what & L_OBSOLETES))
		rc = pkgq_obsoletes(rp.cache, s, specs, nspecs, &l->obs_by, &l->obs_old, e);
	if (!(what & L_INSTALLED))
		pkgq_free(&l->inst);
out:
	pkgq_free(&all);
	alu_state_close(s);
	alu_repos_close(&rp);
	return rc;
}

static void print_obsoletes(const struct lists *l, int w1, int w2)
{
	char na[1024], ev[1024];

	if (!l->obs_by.n)
		return;
	printf("Obsoleting Packages\n");
	for (size_t i = 0; i < l->obs_by.n; i++) {
		const struct pkgq_row *b = &l->obs_by.v[i], *o = &l->obs_old.v[i];
		snprintf(na, sizeof(na), "%s.%s", b->name, b->arch);
		pkgq_evr(ev, sizeof(ev), b->epoch, b->version, b->release);
		printf("%-*s  %-*s  %s\n", w1, na, w2, ev, b->repo);
		snprintf(na, sizeof(na), "%s.%s", o->name, o->arch);
		pkgq_evr(ev, sizeof(ev), o->epoch, o->version, o->release);
		printf("    %-*s  %-*s  %s%s\n", w1 > 4 ? w1 - 4 : w1, na, w2, ev,
		       *o->repo ? "@" : "installed", o->repo);
	}
}

static void print_json(const struct lists *l, unsigned what)
{
	const char *sep = "";

	printf("{");
	if (what & L_INSTALLED) {
		pkgq_json("installed", &l->inst);
		sep = ",";
	}
	if (what & L_AVAILABLE) {
		printf("%s", sep);
		pkgq_json("available", &l->avail);
		sep = ",";
	}
	if (what & L_UPDATES) {
		printf("%s", sep);
		pkgq_json("updates", &l->upd);
		sep = ",";
	}
	if (what & L_EXTRAS) {
		printf("%s", sep);
		pkgq_json("extras", &l->extras);
		sep = ",";
	}
	if (what & L_OBSOLETES) {
		printf("%s\"obsoletes\":[", sep);
		for (size_t i = 0; i < l->obs_by.n; i++) {
			struct pkgq_rows one = { &l->obs_by.v[i], 1, 1 }, old = { &l->obs_old.v[i], 1, 1 };
			printf("%s{", i ? "," : "");
			pkgq_json("package", &one);
			printf(",");
			pkgq_json("obsoletes", &old);
			printf("}");
		}
		printf("]");
	}
	printf("}\n");
}

/* dnf's spellings of the first word: list --installed, --available, --upgrades */
#define OPTS(X) X(OPT_INSTALLED, "installed", 0, 0) X(OPT_AVAILABLE, "available", 0, 0) \
	X(OPT_UPGRADES, "upgrades", 0, 0) X(OPT_UPDATES, "updates", 0, 0) X(OPT_ALL, "all", 0, 0) \
	X(OPT_EXTRAS, "extras", 0, 0) X(OPT_OBSOLETES, "obsoletes", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv { unsigned what; };

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	static const unsigned map[] = { L_INSTALLED, L_AVAILABLE, L_UPDATES, L_UPDATES,
		L_INSTALLED | L_AVAILABLE, L_EXTRAS, L_OBSOLETES };
	struct priv *pv = p;

	(void)ctx;
	(void)arg;
	if (id < OPT_INSTALLED || id > OPT_OBSOLETES)
		return -ENOTSUP;
	pv->what = map[id - OPT_INSTALLED];
	return 0;
}

static const struct { const char *word; unsigned what; } words[] = {
	{ "installed", L_INSTALLED }, { "available", L_AVAILABLE }, { "updates", L_UPDATES },
	{ "all", L_INSTALLED | L_AVAILABLE }, { "extras", L_EXTRAS },
	{ "obsoletes", L_OBSOLETES },
};

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct lists l = { 0 };
	struct alu_err e = { 0 };
	unsigned what = L_INSTALLED | L_AVAILABLE;
	int w1 = 0, w2 = 0, rc;

	if (((struct priv *)priv)->what)
		what = ((struct priv *)priv)->what;
	for (size_t i = 0; argc && !((struct priv *)priv)->what && i < sizeof(words) / sizeof(*words); i++)
		if (!strcmp(argv[0], words[i].word)) {
			what = words[i].what;
			argc--, argv++;
			break;
		}
	rc = collect(ctx, what, argv, argc, &l, &e);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
	} else if (ctx->json) {
		print_json(&l, what);
	} else if (!l.inst.n && !l.avail.n && !l.upd.n && !l.extras.n && !l.obs_by.n &&
		   (argc || what != L_INSTALLED)) {
		/* (an empty root's `list installed` is no error) */
		alu_error("No matching Packages to list");
		rc = 1;
	} else {
		/* one set of columns for every section, as yum computes them */
		pkgq_widths(&l.inst, &w1, &w2);
		pkgq_widths(&l.avail, &w1, &w2);
		pkgq_widths(&l.upd, &w1, &w2);
		pkgq_widths(&l.extras, &w1, &w2);
		pkgq_widths(&l.obs_by, &w1, &w2);
		pkgq_print("Installed Packages", &l.inst, w1, w2);
		pkgq_print("Available Packages", &l.avail, w1, w2);
		pkgq_print("Updated Packages", &l.upd, w1, w2);
		pkgq_print("Extra Packages", &l.extras, w1, w2);
		print_obsoletes(&l, w1, w2);
	}
	pkgq_free(&l.inst);
	pkgq_free(&l.avail);
	pkgq_free(&l.upd);
	pkgq_free(&l.extras);
	pkgq_free(&l.obs_by);
	pkgq_free(&l.obs_old);
	return rc;
}

const struct alu_cmd alu_cmd_list = {
	.name = "list",
	.summary = "list packages (installed, available, updates, all, extras, obsoletes)",
	.usage = "[installed|available|updates|all|extras|obsoletes] [GLOB...]",
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
