/* SPDX-License-Identifier: MIT */
/* Shared by load.c and load_reach.c; not a public header. */
#ifndef ALU_SOLVE_LOAD_INT_H
#define ALU_SOLVE_LOAD_INT_H

#include "solve/load.h"

/* Add cached package @p cp to repo handle @p handle unless @p rp's exclude=
 * or includepkgs= leave it out (then 0). */
int alu_solve_load_cpkg(struct alu_solve *s, int handle, const struct alu_repo *rp,
			const struct alu_cpkg *cp, struct alu_err *e);

/* @return 1 when @p rp's exclude= or includepkgs= leave package @p name out. */
int alu_solve_repo_skips(const struct alu_repo *rp, const char *name);

struct alu_reach;

/* A reduced load (load_reach.c): the enabled repositories of @p conf are
 * declared now, in the order of a whole load, and their packages added when
 * the solver first needs them, only those the requests can reach. Owned by
 * @p s (freed with it). @return 0 or -ENOMEM. */
int alu_reach_new(struct alu_solve *s, const struct alu_conf *conf, struct alu_cache *cache,
		  struct alu_reach **out);
/* What installed package @p p reaches: its name, requirements, provides. */
int alu_reach_seed(struct alu_reach *r, const struct alu_solve_pkg *p);

#endif
