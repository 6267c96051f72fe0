/* SPDX-License-Identifier: MIT */
/* Asking a lazy loader for more of the repositories (solve_int.h). */
#include <stdlib.h>

#include "solve/solve_int.h"
#include <solv/solver.h>

/* The one-of jobs name solvables through pool_queuetowhatprovides() offsets,
 * which a rebuilt provides index drops: their lists are kept across it. */
static void ready_again(struct alu_solve *s)
{
	Pool *pool = s->pool;
	Queue saved, q;
	int k = 0;

	queue_init(&saved);
	queue_init(&q);
	for (int i = 0; pool->whatprovides && i + 1 < s->jobs.count; i += 2)
		if ((s->jobs.elements[i] & SOLVER_SELECTMASK) == SOLVER_SOLVABLE_ONE_OF) {
			for (Id *pp = pool->whatprovidesdata + s->jobs.elements[i + 1]; *pp; pp++)
				queue_push(&saved, *pp);
			queue_push(&saved, 0);
		}
	s->ready = 0;
	alu_solve_ready(s);
	for (int i = 0; saved.count && i + 1 < s->jobs.count; i += 2)
		if ((s->jobs.elements[i] & SOLVER_SELECTMASK) == SOLVER_SOLVABLE_ONE_OF) {
			queue_empty(&q);
			while (saved.elements[k])
				queue_push(&q, saved.elements[k++]);
			k++;
			s->jobs.elements[i + 1] = pool_queuetowhatprovides(pool, &q);
		}
	queue_free(&q);
	queue_free(&saved);
}

int alu_solve_fill(struct alu_solve *s, const char *spec, uint64_t key, struct alu_err *e)
{
	int n;

	if (!s->lazy.more)
		return 0;
	n = s->lazy.more(s->lazy.ud, spec, key, e);
	if (n < 0)
		return n;
	if (n > 0) {
		/* new solvables: the provides index, hiding and keys again */
		free(s->keyidx);
		s->keyidx = NULL;
		if (s->pool->whatprovides)
			ready_again(s);
		else
			s->ready = 0;
	}
	return 0;
}

int alu_solve_hint(struct alu_solve *s, const char *spec)
{
	return s->lazy.hint ? s->lazy.hint(s->lazy.ud, spec) : 0;
}

size_t alu_solve_repo_npkgs(const struct alu_solve *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nrepos; i++)
		if (s->repos[i] != s->installed)
			n += (size_t)s->repos[i]->nsolvables;
	return n;
}
