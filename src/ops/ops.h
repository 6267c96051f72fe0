/* SPDX-License-Identifier: MIT */
/*
 * Repository transactions end to end: what `update`, `install`, `remove`,
 * `update-minimal`, `distro-sync`, `autoremove`, `history undo` share.
 *
 * Model. One `struct alu_ops` is one run against one root:
 *
 *   alu_ops_open()      configuration, repositories synced (honours -C),
 *                       the writer lock, recovery of a cut transaction,
 *                       the state (adopting an rpm database) and a solver
 *                       filled from state + cache with the root's policy
 *                       (installonly, excludes, version locks, protected);
 *   alu_ops_request()   the request (specs, advisory filters) -> o->plan;
 *   alu_ops_download()  every package into <cachedir>/<repoid>/packages/
 *                       as <checksum>-<file name> (or --downloaddir), checked
 *                       against the metadata's checksum (any kind) and size;
 *   alu_ops_verify()    every package is the one the solver chose (header
 *                       NEVRA, header-range), then the header signature of
 *                       every package against the keys its repository names
 *                       (gpgcheck=1), importing those keys once into the
 *                       root's key store;
 *   alu_ops_space()     statvfs of each filesystem the packages land on;
 *   alu_ops_apply()     every package's checksum taken again, then
 *                       a history record begun before the first package,
 *                       completed inside each package's commit, ended
 *                       after alu_txn_run() (a run cut by kill -9 leaves it
 *                       open: the next writing run marks it interrupted);
 *   alu_ops_close()     keepcache=0: downloaded packages are removed.
 *
 * Nothing is applied unless every download and verification succeeded:
 * the caller runs the steps in this order and stops at the first error.
 *
 * Library code: nothing here prints errors. Progress that people want to
 * see while it happens (key imports, downloads) goes through callbacks.
 *
 * Ownership: everything reachable from `struct alu_ops` is owned by it and
 * released by alu_ops_close().
 */
#ifndef ALU_OPS_OPS_H
#define ALU_OPS_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "cmd/ctx.h"
#include "crypto/pgp.h"
#include "db/state.h"
#include "repo/repo.h"
#include "solve/solve.h"
#include "txn/txn.h"
#include "util/err.h"
#include "util/strv.h"

enum alu_ops_kind {
	ALU_OPS_UPDATE,          /* specs: names/globs, none = everything; filters apply */
	ALU_OPS_UPDATE_MINIMAL,  /* oldest fixed version of each matching advisory's package */
	ALU_OPS_INSTALL,
	ALU_OPS_REINSTALL,
	ALU_OPS_DOWNGRADE,
	ALU_OPS_REMOVE,          /* dependents go with it, as yum */
	ALU_OPS_AUTOREMOVE,      /* reason=dep packages nothing installed needs */
	ALU_OPS_DISTSYNC,
	ALU_OPS_DUPLICATES,      /* remove --duplicates: older duplicates of a name.arch */
	ALU_OPS_OLDINSTALLONLY,  /* remove --oldinstallonly: installonly but the newest */
	ALU_OPS_TARGET,          /* history undo/rollback: specs are "+NEVRA" (must be
	                            installed exactly) and "-NEVRA" (must be removed) */
};

/* Plan keys of packages named as files or URLs (not in the metadata cache). */
#define ALU_OPS_LOCAL_KEY (1ull << 62)

enum {
	ALU_OPSF_NOSYNC = 1 << 0,   /* do not refresh repository metadata (remove) */
	ALU_OPSF_READONLY = 1 << 1, /* no lock, read-only state (history list/info) */
	ALU_OPSF_DOWNGRADE = 1 << 2, /* the solver may pick older versions (undo, rollback) */
};

struct alu_ops {
	const struct alu_ctx *ctx;
	struct alu_repos repos;        /* conf, cache, net */
	struct alu_state *state;
	int lockfd;                    /* -1 when not held */
	struct alu_solve *solve;
	struct alu_strv locks, protect;
	struct alu_strv self;          /* alupdate's own packages (ops/selfpkg.h) */
	char recovered[512];           /* what alu_txn_recover() did, "" if nothing */
	struct alu_plan plan;
	char **paths;                  /* per plan op: downloaded package, or NULL */
	struct alu_strv advisories;    /* advisories a filtered request acted on */
	struct alu_strv cves;          /* the CVE ids those advisories reference */
	struct alu_strv local;         /* package files named (URLs: where they were
	                                  downloaded); plan key ALU_OPS_LOCAL_KEY | index */
	struct alu_strv local_from;    /* the spec each came from (path or URL) */
	struct alu_strv skipped;       /* --skip-broken: requests dropped as unsolvable */
	struct alu_strv missing;       /* "No package X available." lines of the specs
	                                  skipped (skip_missing_names_on_*), in order */
	struct alu_strv created;       /* files downloaded by this run (keepcache=0) */
	uint64_t dlsize, dlcached;     /* bytes to download, of them already present */
	uint64_t history_seq;          /* the record alu_ops_apply() wrote */
	int64_t begin;
	char kernel[300];              /* running kernel NEVRA (borrowed by the solver) */
};

/**
 * @brief Open everything a transaction needs (see the model above).
 * @param[in] ctx borrowed until alu_ops_close().
 * @return 0; conf/cache/sync errors (see alu_repos_open); -ALUE_LOCKED
 *         (--nowait and another writer); state errors (see alu_state_open);
 *         recovery errors. @p o must be closed even after a failure.
 */
int alu_ops_open(const struct alu_ctx *ctx, unsigned flags, struct alu_ops *o, struct alu_err *e);

/** @brief Release everything; with keepcache=0 and no --downloadonly the
 *  packages downloaded by this run are deleted. NULL-safe fields. */
void alu_ops_close(struct alu_ops *o);

/**
 * @brief What every command that changes the root does first, in this order:
 *        take the writer lock (waiting, or failing with --nowait), open the
 *        state (adopting the rpm database the first time), recover a package
 *        a killed run left half applied, and close that run's history record
 *        as interrupted. Everything after the lock happens under it.
 * @param[out] recovered what recovery did, "" when nothing.
 * @return 0 with *lockfd and *s to release (alu_state_close, alu_txn_unlock);
 *         on an error nothing is held.
 */
int alu_ops_writer_open(const struct alu_ctx *ctx, int *lockfd, struct alu_state **s,
			char *recovered, size_t n, struct alu_err *e);

/**
 * @brief Bring the root's rpm database and the state into agreement
 *        (src/rpmdb): adopt what rpm or yum changed, saying so on stderr,
 *        then write the database when the state is ahead of it (unless
 *        rpmdb_writeback=0). Under the writer lock. alu_ops_writer_open()
 *        calls it after recovery; every run that changed the state, after.
 * @param c the configuration, NULL: read it for ctx.
 * @return 0 (a failed write is only warned about: the next run writes
 *         again); the adoption's error (an unreadable rpm database: the
 *         message names it; -ALUE_LOCKED: rpm holds its lock).
 */
int alu_ops_rpmdb_sync(const struct alu_ctx *ctx, const struct alu_conf *c, struct alu_state *s,
		       struct alu_err *e);

/**
 * @brief alu_state_open(RDONLY) for the commands that only read; when rpm or
 *        yum changed the rpm database since alupdate last agreed with it and
 *        no writer holds the lock, the difference is adopted first (as
 *        alu_ops_writer_open() would), so that the answer is not from a
 *        false installed set. Otherwise the state is opened as it is and its
 *        info says rpmdb_changed.
 * @return as alu_state_open().
 */
int alu_ops_state_open_ro(const struct alu_ctx *ctx, struct alu_state **s, struct alu_err *e);

/**
 * @brief Adopt a root that has container-manifest-2 at @p path and no rpm
 *        database (ops/mfadopt.c): headers from the repositories, lines no
 *        repository carries warned about and kept in the manifest.
 *        alu_ops_open() calls it for an empty state.
 * @return 0; -ALUE_CORRUPT (a line that is not the manifest's: names
 *         file:line); download, signature and state errors.
 */
int alu_ops_adopt_manifest(struct alu_ops *o, const char *path, struct alu_err *e);

/**
 * @brief Turn a request into o->plan.
 * @param specs the command's arguments (borrowed).
 * Missing names follow AL2's yum: with skip_missing_names_on_install (the
 * default) install takes what exists and notes "No package X available."
 * in o->missing; "Nothing to do" (-ALUE_NOTFOUND) when no spec matched at
 * all. remove notes "No Match for argument: X", as update does with
 * skip_missing_names_on_update, and goes on.
 * @return 0 (the plan may be empty: nothing to do); -ALUE_NOTFOUND ("No
 *         package X available.", "No match for argument: X", "Nothing to
 *         do"); -ALUE_DEPSOLVE
 *         (problems, one a line); -ALUE_USAGE (a request that makes no
 *         sense, e.g. a TARGET spec without +/-).
 */
int alu_ops_request(struct alu_ops *o, enum alu_ops_kind k, char **specs, int nspecs,
		    struct alu_err *e);

/**
 * @brief Record as the user's (yumdb reason "user") every installed package
 *        an install spec named that was installed as a dependency and that
 *        the plan does not replace. alu_ops_apply() calls it after a
 *        successful run; a command with nothing to apply calls it itself.
 * @return 0, -ALUE_DB, -ENOMEM.
 */
int alu_ops_mark_user(struct alu_ops *o, struct alu_err *e);

/** Called before and after each package download; @p done is 0 or 1. */
typedef void (*alu_ops_dl_cb)(void *arg, const struct alu_plan_op *op, const char *path,
			      int cached, int done);

/**
 * @brief Download every package the plan installs. A file already in the
 *        target directory whose sha256 matches is used as it is. The rest
 *        are fetched max_parallel_downloads at a time (ops/fetch_pool.h);
 *        @p cb runs on the calling thread for files already there and, under
 *        the pool's lock, on whichever thread finished a download.
 * @param dir NULL: <cachedir>/<repoid>/packages; else every package goes there.
 * @return 0; -ALUE_NOTFOUND (a package left the cache); -ALUE_MIRRORS (every
 *         mirror failed or served a file with the wrong checksum: the message
 *         names the package; downloads already running finish, none starts);
 *         -ALUE_CONFIG (repository without URL, max_parallel_downloads not
 *         1 to 20); -errno.
 */
int alu_ops_download(struct alu_ops *o, const char *dir, alu_ops_dl_cb cb, void *arg,
		     struct alu_err *e);

/** Called once per key imported into the root's key store. */
typedef void (*alu_ops_key_cb)(void *arg, const struct alu_pgp_keyinfo *k, const char *from);

/**
 * @brief Check that every downloaded package is the one the plan names (its
 *        header's name, epoch, version, release and arch; primary's
 *        header-range when given), also under --nogpgcheck; then every
 *        package's header signature (RPM signature
 *        tag 268, else 1002) against the keys its repository's gpgkey=
 *        names, for repositories with gpgcheck=1 (all of them are skipped
 *        with --nogpgcheck, which the caller warns about).
 * @return 0; -ALUE_CORRUPT ("repository R: the metadata names hello-9.9-1.x86_64
 *         but the downloaded file F is hello-2.10-1.x86_64: refused"); -ALUE_NOKEY ("hello-2.11-1.amzn2.x86_64.rpm: package is not
 *         signed" / "... signed with key 0x..., which is not among the keys
 *         of repository R" / "repository R has gpgcheck=1 but no gpgkey");
 *         -ALUE_BADSIG ("...: signature does not verify (tampered?)");
 *         -ALUE_CORRUPT (not an rpm); key fetch errors.
 */
int alu_ops_verify(struct alu_ops *o, alu_ops_key_cb cb, void *arg, struct alu_err *e);

/**
 * @brief The check alu_ops_verify() makes of one package file, against
 *        @p ring (reposync checks each package before it gets its name).
 * @return 0, -ALUE_NOKEY, -ALUE_BADSIG, -ALUE_CORRUPT as alu_ops_verify().
 */
int alu_ops_pkg_sigcheck(const char *path, const struct alu_repo *repo,
			 const struct alu_pgp_keyring *ring, struct alu_err *e);

/**
 * @brief Check that each filesystem under the root has room for what the
 *        plan installs (installed sizes, less what it replaces or erases).
 * @return 0 or -ALUE_NOSPACE ("not enough space on /x: need N MB, have M MB").
 */
int alu_ops_space(struct alu_ops *o, struct alu_err *e);

/**
 * @brief Apply the plan (alu_txn_run) under one history record, as yum
 *        does: the record (who, when, command line, every planned
 *        operation) is written before the first package is touched; each
 *        package's operations are added to its done list in the same
 *        state-db commit as the package itself (alu_txn_opts.on_commit);
 *        the end (time, rc, error, log lines) is written after the run,
 *        whether it succeeded or not. A kill -9 leaves a record without an
 *        end that lists exactly the packages committed.
 * @param cmdline recorded in history ("update --security -y").
 * @param[out] log the transaction's events (caller frees log->lines).
 * @return 0 or alu_txn_run()'s error; -ALUE_CHECKSUM (a package file
 *         changed since it was checked: nothing applied); the begin record's write error
 *         (-ALUE_DB, -ALUE_NOSPACE, -ENOMEM: then nothing was applied).
 */
int alu_ops_apply(struct alu_ops *o, const char *cmdline, struct alu_txn_log *log,
		  struct alu_err *e);

/* ---- history records ----------------------------------------------------- */

struct alu_hist_op {
	char *action;      /* "Install", "Dep-Install", "Update", "Updated", "Downgrade",
	                      "Downgraded", "Reinstall", "Obsoleting", "Obsoleted", "Erase" */
	char *nevra;       /* name-[E:]V-R.A */
	char *repo;        /* "" when unknown */
};

struct alu_hist {
	uint64_t seq;
	int64_t begin, end;
	uint32_t uid;
	char *login;
	char *cmdline;
	int rc;                    /* 0 success, else the error code */
	char *error;               /* "" on success */
	int interrupted;           /* 1: the run was cut before its end (kill -9,
	                              power loss): end == 0 until a later run marks
	                              it (then end is when it was found) */
	struct alu_hist_op *ops;   /* what was done (an interrupted or failed
	                              run: only the packages committed) */
	size_t nops;
	struct alu_hist_op *plan;  /* what was planned, when not all of it was
	                              done (else none) */
	size_t nplan;
	struct alu_strv out;       /* the transaction log (scriptlet output ...) */
};

/** @brief Serialise @p h (seq ignored). @param[out] buf malloc'd. @return 0 or -ENOMEM. */
int alu_hist_encode(const struct alu_hist *h, char **buf, size_t *len);
/** @brief Parse a record. @return 0, -ALUE_CORRUPT, -ENOMEM. Free with alu_hist_free(). */
int alu_hist_decode(const void *rec, size_t len, struct alu_hist *h);
void alu_hist_free(struct alu_hist *h);

/**
 * @brief Every history record, decoded (newest first when @p reverse).
 * @param cb gets a record valid during the call; non-zero stops.
 * @return 0, cb's value, -ALUE_CORRUPT (a record that does not decode), -ALUE_DB.
 */
int alu_hist_foreach(struct alu_state *s, int reverse,
		     int (*cb)(void *arg, const struct alu_hist *h), void *arg);

/**
 * @brief Mark the records a killed run left open (no end) as interrupted:
 *        end = now, rc = -EINTR, error "interrupted; recovery: <what>".
 *        Call under the writer lock, after alu_txn_recover() (no run can
 *        be in progress then).
 * @param recovered what alu_txn_recover() said ("" when nothing).
 * @param[out] n records marked (may be NULL).
 * @return 0, -ALUE_CORRUPT, -ALUE_DB, -ALUE_NOSPACE, -ENOMEM.
 */
int alu_hist_mark_interrupted(struct alu_state *s, const char *recovered, size_t *n,
			      struct alu_err *e);

/**
 * @brief The "+NEVRA"/"-NEVRA" targets that undo transactions @p from .. last
 *        (undo N: from = to = N; rollback N: from = N + 1, to = newest).
 * @param[out] specs appended to.
 * @return 0, -ALUE_NOTFOUND (no such transaction), -ENOMEM.
 */
int alu_hist_undo_targets(struct alu_state *s, uint64_t from, uint64_t to,
			  struct alu_strv *specs, struct alu_err *e);

/* ---- keys ---------------------------------------------------------------- */

#define ALU_KEYS_DIR ALU_STATE_DIR "/keys"

/**
 * @brief Every key imported into @p root's key store, in import order.
 * @param cb @p from is where it was imported from. Non-zero stops.
 * @return 0, cb's value, -errno, -ALUE_CORRUPT (a damaged key file: names it).
 */
int alu_keys_foreach(const char *root,
		     int (*cb)(void *arg, const struct alu_pgp_keyinfo *k, const char *from),
		     void *arg, struct alu_err *e);

/**
 * @brief Load the keys of repository @p r (its gpgkey= URLs) into @p ring,
 *        importing into the root's key store those not yet there.
 * @return 0, -ALUE_NOKEY (no gpgkey= at all), fetch/parse errors.
 */
int alu_keys_for_repo(struct alu_ops *o, const struct alu_repo *r, struct alu_pgp_keyring *ring,
		      alu_ops_key_cb cb, void *arg, struct alu_err *e);

/* ---- versionlock --------------------------------------------------------- */

#define ALU_VLOCK_FILE "/etc/yum/pluginconf.d/versionlock.list"

/** @brief Read the entries ("EPOCH:NAME-VERSION-RELEASE.ARCH", comments and
 *  blank lines dropped) of <root>/etc/yum/pluginconf.d/versionlock.list.
 *  A missing file is an empty list. @return 0, -errno. */
int alu_vlock_read(const char *root, struct alu_strv *out, struct alu_err *e);
/** @brief Replace the file with @p entries (temporary file + rename). */
int alu_vlock_write(const char *root, const struct alu_strv *entries, struct alu_err *e);
/** @brief "0:hello-2.10-1.amzn2.x86_64" -> the solver's "hello-0:2.10-1.amzn2.x86_64".
 *  @return 0, -EINVAL (not of that form). */
int alu_vlock_to_solver(const char *entry, char *buf, size_t n);
/** @return 1 when @p spec (a glob of yum's package forms) matches @p entry. */
int alu_vlock_match(const char *spec, const char *entry);

#endif
