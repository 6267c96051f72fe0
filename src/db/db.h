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
 * @param[out] out the environment; close with mdb_env_close().
 * @return 0, -ENOENT (RDONLY and absent), -ALUE_DB with a message.
 */
int alu_db_open(const char *dir, unsigned flags, unsigned maxdbs, size_t mapsize,
		MDB_env **out, struct alu_err *e);

/** @brief Double the map size after MDB_MAP_FULL (no transaction may be open). */
int alu_db_grow(MDB_env *env);

/** @brief Map an LMDB return code to our contract: 0, -ENOENT for
 *         MDB_NOTFOUND, -ALUE_DB otherwise (with mdb_strerror in @p e). */
int alu_db_rc(int mdb_rc, const char *what, struct alu_err *e);

#endif
