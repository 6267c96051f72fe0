/* SPDX-License-Identifier: MIT */
/*
 * The reduced load: of the repositories, only what the requests can reach.
 * libsolv takes a repository package into a transaction only when a job
 * names it, as a provider of something a package of the transaction requires
 * or recommends, as an update of an installed package (its name, or one it
 * obsoletes), or because it supplements something there. So from the
 * installed packages and the names a request gives, the set is closed over:
 * every package of a name in it (each version, each repository), every
 * package that obsoletes such a name or supplements a capability of the set
 * (the cache's revdeps index), and every provider (names, provides, primary
 * file lists) of what any package of the set requires or recommends. What
 * the solver decides is then what it decides over the whole repositories;
 * ALU_SOLVE_LOAD=all loads everything, and tests/e2e/test_solve_reach.py
 * compares the two.
 *
 * A round adds what it found in the order of a whole load (repository, then
 * name, then id), so libsolv breaks ties among equal candidates alike. A
 * spec with glob characters can match anything: it loads the rest whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <solv/strpool.h>

#include "solve/load_int.h"
#include "solve/solve_int.h"

enum { CAP_FULL, CAP_REV };   /* look a name up everywhere, or in revdeps only */

struct found {
	uint64_t id;
	size_t repo;    /* index into conf->repos */
	Id name;        /* in alu_reach.sp */
};

struct alu_reach {
	struct alu_solve *s;
	const struct alu_conf *conf;
	struct alu_cache *cache;
	int *handle;                /* solver repo by conf repo index; -1: disabled */
	const char **ids;           /* enabled repo ids */
	size_t nids;
	Stringpool sp;              /* capability names met */
	unsigned char *done;        /* by sp id: 0, CAP_REV + 1 (revdeps looked up), 2 (all) */
	size_t ndone;
	Queue work;                 /* sp id << 1 | CAP_* */
	uint64_t *seen;             /* package ids met, + 1 (0: empty slot) */
	size_t nseen, capseen;
	struct found *found;        /* met this round, to be added */
	size_t nfound, capfound;
	int all;                    /* everything is in the pool */
	int want_all;               /* a glob was hinted: load everything at once */
	int err;                    /* -ENOMEM met in a callback */
	struct alu_err *e;
};

/* ---- sets ---- */

static size_t slot_of(const uint64_t *t, size_t cap, uint64_t v)
{
	size_t i = (size_t)((v * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);

	while (t[i] && t[i] != v)
		i = (i + 1) & (cap - 1);
	return i;
}

/* @return 1 when @p id was met before, 0 when now recorded, -ENOMEM */
static int seen_add(struct alu_reach *r, uint64_t id)
{
	uint64_t v = id + 1;

	if (2 * (r->nseen + 1) > r->capseen) {
		size_t cap = r->capseen ? 2 * r->capseen : 1024;
		uint64_t *t = calloc(cap, sizeof(*t));
		if (!t)
			return -ENOMEM;
		for (size_t i = 0; i < r->capseen; i++)
			if (r->seen[i])
				t[slot_of(t, cap, r->seen[i])] = r->seen[i];
		free(r->seen);
		r->seen = t;
		r->capseen = cap;
	}
	size_t i = slot_of(r->seen, r->capseen, v);
	if (r->seen[i])
		return 1;
	r->seen[i] = v;
	r->nseen++;
	return 0;
}

static int push(struct alu_reach *r, const char *s, size_t n, int kind)
{
	Id id = stringpool_strn2id(&r->sp, s, (unsigned)n, 1);

	if ((size_t)id >= r->ndone) {
		size_t nd = r->ndone ? 2 * r->ndone : 4096;
		unsigned char *d;
		while (nd <= (size_t)id)
			nd *= 2;
		if (!(d = realloc(r->done, nd)))
			return -ENOMEM;
		memset(d + r->ndone, 0, nd - r->ndone);
		r->done = d;
		r->ndone = nd;
	}
	if (r->done[id] < (kind == CAP_FULL ? 2 : 1))
		queue_push(&r->work, id << 1 | kind);
	return 0;
}

static int push_full(void *ud, const char *s, size_t n)
{
	return push(ud, s, n, CAP_FULL);
}

/* What package @p name with dependencies @p deps reaches. */
static int seed_deps(struct alu_reach *r, const char *name, const struct alu_dep *const *deps,
		     const size_t *n)
{
	int rc = push(r, name, strlen(name), CAP_FULL);

	for (size_t i = 0; !rc && i < n[ALU_REQUIRES]; i++)
		/* rpm's own features: nothing provides them */
		if (strncmp(deps[ALU_REQUIRES][i].name, "rpmlib(", 7))
			rc = alu_cache_dep_names(deps[ALU_REQUIRES][i].name, push_full, r);
	for (size_t i = 0; !rc && i < n[ALU_RECOMMENDS]; i++)
		rc = alu_cache_dep_names(deps[ALU_RECOMMENDS][i].name, push_full, r);
	/* what supplements a capability of the set comes in with it */
	for (size_t i = 0; !rc && i < n[ALU_PROVIDES]; i++)
		rc = push(r, deps[ALU_PROVIDES][i].name, strlen(deps[ALU_PROVIDES][i].name), CAP_REV);
	return rc;
}

int alu_reach_seed(struct alu_reach *r, const struct alu_solve_pkg *p)
{
	return seed_deps(r, p->name, p->deps, p->ndeps);
}

/* The names a user's spec may stand for: itself (a name, capability or path),
 * "NAME >= V", NAME.ARCH, and the versioned forms NAME-V[-R[.A]] with or
 * without E: (each prefix before a '-'). More than needed does no harm. */
static int seed_spec(struct alu_reach *r, const char *spec)
{
	const char *q = spec + strspn(spec, "0123456789"), *d, *dot;
	size_t n = strcspn(spec, " \t<>=");
	int rc = push(r, spec, strlen(spec), CAP_FULL);

	if (!rc && spec[n])
		rc = push(r, spec, n, CAP_FULL);
	q = q > spec && *q == ':' ? q + 1 : spec;
	if (!rc && q != spec)
		rc = push(r, q, strlen(q), CAP_FULL);
	for (d = q; !rc && (d = strchr(d, '-')); d++)
		rc = push(r, q, (size_t)(d - q), CAP_FULL);
	if (!rc && (dot = strrchr(q, '.')))
		rc = push(r, q, (size_t)(dot - q), CAP_FULL);
	return rc;
}

/* ---- finding ---- */

static size_t repo_index(const struct alu_reach *r, const char *repoid)
{
	for (size_t i = 0; i < r->conf->nrepos; i++)
		if (r->handle[i] >= 0 && !strcmp(r->conf->repos[i].id, repoid))
			return i;
	return (size_t)-1;
}

static int found_cb(void *ud, const struct alu_cpkg *cp)
{
	struct alu_reach *r = ud;
	struct alu_dep *deps[ALU_DEPTYPE_N] = { 0 };
	size_t n[ALU_DEPTYPE_N] = { 0 }, ri;
	int rc = seen_add(r, cp->id);

	if (rc)
		return rc < 0 ? rc : 0;
	ri = repo_index(r, cp->repoid);
	/* excluded here is absent from a whole load too, and reaches nothing */
	if (ri == (size_t)-1 || alu_solve_repo_skips(&r->conf->repos[ri], cp->r.name))
		return 0;
	if (r->nfound == r->capfound) {
		size_t cap = r->capfound ? 2 * r->capfound : 256;
		struct found *f = realloc(r->found, cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		r->found = f;
		r->capfound = cap;
	}
	r->found[r->nfound++] = (struct found){ cp->id, ri,
		stringpool_str2id(&r->sp, cp->r.name, 1) };
	rc = alu_cache_pkg_deps_all(cp, deps, n);
	if (rc == -ALUE_CORRUPT)
		rc = alu_err_set(r->e, rc, "cache: bad package record %s-%s-%s.%s "
				 "(run `alupdate clean metadata`)", cp->r.name, cp->r.version,
				 cp->r.release, cp->r.arch);
	if (!rc)
		rc = seed_deps(r, cp->r.name, (const struct alu_dep *const *)deps, n);
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		free(deps[t]);
	return rc;
}

/* Look up what the work queue holds until nothing new turns up. */
static int close_over(struct alu_reach *r)
{
	static const enum alu_cache_ix full[] = { ALU_CACHE_IX_NAME, ALU_CACHE_IX_PROVIDE,
		ALU_CACHE_IX_FILE };
	int rc = 0;

	while (!rc && r->work.count) {
		Id v = queue_pop(&r->work), id = v >> 1;
		int need = (v & 1) == CAP_FULL ? 2 : 1, before = r->done[id];
		if (before >= need)
			continue;
		r->done[id] = (unsigned char)need;
		/* the string moves when the pool grows: fetched for each lookup */
		for (size_t k = 0; !rc && need == 2 && k < sizeof(full) / sizeof(full[0]); k++)
			if (full[k] != ALU_CACHE_IX_FILE || stringpool_id2str(&r->sp, id)[0] == '/')
				rc = alu_cache_lookup(r->cache, full[k], stringpool_id2str(&r->sp, id),
						      found_cb, r, r->e);
		if (!rc && !before)
			rc = alu_cache_lookup(r->cache, ALU_CACHE_IX_REVDEP,
					      stringpool_id2str(&r->sp, id), found_cb, r, r->e);
	}
	return rc;
}

/* the order of a whole load: repository, name (as LMDB orders keys), id */
static int found_cmp(const void *a, const void *b, void *sp)
{
	const struct found *x = a, *y = b;
	int c;

	if (x->repo != y->repo)
		return x->repo < y->repo ? -1 : 1;
	if (x->name != y->name && (c = strcmp(stringpool_id2str(sp, x->name),
					      stringpool_id2str(sp, y->name))))
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct add_ctx { struct alu_reach *r; size_t repo; };

static int add_cb(void *ud, const struct alu_cpkg *cp)
{
	struct add_ctx *a = ud;

	return alu_solve_load_cpkg(a->r->s, a->r->handle[a->repo], &a->r->conf->repos[a->repo], cp,
				   a->r->e);
}

/* Add what this round found, in the order of a whole load. */
static int add_found(struct alu_reach *r)
{
	int rc = 0;

	qsort_r(r->found, r->nfound, sizeof(*r->found), found_cmp, &r->sp);
	for (size_t i = 0; !rc && i < r->nfound; i++) {
		struct add_ctx a = { r, r->found[i].repo };
		rc = alu_cache_pkg_get(r->cache, r->found[i].id, add_cb, &a, r->e);
	}
	return rc;
}

static int rest_cb(void *ud, const struct alu_cpkg *cp)
{
	struct add_ctx *a = ud;
	int rc;

	if (strcmp(cp->repoid, a->r->conf->repos[a->repo].id))
		return 0;
	rc = seen_add(a->r, cp->id);
	return rc ? (rc < 0 ? rc : 0) : add_cb(ud, cp);
}

/* A glob: every package not in the pool yet, repository by repository. */
static int load_rest(struct alu_reach *r)
{
	int rc = 0, n = r->s->pool->nsolvables;

	for (size_t i = 0; !rc && i < r->conf->nrepos; i++) {
		struct add_ctx a = { r, i };
		const char *id = r->conf->repos[i].id;
		if (r->handle[i] < 0)
			continue;
		rc = alu_cache_select(r->cache, &id, 1, r->e);
		if (!rc)
			rc = alu_cache_foreach_pkg(r->cache, rest_cb, &a, r->e);
	}
	r->all = !rc;
	queue_empty(&r->work);
	return rc ? rc : r->s->pool->nsolvables - n;
}

static int more(void *ud, const char *spec, uint64_t key, struct alu_err *e)
{
	struct alu_reach *r = ud;
	int rc = 0, n = r->s->pool->nsolvables;

	/* asked again with nothing new (every advisory of update --security) */
	if (r->all || (!spec && !key && !r->work.count && !r->want_all))
		return 0;
	r->e = e;
	if (r->want_all || (spec && strpbrk(spec, "*?[")))
		rc = load_rest(r);
	else {
		if (spec)
			rc = seed_spec(r, spec);
		if (!rc)
			rc = alu_cache_select(r->cache, r->ids, r->nids, e);
		/* an exact request by cache id (history, update-minimal) */
		if (!rc && key) {
			rc = alu_cache_pkg_get(r->cache, key, found_cb, r, e);
			rc = rc == -ENOENT ? 0 : rc;
		}
		if (!rc)
			rc = close_over(r);
		if (!rc)
			rc = add_found(r);
		r->nfound = 0;
		if (!rc)
			rc = r->s->pool->nsolvables - n;
	}
	alu_cache_select(r->cache, NULL, 0, e);
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	return rc;
}

static int hint(void *ud, const char *spec)
{
	struct alu_reach *r = ud;

	if (strpbrk(spec, "*?["))
		r->want_all = 1;
	return r->want_all ? 0 : seed_spec(r, spec);
}

static void reach_free(void *ud)
{
	struct alu_reach *r = ud;

	stringpool_free(&r->sp);
	queue_free(&r->work);
	free(r->done);
	free(r->seen);
	free(r->found);
	free(r->handle);
	free(r->ids);
	free(r);
}

int alu_reach_new(struct alu_solve *s, const struct alu_conf *conf, struct alu_cache *cache,
		  struct alu_reach **out)
{
	struct alu_reach *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r || !(r->handle = calloc(conf->nrepos + 1, sizeof(*r->handle))) ||
	    !(r->ids = calloc(conf->nrepos + 1, sizeof(*r->ids)))) {
		if (r)
			free(r->handle);
		free(r);
		return -ENOMEM;
	}
	r->s = s;
	r->conf = conf;
	r->cache = cache;
	stringpool_init_empty(&r->sp);
	queue_init(&r->work);
	s->lazy = (struct alu_solve_lazy){ more, hint, reach_free, r };
	/* declared as a whole load declares them, before any package */
	for (size_t i = 0; i < conf->nrepos; i++) {
		const struct alu_repo *rp = &conf->repos[i];
		r->handle[i] = -1;
		if (!rp->enabled)
			continue;
		r->handle[i] = alu_solve_repo(s, rp->id, rp->priority, rp->cost, 0);
		if (r->handle[i] < 0)
			return -ENOMEM;
		r->ids[r->nids++] = rp->id;
	}
	*out = r;
	return 0;
}
