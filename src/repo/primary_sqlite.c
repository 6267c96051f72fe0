/* SPDX-License-Identifier: MIT */
/*
 * The SQLite primary_db (schema version 10, as yum and createrepo_c write
 * it): `packages` keyed by pkgKey, and `provides`/`requires`/`conflicts`/
 * `obsoletes`/`files` rows pointing back at it. Records come out in pkgKey
 * order, their dependencies in row order, which is the order primary.xml
 * lists them in, so both readers feed the ingest the same records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "repo/repo_int.h"

static const char pkg_sql[] =
	"SELECT pkgKey, pkgId, name, arch, version, epoch, release, summary, description, url,"
	" time_file, time_build, rpm_license, rpm_vendor, rpm_group, rpm_buildhost,"
	" rpm_sourcerpm, rpm_header_start, rpm_header_end, rpm_packager, size_package,"
	" size_installed, size_archive, location_href, location_base, checksum_type"
	" FROM packages ORDER BY pkgKey";

static const char *const dep_tables[ALU_DEPTYPE_N] = {
	[ALU_REQUIRES] = "requires", [ALU_PROVIDES] = "provides",
	[ALU_CONFLICTS] = "conflicts", [ALU_OBSOLETES] = "obsoletes",
	/* createrepo_c writes these; AL2's primary_db (yum's) has no such tables */
	[ALU_RECOMMENDS] = "recommends", [ALU_SUGGESTS] = "suggests",
	[ALU_SUPPLEMENTS] = "supplements", [ALU_ENHANCES] = "enhances",
};

struct rd {
	sqlite3 *db;
	sqlite3_stmt *pkgs, *deps[ALU_DEPTYPE_N], *files;
	struct rarena arena;
	struct rarena **ext;     /* the caller's arena for record strings, or NULL */
	RVEC(struct alu_dep) dv[ALU_DEPTYPE_N];
	RVEC(const char *) fv;
	const char *path;
	struct alu_err *e;
};

static int dberr(struct rd *r, const char *what)
{
	return alu_err_set(r->e, -ALUE_DB, "%s: %s: %s", r->path, what, sqlite3_errmsg(r->db));
}

static struct rarena *strings(struct rd *r)
{
	return r->ext && *r->ext ? *r->ext : &r->arena;
}

static const char *col(struct rd *r, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *d = rarena_strdup(strings(r), t ? (const char *)t : "");
	return d;
}

static int col_u64(struct rd *r, sqlite3_stmt *st, int i, const char *name, uint64_t *out)
{
	sqlite3_int64 v;

	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		*out = 0;
		return 0;
	}
	if (sqlite3_column_type(st, i) == SQLITE_TEXT) {
		const char *t = (const char *)sqlite3_column_text(st, i);
		if (rparse_u64(t, 1, out))
			return alu_err_set(r->e, -ALUE_CORRUPT, "%s: package %s: bad %s '%s'",
					   r->path, sqlite3_column_text(st, 2), name, t);
		return 0;
	}
	v = sqlite3_column_int64(st, i);
	if (v < 0)
		return alu_err_set(r->e, -ALUE_CORRUPT, "%s: package %s: negative %s",
				   r->path, sqlite3_column_text(st, 2), name);
	*out = (uint64_t)v;
	return 0;
}

static int is_true(sqlite3_stmt *st, int i)
{
	const char *t;

	if (sqlite3_column_type(st, i) == SQLITE_INTEGER)
		return sqlite3_column_int(st, i) != 0;
	t = (const char *)sqlite3_column_text(st, i);
	return t && (!strcmp(t, "TRUE") || !strcmp(t, "true") || !strcmp(t, "1"));
}

static int read_deps(struct rd *r, int t, sqlite3_int64 key)
{
	sqlite3_stmt *st = r->deps[t];
	int rc;

	r->dv[t].n = 0;
	if (!st)
		return 0;   /* a weak-dependency table this primary_db does not have */
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct alu_dep d;
		const char *n = (const char *)sqlite3_column_text(st, 0);
		if (!n || !*n)
			return alu_err_set(r->e, -ALUE_CORRUPT, "%s: %s row without a name (pkgKey %lld)",
					   r->path, dep_tables[t], (long long)key);
		d.name = rarena_strdup(strings(r), n);
		d.flags = rdep_flags((const char *)sqlite3_column_text(st, 1));
		if (t == ALU_REQUIRES && is_true(st, 5))
			d.flags |= ALU_DEP_PREREQ;
		d.evr = rdep_evr(strings(r), (const char *)sqlite3_column_text(st, 2),
				 (const char *)sqlite3_column_text(st, 3),
				 (const char *)sqlite3_column_text(st, 4));
		if (!d.name || !d.evr || RVEC_PUSH(r->dv[t], d))
			return alu_err_set(r->e, -ENOMEM, "out of memory");
	}
	return rc == SQLITE_DONE ? 0 : dberr(r, dep_tables[t]);
}

static int read_files(struct rd *r, sqlite3_int64 key)
{
	sqlite3_stmt *st = r->files;
	int rc;

	r->fv.n = 0;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, key);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0), *d;
		if (!n || !*n)
			continue;
		d = rarena_strdup(strings(r), n);
		if (!d || RVEC_PUSH(r->fv, d))
			return alu_err_set(r->e, -ENOMEM, "out of memory");
	}
	return rc == SQLITE_DONE ? 0 : dberr(r, "files");
}

static int read_pkg(struct rd *r, struct alu_pkgrec *p)
{
	sqlite3_stmt *st = r->pkgs;
	sqlite3_int64 key = sqlite3_column_int64(st, 0);
	uint64_t ep;
	int rc;

	rarena_reset(&r->arena);
	memset(p, 0, sizeof(*p));
	p->pkgid = col(r, st, 1);
	p->name = col(r, st, 2);
	p->arch = col(r, st, 3);
	p->version = col(r, st, 4);
	p->release = col(r, st, 6);
	p->summary = col(r, st, 7);
	p->description = col(r, st, 8);
	p->url = col(r, st, 9);
	p->license = col(r, st, 12);
	p->vendor = col(r, st, 13);
	p->group = col(r, st, 14);
	p->buildhost = col(r, st, 15);
	p->sourcerpm = col(r, st, 16);
	p->packager = col(r, st, 19);
	p->location = col(r, st, 23);
	p->location_base = col(r, st, 24);
	p->checksum_type = col(r, st, 25);
	if (!p->pkgid || !p->name || !p->arch || !p->version || !p->release || !p->summary ||
	    !p->description || !p->url || !p->license || !p->vendor || !p->group ||
	    !p->buildhost || !p->sourcerpm || !p->packager || !p->location ||
	    !p->location_base || !p->checksum_type)
		return alu_err_set(r->e, -ENOMEM, "out of memory");
	if (!*p->name || !*p->arch || !*p->version || !*p->location)
		return alu_err_set(r->e, -ALUE_CORRUPT,
				   "%s: package '%s' lacks name, arch, version or location", r->path, p->name);
	if ((rc = col_u64(r, st, 5, "epoch", &ep)))
		return rc;
	if (ep > UINT32_MAX)
		return alu_err_set(r->e, -ALUE_CORRUPT, "%s: package %s: bad epoch", r->path, p->name);
	p->epoch = (uint32_t)ep;
	if ((rc = col_u64(r, st, 10, "time_file", &p->time_file)) ||
	    (rc = col_u64(r, st, 11, "time_build", &p->time_build)) ||
	    (rc = col_u64(r, st, 17, "rpm_header_start", &p->header_start)) ||
	    (rc = col_u64(r, st, 18, "rpm_header_end", &p->header_end)) ||
	    (rc = col_u64(r, st, 20, "size_package", &p->size_package)) ||
	    (rc = col_u64(r, st, 21, "size_installed", &p->size_installed)) ||
	    (rc = col_u64(r, st, 22, "size_archive", &p->size_archive)))
		return rc;
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		if ((rc = read_deps(r, t, key)))
			return rc;
		p->deps[t] = r->dv[t].v;
		p->ndeps[t] = r->dv[t].n;
	}
	if ((rc = read_files(r, key)))
		return rc;
	p->files = r->fv.v;
	p->nfiles = r->fv.n;
	return 0;
}

/* The per-package queries below look rows up by pkgKey. createrepo_c and
 * yum index that column; a primary_db without those indexes would make the
 * read quadratic (minutes for an AL2-size repository), so they are added to
 * our private decompressed copy when missing. */
static void index_pkgkey(sqlite3 *db)
{
	static const char *const tables[] = { "requires", "provides", "conflicts", "obsoletes", "files",
		"recommends", "suggests", "supplements", "enhances" };
	char sql[256];

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		sqlite3_stmt *st = NULL;
		int have = 0;
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'index'"
				       " AND tbl_name = ?1 AND sql LIKE '%(pkgKey)%'", -1, &st, NULL))
			return;
		sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
		have = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (have)
			continue;
		snprintf(sql, sizeof(sql), "CREATE INDEX IF NOT EXISTS alu_pkgkey_%s ON %s (pkgKey)",
			 tables[i], tables[i]);
		/* a table that does not exist fails here and again, clearly, in prepare() */
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
}

static int prepare(struct rd *r)
{
	char sql[256];

	if (sqlite3_prepare_v2(r->db, pkg_sql, -1, &r->pkgs, NULL))
		return dberr(r, "not a primary_db (packages)");
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		/* only requires has the `pre` column */
		snprintf(sql, sizeof(sql), "SELECT name, flags, epoch, version, release%s FROM %s"
			 " WHERE pkgKey = ? ORDER BY rowid", t == ALU_REQUIRES ? ", pre" : "",
			 dep_tables[t]);
		if (sqlite3_prepare_v2(r->db, sql, -1, &r->deps[t], NULL)) {
			if (t >= ALU_RECOMMENDS) {
				r->deps[t] = NULL;
				continue;
			}
			return dberr(r, "not a primary_db");
		}
	}
	if (sqlite3_prepare_v2(r->db, "SELECT name FROM files WHERE pkgKey = ? ORDER BY rowid",
			       -1, &r->files, NULL))
		return dberr(r, "not a primary_db (files)");
	return 0;
}

int alu_primary_sqlite_file(const char *dbpath, alu_pkgrec_cb cb, void *ud, struct alu_err *e)
{
	return alu_primary_sqlite_file_in(dbpath, cb, ud, NULL, e);
}

int alu_primary_sqlite_file_in(const char *dbpath, alu_pkgrec_cb cb, void *ud,
			       struct rarena **arena, struct alu_err *e)
{
	struct rd r = { .path = dbpath, .ext = arena, .e = e };
	struct alu_pkgrec rec;
	int rc;

	/* read-write: dbpath is the private copy ingest decompressed (see above) */
	if (sqlite3_open_v2(dbpath, &r.db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		index_pkgkey(r.db);
	} else {
		sqlite3_close(r.db);
		r.db = NULL;
		if (sqlite3_open_v2(dbpath, &r.db, SQLITE_OPEN_READONLY, NULL)) {
			rc = alu_err_set(e, -ALUE_DB, "%s: %s", dbpath,
					 r.db ? sqlite3_errmsg(r.db) : "cannot open");
			goto out;
		}
	}
	rc = prepare(&r);
	while (!rc) {
		int s = sqlite3_step(r.pkgs);
		if (s == SQLITE_DONE)
			break;
		if (s != SQLITE_ROW) {
			rc = dberr(&r, "packages");
			break;
		}
		rc = read_pkg(&r, &rec);
		if (!rc && (rc = cb(ud, &rec)))
			alu_err_set(e, rc, "%s: package %s: %s", dbpath, rec.name, alu_strerror(rc));
	}
out:
	sqlite3_finalize(r.pkgs);
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		sqlite3_finalize(r.deps[t]);
		free(r.dv[t].v);
	}
	sqlite3_finalize(r.files);
	sqlite3_close(r.db);
	rarena_free(&r.arena);
	free(r.fv.v);
	return rc;
}
