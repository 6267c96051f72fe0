/* SPDX-License-Identifier: MIT */
#include "util/fs.h"
#include "db/db.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int alu_db_rc(int rc, const char *what, struct alu_err *e)
{
	if (rc == 0)
		return 0;
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	return alu_err_set(e, -ALUE_DB, "%s: %s", what, mdb_strerror(rc));
}

int alu_db_open(const char *dir, unsigned flags, unsigned maxdbs, size_t mapsize,
		MDB_env **out, struct alu_err *e)
{
	MDB_env *env = NULL;
	struct stat st;
	int rc;

	if (flags & ALU_DBF_CREATE) {
		rc = alu_mkdir_p(dir);
		if (rc)
			return alu_err_set(e, rc, "%s: cannot create: %s", dir, strerror(-rc));
	} else if (stat(dir, &st)) {
		return alu_err_set(e, -ENOENT, "%s: no database", dir);
	}
	{
		char file[4200];
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
		rc = alu_db_check_file(file, e);
		if (rc)
			return rc;
	}
	rc = mdb_env_create(&env);
	if (!rc)
		rc = mdb_env_set_maxdbs(env, maxdbs);
	if (!rc)
		rc = mdb_env_set_mapsize(env, mapsize);
	if (!rc)
		/* NOTLS: a command may hold a read txn (a walk) while it opens another
		 * (a header lookup) in the same thread. */
		rc = mdb_env_open(env, dir, MDB_NOTLS | ((flags & ALU_DBF_RDONLY) ? MDB_RDONLY : 0) |
			((flags & ALU_DBF_NOMETASYNC) ? MDB_NOMETASYNC : 0), 0644);
	if (rc) {
		if (env)
			mdb_env_close(env);
		if (rc == ENOENT && (flags & ALU_DBF_RDONLY))
			return alu_err_set(e, -ENOENT, "%s: no database", dir);
		if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED)
			return alu_err_set(e, -ALUE_CORRUPT, "%s/data.mdb: damaged database: %s", dir,
					   mdb_strerror(rc));
		return alu_err_set(e, -ALUE_DB, "%s: %s", dir, mdb_strerror(rc));
	}
	{
		char file[4200];
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
		alu_db_guard(env, file);
	}
	*out = env;
	return 0;
}

int alu_db_grow(MDB_env *env)
{
	MDB_envinfo info;
	int rc = mdb_env_info(env, &info);

	if (!rc)
		rc = mdb_env_set_mapsize(env, info.me_mapsize * 2);
	if (!rc)
		alu_db_guard(env, NULL);   /* the map may have moved */
	return rc ? -ALUE_DB : 0;
}
