/* SPDX-License-Identifier: MIT */
/*
 * filelists.xml: <package pkgid=...> of <file [type=dir|ghost]>PATH</file>;
 * filelists_db: filelist(pkgKey, dirname, filenames '/'-joined, filetypes)
 * joined to packages(pkgKey, pkgId). Both give one call per path.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "repo/filelists.h"
#include "util/rootfs.h"
#include "repo/lazy.h"
#include "repo/xmlscan.h"
#include "util/out.h"

#define PATH_MAXLEN 8192

struct xwalk {
	struct xscan *xp;
	alu_flist_cb cb;
	void *ud;
	const char *repoid, *path;
	struct alu_err *e;
	int err, in_file;
	char pkgid[ALU_HEX_MAX];
	char text[PATH_MAXLEN];
	size_t n;
};

static void x_start(void *ud, const char *name, const char **atts)
{
	struct xwalk *w = ud;

	if (!strcmp(name, "package")) {
		w->pkgid[0] = 0;
		for (; atts[0]; atts += 2)
			if (!strcmp(atts[0], "pkgid"))
				snprintf(w->pkgid, sizeof(w->pkgid), "%s", atts[1]);
	} else if (!strcmp(name, "file")) {
		w->in_file = 1;
		w->n = 0;
	}
}

static void x_text(void *ud, const char *s, int n)
{
	struct xwalk *w = ud;

	if (!w->in_file || w->err)
		return;
	if (w->n + (size_t)n >= sizeof(w->text)) {
		w->err = alu_err_set(w->e, -ALUE_CORRUPT, "%s: line %lu: file name too long", w->path,
				     xscan_line(w->xp));
		xscan_stop(w->xp);
		return;
	}
	memcpy(w->text + w->n, s, (size_t)n);
	w->n += (size_t)n;
}

static void x_end(void *ud, const char *name)
{
	struct xwalk *w = ud;
	int rc;

	if (!w->in_file || strcmp(name, "file") || w->err)
		return;
	w->in_file = 0;
	w->text[w->n] = 0;
	if (!*w->pkgid) {
		w->err = alu_err_set(w->e, -ALUE_CORRUPT, "%s: line %lu: <file> outside a <package pkgid>",
				     w->path, xscan_line(w->xp));
		xscan_stop(w->xp);
		return;
	}
	if ((rc = w->cb(w->ud, w->repoid, w->pkgid, w->text))) {
		w->err = rc;
		xscan_stop(w->xp);
	}
}

static int x_feed(void *ud, const char *buf, size_t n)
{
	struct xwalk *w = ud;

	if (xscan_feed(w->xp, buf, n, 0)) {
		if (!w->err)
			w->err = alu_err_set(w->e, -ALUE_XML, "%s: line %lu: %s", w->path,
					     xscan_line(w->xp), xscan_error(w->xp));
		return w->err;
	}
	return 0;
}

static int from_xml(const char *path, const char *repoid, alu_flist_cb cb, void *ud, struct alu_err *e)
{
	struct xwalk w = { .cb = cb, .ud = ud, .repoid = repoid, .path = path, .e = e };
	int rc;

	if (!(w.xp = xscan_new(&w, x_start, x_end, x_text)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	rc = alu_decomp_each(path, x_feed, &w, e);
	if (!rc && xscan_feed(w.xp, "", 0, 1) && !w.err)
		w.err = alu_err_set(e, -ALUE_XML, "%s: line %lu: %s", path, xscan_line(w.xp),
				    xscan_error(w.xp));
	if (!rc)
		rc = w.err;
	xscan_free(w.xp);
	return rc;
}

static int from_sqlite(const char *db, const char *repoid, alu_flist_cb cb, void *ud, struct alu_err *e)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char path[PATH_MAXLEN];
	int rc = 0, s;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT p.pkgId, f.dirname, f.filenames FROM filelist f "
			       "JOIN packages p ON p.pkgKey = f.pkgKey", -1, &st, NULL) != SQLITE_OK) {
		rc = alu_err_set(e, -ALUE_DB, "%s: not a filelists_db: %s", db, h ? sqlite3_errmsg(h) : "out of memory");
		goto out;
	}
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *dir = (const char *)sqlite3_column_text(st, 1);
		const char *names = (const char *)sqlite3_column_text(st, 2);
		if (!id || !dir || !names) {
			rc = alu_err_set(e, -ALUE_CORRUPT, "%s: a filelist row with NULL fields", db);
			break;
		}
		/* filenames are '/'-joined base names (a name cannot hold '/') */
		for (const char *p = names; !rc && *p;) {
			const char *q = strchr(p, '/');
			size_t l = q ? (size_t)(q - p) : strlen(p);
			if (snprintf(path, sizeof(path), "%s/%.*s", strcmp(dir, "/") ? dir : "", (int)l, p) >=
			    (int)sizeof(path))
				rc = alu_err_set(e, -ALUE_CORRUPT, "%s: file name too long", db);
			else
				rc = cb(ud, repoid, id, path);
			p += l + (q ? 1 : 0);
		}
	}
	if (!rc && s != SQLITE_DONE)
		rc = alu_err_set(e, -ALUE_DB, "%s: %s", db, sqlite3_errmsg(h));
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	return rc;
}

int alu_filelists_file(const char *path, int sqlite, const char *tmpdir, const char *repoid,
		       alu_flist_cb cb, void *ud, struct alu_err *e)
{
	char db[4200];
	int rc;

	if (!sqlite)
		return from_xml(path, repoid, cb, ud, e);
	snprintf(db, sizeof(db), "%s/filelists.%ld.sqlite.tmp", tmpdir, (long)getpid());
	rc = alu_decomp_to_file(path, db, e);
	if (!rc)
		rc = from_sqlite(db, repoid, cb, ud, e);
	alu_root_unlink(db, NULL);
	return rc;
}

/* A filelists_db is decoded once (AL2's is tens of MB) and kept beside the
 * published file under its checksum; it goes when the repomd changes or
 * with clean metadata. */
static int from_db_cached(const struct alu_lazy *l, const char *dir, const char *repoid,
			  alu_flist_cb cb, void *ud, struct alu_err *e)
{
	char db[4300], tmp[4400];
	int rc = 0;

	snprintf(db, sizeof(db), "%s/%.64s-filelists.sqlite", dir, l->checksum);
	if (access(db, R_OK)) {
		snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", db, (long)getpid());
		rc = alu_decomp_to_file(l->path, tmp, e);
		if (!rc)
			rc = alu_root_rename(tmp, db, e);
		if (rc)
			alu_root_unlink(tmp, NULL);
	}
	return rc ? rc : from_sqlite(db, repoid, cb, ud, e);
}

struct flist_walk { alu_flist_cb cb; void *ud; const char *cachedir; };

static int flist_cb(void *ud, const struct alu_repo *r, const struct alu_lazy *l, struct alu_err *e)
{
	const struct flist_walk *w = ud;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s/" ALU_LAZY_DIR, w->cachedir, r->id);
	if (!strcmp(l->type, "filelists_db"))
		return from_db_cached(l, dir, r->id, w->cb, w->ud, e);
	return alu_filelists_file(l->path, 0, dir, r->id, w->cb, w->ud, e);
}

int alu_filelists_each(struct alu_repos *rp, int cacheonly, alu_flist_cb cb, void *ud,
		       struct alu_err *e)
{
	static const char *const types[] = { "filelists", "filelists_db", NULL };
	struct flist_walk w = { cb, ud, rp->conf.cachedir };

	return alu_repo_lazy_each(rp, types, cacheonly, flist_cb, &w, e);
}
