/* SPDX-License-Identifier: MIT */
/*
 * The advisories that can apply to the root, without reading every one: an
 * advisory applies when it names an installed package (of an older version)
 * or a package that obsoletes an installed one (yum's security plugin), so
 * only the advisories the advpkgs index gives for those names are read. They
 * are visited in the order of a walk of every advisory (by advisory name,
 * then record id), so what a caller collects is the same. ALU_SOLVE_LOAD=all
 * (solve/load.h) walks every advisory instead, for comparing the two.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache.h"
#include "ops/advreach.h"
#include "ops/ops_int.h"
#include "solve/load.h"

struct names {
	struct alu_strv v;
	int plain;      /* 0: a name the index would take as a glob */
};

static int add_name(struct names *n, const char *s)
{
	if (strpbrk(s, "*?[\\") || strlen(s) > ALU_CACHE_KEYMAX)
		n->plain = 0;
	return alu_strv_has(&n->v, s) || !alu_strv_push(&n->v, s) ? 0 : -ENOMEM;
}

static int inst_cb(void *ud, const struct alu_instpkg *p)
{
	return add_name(ud, p->name);
}

static int obs_cb(void *ud, const struct alu_cpkg *p)
{
	return add_name(ud, p->r.name);
}

struct advref { char *name; uint64_t id; };

struct advs {
	struct advref *v;
	size_t n, cap;
	int plain;      /* 0: an advisory name the index keeps hashed */
};

static int adv_cb(void *ud, const struct alu_cadv *a)
{
	struct advs *d = ud;

	if (strlen(a->r.id) > ALU_CACHE_KEYMAX)
		d->plain = 0;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct advref *v = realloc(d->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n] = (struct advref){ strdup(a->r.id), a->id };
	return d->v[d->n++].name ? 0 : -ENOMEM;
}

/* the advids index's order: name (no key is hashed here), then id */
static int adv_order(const void *a, const void *b)
{
	const struct advref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : x->id < y->id ? -1 : x->id > y->id;
}

int alu_ops_adv_reach(struct alu_ops *o, alu_cadv_cb cb, void *ud, struct alu_err *e)
{
	struct alu_cache *c = o->repos.cache;
	struct names pk = { { 0 }, 1 };
	struct advs adv = { NULL, 0, 0, 1 };
	size_t ninst;
	int rc;

	if (alu_solve_load_whole())
		return alu_cache_foreach_adv(c, cb, ud, e);
	rc = alu_state_foreach(o->state, inst_cb, &pk);
	/* the packages that obsolete an installed name (revdeps also holds what
	 * supplements one: more advisories read, none missed) */
	ninst = pk.v.n;
	for (size_t i = 0; !rc && i < ninst; i++)
		rc = alu_cache_lookup(c, ALU_CACHE_IX_REVDEP, pk.v.v[i], obs_cb, &pk, e);
	for (size_t i = 0; !rc && pk.plain && i < pk.v.n; i++)
		rc = alu_cache_adv_by_pkgname(c, pk.v.v[i], adv_cb, &adv, e);
	if (!rc && (!pk.plain || !adv.plain)) {
		rc = alu_cache_foreach_adv(c, cb, ud, e);
	} else if (!rc) {
		qsort(adv.v, adv.n, sizeof(*adv.v), adv_order);
		/* an advisory naming two installed packages was found twice */
		for (size_t i = 0; !rc && i < adv.n; i++)
			if (!i || adv.v[i].id != adv.v[i - 1].id)
				rc = alu_cache_adv_get(c, adv.v[i].id, cb, ud, e);
	}
	for (size_t i = 0; i < adv.n; i++)
		free(adv.v[i].name);
	free(adv.v);
	alu_strv_free(&pk.v);
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	else if (rc < 0 && !e->code)
		alu_err_set(e, rc, "reading the advisories: %s", alu_strerror(rc));
	return rc;
}
