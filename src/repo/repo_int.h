/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by the metadata readers. */
#ifndef ALU_REPO_INT_H
#define ALU_REPO_INT_H

#include <stddef.h>
#include <stdint.h>

#include "repo/repo.h"

/* A bump allocator for one record's strings, reset between records. */
struct rarena {
	struct rchunk *head;
	size_t chunk;   /* bytes a chunk holds at least; 0: 16 KiB */
};
void *rarena_alloc(struct rarena *a, size_t n);
char *rarena_strndup(struct rarena *a, const char *s, size_t n);
char *rarena_strdup(struct rarena *a, const char *s);
void rarena_reset(struct rarena *a);   /* keeps the first chunk */
void rarena_free(struct rarena *a);

/* A growable array of T. */
#define RVEC(T) struct { T *v; size_t n, cap; }
int rvec_grow(void **v, size_t *cap, size_t need, size_t elem);
#define RVEC_PUSH(vec, elem) \
	(rvec_grow((void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)) ? -1 : \
	 ((vec).v[(vec).n++] = (elem), 0))

/* "EQ" "LT" "LE" "GT" "GE" -> ALU_DEP_* bits; anything else 0. */
uint32_t rdep_flags(const char *s);
/* "[E:]V[-R]" with a zero or empty epoch omitted; "" when @p ver is empty. */
char *rdep_evr(struct rarena *a, const char *epoch, const char *ver, const char *rel);
/* Strict decimal; returns -1 for anything else (empty is 0 when @p empty_ok). */
int rparse_u64(const char *s, int empty_ok, uint64_t *out);

/* Where metadata readers put their records. */
struct alu_recs_cb {
	alu_pkgrec_cb pkg;
	alu_advrec_cb adv;
	void *ud;
	/* When set, package readers allocate a record's strings from *arena (which
	 * the sink may switch between records) and never reset it: the strings
	 * outlive the callback and need no copy. */
	struct rarena **arena;
};

/* alu_primary_xml_file() / alu_primary_sqlite_file() with alu_recs_cb's arena rule. */
int alu_primary_xml_file_in(const char *path, const struct alu_decomp_expect *x, alu_pkgrec_cb cb,
			    void *ud, struct rarena **arena, struct alu_err *e);
/* alu_updateinfo_file() with the decoded data held to @p x (NULL: the cap only). */
int alu_updateinfo_file_x(const char *path, const struct alu_decomp_expect *x, alu_advrec_cb cb,
			  void *ud, struct alu_err *e);
int alu_primary_sqlite_file_in(const char *dbpath, alu_pkgrec_cb cb, void *ud,
			       struct rarena **arena, struct alu_err *e);
/* Metadata readers: call cb for each record, in order. */
typedef int (*alu_recs_reader_fn)(void *rctx, const struct alu_recs_cb *cb, struct alu_err *e);
/*
 * Run @p read in a second thread; cb sees copies of its records, in order,
 * on the calling thread. Returns the first error, cb's before the reader's.
 */
int alu_recs_piped(alu_recs_reader_fn read, void *rctx, const struct alu_recs_cb *cb,
		   struct alu_err *e);
/*
 * Decode bzip2 file @p src to @p fd block by block on two threads
 * (bz2par.c). 0 done; 1 not done this way (not bzip2, one block, a block
 * that does not decode, ...): the caller truncates @p fd and decodes the
 * ordinary way, which also reports any damage; <0 a read or write error.
 */
int alu_bz2_par_to_fd(const char *src, int fd, struct alu_err *e);
/* As alu_bz2_par_to_fd(), writing at most @p max bytes (0: any): more is
 * -ALUE_CORRUPT "decodes to more than N bytes", found before they are written. */
int alu_bz2_par_to_fd_max(const char *src, int fd, uint64_t max, struct alu_err *e);

#endif
