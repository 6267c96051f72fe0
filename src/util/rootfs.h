/* SPDX-License-Identifier: MIT */
/*
 * The files alupdate itself keeps under the installroot (metadata cache,
 * downloads and their .part files, the primary_db temporary, keys, LMDB
 * environments, the lock), reached so that the root cannot redirect them.
 *
 * Model. The root is not trusted: an image patched from outside may hold a
 * symlink at /var/cache/alupdate/cache.mdb pointing at a host directory.
 * Every path here is a host path; when it lies under the run's root
 * (alu_root_set(), a lexical prefix), the part below the root is walked
 * from the root one component at a time with openat(O_NOFOLLOW |
 * O_DIRECTORY): a symlink (or anything that is not a directory) on the way
 * is refused with -ALUE_PATH, never followed; `..` is refused. The last
 * component is then used through the parent's directory fd (openat,
 * unlinkat, renameat, mkdirat), again with O_NOFOLLOW, so a symlinked
 * .part, lock or key file is an error and never writes through to its
 * target. The root directory itself is opened as given (the caller chose it).
 *
 * A path outside the root (e.g. --downloaddir on the host, -c FILE) is the
 * caller's own: its directories resolve as the kernel resolves them, but the
 * last component is still never followed.
 *
 * Reading. alu_root_open_read() also opens with O_NONBLOCK and fstat()s:
 * anything but a regular file (a FIFO, a device, a symlink to /proc/kmsg)
 * is -ALUE_PATH at once instead of a read that never returns.
 *
 * Paths from the root's configuration. alu_root_join() resolves an absolute
 * in-root path lexically as a chroot would ("/../../.." is "/"), so it can
 * never name a place above the root; the walk then refuses symlinks.
 *
 * Ownership. Returned fds belong to the caller (O_CLOEXEC). Messages name
 * the host path. The root set by alu_root_set() is process-wide (set once by
 * main() before any command runs).
 */
#ifndef ALU_UTIL_ROOTFS_H
#define ALU_UTIL_ROOTFS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "util/err.h"

enum {
	ALU_ROOTF_CREATE = 1 << 0,   /* create missing directories (0755) */
};

/**
 * @brief Set the run's root (--installroot; "/" or NULL for the host).
 *        Trailing slashes are dropped.
 * @return 0 or -ENAMETOOLONG.
 */
int alu_root_set(const char *root);

/** @return the run's root without a trailing slash ("" for "/"). Borrowed. */
const char *alu_root_get(void);

/** @return 1 when an installroot (not "/") is set and @p path lies under it. */
int alu_root_inside(const char *path);

/**
 * @brief Normalise an in-root path as a chroot would resolve it lexically:
 *        "//", "." and ".." are folded, ".." at the top stays at the top.
 * @param abs a path inside the root ('/' prepended when missing).
 * @param[out] out "/" or "/a/b", no trailing slash.
 * @return 0 or -ENAMETOOLONG.
 */
int alu_root_norm(const char *abs, char *out, size_t n);

/**
 * @brief "<root><normalised abs>": a host path for a path inside @p root.
 * @param root the root ("" or "/" for the host).
 * @return malloc'd (caller frees), or NULL when out of memory or too long.
 */
char *alu_root_join(const char *root, const char *abs);

/**
 * @brief Open directory @p path (see the model: walked without symlinks
 *        when under the root).
 * @param flags ALU_ROOTF_CREATE: make the missing directories.
 * @param[out] dfd an O_RDONLY | O_DIRECTORY fd.
 * @return 0; -ENOENT when a component is missing (and not CREATE);
 *         -ALUE_PATH for a symlink, a non-directory or ".." on the way;
 *         -errno; a message naming the path in @p e.
 */
int alu_root_opendir(const char *path, unsigned flags, int *dfd, struct alu_err *e);

/**
 * @brief The parent directory of @p path, opened as alu_root_opendir().
 * @param[out] base points into @p path at its last component.
 * @return as alu_root_opendir(); -ALUE_PATH when @p path has no last component.
 */
int alu_root_parent(const char *path, unsigned flags, int *dfd, const char **base,
		    struct alu_err *e);

/**
 * @brief open(2) @p path for writing (or reading) with O_NOFOLLOW | O_CLOEXEC
 *        added, through its verified parent.
 * @return 0 and *fd; -ALUE_PATH when the file is a symlink; -errno.
 */
int alu_root_open(const char *path, int oflags, mode_t mode, unsigned flags, int *fd,
		  struct alu_err *e);

/**
 * @brief Open a regular file for reading, never blocking on what is not one.
 *        O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, then fstat: a FIFO,
 *        a socket, a device or a symlink is -ALUE_PATH ("not a regular
 *        file"). O_NONBLOCK is cleared before returning.
 *        Under the root the directories are walked as alu_root_opendir().
 * @param[out] size the file's size when not NULL.
 * @return 0 and *fd; -ENOENT; -ALUE_PATH; -errno; message in @p e.
 */
int alu_root_open_read(const char *path, int *fd, off_t *size, struct alu_err *e);

/**
 * @brief Open a directory for listing, resolved as alu_root_open_read()
 *        resolves (symlinks followed but kept inside the root).
 * @return 0 and *dfd; -ENOENT; -ALUE_PATH; -errno.
 */
int alu_root_opendir_read(const char *path, int *dfd, struct alu_err *e);

/**
 * @brief Where in-root path @p abs really is, resolved as a chroot at
 *        @p root would resolve it: symlinks followed, an absolute target
 *        restarting at the root, ".." stopping there. So a root whose
 *        /var/lib/rpm is a symlink to /usr/lib/sysimage/rpm names
 *        <root>/usr/lib/sysimage/rpm, never the host's directory of that name.
 *        A missing last component is kept as named (the directories above
 *        it must exist). The result names no symlink when the call returns;
 *        write through it with alu_root_opendir() etc., which refuse one
 *        that appears since.
 * @param root the root directory ("" or "/": the host, resolved by realpath(3)).
 * @param[out] out "<root><resolved path>" (just "<root>" for the root itself).
 * @return 0; -ENOENT (a directory on the way is missing); -ENOTDIR;
 *         -ALUE_PATH (symlink loop); -ENAMETOOLONG; message in @p e.
 */
int alu_root_resolve(const char *root, const char *abs, char *out, size_t n, struct alu_err *e);

struct dirent;

/**
 * @brief scandir(3) of a directory opened by alu_root_opendir_read().
 * @return the number of entries (caller frees each and *out), or -1 with errno.
 */
int alu_root_scandir(const char *dir, struct dirent ***out, int (*filter)(const struct dirent *),
		     int (*cmp)(const struct dirent **, const struct dirent **));

/**
 * @brief alu_root_open_read() as a stdio stream for reading.
 * @return the stream, or NULL with errno set (EINVAL: not a regular file).
 */
FILE *alu_root_fopen(const char *path);

/**
 * @brief fd-based form of the regular-file check: O_NONBLOCK | O_NOFOLLOW
 *        openat() of @p name in @p dfd and the fstat test.
 * @param shown the path for messages.
 */
int alu_root_openat_read(int dfd, const char *name, const char *shown, int *fd, off_t *size,
			 struct alu_err *e);

/**
 * @brief unlink @p path (never what a symlink there points at: the link is
 *        what goes). A missing file or directory on the way is not an error.
 * @return 0, -ALUE_PATH, -errno.
 */
int alu_root_unlink(const char *path, struct alu_err *e);

/** @brief rmdir @p path (empty directory); missing is not an error. */
int alu_root_rmdir(const char *path, struct alu_err *e);

/**
 * @brief rename(2) @p from to @p to, both reached through verified parents.
 * @return 0, -ALUE_PATH, -errno.
 */
int alu_root_rename(const char *from, const char *to, struct alu_err *e);

/**
 * @brief mkdir -p @p path (0755) through the walk.
 * @return as alu_root_opendir().
 */
int alu_root_mkdirs(const char *path, struct alu_err *e);

/**
 * @brief Remove the entries of directory @p dir whose names end in @p suffix
 *        (all when NULL; names starting with '.' are kept). Only regular
 *        files and symlinks are removed (a symlink itself, never its target);
 *        subdirectories are left alone.
 * @param[out] count incremented per entry removed.
 * @return 0 (also when @p dir does not exist), -ALUE_PATH, -errno.
 */
int alu_root_rm_files(const char *dir, const char *suffix, size_t *count, struct alu_err *e);

/**
 * @brief Replace (or create) the file @p path with @p len bytes of @p buf:
 *        written to "<path>.alu-tmp" beside it, fsynced and renamed over it,
 *        every step through the walk (a reader sees the old file or the new
 *        one; a failure leaves the old one and no temporary file).
 * @param mode of the file (0644 ...).
 * @return 0, -ALUE_PATH (a symlink on the way or at @p path), -errno; the
 *         message names the path.
 */
int alu_root_replace(const char *path, const void *buf, size_t len, mode_t mode, struct alu_err *e);

#endif
