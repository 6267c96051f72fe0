/* SPDX-License-Identifier: MIT */
/* Asking a lazy loader for more of the repositories (solve_int.h). */
#include <stdlib.h>

#include "solve/solve_int.h"

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
