/* SPDX-License-Identifier: MIT */
/* Where a root keeps its rpm database, and dispatch on its kind. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/rpmdb.h"

static const char *const dirs[] = { "/var/lib/rpm", "/usr/lib/sysimage/rpm" };

/* 1 when @p path, symlinks resolved, is still under @p root: an absolute
 * symlink such as /var/lib/rpm -> /usr/lib/sysimage/rpm would otherwise
 * lead to the host's database when adopting another root. */
static int inside(const char *root, const char *path)
{
	char rr[PATH_MAX], rp[PATH_MAX];
	size_t n;

	if (!realpath(root, rr) || !realpath(path, rp))
		return 0;
	n = strlen(rr);
	if (n == 1)
		return 1;
	return !strncmp(rr, rp, n) && (rp[n] == '/' || rp[n] == 0);
}

static int exists(const char *root, const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && inside(root, path);
}

int alu_rpmdb_find(const char *root, char *path, size_t n, enum alu_rpmdb_kind *kind,
		   struct alu_err *e)
{
	const char *r = strcmp(root, "/") ? root : "";
	char buf[PATH_MAX];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(buf, sizeof(buf), "%s%s/rpmdb.sqlite", r, dirs[i]);
		if (exists(root, buf)) {
			*kind = ALU_RPMDB_SQLITE;
			goto found;
		}
		snprintf(buf, sizeof(buf), "%s%s/Packages", r, dirs[i]);
		if (exists(root, buf)) {
			*kind = ALU_RPMDB_BDB;
			goto found;
		}
		snprintf(buf, sizeof(buf), "%s%s/Packages.db", r, dirs[i]);
		if (exists(root, buf))
			return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: rpm ndb databases are not supported", buf);
	}
	return alu_err_set(e, -ENOENT, "no rpm database in %s%s or %s%s", r, dirs[0], r, dirs[1]);
found:
	if (strlen(buf) >= n)
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", buf);
	memcpy(path, buf, strlen(buf) + 1);
	return 0;
}

int alu_rpmdb_foreach(const char *path, enum alu_rpmdb_kind kind, alu_rpmdb_cb cb,
		      void *arg, struct alu_err *e)
{
	if (kind == ALU_RPMDB_SQLITE)
		return alu_rpmdb_sqlite_foreach(path, cb, arg, e);
	if (kind == ALU_RPMDB_BDB)
		return alu_rpmdb_bdb_foreach(path, cb, arg, e);
	return alu_err_set(e, -EINVAL, "%s: unknown rpm database kind %d", path, (int)kind);
}
