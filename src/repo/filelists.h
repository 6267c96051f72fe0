/* SPDX-License-Identifier: MIT */
/*
 * Full file lists of repository packages, which primary does not carry
 * (primary lists only bin, etc and lib paths): repomd `filelists` (XML) or
 * `filelists_db` (SQLite), fetched on demand and kept (repo/lazy.h), never
 * at makecache. Part of the repository layer (repo/repo.h).
 *
 * Model. alu_filelists_each() streams every file of every package of the
 * enabled repositories to a callback, identified by the package's pkgid
 * (the checksum primary gives it too), so a caller maps it to a cache
 * package. Nothing is ingested: the file is read again for each query, and
 * only the query that needs it pays for it.
 */
#ifndef ALU_REPO_FILELISTS_H
#define ALU_REPO_FILELISTS_H

#include "repo/repo.h"

/** One file: @p pkgid lowercase hex, @p path absolute. Borrowed for the
 *  call. Non-zero stops the walk and is returned. */
typedef int (*alu_flist_cb)(void *ud, const char *repoid, const char *pkgid, const char *path);

/**
 * @brief Stream filelists.xml[.gz ...] or a filelists_db at @p path.
 * @param sqlite 1: @p path is a (compressed) filelists_db, decoded into
 *        @p tmpdir and removed again.
 * @return 0, -ALUE_XML, -ALUE_DB, -ALUE_CORRUPT, -ENOMEM, cb's value.
 */
int alu_filelists_file(const char *path, int sqlite, const char *tmpdir, const char *repoid,
		       alu_flist_cb cb, void *ud, struct alu_err *e);

/**
 * @brief Every file of every package of @p rp's enabled repositories
 *        (a repository without file lists contributes none).
 * @return 0, alu_repo_lazy_get()'s errors, alu_filelists_file()'s.
 */
int alu_filelists_each(struct alu_repos *rp, int cacheonly, alu_flist_cb cb, void *ud,
		       struct alu_err *e);

#endif
