/* SPDX-License-Identifier: MIT */
/*
 * Transactions: applying RPM packages to a root.
 *
 * A plan is an ordered list of operations (install, upgrade, erase). The
 * caller (the `install`/`remove` commands, or the solver for repository
 * work) orders it: dependencies before the packages that need them for
 * installs, dependents before what they depend on for erases, exactly the
 * order rpm would use. alu_txn_run() applies the operations in that order,
 * one package at a time, each committed on its own:
 *
 *   1. %pretrans of every new package (before anything else);
 *   2. for each operation:
 *      a. plan: read the header, resolve every path under the root
 *         (refusing `..`, symlinks that leave the root, and paths that go
 *         through a symlink the package itself ships), decide the fate of
 *         every %config file, and read the whole payload once to check
 *         every file digest. A package refused here has changed nothing.
 *      b. %pre (new) — a failing %pre refuses the package, as rpm does;
 *      c. a journal record (state db) lists every path that will change;
 *      d. files: each regular file is written to `.alu-new-<token>-<n>`
 *         beside its target, checked and renamed into place (its data is synced with
 *         its filesystem before step f, txn/durable.c); a
 *         path that existed is first hard-linked to `.alu-old-<token>-<n>`
 *         so that it can be restored; directories, symlinks, hard links,
 *         device nodes and FIFOs (mknod, txn/special.c),
 *         modes, owners (names looked up in the root's /etc/passwd and
 *         /etc/group, only as root) and mtimes follow the header;
 *      e. %post (new), %preun (old), removal of the old package's files the
 *         new one does not own (unless another package owns them), %postun;
 *      f. one state-db commit: old records out, new record in, journal
 *         marked done, and what alu_txn_opts.on_commit writes (the history
 *         record's done list); then the `.alu-old-*` backups are deleted and the
 *         journal cleared.
 *   3. %posttrans of every new package.
 *
 * A run cut at any point (kill -9, power loss) is repaired by
 * alu_txn_recover(), which every writing command calls after taking the
 * lock: before the commit of step f the package is rolled back (backups
 * renamed back, new paths removed, created directories removed), after it
 * the backups are deleted. Either way the root holds the old or the new
 * package entirely.
 *
 * Scriptlets run only when alupdate runs as root and the interpreter exists
 * in the root: fork, chroot(root), exec. Otherwise (or with
 * ALU_TXNF_NOSCRIPTS) they are skipped and the skip is reported in the log.
 *
 * %config rules (rpm's): on upgrade, a file on disk equal to the old
 * package's is replaced; one equal to the new package's is rewritten; a
 * locally edited file whose package content did not change is left alone;
 * otherwise %config(noreplace) keeps the edited file and writes the new one
 * as `<path>.rpmnew`, plain %config moves the edited file to
 * `<path>.rpmsave`. On a fresh install, a differing file already on disk is
 * kept as `.rpmorig` (plain) or the new one goes to `.rpmnew` (noreplace).
 * On erase an edited config file is kept as `<path>.rpmsave`.
 */
#ifndef ALU_TXN_TXN_H
#define ALU_TXN_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "db/state.h"
#include "util/err.h"
#include "util/strv.h"

enum alu_txn_kind {
	ALU_TXN_INSTALL,  /* a package of a name not installed (or installonly) */
	ALU_TXN_UPGRADE,  /* replace old_ids (same name, or obsoleted) by rpm_path;
	                     also used for downgrades and reinstalls */
	ALU_TXN_ERASE,    /* remove old_ids[0] */
};

/** One operation of a plan. Everything is borrowed for the duration of
 *  alu_txn_run(). */
struct alu_txn_op {
	enum alu_txn_kind kind;
	const char *rpm_path;     /* INSTALL/UPGRADE: the package file, already
	                             downloaded and verified by the caller */
	const uint64_t *old_ids;  /* UPGRADE: installed packages replaced (may be
	                             0 of them); ERASE: exactly one */
	size_t nold;
	int reason;               /* ALU_REASON_* recorded for the new package */
	const char *repo;         /* origin repo id for the record, or NULL */
	/* INSTALL/UPGRADE, optional: the checksum (hex) of the whole file the
	 * caller verified, of ALU_DIGEST_* sum_algo. The run checks the file
	 * against it when it opens it, then applies from that open file; with
	 * NULL the digest taken at the open is the reference. Either way a
	 * package file that changed (or whose path names another file) after
	 * a scriptlet ran is refused right before it is applied. */
	const char *sum;
	int sum_algo;
};

struct alu_txn_plan {
	const struct alu_txn_op *ops;
	size_t nops;
};

enum {
	ALU_TXNF_NOSCRIPTS = 1 << 0,  /* --noscripts */
	ALU_TXNF_NODOCS = 1 << 1,     /* --nodocs: %doc files are not written */
	ALU_TXNF_NOWAIT = 1 << 2,     /* alu_txn_lock: fail instead of waiting */
	ALU_TXNF_REPLACEFILES = 1 << 3, /* --replacefiles: no file conflict check */
};

struct alu_txn_opts {
	const char *root;   /* "/" or --installroot */
	unsigned flags;     /* ALU_TXNF_* */
	/*
	 * Optional. Called inside operation @p i's state-db commit (step f),
	 * with that write transaction, after the package records changed and
	 * before the commit: whatever it writes through @p t (a history
	 * record's "done" list) is committed atomically with the package, so a
	 * kill -9 can never separate the two. A non-zero return (a negative
	 * error, message in @p e) aborts that commit and fails the operation,
	 * which is rolled back like any other failure. It must not begin,
	 * commit or abort transactions itself.
	 */
	int (*on_commit)(void *arg, struct alu_state_txn *t, size_t i, struct alu_err *e);
	void *on_commit_arg;
	int sandbox;        /* ALU_SANDBOX_*: how scriptlets are contained */
};

/*
 * Scriptlet containment (txn/sandbox.c). AUTO: new mount, PID, network, IPC
 * and UTS namespaces with the root pivoted to "/" and capabilities cut when
 * the root is not "/", falling back to a plain chroot with a warning where
 * namespaces cannot be made (an unprivileged container); for "/" a plain
 * chroot, as rpm. NAMESPACES: contained or not run at all (the transaction
 * fails). CHROOT: the plain chroot, as rpm --root.
 */
enum { ALU_SANDBOX_AUTO = 0, ALU_SANDBOX_NAMESPACES, ALU_SANDBOX_CHROOT };

/** @return ALU_SANDBOX_* for "auto" (or NULL/""), "namespaces", "chroot"; -EINVAL otherwise. */
int alu_txn_sandbox_parse(const char *s);

/**
 * What a run did, for the command to show and for history: one line per
 * event ("installed hello-2.10-2.x86_64", "%post(hello-2.10-2.x86_64):
 * skipped: no /bin/sh in the root", "warning: /etc/x saved as
 * /etc/x.rpmsave", and scriptlet output lines prefixed with the scriptlet).
 * Owned by the caller: alu_strv_free(&log->lines).
 */
struct alu_txn_log {
	struct alu_strv lines;
	size_t done;        /* operations committed */
};

/**
 * File conflicts (rpm's rules, see txn/conflict.c) are checked for the whole
 * plan before anything runs: a path that two new packages, or a new and an
 * installed package the plan keeps, ship with different content, type,
 * mode or owner refuses the plan with -EEXIST, naming both packages and the
 * path ("Transaction check error: file /x from install of A conflicts with
 * file from package B"), unless ALU_TXNF_REPLACEFILES.
 *
 * @brief Apply @p plan to the root. The caller holds the lock
 *        (alu_txn_lock) and has run alu_txn_recover().
 * @param[in] s the root's state, opened for writing.
 * @param[out] log appended to; scriptlet output is also echoed to stdout as
 *             it comes.
 * @return 0; on the first failing operation its error (operations before it
 *         stay applied, the failing one is rolled back):
 *         -ALUE_PATH (unsafe path: `..`, symlink leaving the root, path
 *         through a symlink of the same package, file where a directory is),
 *         -ALUE_CHECKSUM (a file's content does not match its header digest),
 *         -ALUE_CORRUPT / -ALUE_TRUNCATED (bad package or payload),
 *         -ALUE_UNSUPPORTED (payload format), -ALUE_CHECKSUM also when a
 *         package file changed since it was checked, -ALUE_SCRIPT (%pre/%preun
 *         failed), -EEXIST (file conflicts: nothing was changed),
 *         -ALUE_DB, -errno. The message names the package.
 */
int alu_txn_run(struct alu_state *s, const struct alu_txn_opts *o,
		const struct alu_txn_plan *p, struct alu_txn_log *log, struct alu_err *e);

/**
 * @brief Finish or undo an operation cut short (see the model above), and
 *        delete the scriptlet files a killed run left in /var/tmp or /tmp.
 * @param[out] what "" when nothing was pending, else a sentence such as
 *             "rolled back hello-2.10-2.x86_64" (buffer of @p n bytes).
 * @return 0, -ALUE_DB, -ALUE_CORRUPT (unreadable journal record), -errno.
 */
int alu_txn_recover(struct alu_state *s, const char *root, char *what, size_t n,
		    struct alu_err *e);

/**
 * @brief Take the root's writer lock, <root>/var/lib/alupdate/lock (flock),
 *        creating the directory as needed. When another process holds it,
 *        warn once and wait, or with ALU_TXNF_NOWAIT fail.
 * @param[out] fd the lock; release with alu_txn_unlock().
 * @return 0, -ALUE_LOCKED (NOWAIT and held), -errno.
 */
int alu_txn_lock(const char *root, unsigned flags, int *fd, struct alu_err *e);
/** @brief Does another process hold @p root's writer lock now (a transaction
 *  is being applied)? 0 when it cannot tell. */
int alu_txn_lock_held(const char *root);
void alu_txn_unlock(int fd);

/* ---- verification (rpm -V) ---------------------------------------------- */

enum { /* differences, in rpm -V's column order */
	ALU_VF_SIZE = 1 << 0,    /* S */
	ALU_VF_MODE = 1 << 1,    /* M */
	ALU_VF_DIGEST = 1 << 2,  /* 5 */
	ALU_VF_RDEV = 1 << 3,    /* D */
	ALU_VF_LINK = 1 << 4,    /* L */
	ALU_VF_USER = 1 << 5,    /* U */
	ALU_VF_GROUP = 1 << 6,   /* G */
	ALU_VF_MTIME = 1 << 7,   /* T */
	ALU_VF_CAPS = 1 << 8,    /* P (never set: we do not install capabilities) */
	ALU_VF_MISSING = 1 << 16,
};

/** One verified file, as rpm -V shows it. Strings valid during the callback. */
struct alu_vfile {
	const char *path;
	unsigned diff;      /* ALU_VF_* */
	unsigned untested;  /* ALU_VF_* bits that could not be checked ('?') */
	uint32_t fflags;    /* ALU_FILE_* of the header (c d g l r markers) */
};

/**
 * @brief Compare every file of installed package @p id with the root.
 *        Ghost files are not checked; config files are checked like any
 *        other (the caller shows rpm's 'c' marker). Owners are compared by
 *        name through the root's /etc/passwd and /etc/group.
 * @param cb called for each file that differs or is missing; return non-zero
 *        to stop.
 * @return 0, the callback's value, -ALUE_CORRUPT, -errno.
 */
int alu_txn_verify(struct alu_state *s, const char *root, uint64_t id,
		   int (*cb)(void *arg, const struct alu_vfile *f), void *arg,
		   struct alu_err *e);

/** @brief Format rpm -V's 9 columns ("S.5....T.") into @p buf (10 bytes). */
char *alu_txn_vflags(const struct alu_vfile *f, char *buf);

#endif
