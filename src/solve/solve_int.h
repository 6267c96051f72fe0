/* SPDX-License-Identifier: MIT */
/* Internals shared by the solve/ files; not a public header. */
#ifndef ALU_SOLVE_INT_H
#define ALU_SOLVE_INT_H

#include <solv/pool.h>
#include <solv/queue.h>
#include <solv/repo.h>

#include "solve/solve.h"

/* Per-solvable data libsolv has no slot for, indexed by solvable id. */
struct alu_sextra {
	uint64_t key, size, dlsize;
	uint32_t installtime;
};

struct alu_solve {
	Pool *pool;
	Repo **repos;
	size_t nrepos;
	Repo *installed;
	struct alu_sextra *extra;
	size_t nextra;
	Queue jobs;
	Queue multiversion_names;   /* installonly names present in the pool */
	struct alu_solve_opts o;
	int ready;
	int has_erase, has_downgrade;  /* jobs that need libsolv's permission flags */
};

/** @return 1 when @p name is an installonly package name under the options. */
int alu_solve_is_installonly(const struct alu_solve *s, const char *name);

/** @return 1 when @p s (the NEVRA form libsolv prints) matches glob or NEVRA @p pat. */
int alu_solve_nevra_match(Pool *pool, Id p, const char *pat);

#endif
