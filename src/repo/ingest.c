/* SPDX-License-Identifier: MIT */
/*
 * Ingest: both package readers and the updateinfo reader feed one cache
 * write transaction. A full map aborts the transaction, grows the map and
 * starts over (the files are local by now, so a retry costs only parsing).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "db/cache.h"
#include "repo/repo.h"
#include "repo/repo_int.h"
#include "util/rootfs.h"

#define INGEST_TRIES 6

struct sink {
	struct alu_cache_wr *w;
	struct alu_err *e;
};

static int pkg_cb(void *ud, const struct alu_pkgrec *p)
{
	struct sink *s = ud;
	return alu_cache_write_pkg(s->w, p, s->e);
}

static int adv_cb(void *ud, const struct alu_advrec *a)
{
	struct sink *s = ud;
	return alu_cache_write_adv(s->w, a, s->e);
}

struct pkgs_src {
	const struct alu_ingest_src *src;
	const char *dbpath;
};

static int read_all(void *rctx, const struct alu_recs_cb *cb, struct alu_err *e)
{
	const struct pkgs_src *r = rctx;
	int rc;

	if (r->src->primary_sqlite)
		rc = alu_primary_sqlite_file_in(r->dbpath, cb->pkg, cb->ud, cb->arena, e);
	else
		rc = alu_primary_xml_file_in(r->src->primary_path, &r->src->primary_x, cb->pkg, cb->ud,
					     cb->arena, e);
	if (!rc && r->src->updateinfo_path)
		rc = alu_updateinfo_file_x(r->src->updateinfo_path, &r->src->updateinfo_x, cb->adv, cb->ud, e);
	return rc;
}

static int once(struct alu_cache *c, const char *repoid, const struct alu_ingest_src *src,
		const char *dbpath, struct alu_cache_repo *st, struct alu_err *e)
{
	struct sink s = { .e = e };
	struct pkgs_src r = { src, dbpath };
	const struct alu_recs_cb cb = { pkg_cb, adv_cb, &s, NULL };
	int rc = alu_cache_write_begin(c, repoid, &s.w, e);

	if (rc)
		return rc;
	/* parsing in a second thread, the cache writes here */
	rc = alu_recs_piped(read_all, &r, &cb, e);
	if (rc) {
		alu_cache_write_abort(s.w);
		return rc;
	}
	snprintf(st->primary_type, sizeof(st->primary_type), "%s",
		 src->primary_sqlite ? "primary_db" : "primary");
	return alu_cache_write_commit(s.w, st, e);
}

/*
 * The room is checked before any parsing: a full disk would otherwise be
 * found only when LMDB writes pages out, after most of the work. Ten times
 * the compressed files (the bench repository's cache is seven to eight times
 * its primary.xml.gz or primary.sqlite.bz2) and 4 MiB.
 */
static int room(const struct alu_ingest_src *src, struct alu_err *e)
{
	const char *files[] = { src->primary_path, src->updateinfo_path };
	uint64_t need = 4u << 20, have;
	struct statvfs v;
	struct stat st;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i] && !stat(files[i], &st))
			need += 10 * (uint64_t)st.st_size;
	if (statvfs(src->tmpdir, &v))
		return 0;   /* cannot tell: the write itself will say */
	have = (uint64_t)v.f_bavail * v.f_frsize;
	if (have >= need)
		return 0;
	return alu_err_set(e, -ALUE_NOSPACE, "%s: not enough disk space for the metadata cache"
			   " (%llu KiB free, about %llu KiB needed)", src->tmpdir,
			   (unsigned long long)(have >> 10), (unsigned long long)(need >> 10));
}

int alu_repo_ingest(struct alu_cache *c, const char *repoid, const struct alu_ingest_src *src,
		    struct alu_cache_repo *st, struct alu_err *e)
{
	char dbpath[4096] = "";
	int rc = room(src, e);

	if (rc)
		return rc;
	if (src->primary_sqlite) {
		/* SQLite needs a seekable plain file: decode next to the cache */
		if (snprintf(dbpath, sizeof(dbpath), "%s/%s.primary.sqlite.tmp", src->tmpdir, repoid)
		    >= (int)sizeof(dbpath))
			return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", src->tmpdir);
		rc = alu_decomp_to_file_x(src->primary_path, &src->primary_x, dbpath, e);
		if (rc)
			return rc;
	}
	for (int i = 0; i < INGEST_TRIES; i++) {
		alu_err_clear(e);
		rc = once(c, repoid, src, dbpath, st, e);
		if (rc != -ALUE_NOSPACE)
			break;
	}
	if (*dbpath)
		alu_root_unlink(dbpath, NULL);
	return rc;
}
