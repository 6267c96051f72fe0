/* SPDX-License-Identifier: MIT */
/*
 * What repoquery, deplist and package-cleanup select, and each selected
 * package's full view (fields, dependencies, files). Rows are pkgq rows
 * (cmd/pkgq.h): `installed` set for packages of the state (id: state id),
 * else repository packages (id: cache id).
 */
#ifndef ALU_CMD_RQSEL_H
#define ALU_CMD_RQSEL_H

#include "cmd/pkgq.h"
#include "cmd/rqfmt.h"
#include "db/state.h"
#include "repo/repo.h"
#include "rpm/rpm.h"
#include "util/strv.h"

struct rq_query {
	char **specs;                 /* yum's package forms, globs */
	int nspecs;
	int all;                      /* -a: every package */
	int installed;                /* the installed packages, not the repositories' */
	struct alu_strv whatprovides; /* "CAP", "CAP OP EVR" or a path (glob) */
	struct alu_strv whatrequires; /* capability names (globs); a package name stands for its provides */
	int latest;                   /* per name.arch: N > 0 newest N, N < 0 all but the newest -N, 0 all */
};

/** Where packages come from. */
struct rq_src {
	struct alu_repos *rp;         /* NULL: installed only */
	struct alu_state *s;
	int cacheonly;
};

/**
 * @brief The packages @p q selects, sorted by name, arch, EVR.
 * @return 0, -ENOMEM, cache/state errors, file list errors (a path in
 *         whatprovides that primary does not know reads the file lists).
 */
int rq_select(struct rq_src *src, const struct rq_query *q, struct pkgq_rows *out, struct alu_err *e);

/** A package's view for a callback: valid during the call only. */
struct rq_view {
	struct rq_pkg pkg;
	struct alu_dep *deps[ALU_DEPTYPE_N];
	size_t ndeps[ALU_DEPTYPE_N];
};

/** @brief Call @p cb with the full view of @p row. @return 0, cb's value, errors. */
int rq_view(struct rq_src *src, const struct pkgq_row *row,
	    int (*cb)(void *ud, const struct rq_view *v), void *ud, struct alu_err *e);

/**
 * @brief Every file of the @p rows (installed: from their headers; others:
 *        from the repositories' file lists, fetched on demand).
 * @param[out] files an array of rows->n string vectors, one per row (zeroed by the caller).
 */
int rq_files(struct rq_src *src, const struct pkgq_rows *rows, struct alu_strv *files,
	     struct alu_err *e);

/** @brief "name OP evr" of @p d into @p buf ("name" when unversioned). */
void rq_dep_str(const struct alu_dep *d, char *buf, size_t n);

/** @return 1 when capability @p want ("NAME", "NAME OP EVR"; NAME a glob) is met by @p d. */
int rq_cap_match(const char *want, const struct alu_dep *d);

#endif
