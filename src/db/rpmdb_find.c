/* SPDX-License-Identifier: MIT */
/* Where a root keeps its rpm database, and dispatch on its kind. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db/rpmdb.h"
#include "util/rootfs.h"

static const char *const dirs[] = { "/var/lib/rpm", "/usr/lib/sysimage/rpm" };

/* 1 when in-root @p file is a regular file, resolved as a chroot would
 * (util/rootfs.h): an absolute symlink such as /var/lib/rpm ->
 * /usr/lib/sysimage/rpm leads to the root's directory, never the host's.
 * @p path gets the host path with every symlink resolved, which is what the
 * readers open and the write-back switches (rpmdb/dbswitch.c). */
static int exists(const char *root, const char *file, char *path, size_t n)
{
	struct stat st;

	return !alu_root_resolve(root, file, path, n, NULL) && !lstat(path, &st) &&
	       S_ISREG(st.st_mode);
}

int alu_rpmdb_find(const char *root, char *path, size_t n, enum alu_rpmdb_kind *kind,
		   struct alu_err *e)
{
	const char *r = strcmp(root, "/") ? root : "";
	char in[PATH_MAX], buf[PATH_MAX];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(in, sizeof(in), "%s/rpmdb.sqlite", dirs[i]);
		if (exists(r, in, buf, sizeof(buf))) {
			*kind = ALU_RPMDB_SQLITE;
			goto found;
		}
		snprintf(in, sizeof(in), "%s/Packages", dirs[i]);
		if (exists(r, in, buf, sizeof(buf))) {
			*kind = ALU_RPMDB_BDB;
			goto found;
		}
		snprintf(in, sizeof(in), "%s/Packages.db", dirs[i]);
		if (exists(r, in, buf, sizeof(buf)))
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
