/* SPDX-License-Identifier: MIT */
/*
 * Obsoletes as yum applies them: installing an obsoleted name gives its
 * obsoleters, and every obsoleter of an installed package comes in on
 * update (libsolv alone replaces a package with one obsoleter).
 */
#include <stdlib.h>
#include <string.h>

#include "solve/solve_int.h"
#include <solv/evr.h>
#include <solv/solver.h>

static int considered(Pool *pool, Id p)
{
	return !pool->considered || MAPTST(pool->considered, p);
}

static int obsoletes(Pool *pool, Id q, Id p)
{
	Solvable *qs = pool_id2solvable(pool, q), *ps = pool_id2solvable(pool, p);

	if (!qs->obsoletes || qs->name == ps->name)
		return 0;
	for (Id *op = qs->repo->idarraydata + qs->obsoletes; *op; op++)
		if (pool_match_nevr(pool, ps, *op))
			return 1;
	return 0;
}

/* Does @p qs obsolete a name marked in @p names (indexed by string id)? */
static int obsoletes_a_name(Pool *pool, Solvable *qs, const char *names)
{
	for (Id *op = qs->repo->idarraydata + qs->obsoletes; *op; op++) {
		Id n = *op;
		while (ISRELDEP(n))
			n = GETRELDEP(pool, n)->name;
		if (n < pool->ss.nstrings && names[n])
			return 1;
	}
	return 0;
}

/* The considered repository packages that obsolete one of @p names: few,
 * so the pairwise checks after this stay cheap on a large pool. */
static void with_obsoletes(struct alu_solve *s, const char *names, Queue *out)
{
	Pool *pool = s->pool;
	Id q;

	FOR_POOL_SOLVABLES(q) {
		Solvable *qs = pool_id2solvable(pool, q);
		if (qs->obsoletes && qs->repo != s->installed && considered(pool, q) &&
		    pool_installable(pool, qs) && obsoletes_a_name(pool, qs, names))
			queue_push(out, q);
	}
}

static void obsoleters_of(struct alu_solve *s, const Queue *cands, Id p, Queue *out)
{
	Pool *pool = s->pool;
	Queue c;

	queue_init(&c);
	for (int i = 0; i < cands->count; i++)
		if (obsoletes(pool, cands->elements[i], p))
			queue_push(&c, cands->elements[i]);
	/* a chain (c obsoletes b obsoletes a): only the end of it */
	for (int i = 0; i < c.count; i++) {
		int dropped = 0;
		for (int j = 0; j < c.count && !dropped; j++)
			dropped = i != j && obsoletes(pool, c.elements[j], c.elements[i]);
		if (!dropped)
			queue_pushunique(out, c.elements[i]);
	}
	queue_free(&c);
}

void alu_solve_obsoleters(struct alu_solve *s, Id p, Queue *out)
{
	Pool *pool = s->pool;
	char *names = calloc((size_t)pool->ss.nstrings, 1);
	Queue cands;

	if (!names)
		return;
	names[pool_id2solvable(pool, p)->name] = 1;
	queue_init(&cands);
	with_obsoletes(s, names, &cands);
	obsoleters_of(s, &cands, p, out);
	queue_free(&cands);
	free(names);
}

void alu_solve_all_obsoleters(struct alu_solve *s, Queue *jobs)
{
	Pool *pool = s->pool;
	Solvable *is;
	Queue cands;
	char *names;
	Id ip;

	if (!s->installed || s->o.no_obsoletes)
		return;
	if (!(names = calloc((size_t)pool->ss.nstrings, 1)))
		return;
	FOR_REPO_SOLVABLES(s->installed, ip, is)
		names[is->name] = 1;
	queue_init(&cands);
	with_obsoletes(s, names, &cands);
	free(names);
	FOR_REPO_SOLVABLES(s->installed, ip, is) {
		Queue o, names;
		if (!cands.count)
			break;
		queue_init(&o);
		queue_init(&names);
		obsoleters_of(s, &cands, ip, &o);
		for (int i = 0; i < o.count; i++) {
			Solvable *os = pool_id2solvable(pool, o.elements[i]);
			/* an obsoleter already installed is updated the ordinary way */
			Solvable *x;
			Id xp;
			int inst = 0;
			FOR_REPO_SOLVABLES(s->installed, xp, x)
				inst |= x->name == os->name;
			if (!inst)
				queue_pushunique(&names, os->name);
		}
		for (int i = 0; names.count > 1 && i < names.count; i++)
			queue_push2(jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, names.elements[i]);
		/* they replace what was there: not dependencies */
		for (int i = 0; names.count > 1 && i < o.count; i++)
			MAPSET(&s->named, o.elements[i]);
		queue_free(&o);
		queue_free(&names);
	}
	queue_free(&cands);
}

int alu_solve_obsoletes_installed(struct alu_solve *s, const char *nevra)
{
	Pool *pool = s->pool;
	Id q, ip, pp, name;
	Solvable *is;
	struct alu_err e = { 0 };
	const char *d1 = NULL, *d2 = NULL;

	/* an error here comes back at the next request or run */
	if (alu_solve_fill(s, NULL, 0, &e))
		return 0;
	if (!s->ready)
		alu_solve_ready(s);
	if (!s->installed || s->o.no_obsoletes)
		return 0;
	/* only a solvable of NAME (before the last two '-' of NAME-[E:]V-R.ARCH)
	 * can be it: update --security asks for every advisory's packages */
	for (const char *c = nevra; *c; c++)
		if (*c == '-') {
			d2 = d1;
			d1 = c;
		}
	name = d2 ? pool_strn2id(pool, nevra, (unsigned)(d2 - nevra), 0) : 0;
	if (!name)
		return 0;
	FOR_PROVIDES(q, pp, name) {
		Solvable *qs = pool_id2solvable(pool, q);
		if (qs->name != name || qs->repo == s->installed || !qs->obsoletes ||
		    !considered(pool, q) || strcmp(pool_solvid2str(pool, q), nevra))
			continue;
		FOR_REPO_SOLVABLES(s->installed, ip, is)
			if (obsoletes(pool, q, ip))
				return 1;
	}
	return 0;
}
