/* SPDX-License-Identifier: MIT */
#include "util/fs.h"
#include "util/rootfs.h"
#include "db/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
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

/*
 * LMDB opens <dir>/data.mdb and <dir>/lock.mdb by name, following symlinks
 * (and truncates the lock file). So the directory is first reached by the
 * no-symlink walk from the root (util/rootfs.h), both files are refused when
 * they are anything but regular files, and LMDB is handed the walked
 * directory as /proc/self/fd/N: the kernel resolves that to the very
 * directory we checked, not to whatever the path names by then. (MDB_NOSUBDIR
 * on /proc/self/fd/N of the data file would not do: LMDB derives the lock
 * file's name by appending "-lock".) Without /proc the checked path itself is
 * used. After the open, the data file LMDB holds must be the regular file
 * in that directory.
 */
static int check_leaf(int dfd, const char *dir, const char *name, struct alu_err *e)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		return alu_err_set(e, -errno, "%s/%s: %s", dir, name, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return alu_err_set(e, -ALUE_PATH, "%s/%s is %s, not a regular file: refusing to open the "
			"database through it", dir, name, S_ISLNK(st.st_mode) ? "a symlink" : "special");
	return 0;
}

static int same_data_file(MDB_env *env, int dfd)
{
	struct stat a, b;
	int fd;

	if (mdb_env_get_fd(env, &fd) || fstat(fd, &a) ||
	    fstatat(dfd, "data.mdb", &b, AT_SYMLINK_NOFOLLOW))
		return 0;
	return S_ISREG(b.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int alu_db_open(const char *dir, unsigned flags, unsigned maxdbs, size_t mapsize,
		MDB_env **out, struct alu_err *e)
{
	struct alu_err le = { 0 };
	MDB_env *env = NULL;
	char via[64];
	int rc, dfd;

	rc = alu_root_opendir(dir, (flags & ALU_DBF_CREATE) ? ALU_ROOTF_CREATE : 0, &dfd, &le);
	if (rc == -ENOENT && !(flags & ALU_DBF_CREATE))
		return alu_err_set(e, -ENOENT, "%s: no database", dir);
	if (rc)
		return alu_err_set(e, rc, "%s", le.msg);
	if ((rc = check_leaf(dfd, dir, "data.mdb", e)) || (rc = check_leaf(dfd, dir, "lock.mdb", e))) {
		close(dfd);
		return rc;
	}
	{
		/* the meta pages against the file's size before LMDB maps it (no SIGBUS) */
		char file[4200];
		snprintf(file, sizeof(file), "%s/data.mdb", dir);
		rc = alu_db_check_file(file, e);
		if (rc) {
			close(dfd);
			return rc;
		}
	}
	snprintf(via, sizeof(via), "/proc/self/fd/%d", dfd);
	if (access(via, F_OK))
		snprintf(via, sizeof(via), "%s", "");
	rc = mdb_env_create(&env);
	if (!rc)
		rc = mdb_env_set_maxdbs(env, maxdbs);
	if (!rc)
		rc = mdb_env_set_mapsize(env, mapsize);
	if (!rc)
		/* NOTLS: a command may hold a read txn (a walk) while it opens another
		 * (a header lookup) in the same thread. */
		rc = mdb_env_open(env, *via ? via : dir, MDB_NOTLS | ((flags & ALU_DBF_RDONLY) ? MDB_RDONLY : 0) |
			((flags & ALU_DBF_NOMETASYNC) ? MDB_NOMETASYNC : 0), 0644);
	if (!rc && (!same_data_file(env, dfd) || check_leaf(dfd, dir, "lock.mdb", NULL))) {
		mdb_env_close(env);
		close(dfd);
		return alu_err_set(e, -ALUE_PATH, "%s: the database files changed while being opened "
			"(a symlink was put in their place?)", dir);
	}
	close(dfd);
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
