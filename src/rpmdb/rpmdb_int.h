/* SPDX-License-Identifier: MIT */
/* Inside the rpmdb write-back module: shared by its .c files only. */
#ifndef ALU_RPMDB_RPMDB_INT_H
#define ALU_RPMDB_RPMDB_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "rpmdb/rpmdb_out.h"

/* ---- dbswitch.c ---------------------------------------------------------- */

/** One switch of P/B (see dbswitch.c). */
struct sw {
	int pfd, ofd, nfd;        /* P, P/B, P/.B.alupdate-new */
	int made;                 /* the new directory exists and is ours to remove */
	char parent[PATH_MAX];    /* P, real path */
	char base[256];           /* B */
	char newname[300], oldname[300];
};

/** Make the new directory beside the database directory of @p dbfile
 *  (a path under @p root), carrying over its other files. */
int sw_begin(const char *root, const char *dbfile, struct sw *w, struct alu_err *e);
/** Path of @p file inside the new directory. */
void sw_path(const struct sw *w, const char *file, char *buf, size_t n);
/** fsync the new directory and switch it in; the old one is removed. */
int sw_commit(struct sw *w, struct alu_err *e);
/** Release; an uncommitted new directory is removed. */
void sw_end(struct sw *w);
int sw_rmtree(int pfd, const char *name);

/**
 * Fault injection for the crash tests: when $ALU_RPMDB_KILL_AT names
 * @p point ("build", "pending", "exchange", "gap", "record"), the process
 * kills itself with SIGKILL there, as a kill -9 would. $ALU_RPMDB_NO_EXCHANGE=1
 * makes the switch take its two-rename fallback. @return 0.
 */
int alu_rpmdb_test_point(const char *point);
int alu_rpmdb_no_exchange(void);

/* ---- sync_rec.c: what the state records about the last write ----------- */

struct rec_ent {
	uint64_t id;
	uint64_t dig;             /* first 8 bytes of the header blob's sha256 */
};

struct rec {
	uint64_t size;
	int64_t mtime_ns;
	char sha[65];             /* of the database file (hex) */
	struct rec_ent *v;        /* sorted by id */
	size_t n;
};

/** Read meta @p key ("rpmdb_sync", "rpmdb_pending"); -ENOENT when absent. */
int rec_load(struct alu_state *s, const char *key, struct rec *r);
/** Store @p r under @p key in its own state transaction (NULL: delete). */
int rec_store(struct alu_state *s, const char *key, const struct rec *r, struct alu_err *e);
/** The same inside the caller's transaction @p t. */
int rec_put(struct alu_state_txn *t, const char *key, const struct rec *r, struct alu_err *e);
void rec_free(struct rec *r);
/** size, mtime and sha256 of @p path (sha only when @p with_sha). */
int rec_stat(const char *path, struct rec *r, int with_sha);
uint64_t rec_blobdig(const void *blob, size_t len);

/* ---- write.c ------------------------------------------------------------- */

/** Write every state header into the database at @p path (NULL: none) of
 *  @p kind and, when @p manifest, container-manifest-2; records what was
 *  written (see write.c). */
int rpmdb_write(struct alu_state *s, const char *root, const char *path, enum alu_rpmdb_kind kind,
		int manifest, struct alu_rpmdb_report *rep, struct alu_err *e);

/** rpm's transaction lock, <dbdir>/.rpm.lock (fcntl write lock, as rpm
 *  takes it), waited for up to @p seconds. @return 0 with *fd to close. */
int sw_rpmlock(const char *dbfile, int seconds, int *fd, struct alu_err *e);

/* ---- manifest.c ------------------------------------------------------------ */

#define ALU_MANIFEST_DIR "/var/lib/rpmmanifest"
#define ALU_MANIFEST2 "container-manifest-2"

/** Does @p root have a container-manifest-2? (its host path into @p path) */
int mf_find(const char *root, char *path, size_t n);
/** Rewrite it from @p h (sorted by hnum), then the lines @p extra (may be
 *  NULL): temporary file + rename. */
int mf_write(const char *root, const struct alu_rpmdb_hdr *h, size_t n, const char *extra,
	     struct alu_err *e);

#endif
