/* SPDX-License-Identifier: MIT */
/*
 * Reading an existing rpm database without librpm, for adoption. Only read:
 * nothing under the root is created or changed.
 *
 * Formats:
 *   rpmdb.sqlite  rpm >= 4.16 (Fedora, Debian's rpm 4.18): table
 *                 Packages(hnum INTEGER PRIMARY KEY, blob BLOB), opened with
 *                 a read-only immutable=1 URI so no -wal/-shm appears.
 *   Packages      rpm 4.11 (Amazon Linux 2, EL7): a Berkeley DB hash
 *                 database; key = 4-byte package number, value = header blob.
 *                 Parsed here from a read-only map (rpmdb_bdb.c).
 * Looked for under <root>/var/lib/rpm, then <root>/usr/lib/sysimage/rpm;
 * in each directory rpmdb.sqlite wins over Packages.
 *
 * Blobs handed to callbacks are "header blobs" (index count on, what
 * alu_hdr_parse() takes), valid during the callback only.
 */
#ifndef ALU_DB_RPMDB_H
#define ALU_DB_RPMDB_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum alu_rpmdb_kind { ALU_RPMDB_SQLITE = 1, ALU_RPMDB_BDB = 2 };

/** One header blob; return non-zero to stop the walk (that value is returned). */
typedef int (*alu_rpmdb_cb)(void *arg, uint32_t hnum, const void *blob, size_t len);

/**
 * @brief Find the rpm database under @p root.
 * @param[out] path buffer of @p n bytes for the database file's path.
 * @param[out] kind ALU_RPMDB_*.
 * @return 0; -ENOENT (none: @p e says where we looked); -ALUE_UNSUPPORTED
 *         (an rpm database of another kind, such as ndb's Packages.db).
 */
int alu_rpmdb_find(const char *root, char *path, size_t n, enum alu_rpmdb_kind *kind,
		   struct alu_err *e);

/**
 * @brief Call @p cb for every header of the database at @p path.
 * @return 0, the callback's value, -ALUE_CORRUPT / -ALUE_TRUNCATED /
 *         -ALUE_DB (not an rpm database; the message names @p path), -errno.
 */
int alu_rpmdb_foreach(const char *path, enum alu_rpmdb_kind kind, alu_rpmdb_cb cb,
		      void *arg, struct alu_err *e);

/** @brief rpmdb.sqlite's Packages table. Same contract as alu_rpmdb_foreach. */
int alu_rpmdb_sqlite_foreach(const char *path, alu_rpmdb_cb cb, void *arg, struct alu_err *e);

/**
 * @brief Walk a Berkeley DB hash database held in memory (version 8 or 9,
 *        either byte order). Every page number, offset and length is checked;
 *        overflow chains are bounded by the page count, so loops terminate.
 *        Keys must be 4 bytes (rpm's package numbers, read in the database's
 *        byte order); the metadata page's record count is not trusted.
 * @param[in] what names the file in messages.
 * @return 0, the callback's value, -ALUE_CORRUPT, -ALUE_TRUNCATED,
 *         -ALUE_UNSUPPORTED (BDB of another access method or version).
 */
int alu_rpmdb_bdb_walk(const void *buf, size_t len, const char *what, alu_rpmdb_cb cb,
		       void *arg, struct alu_err *e);

/** @brief alu_rpmdb_bdb_walk() over the file at @p path (mapped read-only). */
int alu_rpmdb_bdb_foreach(const char *path, alu_rpmdb_cb cb, void *arg, struct alu_err *e);

#endif
