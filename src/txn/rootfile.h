/* SPDX-License-Identifier: MIT */
/*
 * Small files of the root's configuration (a .repo file, yum.conf) read and
 * replaced through the same no-escape walk as package payloads (txn/path.c):
 * no symlink on the way may lead out of the root, and a replacement is
 * written beside its target, fsynced and renamed over it, so a reader sees
 * the old file or the new one, never a part. Part of the transaction layer
 * (txn/txn.h).
 */
#ifndef ALU_TXN_ROOTFILE_H
#define ALU_TXN_ROOTFILE_H

#include <stddef.h>

#include "util/err.h"

/**
 * @brief Read the regular file @p path (absolute, as seen inside the root)
 *        of root @p root ("/" or "" for the running system).
 * @param max the largest size accepted.
 * @param[out] buf malloc'd, NUL-terminated (not counted in @p len).
 * @return 0, -ENOENT, -ALUE_PATH (escapes the root, not a regular file),
 *         -EFBIG (over @p max), -errno. The message names the path.
 */
int alu_root_file_read(const char *root, const char *path, size_t max, char **buf, size_t *len,
		       struct alu_err *e);

/**
 * @brief Replace (or create) @p path of @p root with @p buf: temporary file
 *        in the same directory, fsync, rename. The directory must exist.
 * @param mode of a new file; a replaced file keeps its own mode.
 * @return 0, -ENOENT (no such directory), -ALUE_PATH, -errno.
 */
int alu_root_file_write(const char *root, const char *path, const void *buf, size_t len,
			unsigned mode, struct alu_err *e);

#endif
