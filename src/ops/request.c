/* SPDX-License-Identifier: MIT */
/*
 * From a command's request to solver jobs. The advisory-filtered forms
 * follow yum's security plugin: only packages named by an advisory that
 * matches the filters AND applies to the root (an installed package of that
 * name and arch is older than the fix) are considered; `update` takes them to
 * the newest version, `update-minimal` to the oldest version that holds
 * every matching fix.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache.h"
#include "ops/advreach.h"
#include "ops/ops_int.h"

/* One package line of an applicable advisory. */
struct fix {
	char *name, *arch, *version, *release;
	uint32_t epoch;
	int obsoleter;      /* not installed, but obsoletes an installed package */
};

struct fixes {
	struct alu_ops *o;
	struct fix *v;
	size_t n, cap;
	int err;
};

static int spec_ok(char **specs, int n, const char *name, const char *arch)
{
	char na[512];

	if (!n)
		return 1;
	snprintf(na, sizeof(na), "%s.%s", name, arch);
	for (int i = 0; i < n; i++)
		if (!fnmatch(specs[i], name, 0) || !fnmatch(specs[i], na, 0))
			return 1;
	return 0;
}

static int adv_cb(void *ud, const struct alu_cadv *a)
{
	struct fixes *f = ud;
	int used = 0;

	if (!alu_adv_filter_match(&f->o->ctx->filter, &a->r))
		return 0;
	for (size_t i = 0; i < a->r.npkgs; i++) {
		const struct alu_advpkg *k = &a->r.pkgs[i];
		struct fix *x;
		/* the newest installed instance decides, as updateinfo shows it */
		int st = alu_adv_pkg_status(f->o->state, k), obs = 0;
		char nevra[1024];

		if (st < 0)
			return st;
		/* yum's security plugin: B fixes a root with A when B obsoletes A */
		if (st == ALU_ADVST_NONE) {
			alu_nevra_fmt(nevra, sizeof(nevra), k->name, k->epoch, k->version, k->release, k->arch);
			obs = alu_solve_obsoletes_installed(f->o->solve, nevra);
		}
		if (st != ALU_ADVST_NEEDED && !obs)
			continue;
		if (f->n == f->cap) {
			size_t cap = f->cap ? 2 * f->cap : 32;
			struct fix *v = realloc(f->v, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			f->v = v;
			f->cap = cap;
		}
		x = &f->v[f->n++];
		x->name = strdup(k->name);
		x->arch = strdup(k->arch);
		x->version = strdup(k->version);
		x->release = strdup(k->release);
		x->epoch = k->epoch;
		x->obsoleter = obs;
		if (!x->name || !x->arch || !x->version || !x->release)
			return -ENOMEM;
		used = 1;
	}
	if (used && !alu_strv_has(&f->o->advisories, a->r.id) &&
	    alu_strv_push(&f->o->advisories, a->r.id))
		return -ENOMEM;
	for (size_t i = 0; used && i < a->r.nrefs; i++)
		if (!strcmp(a->r.refs[i].type, "cve") && *a->r.refs[i].id &&
		    !alu_strv_has(&f->o->cves, a->r.refs[i].id) && alu_strv_push(&f->o->cves, a->r.refs[i].id))
			return -ENOMEM;
	return 0;
}

static void fixes_free(struct fixes *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name); free(f->v[i].arch);
		free(f->v[i].version); free(f->v[i].release);
	}
	free(f->v);
}

/* update-minimal: the lowest repo package >= every needed fix of name.arch
 * and newer than what is installed. */
struct pick {
	struct alu_solve *solve;
	const struct fix *need;     /* the highest fix needed for this name.arch */
	uint64_t id;
	struct alu_evr best;
	char bv[256], br[256];
};

static int pick_cb(void *ud, const struct alu_cpkg *p)
{
	struct pick *k = ud;
	struct alu_evr pe = { p->r.epoch, p->r.version, p->r.release };
	struct alu_evr ne = { k->need->epoch, k->need->version, k->need->release };

	if (strcmp(p->r.arch, k->need->arch) && strcmp(p->r.arch, "noarch") &&
	    strcmp(k->need->arch, "noarch"))
		return 0;
	if (alu_evr_cmp(&pe, &ne) < 0)
		return 0;
	if (k->id && alu_evr_cmp(&pe, &k->best) >= 0)
		return 0;
	/* what excludes, locks or priorities hide is no candidate */
	if (!alu_solve_key_available(k->solve, p->id))
		return 0;
	k->id = p->id;
	snprintf(k->bv, sizeof(k->bv), "%s", p->r.version);
	snprintf(k->br, sizeof(k->br), "%s", p->r.release);
	k->best = (struct alu_evr){ p->r.epoch, k->bv, k->br };
	return 0;
}

static int want_minimal(struct alu_ops *o, struct fixes *f, char **specs, int n, struct alu_err *e)
{
	for (size_t i = 0; i < f->n; i++) {
		struct fix *x = &f->v[i];
		struct pick k = { o->solve, x, 0, { 0 }, "", "" };
		int rc, dup = 0;

		if (!spec_ok(specs, n, x->name, x->arch) || x->obsoleter)
			continue;
		/* several advisories for one package: the highest fix covers them all */
		for (size_t j = 0; j < f->n; j++) {
			struct fix *y = &f->v[j];
			struct alu_evr xe = { x->epoch, x->version, x->release };
			struct alu_evr ye = { y->epoch, y->version, y->release };
			int c;
			if (j == i || strcmp(x->name, y->name) || strcmp(x->arch, y->arch))
				continue;
			c = alu_evr_cmp(&ye, &xe);
			if (c > 0 || (c == 0 && j < i))
				dup = 1;
		}
		if (dup)
			continue;
		rc = alu_cache_by_name(o->repos.cache, x->name, pick_cb, &k, e);
		if (rc)
			return rc;
		if (!k.id)
			continue;   /* the fix is not in any enabled repository */
		rc = alu_solve_want(o->solve, ALU_WANT_EXACT, NULL, k.id, e);
		if (rc)
			return rc;
	}
	return 0;
}

static int want_filtered(struct alu_ops *o, enum alu_ops_kind k, char **specs, int n,
			 struct alu_err *e)
{
	struct fixes f = { o, NULL, 0, 0, 0 };
	struct alu_strv done = { 0 };
	int rc = alu_ops_adv_reach(o, adv_cb, &f, e);

	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	if (!rc && k == ALU_OPS_UPDATE_MINIMAL)
		rc = want_minimal(o, &f, specs, n, e);
	for (size_t i = 0; !rc && k == ALU_OPS_UPDATE && i < f.n; i++) {
		char na[512];
		snprintf(na, sizeof(na), "%s.%s", f.v[i].name, f.v[i].arch);
		if (!spec_ok(specs, n, f.v[i].name, f.v[i].arch) || alu_strv_has(&done, na) ||
		    f.v[i].obsoleter)
			continue;
		if (alu_strv_push(&done, na)) {
			rc = alu_err_set(e, -ENOMEM, "out of memory");
			break;
		}
		/* noarch fixes update whatever arch is installed */
		rc = alu_solve_want(o->solve, ALU_WANT_UPDATE,
				    strcmp(f.v[i].arch, "noarch") ? na : f.v[i].name, 0, e);
	}
	/* the obsoleting fixes: exactly the version the advisory names */
	for (size_t i = 0; !rc && i < f.n; i++) {
		char nevra[1024];
		if (!f.v[i].obsoleter || !spec_ok(specs, n, f.v[i].name, f.v[i].arch))
			continue;
		snprintf(nevra, sizeof(nevra), "%s-%u:%s-%s.%s", f.v[i].name, f.v[i].epoch,
			 f.v[i].version, f.v[i].release, f.v[i].arch);
		rc = alu_solve_want(o->solve, ALU_WANT_INSTALL, nevra, 0, e);
	}
	alu_strv_free(&done);
	fixes_free(&f);
	return rc;
}

/* history undo: "+NEVRA" exactly installed, "-NEVRA" removed. */
struct exact { const char *nevra; uint64_t id; };

static int exact_cb(void *ud, const struct alu_cpkg *p)
{
	struct exact *x = ud;
	char buf[1024];

	alu_nevra_fmt(buf, sizeof(buf), p->r.name, p->r.epoch, p->r.version, p->r.release,
		      p->r.arch);
	if (!strcmp(buf, x->nevra))
		x->id = p->id;
	return 0;
}

static int installed_cb(void *ud, const struct alu_instpkg *p)
{
	char buf[1024];

	alu_nevra_fmt(buf, sizeof(buf), p->name, p->epoch, p->version, p->release, p->arch);
	return !strcmp(buf, (const char *)ud);
}

static int want_target(struct alu_ops *o, const char *spec, struct alu_err *e)
{
	char name[512];
	const char *nevra = spec + 1;
	struct exact x = { nevra, 0 };
	size_t nl;
	int rc;

	if (*spec != '+' && *spec != '-')
		return alu_err_set(e, -ALUE_USAGE, "bad target %s", spec);
	/* the name is everything before the version: NEVRA has two dashes after it */
	nl = strlen(nevra);
	for (int dashes = 0; nl > 0 && dashes < 2; nl--)
		dashes += nevra[nl - 1] == '-';
	snprintf(name, sizeof(name), "%.*s", (int)nl, nevra);
	rc = alu_state_find_name(o->state, name, installed_cb, (void *)nevra);
	if (rc < 0)
		return alu_err_set(e, rc, "reading installed packages: %s", alu_strerror(rc));
	if (*spec == '-')
		return rc ? alu_solve_want(o->solve, ALU_WANT_REMOVE, nevra, 0, e) : 0;
	if (rc)
		return 0;   /* already there */
	rc = alu_cache_by_name(o->repos.cache, name, exact_cb, &x, e);
	if (rc)
		return rc;
	if (!x.id)
		return alu_err_set(e, -ALUE_NOTFOUND, "No package %s available.", nevra);
	return alu_solve_want(o->solve, ALU_WANT_EXACT, NULL, x.id, e);
}

static int any_cb(void *ud, const struct alu_instpkg *p)
{
	(void)ud;
	(void)p;
	return 1;
}

static enum alu_want simple_want(enum alu_ops_kind k)
{
	switch (k) {
	case ALU_OPS_INSTALL: return ALU_WANT_INSTALL;
	case ALU_OPS_REINSTALL: return ALU_WANT_REINSTALL;
	case ALU_OPS_DOWNGRADE: return ALU_WANT_DOWNGRADE;
	case ALU_OPS_REMOVE: return ALU_WANT_REMOVE;
	case ALU_OPS_DISTSYNC: return ALU_WANT_DISTSYNC;
	default: return ALU_WANT_UPDATE;
	}
}

/* Did the user name @p op (an erase) among @p specs, in any of yum's forms? */
static int named(const struct alu_plan_op *op, char **specs, int n)
{
	const char *colon = strchr(op->evr, ':');
	char ver[512], *rel;

	snprintf(ver, sizeof(ver), "%s", colon ? colon + 1 : op->evr);
	rel = strrchr(ver, '-');
	if (rel)
		*rel++ = 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(specs[i], op->nevra) || !strcmp(specs[i], op->name) ||
		    alu_pkg_spec_match(specs[i], op->name, colon ? (uint32_t)atoi(op->evr) : 0,
				       ver, rel ? rel : "", op->arch))
			return 1;
	return 0;
}

int alu_ops_request(struct alu_ops *o, enum alu_ops_kind k, char **specs, int n,
		    struct alu_err *e)
{
	int rc = 0, filtered = k == ALU_OPS_UPDATE_MINIMAL ||
		(k == ALU_OPS_UPDATE && alu_filter_active(&o->ctx->filter));

	/* a reduced load takes in what every spec reaches in one pass (a
	 * target's NEVRA follows its '+' or '-') */
	for (int i = 0; i < n; i++)
		if (alu_solve_hint(o->solve, specs[i] + (k == ALU_OPS_TARGET && *specs[i])))
			return alu_err_set(e, -ENOMEM, "out of memory");
	if (filtered)
		rc = want_filtered(o, k, specs, n, e);
	else if (k == ALU_OPS_UPDATE && !n)
		rc = alu_solve_want(o->solve, ALU_WANT_UPDATE_ALL, NULL, 0, e);
	else if (k == ALU_OPS_DISTSYNC && !n)
		rc = alu_solve_want(o->solve, ALU_WANT_DISTSYNC, NULL, 0, e);
	else if (k == ALU_OPS_AUTOREMOVE)
		rc = alu_ops_autoremove_want(o, specs, n, e);
	else if (k == ALU_OPS_DUPLICATES || k == ALU_OPS_OLDINSTALLONLY)
		rc = alu_solve_want(o->solve, k == ALU_OPS_DUPLICATES ? ALU_WANT_DUPLICATES :
				    ALU_WANT_OLDINSTALLONLY, NULL, 0, e);
	else if (k == ALU_OPS_TARGET)
		for (int i = 0; !rc && i < n; i++)
			rc = want_target(o, specs[i], e);
	else
		rc = alu_ops_want_named(o, k, simple_want(k), specs, n, e);
	if (rc)
		return rc;
	rc = alu_solve_run(o->solve, &o->plan, e);
	/* update-all and advisory updates ask for no package by name: libsolv
	 * calls every step a dependency. As yum shows it, replacing an installed
	 * package (or adding a version of an installed name: kernel) is the
	 * request; only new names are dependencies. */
	for (size_t i = 0; !rc && i < o->plan.n && k != ALU_OPS_INSTALL; i++) {
		struct alu_plan_op *op = &o->plan.ops[i];
		if (op->type != ALU_OP_INSTALL)
			op->is_dep = 0;
		else if (op->is_dep && !op->named)
			op->is_dep = !alu_state_find_name(o->state, op->name, any_cb, NULL);
	}
	/* remove takes what needs the removed package along: an erase the user
	 * did not name is for dependencies; any other command's erases are its
	 * own steps (the table and --json both show this) */
	for (size_t i = 0; !rc && i < o->plan.n; i++) {
		struct alu_plan_op *op = &o->plan.ops[i];
		if (op->type == ALU_OP_ERASE)
			op->is_dep = k == ALU_OPS_REMOVE && !op->named && !named(op, specs, n);
	}
	/* a "+NEVRA" target (swap, history undo) was asked for by its NEVRA */
	for (size_t i = 0; !rc && k == ALU_OPS_TARGET && i < o->plan.n; i++)
		for (int j = 0; j < n && o->plan.ops[i].is_dep; j++)
			if (specs[j][0] == '+' && !strcmp(specs[j] + 1, o->plan.ops[i].nevra))
				o->plan.ops[i].is_dep = 0;
	/* advisory updates (and the automatic ones of update-all, obsoleters,
	 * distro-sync) pick packages the user did not name: an update keeps why
	 * the package was installed (apply.c), only a spec makes it the user's */
	for (size_t i = 0; !rc && filtered && i < o->plan.n; i++)
		o->plan.ops[i].named = 0;
	/* a package file on the command line was asked for */
	for (size_t i = 0; !rc && i < o->plan.n; i++)
		if (o->plan.ops[i].key & ALU_OPS_LOCAL_KEY)
			o->plan.ops[i].is_dep = 0;
	return rc;
}
