/* SPDX-License-Identifier: MIT */
/* From a user's request to libsolv jobs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_int.h"
#include <solv/evr.h>
#include <solv/selection.h>
#include <solv/solver.h>


/* What yum accepts as a package spec: name, glob, name.arch, a capability,
 * a path; then the forms with a version (name-version, name-version-release
 * with or without epoch and arch, globs over them, "name >= 2.28"). */
#define NAME_FLAGS (SELECTION_NAME | SELECTION_PROVIDES | SELECTION_GLOB | \
	SELECTION_DOTARCH | SELECTION_FILELIST)
#define SPEC_FLAGS (NAME_FLAGS | SELECTION_CANON | SELECTION_REL)

static int installed_only_ok(struct alu_solve *s, Id p, int installed_only)
{
	return !installed_only || pool_id2solvable(s->pool, p)->repo == s->installed;
}

/* The versioned forms by hand, one SOLVABLE_ONE_OF per name: libsolv's
 * canonical form does not take globs over versions nor name-epoch:version. */
static void select_versioned(struct alu_solve *s, const char *spec, int installed_only, Queue *sel)
{
	Pool *pool = s->pool;
	Queue names, q;
	Id p;

	queue_init(&names);
	queue_init(&q);
	FOR_POOL_SOLVABLES(p)
		if (installed_only_ok(s, p, installed_only) && alu_solve_nevra_match_versioned(pool, p, spec))
			queue_pushunique(&names, pool_id2solvable(pool, p)->name);
	for (int i = 0; i < names.count; i++) {
		queue_empty(&q);
		FOR_POOL_SOLVABLES(p)
			if (pool_id2solvable(pool, p)->name == names.elements[i] &&
			    installed_only_ok(s, p, installed_only) &&
			    alu_solve_nevra_match_versioned(pool, p, spec))
				queue_push(&q, p);
		queue_push2(sel, SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(pool, &q));
	}
	queue_free(&q);
	queue_free(&names);
}

/* @return 1 when @p spec matched as a name (or capability, path), 0 when only
 * a versioned form matched it; sel empty when nothing did. */
static int select_spec(struct alu_solve *s, const char *spec, int extra, Queue *sel)
{
	queue_empty(sel);
	selection_make(s->pool, sel, spec, NAME_FLAGS | extra);
	if (sel->count)
		return 1;
	select_versioned(s, spec, (extra & SELECTION_INSTALLED_ONLY) != 0, sel);
	if (!sel->count)
		selection_make(s->pool, sel, spec, SPEC_FLAGS | extra);
	return 0;
}

static void mark_named(struct alu_solve *s, Queue *sel)
{
	Queue q;

	queue_init(&q);
	selection_solvables(s->pool, sel, &q);
	for (int i = 0; i < q.count; i++)
		MAPSET(&s->named, q.elements[i]);
	queue_free(&q);
}

/* Excluded or version-locked packages do not count as "available". */
static int visible(struct alu_solve *s, Queue *sel)
{
	Queue q;
	int n = 0;

	if (!s->pool->considered)
		return 1;
	queue_init(&q);
	selection_solvables(s->pool, sel, &q);
	for (int i = 0; i < q.count; i++)
		n += s->installed && pool_id2solvable(s->pool, q.elements[i])->repo == s->installed ?
			1 : MAPTST(s->pool->considered, q.elements[i]) != 0;
	queue_free(&q);
	return n > 0;
}

static int excluded_installed(struct alu_solve *s, Id p)
{
	for (size_t i = 0; s->o.excludes && i < s->o.excludes->n; i++)
		if (alu_solve_nevra_match(s->pool, p, s->o.excludes->v[i]))
			return 1;
	return 0;
}

/* The considered repository packages of @p sel, whose name is installed
 * (or which obsolete an installed package) for @p installed_name. */
static void repo_part(struct alu_solve *s, Queue *sel, int installed_name, Queue *out)
{
	Pool *pool = s->pool;
	Queue q;

	queue_init(&q);
	selection_solvables(pool, sel, &q);
	for (int i = 0; i < q.count; i++) {
		Solvable *sv = pool_id2solvable(pool, q.elements[i]), *is;
		Id ip;
		int ok = !installed_name;
		if (sv->repo == s->installed ||
		    (pool->considered && !MAPTST(pool->considered, q.elements[i])))
			continue;
		FOR_REPO_SOLVABLES(s->installed, ip, is)
			ok |= is->name == sv->name;
		if (ok)
			queue_push(out, q.elements[i]);
	}
	queue_free(&q);
}

/* What remove erases: the installed packages matched, less the excluded
 * ones (alu_solve_run locks those). A by-name selection stays as libsolv
 * made it; otherwise the exact packages, and their identical repository
 * twins with them, or libsolv would "erase" by reinstalling the twin. */
static void erase_selection(struct alu_solve *s, Queue *sel, int byname)
{
	Pool *pool = s->pool;
	Queue q, keep;
	int dropped = 0;

	queue_init(&q);
	queue_init(&keep);
	selection_solvables(pool, sel, &q);
	for (int i = 0; i < q.count; i++) {
		if (excluded_installed(s, q.elements[i]))
			dropped = 1;
		else
			queue_push(&keep, q.elements[i]);
	}
	if (byname && !dropped)
		goto out;
	queue_empty(sel);
	if (!keep.count)
		goto out;
	for (int i = 0, n = keep.count; i < n; i++) {
		Solvable *is = pool_id2solvable(pool, keep.elements[i]), *sv;
		Id p;
		FOR_POOL_SOLVABLES(p) {
			sv = pool_id2solvable(pool, p);
			if (sv->repo != s->installed && sv->name == is->name && sv->evr == is->evr &&
			    sv->arch == is->arch)
				queue_pushunique(&keep, p);
		}
	}
	queue_push2(sel, SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(pool, &keep));
out:
	queue_free(&q);
	queue_free(&keep);
}

static int keycmp(const void *a, const void *b)
{
	const struct alu_keyidx *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* By key through a sorted index built on first use: update-minimal asks for
 * every candidate of every fix. */
static Id find_key(struct alu_solve *s, uint64_t key)
{
	Pool *pool = s->pool;
	size_t lo = 0, hi;
	Id p;

	if (!s->keyidx) {
		s->keyidx = malloc(((size_t)pool->nsolvables + 1) * sizeof(*s->keyidx));
		if (!s->keyidx)
			return 0;
		s->nkeyidx = 0;
		FOR_POOL_SOLVABLES(p)
			if (pool_id2solvable(pool, p)->repo != s->installed && (size_t)p < s->nextra)
				s->keyidx[s->nkeyidx++] = (struct alu_keyidx){ s->extra[p].key, p };
		qsort(s->keyidx, s->nkeyidx, sizeof(*s->keyidx), keycmp);
	}
	hi = s->nkeyidx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->keyidx[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nkeyidx && s->keyidx[lo].key == key ? s->keyidx[lo].p : 0;
}

/* yum: installing an obsoleted name installs what obsoletes it ("Package A
 * is obsoleted by B, trying to install B instead"). @return 1 when it did. */
static int install_obsoleters(struct alu_solve *s, Queue *sel)
{
	Pool *pool = s->pool;
	Queue q, obs;
	int done = 0;

	if (s->o.no_obsoletes)
		return 0;
	queue_init(&q);
	queue_init(&obs);
	selection_solvables(pool, sel, &q);
	for (int i = 0; i < q.count; i++) {
		Solvable *sv = pool_id2solvable(pool, q.elements[i]), *is;
		Id ip;
		int inst = 0;
		FOR_REPO_SOLVABLES(s->installed, ip, is)
			inst |= is->name == sv->name;
		if (inst || sv->repo == s->installed)
			goto keep;   /* an installed name is updated, not replaced */
		alu_solve_obsoleters(s, q.elements[i], &obs);
	}
	for (int i = 0; i < obs.count; i++) {
		queue_push2(&s->jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME,
			    pool_id2solvable(pool, obs.elements[i])->name);
		MAPSET(&s->named, obs.elements[i]);
	}
	done = obs.count > 0;
keep:
	queue_free(&q);
	queue_free(&obs);
	return done;
}

static int not_found(enum alu_want w, const char *spec, struct alu_err *e)
{
	if (w == ALU_WANT_REMOVE || w == ALU_WANT_UPDATE || w == ALU_WANT_AUTOREMOVE ||
	    w == ALU_WANT_DISTSYNC)
		return alu_err_set(e, -ALUE_NOTFOUND, "No match for argument: %s", spec);
	return alu_err_set(e, -ALUE_NOTFOUND, "No package %s available.", spec);
}

/* Reinstall: the same EVR as installed; downgrade: the best older one. */
static int want_older_or_same(struct alu_solve *s, enum alu_want w, const char *spec, Queue *sel,
			      struct alu_err *e)
{
	Queue q, cand;

	queue_init(&q);
	queue_init(&cand);
	selection_solvables(s->pool, sel, &q);
	for (int i = 0; i < q.count; i++) {
		Solvable *sv = pool_id2solvable(s->pool, q.elements[i]);
		Solvable *is;
		Id ip;
		if (sv->repo == s->installed)
			continue;
		if (s->pool->considered && !MAPTST(s->pool->considered, q.elements[i]))
			continue;
		FOR_REPO_SOLVABLES(s->installed, ip, is) {
			int c;
			if (is->name != sv->name || is->arch != sv->arch)
				continue;
			c = pool_evrcmp(s->pool, sv->evr, is->evr, EVRCMP_COMPARE);
			if (w == ALU_WANT_REINSTALL && c == 0)
				queue_pushunique(&cand, q.elements[i]);
			/* downgrade: only the newest of the older versions */
			if (w == ALU_WANT_DOWNGRADE && c < 0) {
				if (cand.count && pool_evrcmp(s->pool, sv->evr,
					pool_id2solvable(s->pool, cand.elements[0])->evr, EVRCMP_COMPARE) <= 0)
					continue;
				queue_empty(&cand);
				queue_push(&cand, q.elements[i]);
			}
		}
	}
	queue_free(&q);
	if (!cand.count) {
		queue_free(&cand);
		return alu_err_set(e, -ALUE_NOTFOUND, w == ALU_WANT_REINSTALL ?
			"Installed package %s not available for reinstall." :
			"Package %s of lowest version already installed, cannot downgrade it.", spec);
	}
	s->has_downgrade |= w == ALU_WANT_DOWNGRADE;
	for (int i = 0; i < cand.count; i++)
		MAPSET(&s->named, cand.elements[i]);
	queue_push2(&s->jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF,
		    pool_queuetowhatprovides(s->pool, &cand));
	queue_free(&cand);
	return 0;
}

/* update/distro-sync with a version ("greet-1.2-1", "glibc >= 2.28",
 * "flac < 1.4.0"): the installed packages of those names go to the best
 * matching version (targeted), down as well for distro-sync. */
static int want_targeted(struct alu_solve *s, enum alu_want w, const char *spec, Queue *sel,
			 struct alu_err *e)
{
	Queue cand;

	queue_init(&cand);
	repo_part(s, sel, 1, &cand);
	if (!cand.count) {
		queue_free(&cand);
		return not_found(w, spec, e);
	}
	for (int i = 0; i < cand.count; i++)
		MAPSET(&s->named, cand.elements[i]);
	if (w == ALU_WANT_DISTSYNC) {
		s->has_downgrade = 1;
		queue_push2(&s->jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF,
			    pool_queuetowhatprovides(s->pool, &cand));
	} else {
		queue_push2(&s->jobs, SOLVER_UPDATE | SOLVER_TARGETED | SOLVER_SOLVABLE_ONE_OF,
			    pool_queuetowhatprovides(s->pool, &cand));
	}
	queue_free(&cand);
	return 0;
}

/* remove --duplicates / --oldinstallonly: the older installed packages of
 * each name.arch (installonly ones: of each name), the newest kept. */
static int want_old(struct alu_solve *s, int installonly, struct alu_err *e)
{
	Pool *pool = s->pool;
	Solvable *a, *b;
	Id p, q;
	int n = 0;

	FOR_REPO_SOLVABLES(s->installed, p, a) {
		int older = 0;
		if (alu_solve_is_installonly_pkg(s, p) != installonly)
			continue;
		if (installonly && s->o.running_kernel &&
		    alu_solve_nevra_match(pool, p, s->o.running_kernel))
			continue;
		FOR_REPO_SOLVABLES(s->installed, q, b) {
			int c;
			if (q == p || b->name != a->name || (!installonly && b->arch != a->arch))
				continue;
			c = pool_evrcmp(pool, a->evr, b->evr, EVRCMP_COMPARE);
			/* of two identical records, the later one stays */
			older |= c < 0 || (c == 0 && q > p);
		}
		if (!older)
			continue;
		MAPSET(&s->named, p);
		queue_push2(&s->jobs, SOLVER_ERASE | SOLVER_SOLVABLE, p);
		n++;
	}
	s->has_erase = 1;
	if (!n)
		return alu_err_set(e, -ALUE_NOTFOUND, installonly ?
			"No old installonly packages found for removal." :
			"No duplicated packages found for removal.");
	return 0;
}

int alu_solve_want(struct alu_solve *s, enum alu_want w, const char *spec, uint64_t spec_key,
		   struct alu_err *e)
{
	Queue sel;
	Id how = 0, p;
	int extra = 0, byname, r = 0;

	r = alu_solve_fill(s, spec, w == ALU_WANT_EXACT ? spec_key : 0, e);
	if (r)
		return r;
	if (!s->ready)
		alu_solve_ready(s);
	switch (w) {
	case ALU_WANT_UPDATE_ALL:
		queue_push2(&s->jobs, SOLVER_UPDATE | SOLVER_SOLVABLE_ALL, 0);
		alu_solve_all_obsoleters(s, &s->jobs);
		return 0;
	case ALU_WANT_DISTSYNC:
		if (!spec) {
			queue_push2(&s->jobs, SOLVER_DISTUPGRADE | SOLVER_SOLVABLE_ALL, 0);
			return 0;
		}
		how = SOLVER_DISTUPGRADE;
		break;
	case ALU_WANT_AUTOREMOVE:
		if (!spec) {
			queue_push2(&s->jobs, SOLVER_ERASE | SOLVER_CLEANDEPS | SOLVER_SOLVABLE_ALL, 0);
			/* only packages installed as dependencies are candidates: the
			 * caller marks user-installed ones with SOLVER_USERINSTALLED */
			return 0;
		}
		how = SOLVER_ERASE | SOLVER_CLEANDEPS;
		extra = SELECTION_INSTALLED_ONLY;
		break;
	case ALU_WANT_EXACT:
		p = find_key(s, spec_key);
		if (!p)
			return alu_err_set(e, -ALUE_NOTFOUND, "No package with key %llu available.",
					   (unsigned long long)spec_key);
		MAPSET(&s->named, p);
		queue_push2(&s->jobs, SOLVER_INSTALL | SOLVER_SOLVABLE, p);
		return 0;
	case ALU_WANT_DUPLICATES:
	case ALU_WANT_OLDINSTALLONLY:
		return want_old(s, w == ALU_WANT_OLDINSTALLONLY, e);
	case ALU_WANT_INSTALL:
		how = SOLVER_INSTALL;
		break;
	case ALU_WANT_UPDATE:
		how = SOLVER_UPDATE;
		break;
	case ALU_WANT_REMOVE:
		how = SOLVER_ERASE | (s->o.clean_deps ? SOLVER_CLEANDEPS : 0);
		extra = SELECTION_INSTALLED_ONLY;
		break;
	case ALU_WANT_REINSTALL:
	case ALU_WANT_DOWNGRADE:
		how = SOLVER_INSTALL;
		break;
	}
	queue_init(&sel);
	s->has_erase |= w == ALU_WANT_REMOVE || w == ALU_WANT_AUTOREMOVE;
	byname = select_spec(s, spec, extra, &sel);
	if ((w == ALU_WANT_REMOVE || w == ALU_WANT_AUTOREMOVE) && sel.count)
		erase_selection(s, &sel, byname);
	if (!sel.count || !visible(s, &sel)) {
		queue_free(&sel);
		return not_found(w, spec, e);
	}
	if (w == ALU_WANT_REINSTALL || w == ALU_WANT_DOWNGRADE) {
		r = want_older_or_same(s, w, spec, &sel, e);
		queue_free(&sel);
		return r;
	}
	if ((w == ALU_WANT_UPDATE || w == ALU_WANT_DISTSYNC) && !byname) {
		r = want_targeted(s, w, spec, &sel, e);
		queue_free(&sel);
		return r;
	}
	if (w == ALU_WANT_UPDATE || w == ALU_WANT_DISTSYNC) {
		/* by name: the installed packages it matches */
		Queue q;
		queue_init(&q);
		select_spec(s, spec, SELECTION_INSTALLED_ONLY, &q);
		if (!q.count) {
			queue_free(&q);
			queue_free(&sel);
			return not_found(w, spec, e);
		}
		mark_named(s, &q);
		mark_named(s, &sel);
		for (int i = 0; i < q.count; i += 2)
			queue_push2(&s->jobs, q.elements[i] | how, q.elements[i + 1]);
		queue_free(&q);
		queue_free(&sel);
		return 0;
	}
	if (w == ALU_WANT_INSTALL && byname && install_obsoleters(s, &sel)) {
		queue_free(&sel);
		return 0;
	}
	mark_named(s, &sel);
	for (int i = 0; i < sel.count; i += 2)
		queue_push2(&s->jobs, sel.elements[i] | how, sel.elements[i + 1]);
	if (w == ALU_WANT_INSTALL) {
		/* yum: "Package matching X already installed. Checking for update." */
		Queue q;
		queue_init(&q);
		Queue inst;
		queue_init(&inst);
		select_spec(s, spec, SELECTION_INSTALLED_ONLY, &q);
		selection_solvables(s->pool, &q, &inst);
		for (int i = 0; i < inst.count; i++)
			queue_pushunique(&s->named_inst, inst.elements[i]);
		queue_free(&inst);
		for (int i = 0; byname && i < q.count; i += 2)
			queue_push2(&s->jobs, q.elements[i] | SOLVER_UPDATE, q.elements[i + 1]);
		queue_free(&q);
	}
	queue_free(&sel);
	return 0;
}

int alu_solve_key_available(struct alu_solve *s, uint64_t key)
{
	Id p;
	struct alu_err e = { 0 };

	/* an error here comes back at the next request or run */
	if (alu_solve_fill(s, NULL, 0, &e))
		return 0;
	if (!s->ready)
		alu_solve_ready(s);
	p = find_key(s, key);
	return p && (!s->pool->considered || MAPTST(s->pool->considered, p));
}

int alu_solve_named_installed(struct alu_solve *s, uint64_t **keys, size_t *n)
{
	*n = 0;
	*keys = malloc(((size_t)s->named_inst.count + 1) * sizeof(**keys));
	if (!*keys)
		return -ENOMEM;
	for (int i = 0; i < s->named_inst.count; i++) {
		Id p = s->named_inst.elements[i];
		if ((size_t)p < s->nextra)
			(*keys)[(*n)++] = s->extra[p].key;
	}
	return 0;
}
