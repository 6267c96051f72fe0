/* SPDX-License-Identifier: MIT */
/*
 * Writing Amazon Linux 2's rpm database (rpm 4.11 on libdb 5.3) whole,
 * without libdb: the Packages hash database and the twelve index B-trees,
 * in host byte order, 4 KiB pages, no checksums, no environment. The files
 * are what libdb itself would accept and go on updating: db5.3_verify finds
 * them clean, db5.3_load can add to them, rpm reads them.
 *
 *   Packages  key = instance (4 bytes), value = header blob; key 0 holds the
 *             highest instance (rpm's pkgInstance() takes the next from it).
 *   indexes   Name Basenames Group Requirename Providename Conflictname
 *             Obsoletename Triggername Dirnames Installtid Sigmd5 Sha1header:
 *             key = a tag element, value = (instance, element index) pairs.
 *             Which elements rpm indexes: src/rpmdb/bdb_index.c.
 */
#ifndef ALU_RPMDB_BDB_WRITE_H
#define ALU_RPMDB_BDB_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct alu_rpmdb_hdr { uint32_t hnum; const void *blob; size_t len; };

/**
 * @brief Write a complete rpm 4.11 Berkeley DB database (Packages hash and the index
 *        B-trees Name Basenames Group Requirename Providename Conflictname Obsoletename
 *        Triggername Dirnames Installtid Sigmd5 Sha1header) into the empty directory
 *        @p dirfd. Headers in @p h are header blobs as rpm stores them (index count first,
 *        what alu_hdr_parse() takes), sorted by hnum; index keys are derived from them.
 *        Files are written and fsynced; no __db.* environment files are created.
 * @param[in] h @p n headers, hnum strictly increasing and non-zero; only read.
 * @return 0; -EINVAL (hnum 0 or out of order: @p e names it); -ALUE_CORRUPT (a
 *         header that does not parse, named by its hnum); -EEXIST (a file of
 *         that name is already there); -errno of a write (@p e names the file).
 *         On failure every file this call created is removed again.
 */
int alu_rpmdb_bdb_write(int dirfd, const struct alu_rpmdb_hdr *h, size_t n, struct alu_err *e);

#endif
