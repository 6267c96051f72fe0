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
		s->ready = 0;
		free(s->keyidx);
		s->keyidx = NULL;
	}
	return 0;
}
