/* SPDX-License-Identifier: MIT */
/* Internals shared by the files of src/txn (not a public interface). */
#ifndef ALU_TXN_TXN_INT_H
#define ALU_TXN_TXN_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rpm/rpm.h"
#include "txn/smap.h"
#include "txn/txn.h"

#define ALU_PATH_MAX 4096
#define ALU_SYNC_MAX 8       /* filesystems under one root synced at a commit */

/* ---- path.c ------------------------------------------------------------ */

enum { ALU_PATHF_FOLLOW_LAST = 1 << 0 };

/** Syntax of a package path: absolute, no empty/./.. component, no newline.
 *  @return 0 or -ALUE_PATH. */
int alu_path_check(const char *path, struct alu_err *e);
/** Resolve @p path under @p rootfd into a root-relative canonical path
 *  without symlinks in its directory part ("" for the root itself). The last
 *  component is followed only with ALU_PATHF_FOLLOW_LAST. Missing
 *  components are kept as written. @return 0, -ALUE_PATH, -errno. */
int alu_path_resolve(int rootfd, const char *path, unsigned flags, char *out, size_t n,
		     struct alu_err *e);
/** Resolved directories of header paths, memoised while a plan is built
 *  (nothing changes the root meanwhile). Zero-initialise. */
struct alu_pathmemo {
	struct alu_smap map;    /* header directory ("usr/bin") -> index */
	char **hdir, **cdir;    /* header and canonical directory */
	size_t n;
};
/** alu_path_resolve(@p path, 0) with its directory part walked once per
 *  @p pm. */
int alu_path_resolve_memo(struct alu_pathmemo *pm, int rootfd, const char *path, char *out,
			  size_t n, struct alu_err *e);
void alu_pathmemo_free(struct alu_pathmemo *pm);
/** Open canonical directory @p canon (O_PATH), refusing any symlink on the
 *  way. @return 0, -ENOENT, -ALUE_PATH, -errno. */
int alu_path_opendir(int rootfd, const char *canon, int *fd);
/** Split @p canon: its directory into @p dir, return the base name. */
const char *alu_path_base(const char *canon, char *dir, size_t n);

/* ---- payload.c --------------------------------------------------------- */

struct alu_payload;
/** Start reading the cpio payload of @p r (any compression libarchive
 *  knows). @return 0, -ALUE_UNSUPPORTED, -ENOMEM. */
int alu_payload_open(struct alu_rpm *r, struct alu_payload **out, struct alu_err *e);
/** Next entry: @p path is "/usr/bin/x" (valid until the next call), @p size
 *  its data size. @return 1 entry, 0 end, -ALUE_CORRUPT. */
int alu_payload_next(struct alu_payload *p, const char **path, int64_t *size,
		     struct alu_err *e);
/** @return bytes read (0 at the end of the entry) or -ALUE_CORRUPT. */
ssize_t alu_payload_read(struct alu_payload *p, void *buf, size_t n, struct alu_err *e);
void alu_payload_close(struct alu_payload *p);

/* ---- ids.c: user and group names of the root --------------------------- */

struct alu_idname { char *name; uint32_t id; };
struct alu_ids {
	struct alu_idname *users, *groups;
	size_t nusers, ngroups;
};
/** Read <root>/etc/passwd and etc/group (missing files: empty tables). */
int alu_ids_load(int rootfd, struct alu_ids *ids);
/** @return 0 and *id, or -ENOENT for a name the root does not know ("root"
 *  is always 0). */
int alu_ids_uid(const struct alu_ids *ids, const char *name, uint32_t *id);
int alu_ids_gid(const struct alu_ids *ids, const char *name, uint32_t *id);
/** @return the name of @p id, or NULL. */
const char *alu_ids_uname(const struct alu_ids *ids, uint32_t id);
const char *alu_ids_gname(const struct alu_ids *ids, uint32_t id);
void alu_ids_free(struct alu_ids *ids);

/* ---- journal.c --------------------------------------------------------- */

/* What happens to a path, so that it can be undone:
 *   'B' it existed and is hard-linked to .alu-old-<token>-<i> before change
 *   'N' it did not exist (a file or symlink is created)
 *   'D' a directory is created
 *   'R' a directory is removed (mode kept to recreate it) */
struct alu_jent {
	char kind;
	uint32_t mode;
	char *canon;
};

struct alu_journal {
	char token[17];
	char op[16];            /* "install", "upgrade", "erase" */
	char pkg[512];          /* nevra(s) for messages */
	int committed;          /* the state db already has the new state */
	struct alu_jent *v;
	size_t n, cap;
};

/** @return the index of the new entry, or -ENOMEM. */
int alu_journal_add(struct alu_journal *j, char kind, uint32_t mode, const char *canon);
/** Name of the temporary (old=0) or backup (old=1) file of entry @p i, to
 *  be created in the entry's directory. */
void alu_journal_tmpname(const struct alu_journal *j, size_t i, int old, char *buf, size_t n);
/** Store @p j in the state db (its own write transaction). */
int alu_journal_write(struct alu_state *s, const struct alu_journal *j, struct alu_err *e);
/** Store @p j inside the caller's transaction (the commit of an operation). */
int alu_journal_put(struct alu_state_txn *t, const struct alu_journal *j, struct alu_err *e);
/** Delete the record (own transaction). */
int alu_journal_clear(struct alu_state *s, struct alu_err *e);
/** Undo the file system changes of @p j (entries in reverse order). */
int alu_journal_rollback(int rootfd, const struct alu_journal *j);
/** Delete the backups (and with @p recovering the temporaries) of a
 *  committed @p j, then remove its 'R' directories (deepest first; those
 *  not empty stay). */
void alu_journal_cleanup(int rootfd, const struct alu_journal *j, int recovering);
void alu_journal_free(struct alu_journal *j);

/* ---- script.c ---------------------------------------------------------- */

struct alu_txn_ctx {
	struct alu_state *s;
	const struct alu_txn_opts *o;
	int rootfd;
	int as_root;         /* euid 0: chown, scriptlets */
	int sandbox;         /* scriptlets: 0 not decided yet, 1 namespaces, 2 plain chroot */
	struct alu_ids ids;
	struct alu_txn_log *log;
	uint32_t tid;        /* rpm's INSTALLTID of this run: its start time */
	struct alu_dirs *dirs;  /* directories of the step being applied (apply.c) */
	unsigned long nscripts; /* scriptlets started so far (pkgfile.c) */
	/* Filesystems written by the current operation, synced (syncfs) before
	 * its state commit instead of one fsync per file (durable.c). */
	int syncfd[ALU_SYNC_MAX];
	dev_t syncdev[ALU_SYNC_MAX];
	size_t nsync;
};

/* ---- durable.c: file data on disk before the state says so --------------- */

/** Start writing @p fd's data back and remember its filesystem for
 *  alu_durable_sync(); when too many filesystems were seen, fsync it now.
 *  @return 0 or -errno (the fsync's). */
int alu_durable_note(struct alu_txn_ctx *c, int fd);
/** syncfs() every filesystem noted (and the root's). @return 0 or -errno. */
int alu_durable_sync(struct alu_txn_ctx *c);
/** Close what alu_durable_note() kept. */
void alu_durable_end(struct alu_txn_ctx *c);

/** Run scriptlet @p kind of @p h with $1 = @p arg1 (no argument when < 0).
 *  Skips (and logs why) when scripts are off, not root, or the
 *  interpreter is missing in the root.
 *  @return 0, or -ALUE_SCRIPT when it ran and failed (message set). */
int alu_script_run(struct alu_txn_ctx *c, const struct alu_hdr *h, enum alu_script_kind kind,
		   int arg1, struct alu_err *e);

/** Delete the scriptlet files (alu-script-*) of a run that was killed
 *  before it could, in the root's /var/tmp and /tmp. Only under the lock:
 *  another run's scriptlet could be using its file. */
void alu_script_sweep(int rootfd);

/* ---- sandbox.c --------------------------------------------------------- */
/** Decide (once per run) how scriptlets are contained: 1 namespaces, 0 plain
 *  chroot (warned about under AUTO when namespaces are not available), or
 *  -ALUE_SCRIPT when NAMESPACES was asked for and cannot be had. */
int alu_sandbox_choose(struct alu_txn_ctx *c, struct alu_err *e);

/** In a forked child: enter the namespaces, make @p root "/", cut the
 *  capabilities and execve @p argv. Never returns (exit 126 with a line on
 *  stderr when a step fails; else the scriptlet's status). */
void alu_sandbox_exec(const char *root, const char *const *argv, const char *const *env)
	__attribute__((noreturn));

/** Append a formatted line to the log. */
void alu_txn_note(struct alu_txn_log *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- plan.c: what one operation will do -------------------------------- */

enum alu_pact {
	ALU_P_SKIP,      /* ghost, --nodocs doc, kept %config, ... */
	ALU_P_DIR,       /* make (or keep) a directory, then set its metadata */
	ALU_P_DIRLINK,   /* a directory the root has as a symlink to one: keep */
	ALU_P_REG,       /* regular file from the payload */
	ALU_P_LINK,      /* symlink */
	ALU_P_SPECIAL,   /* device node, FIFO or socket: mknod with mode and rdev */
};

/** A file of the new package. Strings from the header are borrowed. */
struct alu_pent {
	char *hpath;         /* as in the header: "/etc/x.conf" */
	char *canon;         /* where it goes, root-relative ("etc/x.conf" or
	                        "etc/x.conf.rpmnew") */
	char *save;          /* move the existing file here first (".rpmsave",
	                        ".rpmorig"), or NULL */
	const char *user, *group, *linkto, *digest;
	uint32_t mode, mtime, fflags, inode, rdev;
	uint64_t size;
	enum alu_pact act;
	int jt, jsave;       /* journal entries of canon and save (-1: none) */
	int lset;            /* first file of its hard-link set (itself if alone) */
	int lnext;           /* next file of that set, in header order, or -1 */
	int written;
};

/** A file of an old package that the new one does not own. */
struct alu_rent {
	char *canon;
	char *save;          /* edited config: keep as .rpmsave */
	uint32_t mode;
	int is_dir;
	int jt, jsave;
};

struct alu_oplan {
	struct alu_hdr *nh;          /* borrowed from the alu_rpm (or NULL: erase) */
	struct alu_hdr **oh;         /* old headers (owned) */
	size_t noh;
	struct alu_pent *p;          /* new files, header order */
	size_t np;
	size_t *dirs;                /* indexes of ALU_P_DIR entries, parents first */
	size_t ndirs;
	struct alu_rent *rm;         /* removals: files first, then dirs deepest first */
	size_t nrm;
	char **mkdirs;               /* implicit parent directories to create, parents first */
	size_t nmkdirs;
	int algo;                    /* file digest algorithm of the new header */
	struct alu_journal j;
	char nevra[256];             /* of the new package, or of the erased one */
	char onevra[256];            /* of the (first) old package, or "" */
};

/** Build the plan of @p op (2a of txn.h): paths, config fates, and a full
 *  read of the payload checking every digest. Nothing is written.
 *  @return 0, -ALUE_PATH, -ALUE_CHECKSUM, -ALUE_CORRUPT, -errno. */
int alu_oplan_build(struct alu_txn_ctx *c, const struct alu_txn_op *op, struct alu_rpm *r,
		   struct alu_oplan *pl, struct alu_err *e);
void alu_oplan_free(struct alu_oplan *pl);

/* ---- special.c: device nodes, FIFOs, sockets ---------------------------- */

/** "character device", "block device", "FIFO", "socket" (static). */
const char *alu_special_kind(uint32_t mode);
/** mknodat(@p dfd, @p name) with @p mode's type and permissions, @p rdev
 *  for devices. @return 0 or -errno. */
int alu_fs_mknod(int dfd, const char *name, uint32_t mode, uint32_t rdev);
/** Can the root hold @p pe (a device)? A probe node (named from @p token) is
 *  made and removed in the deepest existing directory of its path.
 *  @return 0, or -errno with the reason (e.g. -EPERM without CAP_MKNOD). */
int alu_special_probe(int rootfd, const struct alu_pent *pe, const char *token,
		      struct alu_err *e);

/* ---- conflict.c: file conflicts of a whole plan (see txn.h) -------------- */

/** @p rpms parallel to @p p->ops (hdr NULL for erases).
 *  @return 0, -EEXIST (conflicts, listed in @p e), -ENOMEM, -ALUE_DB. */
int alu_txn_conflicts(struct alu_txn_ctx *c, const struct alu_txn_plan *p, struct alu_rpm *rpms,
		      struct alu_err *e);

/* ---- apply.c ----------------------------------------------------------- */

/** Write the new files of @p pl (journal already stored). */
int alu_apply_files(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_rpm *r,
		    struct alu_err *e);
/** Remove the old files of @p pl. */
int alu_apply_removals(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_err *e);

/* ---- pkgfile.c: the package file applied is the file checked ------------ */

struct alu_pkgfile {
	char sum[2 * 64 + 1];       /* hex digest of the whole file (ALU_DIGEST_HEX_MAX) */
	int algo;
	dev_t dev;
	ino_t ino;
	unsigned long checked_at;   /* c->nscripts at the last check */
};
/** At the run's open of @p r for @p op: its digest (checked against
 *  op->sum when given) and identity into @p pf. @return 0, -ALUE_CHECKSUM
 *  (message names the package and the file), -errno. */
int alu_pkgfile_first(struct alu_txn_ctx *c, const struct alu_txn_op *op, struct alu_rpm *r,
		      struct alu_pkgfile *pf, struct alu_err *e);
/** Right before @p op is applied: when a scriptlet ran since the last
 *  check, the path must still name the open file and its content the
 *  digest. @return 0, -ALUE_CHECKSUM, -errno. */
int alu_pkgfile_again(struct alu_txn_ctx *c, const struct alu_txn_op *op, struct alu_rpm *r,
		      struct alu_pkgfile *pf, struct alu_err *e);

/* ---- dircache.c: directories opened once per step ------------------------ */

#define ALU_DIRS_N 16
/** The last ALU_DIRS_N directories a step used, by canonical path. */
struct alu_dirs {
	int rootfd;
	int fd[ALU_DIRS_N];
	char *dir[ALU_DIRS_N];
	size_t next;
};
void alu_dirs_init(struct alu_dirs *d, int rootfd);
/** alu_fs_parent() through the cache: *dfd is borrowed (valid until
 *  alu_dirs_free or alu_dirs_forget of it), never to be closed. */
int alu_dirs_parent(struct alu_dirs *d, const char *canon, int *dfd, const char **base,
		    struct alu_err *e);
/** Drop directory @p canon (it was removed: a new one may take its name). */
void alu_dirs_forget(struct alu_dirs *d, const char *canon);
void alu_dirs_free(struct alu_dirs *d);

/* ---- fsops.c: one change of the root, journaled ---------------------------- */

/** Open the directory of canonical @p canon; *base is its last component. */
int alu_fs_parent(int rootfd, const char *canon, int *dfd, const char **base, struct alu_err *e);
/** Hard-link an existing path of journal entry @p ji to its backup name
 *  (kind 'B' only; does nothing for other kinds). */
int alu_fs_backup(const struct alu_journal *j, int ji, int dfd, const char *base, struct alu_err *e);
/** Digest (hex) of a regular file under the root; @return 0, -errno. */
int alu_fs_digest(int rootfd, const char *canon, int algo, char *hex, size_t n);

/* ---- file capabilities (caps.c) ---- */

#define ALU_TAG_FILECAPS 5010
/** @brief cap_to_text() form ("cap_net_raw=ep") into a security.capability
 *  value (vfs_cap_data revision 2, 20 bytes). @return 0, -ALUE_CORRUPT. */
int alu_caps_parse(const char *text, unsigned char out[20]);
/** @brief Give @p fd the capabilities @p text says (nothing when NULL or "");
 *  after chown and chmod. @p path names it in messages.
 *  @return 0, -ALUE_CORRUPT, -errno. */
int alu_caps_set(int fd, const char *text, const char *path, struct alu_err *e);

#endif
