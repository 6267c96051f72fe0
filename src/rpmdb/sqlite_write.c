/* SPDX-License-Identifier: MIT */
/*
 * rpmdb.sqlite as rpm 4.16+ writes it (lib/backend/sqlite.c), a whole new
 * file: the Packages table and one index table per indexed tag, with the
 * schema statements rpm runs (so `.schema` reads the same). The index rows
 * follow rpm's tag2index() (lib/rpmdb.c):
 *   - one row per array element, idx = its position (file triggers: their
 *     FILETRIGGERINDEX / TRANSFILETRIGGERINDEX entry);
 *   - Requirename leaves out requirements needed only while installing
 *     (pre, post, pretrans, posttrans, rpmlib, keyring) unless they are
 *     also needed while erasing (preun, postun);
 *   - Triggername keeps the first of equal names only;
 *   - Group falls back to "Unknown";
 *   - string keys are TEXT; Installtid is the 4-byte host-order integer and
 *     Sigmd5 the 16 raw bytes, as BLOBs.
 * Not done: the extra rows rpm >= 4.14 adds for the names inside rich
 * (boolean) dependencies; rpm 4.11 (Amazon Linux 2) has none.
 *
 * The file is built with journalling off (a crash leaves a file the caller
 * throws away), then put in WAL mode as rpm leaves it, closed and fsynced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rpmdb/rpmdb_out.h"

enum {
	TAG_NAME = 1000, TAG_GROUP = 1016, TAG_REQUIREFLAGS = 1048, TAG_REQUIRENAME = 1049,
	TAG_PROVIDENAME = 1047, TAG_CONFLICTNAME = 1054, TAG_OBSOLETENAME = 1090,
	TAG_TRIGGERNAME = 1066, TAG_BASENAMES = 1117, TAG_DIRNAMES = 1118, TAG_INSTALLTID = 1128,
	TAG_SIGMD5 = 261, TAG_SHA1HEADER = 269, TAG_FILETRIGGERNAME = 5069,
	TAG_FILETRIGGERINDEX = 5072, TAG_TRANSFILETRIGGERNAME = 5079,
	TAG_TRANSFILETRIGGERINDEX = 5082, TAG_RECOMMENDNAME = 5046, TAG_SUGGESTNAME = 5049,
	TAG_SUPPLEMENTNAME = 5052, TAG_ENHANCENAME = 5055,
};

/* rpmsenseFlags: _INSTALL_ONLY_MASK and _ERASE_ONLY_MASK of rpmds.h */
#define SENSE_INSTALL_ONLY ((1u << 9) | (1u << 10) | (1u << 24) | (1u << 26) | (1u << 7) | (1u << 5))
#define SENSE_ERASE_ONLY ((1u << 11) | (1u << 12))

enum kind { K_TEXT, K_BLOB_U32, K_BLOB_BIN };

static const struct ix {
	const char *table;
	uint32_t tag;
	enum kind kind;
	int key_idx, hnum_idx;
} ixs[] = {
	{ "Name", TAG_NAME, K_TEXT, 1, 0 },
	{ "Basenames", TAG_BASENAMES, K_TEXT, 1, 1 },
	{ "Group", TAG_GROUP, K_TEXT, 1, 0 },
	{ "Requirename", TAG_REQUIRENAME, K_TEXT, 1, 1 },
	{ "Providename", TAG_PROVIDENAME, K_TEXT, 1, 1 },
	{ "Conflictname", TAG_CONFLICTNAME, K_TEXT, 1, 1 },
	{ "Obsoletename", TAG_OBSOLETENAME, K_TEXT, 1, 1 },
	{ "Triggername", TAG_TRIGGERNAME, K_TEXT, 1, 1 },
	{ "Dirnames", TAG_DIRNAMES, K_TEXT, 1, 1 },
	{ "Installtid", TAG_INSTALLTID, K_BLOB_U32, 0, 0 },
	{ "Sigmd5", TAG_SIGMD5, K_BLOB_BIN, 0, 0 },
	{ "Sha1header", TAG_SHA1HEADER, K_TEXT, 1, 0 },
	{ "Filetriggername", TAG_FILETRIGGERNAME, K_TEXT, 1, 1 },
	{ "Transfiletriggername", TAG_TRANSFILETRIGGERNAME, K_TEXT, 1, 1 },
	{ "Recommendname", TAG_RECOMMENDNAME, K_TEXT, 1, 1 },
	{ "Suggestname", TAG_SUGGESTNAME, K_TEXT, 1, 1 },
	{ "Supplementname", TAG_SUPPLEMENTNAME, K_TEXT, 1, 1 },
	{ "Enhancename", TAG_ENHANCENAME, K_TEXT, 1, 1 },
};
#define NIX (sizeof(ixs) / sizeof(*ixs))

struct w {
	sqlite3 *db;
	sqlite3_stmt *pkg, *ins[NIX];
	const char *path;
	struct alu_err *e;
};

static int sql_fail(struct w *w, const char *what)
{
	return alu_err_set(w->e, -ALUE_DB, "%s: %s: %s", w->path, what,
			   w->db ? sqlite3_errmsg(w->db) : "cannot open");
}

static int exec(struct w *w, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(w->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		alu_err_set(w->e, -ALUE_DB, "%s: %s: %s", w->path, sql, err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return -ALUE_DB;
	}
	return 0;
}

/* rpm's init_table() and init_index() statements, table by table. */
static int schema(struct w *w)
{
	char sql[512];
	int r = exec(w, "CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
		     "blob BLOB NOT NULL)");

	for (size_t i = 0; !r && i < NIX; i++) {
		const char *t = ixs[i].table;
		snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS '%s' (key '%s' NOT NULL, "
			 "hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) "
			 "REFERENCES 'Packages'(hnum))", t, ixs[i].kind == K_TEXT ? "TEXT" : "BLOB");
		r = exec(w, sql);
		if (!r && ixs[i].key_idx) {
			snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS '%s_key_idx' ON '%s'(key ASC)", t, t);
			r = exec(w, sql);
		}
		if (!r && ixs[i].hnum_idx) {
			snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS '%s_hnum_idx' ON '%s'(hnum ASC)", t, t);
			r = exec(w, sql);
		}
	}
	return r;
}

static int prepare(struct w *w)
{
	char sql[256];

	if (sqlite3_prepare_v2(w->db, "INSERT INTO Packages (hnum, blob) VALUES (?, ?)", -1, &w->pkg, NULL))
		return sql_fail(w, "prepare");
	for (size_t i = 0; i < NIX; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO '%s' (key, hnum, idx) VALUES (?, ?, ?)", ixs[i].table);
		if (sqlite3_prepare_v2(w->db, sql, -1, &w->ins[i], NULL))
			return sql_fail(w, "prepare");
	}
	return 0;
}

static int row(struct w *w, size_t ix, const void *key, size_t klen, int text, uint32_t hnum,
	       uint32_t idx)
{
	sqlite3_stmt *st = w->ins[ix];
	int rc = text ? sqlite3_bind_text(st, 1, key, (int)klen, SQLITE_STATIC) :
		sqlite3_bind_blob(st, 1, key, (int)klen, SQLITE_STATIC);

	if (!rc)
		rc = sqlite3_bind_int64(st, 2, hnum);
	if (!rc)
		rc = sqlite3_bind_int64(st, 3, idx);
	if (!rc && sqlite3_step(st) != SQLITE_DONE)
		rc = 1;
	sqlite3_reset(st);
	return rc ? sql_fail(w, ixs[ix].table) : 0;
}

/* Is element @p i a requirement rpm keeps out of Requirename? */
static int transient_req(const struct alu_hdr *h, size_t i)
{
	size_t n;
	const uint32_t *fl = alu_hdr_u32v(h, TAG_REQUIREFLAGS, &n);

	return fl && i < n && (fl[i] & SENSE_INSTALL_ONLY) && !(fl[i] & SENSE_ERASE_ONLY);
}

static int index_text(struct w *w, size_t ix, const struct alu_hdr *h, uint32_t hnum)
{
	static const char *const unknown[] = { "Unknown", NULL };
	uint32_t tag = ixs[ix].tag;
	size_t n = 0, nti = 0;
	const char *const *v = alu_hdr_strv(h, tag, &n);
	const uint32_t *ti = NULL;
	int r = 0;

	if (!v || !n) {
		if (tag != TAG_GROUP)
			return 0;
		v = unknown;
		n = 1;
	}
	if (tag == TAG_GROUP || tag == TAG_NAME || tag == TAG_SHA1HEADER)
		n = 1;   /* scalar (an I18N group: its first, the C locale's) */
	if (tag == TAG_FILETRIGGERNAME)
		ti = alu_hdr_u32v(h, TAG_FILETRIGGERINDEX, &nti);
	if (tag == TAG_TRANSFILETRIGGERNAME)
		ti = alu_hdr_u32v(h, TAG_TRANSFILETRIGGERINDEX, &nti);
	for (size_t i = 0; i < n && !r; i++) {
		uint32_t idx = (uint32_t)i;
		if (tag == TAG_REQUIRENAME && transient_req(h, i))
			continue;
		if (tag == TAG_TRIGGERNAME) {
			size_t j = 0;
			while (j < i && strcmp(v[j], v[i]))
				j++;
			if (j < i)
				continue;
		}
		if (ti)
			idx = i < nti ? ti[i] : 0;
		r = row(w, ix, v[i], strlen(v[i]), 1, hnum, idx);
	}
	return r;
}

static int index_hdr(struct w *w, const struct alu_hdr *h, uint32_t hnum)
{
	int r = 0;

	for (size_t ix = 0; ix < NIX && !r; ix++) {
		if (ixs[ix].kind == K_TEXT) {
			r = index_text(w, ix, h, hnum);
		} else if (ixs[ix].kind == K_BLOB_U32) {
			uint32_t v;
			if (alu_hdr_u32(h, ixs[ix].tag, &v) == 0)
				r = row(w, ix, &v, sizeof(v), 0, hnum, 0);  /* host order, as td2key */
		} else {
			size_t len;
			const void *b = alu_hdr_bin(h, ixs[ix].tag, &len);
			if (b && len)
				r = row(w, ix, b, len, 0, hnum, 0);
		}
	}
	return r;
}

static int put_all(struct w *w, const struct alu_rpmdb_hdr *hs, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		struct alu_hdr *h = NULL;
		char what[64];

		snprintf(what, sizeof(what), "package #%u", hs[i].hnum);
		r = alu_hdr_parse(hs[i].blob, hs[i].len, what, &h, w->e);
		if (r)
			break;
		if (sqlite3_bind_int64(w->pkg, 1, hs[i].hnum) ||
		    sqlite3_bind_blob(w->pkg, 2, hs[i].blob, (int)hs[i].len, SQLITE_STATIC) ||
		    sqlite3_step(w->pkg) != SQLITE_DONE)
			r = sql_fail(w, "Packages");
		sqlite3_reset(w->pkg);
		if (!r)
			r = index_hdr(w, h, hs[i].hnum);
		alu_hdr_free(h);
	}
	return r;
}

static int fsync_path(const char *path, struct alu_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0 || fsync(fd))
		r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return r;
}

int alu_rpmdb_sqlite_write(const char *path, const struct alu_rpmdb_hdr *h, size_t n,
			   struct alu_err *e)
{
	struct w w = { .path = path, .e = e };
	int r;

	if (sqlite3_open_v2(path, &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		r = sql_fail(&w, "create");
		goto out;
	}
	r = exec(&w, "PRAGMA journal_mode = OFF");
	if (!r)
		r = exec(&w, "PRAGMA synchronous = OFF");
	if (!r)
		r = exec(&w, "BEGIN");
	if (!r)
		r = schema(&w);
	if (!r)
		r = prepare(&w);
	if (!r)
		r = put_all(&w, h, n);
	if (!r)
		r = exec(&w, "COMMIT");
	if (!r)
		r = exec(&w, "PRAGMA journal_mode = WAL");
out:
	sqlite3_finalize(w.pkg);
	for (size_t i = 0; i < NIX; i++)
		sqlite3_finalize(w.ins[i]);
	if (w.db && sqlite3_close(w.db) != SQLITE_OK && !r)
		r = alu_err_set(e, -ALUE_DB, "%s: close: %s", path, sqlite3_errmsg(w.db));
	if (!r)
		r = fsync_path(path, e);
	return r;
}
