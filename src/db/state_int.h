/* SPDX-License-Identifier: MIT */
/* Inside the state module: shared by state_*.c, not a public header. */
#ifndef ALU_DB_STATE_INT_H
#define ALU_DB_STATE_INT_H

#include <limits.h>
#include <lmdb.h>

#include "db/db.h"
#include "db/rpmdb.h"
#include "db/state.h"

enum { ST_PKGS, ST_HDR, ST_NAME, ST_FILE, ST_PROVIDE, ST_META, ST_JOURNAL, ST_HISTORY, ST_NDBS };

struct alu_state {
	MDB_env *env;            /* NULL: empty read-only state (nothing to read) */
	MDB_dbi dbi[ST_NDBS];
	unsigned flags;          /* ALU_STATEF_* as opened */
	int rdonly;              /* writes refused (RDONLY, or a temporary adoption) */
	char root[PATH_MAX];
	char dir[PATH_MAX];      /* the environment's directory */
	struct alu_state_info info;
	struct alu_state_txn *wtxn;  /* the open write transaction, if any */
};

struct alu_state_txn {
	struct alu_state *s;
	MDB_txn *txn;
};

/* A key buffer: short keys are used as they are, long ones become prefix + hash. */
struct st_key {
	char buf[ALU_STATE_KEYMAX + 1];
	MDB_val v;
};
void st_key(struct st_key *k, const void *p, size_t n);
void st_id(unsigned char out[8], uint64_t id);
uint64_t st_getid(const MDB_val *v);

/* Package records (pkgs values). */
int st_rec_encode(const struct alu_instpkg *p, unsigned char **out, size_t *len);
int st_rec_decode(const MDB_val *key, const MDB_val *val, struct alu_instpkg *p);

/* Open the named dbs in @p txn (creating them when @p create). */
int st_open_dbis(struct alu_state *s, MDB_txn *txn, int create, struct alu_err *e);
/* A read transaction: the open write one when there is one (*own = 0). */
int st_rtxn(struct alu_state *s, MDB_txn **txn, int *own);
void st_rtxn_end(MDB_txn *txn, int own);

/* A cursor over one db in a read transaction (st_rtxn's), for a walk. */
struct st_cursor {
	MDB_txn *txn;
	MDB_cursor *c;
	int own;
};
/* Open a read transaction and a cursor on db @p dbi (state_read.c).
 * @return 0, or -ALUE_DB with nothing left open. */
int st_cursor_open(struct alu_state *s, int dbi, struct st_cursor *cur);
/* Close what st_cursor_open() opened. @p rc is the LMDB code that ended the
 * walk, @p r the walk's own result.
 * @return @p r, or -ALUE_DB when @p r is 0 and @p rc is an LMDB error
 *         (MDB_NOTFOUND, the walk's normal end, is not). */
int st_cursor_close(struct st_cursor *cur, int rc, int r);

/* meta helpers */
int st_meta_get(struct alu_state *s, MDB_txn *txn, const char *k, MDB_val *v);
int st_meta_put(struct alu_state *s, MDB_txn *txn, const char *k, const void *v, size_t n);

/* Add a package inside @p txn (state_write.c); the adoption uses it too. */
int st_add(struct alu_state *s, MDB_txn *txn, const struct alu_hdr *h, int reason,
	   const char *repo, uint32_t installtime, uint64_t *id, struct alu_err *e);

/* Replace every package with the rpm database's (state_adopt.c). */
int st_import(struct alu_state *s, MDB_txn *txn, const char *path, enum alu_rpmdb_kind kind,
	      size_t *count, struct alu_err *e);
/* The stamp recorded at adoption: "mtime_ns size" of @p path. */
int st_stamp(const char *path, char *buf, size_t n);

/* LMDB code -> our contract; MDB_MAP_FULL becomes -ALUE_NOSPACE. */
int st_rc(int rc, const char *what, struct alu_err *e);

#endif
