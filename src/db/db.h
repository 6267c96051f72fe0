/* SPDX-License-Identifier: MIT */
/*
 * LMDB environments. Two live under a root:
 *   <root>/var/cache/alupdate/  repository metadata: disposable (cache.h)
 *   <root>/var/lib/alupdate/    installed packages, files, history, journal:
 *                               precious (state.h)
 * This file only opens and closes them; the key layouts belong to cache.h
 * and state.h. An environment is a directory holding data.mdb and lock.mdb.
 */
#ifndef ALU_DB_DB_H
#define ALU_DB_DB_H

#include <lmdb.h>

#include "util/err.h"

enum {
	ALU_DBF_RDONLY = 1 << 0,   /* MDB_RDONLY; fails with -ENOENT when absent */
	ALU_DBF_CREATE = 1 << 1,   /* mkdir -p the directory */
	ALU_DBF_NOMETASYNC = 1 << 3, /* MDB_NOMETASYNC: data synced at commit, the meta page
	                              later; a crash may undo the last commit, never corrupt.
	                              For the metadata cache, which is fetched again. */
};

/**
 * @brief Open (or create) the environment in directory @p dir.
 * @param[in] maxdbs number of named databases the caller will open.
 * @param[in] mapsize bytes (grown automatically on MDB_MAP_FULL by writers
 *            that use alu_db_grow()).
 * @param[out] out the environment; close with alu_db_close().
 * @return 0, -ENOENT (RDONLY and absent), -ALUE_CORRUPT (data.mdb is not an
 *         LMDB file, is truncated, or its meta pages point outside it: the
 *         message names the file; see alu_db_check_file), -ALUE_DB with a
 *         message.
 * @note The environment is registered with the SIGBUS guard (alu_db_guard):
 *       close it with alu_db_close().
 */
int alu_db_open(const char *dir, unsigned flags, unsigned maxdbs, size_t mapsize,
		MDB_env **out, struct alu_err *e);

/** @brief Release the guard of @p env and mdb_env_close() it. NULL is fine. */
void alu_db_close(MDB_env *env);

/**
 * @brief Check an LMDB data file before it is mapped: both meta pages read
 *        with pread (magic, version, page size), the newer one's last page
 *        inside the file and its tree roots at or below that page. A file
 *        cut short would otherwise kill the process with SIGBUS on the first
 *        read of a page it lacks.
 * @param[in] path the data.mdb file; absent or empty is fine (a new one).
 * @return 0, -ALUE_CORRUPT ("<path>: damaged database: truncated (N bytes,
 *         its pages need M)" and the like), -errno.
 */
int alu_db_check_file(const char *path, struct alu_err *e);

/**
 * @brief Name @p env's map for the SIGBUS handler (installed on the first
 *        call): a page that still cannot be read (the file cut while in use,
 *        a disk error) ends the process with status 1 and a message naming
 *        @p path and what to run, instead of a silent death by signal.
 *        Called again with the same @p env (and @p path NULL) after a remap.
 */
void alu_db_guard(MDB_env *env, const char *path);

/**
 * @brief Drop the pages of @p env's map (as alu_db_guard() found it) from
 *        this process (madvise MADV_DONTNEED). The map is shared and read
 *        only, so nothing changes but RSS: a page read again faults back in
 *        from the page cache. For long writers (the metadata cache's ingest).
 */
void alu_db_trim(MDB_env *env);

/** @brief Double the map size after MDB_MAP_FULL (no transaction may be open). */
int alu_db_grow(MDB_env *env);

/** @brief Map an LMDB return code to our contract: 0, -ENOENT for
 *         MDB_NOTFOUND, -ALUE_DB otherwise (with mdb_strerror in @p e). */
int alu_db_rc(int mdb_rc, const char *what, struct alu_err *e);

#endif
