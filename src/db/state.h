/* SPDX-License-Identifier: MIT */
/*
 * Installed-package state: what is on the root, who owns which file, what
 * provides what, the transaction journal and history. Precious data, kept in
 * one LMDB environment at <root>/var/lib/alupdate/ with these named dbs:
 *
 *   pkgs     id (8-byte big endian) -> package record (name, epoch, version,
 *            release, arch, install time, reason, size, origin repo)
 *   hdr      id -> the rpm header blob (what rpmdb stores; alu_hdr_parse()
 *            takes it back). Kept apart from pkgs so listing never pages in
 *            headers.
 *   name     name -> id            (dupsort: several versions, multilib)
 *   file     path -> id            (dupsort: directories shared by packages)
 *   provide  capability -> id      (dupsort; names only, versions are in the
 *            header)
 *   meta     "schema", "next_id", "adopted_from", "rpmdb_stamp"
 *   journal  opaque key -> opaque value (the transaction code's)
 *   history  8-byte big-endian sequence -> opaque record
 *
 * Ids are never reused. Keys longer than LMDB's limit (paths, capability
 * names over ALU_STATE_KEYMAX bytes) are stored as their first bytes plus a
 * 64-bit hash of the whole, so lookups of any length work.
 *
 * Adoption: a root that has an rpm database (rpmdb.sqlite, or AL2's Berkeley
 * DB "Packages") but no alupdate state is adopted on first open: every header
 * is imported with reason ALU_REASON_ADOPTED, its files into `file`, its
 * provides into `provide`, all in one write transaction. The rpm database is
 * only read (SQLite immutable=1, BDB parsed from a read-only map) and never
 * changed. A bad rpm database fails the open with a message naming the file,
 * and nothing is written.
 *
 * Read-only opens (ALU_STATEF_RDONLY) of a root that needs adoption:
 *   - when <root>/var/lib is writable, the adoption is done and kept (the same
 *     as a write open would), then the state is used read-only;
 *   - otherwise (read-only root, unprivileged user) the adoption goes into a
 *     private temporary environment under $TMPDIR (or /tmp), removed again
 *     by alu_state_close(): the root is left exactly as it was.
 * A read-only open of a root with neither state nor rpm database gives an
 * empty state (every query finds nothing); a write open with ALU_STATEF_CREATE
 * creates the environment.
 *
 * A state that is lost (data.mdb empty, or missing beside the lock.mdb of an
 * earlier open) next to an rpm database is adopted again with a warning: the
 * root is never taken for one with nothing installed. A damaged data.mdb
 * (not LMDB, truncated: alu_db_check_file) fails the open with -ALUE_CORRUPT,
 * the message naming the file and `alupdate adopt` (alu_state_set_aside).
 * A read-only open that finds a journal record warns that an interrupted
 * transaction is pending (see alu_state_info.interrupted).
 *
 * Threads: one alu_state per thread. Reads outside a write transaction each
 * use their own short read transaction; reads made while this alu_state has
 * a write transaction open (alu_state_txn_begin) go through it and therefore
 * see its uncommitted changes.
 *
 * Lifetimes: every pointer handed to a callback (alu_instpkg strings, keys,
 * values) points into the LMDB map and is valid only during that callback
 * call. Copy what you keep.
 */
#ifndef ALU_DB_STATE_H
#define ALU_DB_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "rpm/rpm.h"
#include "util/err.h"

#define ALU_STATE_DIR "/var/lib/alupdate"
#define ALU_STATE_KEYMAX 400   /* longer keys become prefix + hash */
#define ALU_STATE_SCHEMA 1

enum {
	ALU_STATEF_RDONLY = 1 << 0,  /* no writes; see the adoption notes above */
	ALU_STATEF_CREATE = 1 << 1,  /* write opens: create the environment if absent */
	ALU_STATEF_NOADOPT = 1 << 2, /* never adopt an rpm database (fresh roots, tests) */
};

/** Why a package is installed. Stored as a number: never renumber. */
enum alu_reason {
	ALU_REASON_UNKNOWN = 0,
	ALU_REASON_USER = 1,     /* asked for by name */
	ALU_REASON_DEP = 2,      /* pulled in as a dependency */
	ALU_REASON_ADOPTED = 3,  /* found in the rpm database at adoption */
};

/** @return "user", "dep", "adopted" or "unknown" (static). */
const char *alu_state_reason_str(int reason);

struct alu_state;      /* opaque: the environment and its dbs */
struct alu_state_txn;  /* opaque: one write transaction */

/** One installed package. Strings point into the map: valid during the
 *  callback only. */
struct alu_instpkg {
	uint64_t id;
	const char *name, *version, *release, *arch;
	uint32_t epoch;          /* 0 when the header has none */
	uint64_t size;           /* installed size in bytes */
	uint32_t installtime;    /* seconds since the epoch */
	int reason;              /* ALU_REASON_* */
	const char *repo;        /* origin repo id; "" when unknown (adopted) */
};

/** What alu_state_open() found or did; see alu_state_info(). */
struct alu_state_info {
	int adopted_now;        /* 1: this open adopted an rpm database */
	size_t adopted_count;   /* packages imported by that adoption */
	char adopted_from[4096];/* path of the rpm database adopted (now or earlier); "" if none */
	int temporary;          /* 1: adoption kept in a private temp env (read-only root) */
	int empty;              /* 1: read-only open of a root with no state at all */
	int rpmdb_changed;      /* 1: the adopted rpm database changed since adoption
	                           (something else installed packages; `adopt` re-imports) */
	int interrupted;        /* 1 (read-only opens): the journal holds a record: a
	                           transaction was cut (or another process is applying one,
	                           holding the writer lock); alu_state_open() warned */
};

/**
 * @brief Open the state of @p root (adopting an rpm database when needed).
 * @param[in] root the install root ("/" or --installroot); copied.
 * @param[in] flags ALU_STATEF_*.
 * @param[out] out close with alu_state_close().
 * @return 0; -ENOENT (write open without CREATE, and no state);
 *         -ALUE_CORRUPT / -ALUE_TRUNCATED (rpm database unreadable: the
 *         message names the file); -ALUE_UNSUPPORTED (rpm database of a kind
 *         we do not read, e.g. ndb); -ALUE_DB (LMDB error, or a schema newer
 *         than ours); -errno.
 */
int alu_state_open(const char *root, unsigned flags, struct alu_state **out, struct alu_err *e);

/**
 * @brief Move a damaged state file aside (<root>/var/lib/alupdate/data.mdb ->
 *        data.mdb.damaged-<unix time>, lock.mdb removed) so that the next
 *        open adopts the rpm database afresh. Call under the writer lock.
 * @param[out] kept the new name of the damaged file (may be NULL).
 * @return 0, -errno (the message names the file).
 */
int alu_state_set_aside(const char *root, char *kept, size_t n, struct alu_err *e);

/** @brief Close; removes a temporary adoption environment. NULL is fine. */
void alu_state_close(struct alu_state *s);

/** @return what the open did; valid until alu_state_close(). */
const struct alu_state_info *alu_state_info(const struct alu_state *s);

/**
 * @brief Re-import the root's rpm database, replacing every package record
 *        and index (journal and history are kept), in one write transaction.
 * @param[out] count packages imported (may be NULL).
 * @param[out] from path of the rpm database (may be NULL); buffer of 4096.
 * @return 0; -ENOENT (no rpm database under the root, message says where it
 *         looked); -EROFS (state opened read-only); errors as alu_state_open.
 */
int alu_state_adopt(struct alu_state *s, size_t *count, char *from, struct alu_err *e);

/* ---- reading ------------------------------------------------------------ */

/**
 * Callbacks return 0 to continue; any other value stops the walk and is
 * returned by the walking function.
 */
typedef int (*alu_instpkg_cb)(void *arg, const struct alu_instpkg *p);
typedef int (*alu_id_cb)(void *arg, uint64_t id);

/** @brief Every installed package, sorted by name (then by id).
 *  @return 0, the callback's non-zero value, or -ALUE_DB / -ALUE_CORRUPT. */
int alu_state_foreach(struct alu_state *s, alu_instpkg_cb cb, void *arg);

/** @brief Installed packages named exactly @p name (0, 1 or several). */
int alu_state_find_name(struct alu_state *s, const char *name, alu_instpkg_cb cb, void *arg);

/** @brief The package with id @p id. @return 0, -ENOENT, or the callback's value. */
int alu_state_get(struct alu_state *s, uint64_t id, alu_instpkg_cb cb, void *arg);

/** @return the number of installed packages (0 on error). */
size_t alu_state_count(struct alu_state *s);

/**
 * @brief The stored rpm header of package @p id.
 * @param[out] out parsed copy, owned by the caller: alu_hdr_free().
 * @return 0, -ENOENT (no such id), -ALUE_CORRUPT, -ENOMEM.
 */
int alu_state_header(struct alu_state *s, uint64_t id, struct alu_hdr **out, struct alu_err *e);

/** @brief Ids of the packages owning @p path (absolute, as in the header). */
int alu_state_file_owners(struct alu_state *s, const char *path, alu_id_cb cb, void *arg);

/** @brief Ids of the packages providing capability @p cap (name only; check
 *  versions against alu_hdr_deps(ALU_PROVIDES) of the header). */
int alu_state_what_provides(struct alu_state *s, const char *cap, alu_id_cb cb, void *arg);

/* ---- writing (the transaction code) ------------------------------------- */

/**
 * @brief Begin the one write transaction of this alu_state.
 * @return 0, -EROFS (opened read-only or temporary), -EBUSY (one is already
 *         open), -ALUE_DB. LMDB serialises writers across processes: this
 *         blocks while another process writes.
 */
int alu_state_txn_begin(struct alu_state *s, struct alu_state_txn **out, struct alu_err *e);

/**
 * @brief Record package @p h as installed: record, header, name, files and
 *        provides indexes.
 * @param[in] h header (copied; the caller keeps it).
 * @param[in] repo origin repo id, copied; NULL or "" when unknown.
 * @param[in] installtime 0: now.
 * @param[out] id the new package id (may be NULL).
 * @return 0, -ALUE_CORRUPT (header without name/version/release/arch, bad
 *         file arrays), -ALUE_NOSPACE (map full), -ALUE_DB.
 */
int alu_state_add(struct alu_state_txn *t, const struct alu_hdr *h, int reason,
		  const char *repo, uint32_t installtime, uint64_t *id, struct alu_err *e);

/** @brief Forget package @p id and its index entries. @return 0, -ENOENT, -ALUE_DB. */
int alu_state_remove(struct alu_state_txn *t, uint64_t id, struct alu_err *e);

/** @brief Change the install reason of @p id (e.g. dep -> user on `install`). */
int alu_state_set_reason(struct alu_state_txn *t, uint64_t id, int reason, struct alu_err *e);

/** @brief Commit and free @p t. @return 0, -ALUE_NOSPACE, -ALUE_DB (then
 *         nothing of @p t was written). @p t is freed either way. */
int alu_state_txn_commit(struct alu_state_txn *t, struct alu_err *e);

/** @brief Drop every change of @p t and free it. NULL is fine. */
void alu_state_txn_abort(struct alu_state_txn *t);

/* ---- journal: opaque records of the transaction code -------------------- */

/** @brief Store @p val under @p key (replacing). Key 1..ALU_STATE_KEYMAX bytes.
 *  @return 0, -EINVAL (key size), -ALUE_NOSPACE, -ALUE_DB. */
int alu_state_journal_put(struct alu_state_txn *t, const void *key, size_t klen,
			  const void *val, size_t vlen, struct alu_err *e);
/** @brief Delete @p key. @return 0 or -ENOENT. */
int alu_state_journal_del(struct alu_state_txn *t, const void *key, size_t klen, struct alu_err *e);
/**
 * @brief Read @p key.
 * @param[out] val malloc'd copy, caller frees; @p vlen its length.
 * @return 0, -ENOENT, -ENOMEM.
 */
int alu_state_journal_get(struct alu_state *s, const void *key, size_t klen,
			  void **val, size_t *vlen);
/** @brief Every journal record in key order (to finish or undo a cut
 *  transaction). Pointers valid during the callback only. */
int alu_state_journal_foreach(struct alu_state *s,
		int (*cb)(void *arg, const void *key, size_t klen, const void *val, size_t vlen),
		void *arg);

/* ---- history: append-only opaque records -------------------------------- */

/** @brief Append @p rec; @p seq gets its sequence number (1, 2, ...; may be NULL). */
int alu_state_history_append(struct alu_state_txn *t, const void *rec, size_t len,
			     uint64_t *seq, struct alu_err *e);
/**
 * @brief Replace the existing record @p seq (a record written at the start
 *        of a transaction and completed as it goes).
 * @return 0, -ENOENT (no record @p seq), -ALUE_NOSPACE, -ALUE_DB.
 */
int alu_state_history_put(struct alu_state_txn *t, uint64_t seq, const void *rec, size_t len,
			  struct alu_err *e);
/** @brief Every history record, oldest first (newest first when @p reverse).
 *  Pointers valid during the callback only. */
int alu_state_history_foreach(struct alu_state *s, int reverse,
		int (*cb)(void *arg, uint64_t seq, const void *rec, size_t len), void *arg);

/* ---- meta records of other modules, raw headers ----------------------- */

/**
 * @brief Read meta record @p key (keys "rpmdb_*" belong to src/rpmdb).
 * @param[out] val malloc'd copy with a NUL after its @p len bytes; caller frees.
 * @return 0, -ENOENT, -ENOMEM, -ALUE_DB.
 */
int alu_state_meta_get(struct alu_state *s, const char *key, void **val, size_t *len);
/** @brief Store (or, with @p val NULL, delete) meta record @p key in @p t.
 *  @return 0, -ALUE_NOSPACE, -ALUE_DB. */
int alu_state_meta_put(struct alu_state_txn *t, const char *key, const void *val, size_t len,
		       struct alu_err *e);
/** @brief Record @p path as the rpm database the state agrees with, with its
 *  current stamp (what alu_state_info()'s rpmdb_changed compares against).
 *  @return 0, -errno (stat), -ALUE_DB. */
int alu_state_rpmdb_stamp(struct alu_state_txn *t, const char *path, struct alu_err *e);
/** @brief Every stored header blob, in id order (the order packages were
 *  recorded). The blob points into the map: valid during the callback only.
 *  @return 0, the callback's non-zero value, -ALUE_DB, -ALUE_CORRUPT. */
int alu_state_foreach_blob(struct alu_state *s,
			   int (*cb)(void *arg, uint64_t id, const void *blob, size_t len), void *arg);

#endif
