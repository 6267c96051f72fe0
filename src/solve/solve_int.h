/* SPDX-License-Identifier: MIT */
/* Internals shared by the solve/ files; not a public header. */
#ifndef ALU_SOLVE_INT_H
#define ALU_SOLVE_INT_H

#include <solv/bitmap.h>
#include <solv/pool.h>
#include <solv/queue.h>
#include <solv/repo.h>

#include "solve/solve.h"

struct alu_keyidx { uint64_t key; Id p; };

/* Per-solvable data libsolv has no slot for, indexed by solvable id. */
struct alu_sextra {
	uint64_t key, size, dlsize;
	uint32_t installtime;
};

/* A pool filled on demand (load_reach.c): before a request is matched the
 * solver asks more() for what @p spec (or package @p key) can reach; it
 * returns how many packages it added, or -errno with @p e set. */
struct alu_solve_lazy {
	int (*more)(void *ud, const char *spec, uint64_t key, struct alu_err *e);
	int (*hint)(void *ud, const char *spec);   /* 0 or -ENOMEM */
	void (*free)(void *ud);
	void *ud;
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
	Map named;                  /* solvables a user's spec matched */
	struct alu_keyidx *keyidx;  /* repository solvables by caller key, sorted (want.c) */
	size_t nkeyidx;
	Queue named_inst;           /* installed solvables an install spec matched */
	struct alu_solve_lazy lazy;
	int nmvjobs;                /* multiversion_names already made jobs */
};

/* fill.c: let the lazy loader add what @p spec / @p key reach (NULL/0: what
 * it has been told of so far); afterwards the pool is made ready again when
 * it grew. @return 0 or the loader's error. */
int alu_solve_fill(struct alu_solve *s, const char *spec, uint64_t key, struct alu_err *e);

/** @return 1 when solvable @p p matches glob @p pat in one of yum's forms:
 *  name, name.arch, name-v, name-v-r, name-v-r.a, name-e:v, name-e:v-r,
 *  name-e:v-r.a, e:name-v-r.a (epoch 0 where the package has none). */
int alu_solve_nevra_match(Pool *pool, Id p, const char *pat);

/** @return 1 when @p p matches @p pat in a form that names a version. */
int alu_solve_nevra_match_versioned(Pool *pool, Id p, const char *pat);

/** @return 1 when solvable @p p is installonly: its name matches an entry
 *  (glob) or it provides one (installonlypkg(kernel)). */
int alu_solve_is_installonly_pkg(const struct alu_solve *s, Id p);

/* hide.c: excludes, version locks and repository priorities into
 * pool->considered (called by alu_solve_ready). */
void alu_solve_hide(struct alu_solve *s);

/* obsol.c: the best considered repository packages of other names that
 * obsolete @p p (those an obsoleter of the same set obsoletes dropped). */
void alu_solve_obsoleters(struct alu_solve *s, Id p, Queue *out);
/* obsol.c: install jobs for every obsoleter of installed packages that more
 * than one name obsoletes (libsolv takes only one; yum takes all). */
void alu_solve_all_obsoleters(struct alu_solve *s, Queue *jobs);

#endif
