/* SPDX-License-Identifier: MIT */
/*
 * What the pool hides from the solver (pool->considered): excluded
 * packages, versions a version lock does not allow, and packages yum's
 * priorities plugin takes away. Installed packages are never hidden.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_int.h"

static void hide(Pool *pool, Id p)
{
	if (!pool->considered) {
		pool->considered = solv_calloc(1, sizeof(Map));
		map_init(pool->considered, pool->nsolvables);
		map_setall(pool->considered);
	}
	MAPCLR(pool->considered, p);
}

/* yum-plugin-priorities (AL2): a name present in a repository of a better
 * priority (a lower number) is taken only from the best such repositories. */
static void priorities(struct alu_solve *s)
{
	Pool *pool = s->pool;
	int *best = calloc((size_t)pool->ss.nstrings, sizeof(*best));
	char *seen = calloc((size_t)pool->ss.nstrings, 1);
	Solvable *sv;
	Id p;

	if (!best || !seen)
		goto out;
	FOR_POOL_SOLVABLES(p) {
		sv = pool_id2solvable(pool, p);
		/* what excludes and locks hid first is not there to compete */
		if (sv->repo == s->installed || (pool->considered && !MAPTST(pool->considered, p)))
			continue;
		/* libsolv's priority is yum's negated */
		if (!seen[sv->name] || sv->repo->priority > best[sv->name])
			best[sv->name] = sv->repo->priority;
		seen[sv->name] = 1;
	}
	FOR_POOL_SOLVABLES(p) {
		sv = pool_id2solvable(pool, p);
		if (sv->repo != s->installed && sv->repo->priority < best[sv->name])
			hide(pool, p);
	}
out:
	free(best);
	free(seen);
}

static const char *lock_text(const char *l, int *neg)
{
	*neg = *l == '!';
	return *neg ? l + 1 : l;
}

/* A bare name locks the installed version; any other entry is a pattern
 * over the NEVRA forms. */
static int lock_allows(struct alu_solve *s, Id p, const char *l)
{
	Pool *pool = s->pool;
	Solvable *sv = pool_id2solvable(pool, p), *is;
	Id q;

	if (!strcmp(l, pool_id2str(pool, sv->name))) {
		FOR_REPO_SOLVABLES(s->installed, q, is)
			if (is->name == sv->name && is->evr == sv->evr)
				return 1;
		return 0;
	}
	return alu_solve_nevra_match_versioned(pool, p, l);
}

static void locks(struct alu_solve *s)
{
	Pool *pool = s->pool;
	char *covered = calloc((size_t)pool->ss.nstrings, 1);
	Solvable *sv;
	Id p;

	if (!covered)
		return;
	/* the names some positive entry is about */
	FOR_POOL_SOLVABLES(p) {
		sv = pool_id2solvable(pool, p);
		for (size_t i = 0; i < s->o.locks->n && !covered[sv->name]; i++) {
			int neg;
			const char *l = lock_text(s->o.locks->v[i], &neg);
			if (neg)
				continue;
			if (!strcmp(l, pool_id2str(pool, sv->name)) ? sv->repo == s->installed :
			    alu_solve_nevra_match_versioned(pool, p, l))
				covered[sv->name] = 1;
		}
	}
	FOR_POOL_SOLVABLES(p) {
		int allowed = 0, denied = 0;
		sv = pool_id2solvable(pool, p);
		if (sv->repo == s->installed)
			continue;
		for (size_t i = 0; i < s->o.locks->n; i++) {
			int neg;
			const char *l = lock_text(s->o.locks->v[i], &neg);
			if (neg)
				denied |= alu_solve_nevra_match_versioned(pool, p, l);
			else if (covered[sv->name])
				allowed |= lock_allows(s, p, l);
		}
		if (denied || (covered[sv->name] && !allowed))
			hide(pool, p);
	}
	free(covered);
}

void alu_solve_hide(struct alu_solve *s)
{
	Pool *pool = s->pool;
	Solvable *sv;
	Id p;

	if (s->o.excludes && s->o.excludes->n) {
		FOR_POOL_SOLVABLES(p) {
			sv = pool_id2solvable(pool, p);
			if (sv->repo == s->installed)
				continue;
			for (size_t i = 0; i < s->o.excludes->n; i++)
				if (alu_solve_nevra_match(pool, p, s->o.excludes->v[i]))
					hide(pool, p);
		}
	}
	if (s->o.locks && s->o.locks->n)
		locks(s);
	priorities(s);
}
