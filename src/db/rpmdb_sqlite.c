/* SPDX-License-Identifier: MIT */
/*
 * rpm >= 4.16's rpmdb.sqlite: Packages(hnum INTEGER PRIMARY KEY, blob BLOB).
 * Opened read-only through an immutable=1 URI: SQLite then takes no locks
 * and creates no -wal/-shm beside the file, so the user's root stays as it
 * was. (rpm checkpoints its WAL on close, so a consistent database has none.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "db/rpmdb.h"

/* file: URI for @p path; '%', '?' and '#' would end or change the path. */
static int uri_for(const char *path, char *buf, size_t n)
{
	size_t o = 0;

	o += (size_t)snprintf(buf, n, "file:");
	for (const char *p = path; *p && o + 4 < n; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += (size_t)snprintf(buf + o, n - o, "%%%02X", (unsigned char)*p);
		else
			buf[o++] = *p;
	}
	if (o + sizeof("?immutable=1") > n)
		return -ENAMETOOLONG;
	memcpy(buf + o, "?immutable=1", sizeof("?immutable=1"));
	return 0;
}

static int sql_err(sqlite3 *db, int rc, const char *path, struct alu_err *e)
{
	int code = (rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN ? -ALUE_DB : -ALUE_CORRUPT;

	return alu_err_set(e, code, "%s: not a readable rpm database: %s", path,
			   db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

int alu_rpmdb_sqlite_foreach(const char *path, alu_rpmdb_cb cb, void *arg, struct alu_err *e)
{
	char uri[4096 * 3 + 32];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	r = uri_for(path, uri, sizeof(uri));
	if (r)
		return alu_err_set(e, r, "%s: path too long", path);
	rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	if (rc != SQLITE_OK) {
		r = sql_err(db, rc, path, e);
		goto out;
	}
	rc = sqlite3_prepare_v2(db, "SELECT hnum, blob FROM Packages ORDER BY hnum", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		r = sql_err(db, rc, path, e);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 hnum = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);

		if (sqlite3_column_type(st, 1) != SQLITE_BLOB || len <= 0 || hnum <= 0 || hnum > UINT32_MAX) {
			r = alu_err_set(e, -ALUE_CORRUPT, "%s: package row %lld holds no header", path,
					(long long)hnum);
			goto out;
		}
		r = cb(arg, (uint32_t)hnum, blob, (size_t)len);
		if (r)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = sql_err(db, rc, path, e);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}
