/* SPDX-License-Identifier: MIT */
/* Opening the metadata cache, its repository table and selection. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/cache_int.h"
#include "db/db.h"
#include "util/out.h"

#define CACHE_MAPSIZE ((size_t)4 << 30)   /* sparse; grown on MDB_MAP_FULL */

static const char *const db_names[DB_N] = {
	[DB_META] = "meta", [DB_REPOS] = "repos", [DB_PKGS] = "pkgs", [DB_NAMES] = "names",
	[DB_PROVIDES] = "provides", [DB_FILES] = "files", [DB_ADVS] = "advs",
	[DB_ADVIDS] = "advids", [DB_ADVPKGS] = "advpkgs", [DB_CVES] = "cves",
	[DB_REVDEPS] = "revdeps",
};

static unsigned db_flags(int i)
{
	switch (i) {
	case DB_NAMES: case DB_PROVIDES: case DB_FILES: case DB_ADVIDS: case DB_ADVPKGS:
	case DB_CVES: case DB_REVDEPS:
		return MDB_DUPSORT | MDB_DUPFIXED;
	default:
		return 0;
	}
}

static int put_schema(struct alu_cache *c, MDB_txn *txn)
{
	MDB_val k = { 6, "schema" }, v;
	uint32_t s = ALU_CACHE_SCHEMA;

	v.mv_data = &s;
	v.mv_size = sizeof(s);
	return mdb_put(txn, c->dbi[DB_META], &k, &v, 0);
}

/*
 * A cache written by another alupdate (another schema) holds nothing that
 * cannot be fetched again: a writer empties it and goes on as on a new
 * cache; a reader cannot, and says what to run.
 */
static int other_schema(struct alu_cache *c, MDB_txn *txn, const MDB_val *v, struct alu_err *e)
{
	uint32_t s = 0;
	int rc = 0;

	if (v->mv_size == sizeof(s))
		memcpy(&s, v->mv_data, sizeof(s));
	if (c->rdonly)
		return alu_err_set(e, -ALUE_DB, "cache: schema %u, this alupdate reads %u"
				   " (run `alupdate makecache` where the cache is writable)",
				   s, ALU_CACHE_SCHEMA);
	for (int i = 0; i < DB_N && !rc; i++)
		rc = mdb_drop(txn, c->dbi[i], 0);
	return rc ? alu_db_rc(rc, "cache", e) : 0;
}

static int open_dbs(struct alu_cache *c, struct alu_err *e)
{
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v;
	int rc = mdb_txn_begin(c->env, NULL, c->rdonly ? MDB_RDONLY : 0, &txn);

	if (rc)
		return alu_db_rc(rc, "cache", e);
	for (int i = 0; i < DB_N && !rc; i++)
		rc = mdb_dbi_open(txn, db_names[i], db_flags(i) | (c->rdonly ? 0 : MDB_CREATE), &c->dbi[i]);
	if (rc == MDB_NOTFOUND) {
		/* a read-only open of a cache that was never written */
		mdb_txn_abort(txn);
		return alu_err_set(e, -ENOENT, "no metadata cache yet");
	}
	if (!rc) {
		uint32_t s;
		rc = mdb_get(txn, c->dbi[DB_META], &k, &v);
		if (!rc && (v.mv_size != sizeof(s) || (memcpy(&s, v.mv_data, sizeof(s)), s != ALU_CACHE_SCHEMA))) {
			rc = other_schema(c, txn, &v, e);
			if (rc) {
				mdb_txn_abort(txn);
				return rc;
			}
			rc = MDB_NOTFOUND;
		}
		if (rc == MDB_NOTFOUND)
			rc = c->rdonly ? 0 : put_schema(c, txn);
	}
	if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND) {
		mdb_txn_abort(txn);
		return alu_err_set(e, -ALUE_CORRUPT, "damaged database: %s", mdb_strerror(rc));
	}
	if (rc) {
		mdb_txn_abort(txn);
		return alu_db_rc(rc, "cache", e);
	}
	rc = cache_load_repos(c, txn, e);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	rc = mdb_txn_commit(txn);
	return alu_db_rc(rc, "cache", e);
}

static int open_env(struct alu_cache *c, const char *dir, struct alu_err *e)
{
	int rc = alu_db_open(dir, c->rdonly ? ALU_DBF_RDONLY : ALU_DBF_CREATE | ALU_DBF_NOMETASYNC,
			     DB_N + 1, CACHE_MAPSIZE, &c->env, e);

	if (!rc && (rc = open_dbs(c, e)) == -ALUE_CORRUPT) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		snprintf(e->msg, sizeof(e->msg), "%s/data.mdb: %s", dir, msg);
	}
	if (rc && c->env) {
		alu_db_close(c->env);
		c->env = NULL;
	}
	return rc;
}

/* Remove the files of a damaged cache environment (nothing else is there). */
static int discard(struct alu_cache *c, const char *dir, struct alu_err *e)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	char p[4200];

	(void)c;
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		if (unlink(p) < 0 && errno != ENOENT)
			return alu_err_set(e, -errno, "%s: %s", p, strerror(errno));
	}
	return 0;
}

int alu_cache_open(const char *cachedir, unsigned flags, struct alu_cache **out, struct alu_err *e)
{
	struct alu_cache *c = calloc(1, sizeof(*c));
	char dir[4096];
	int rc;

	if (!c)
		return alu_err_set(e, -ENOMEM, "out of memory");
	c->select_all = 1;
	if (snprintf(dir, sizeof(dir), "%s/%s", cachedir, ALU_CACHE_DIR) >= (int)sizeof(dir)) {
		free(c);
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", cachedir);
	}
	c->rdonly = !!(flags & ALU_CACHEF_RDONLY);
	if (!c->rdonly && access(cachedir, F_OK) == 0 && access(cachedir, W_OK) != 0)
		c->rdonly = 1;
	rc = open_env(c, dir, e);
	if (rc == -ALUE_CORRUPT && !c->rdonly) {
		/* disposable: a damaged cache is dropped and fetched again */
		alu_warn("%s (the metadata cache: discarded, the metadata is fetched again)", e->msg);
		alu_err_clear(e);
		rc = discard(c, dir, e);
		if (!rc)
			rc = open_env(c, dir, e);
	} else if (rc == -ALUE_CORRUPT) {
		size_t l = strlen(e->msg);
		snprintf(e->msg + l, sizeof(e->msg) - l, " (the metadata cache: run `alupdate"
			 " makecache` where it is writable to rebuild it)");
	}
	if (rc) {
		alu_cache_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void free_repos(struct alu_cache *c)
{
	for (size_t i = 0; i < c->nrepos; i++)
		free(c->repos[i].id);
	free(c->repos);
	c->repos = NULL;
	c->nrepos = 0;
}

void alu_cache_close(struct alu_cache *c)
{
	if (!c)
		return;
	cache_rd_end(c);
	if (c->env)
		alu_db_close(c->env);
	free_repos(c);
	free(c->refs);
	free(c->pkgs);
	free(c);
}

int cache_rd(struct alu_cache *c, MDB_txn **out, struct alu_err *e)
{
	int rc = c->rd ? 0 : mdb_txn_begin(c->env, NULL, MDB_RDONLY, &c->rd);

	if (rc)
		c->rd = NULL;
	/* set on failure too: callers' compilers cannot see that it is not used then */
	*out = c->rd;
	return alu_db_rc(rc, "cache", e);
}

int cache_wr_txn(struct alu_cache *c, MDB_txn **out, struct alu_err *e)
{
	if (c->rdonly)
		return alu_err_set(e, -EROFS, "the metadata cache is read-only");
	/* queries after this write must see it, and an open snapshot would keep
	 * the pages the write frees from being reused */
	cache_rd_end(c);
	return alu_db_rc(mdb_txn_begin(c->env, NULL, 0, out), "cache", e);
}

void cache_rd_end(struct alu_cache *c)
{
	if (c->rd)
		mdb_txn_abort(c->rd);
	c->rd = NULL;
}

int cache_load_repos(struct alu_cache *c, MDB_txn *txn, struct alu_err *e)
{
	MDB_cursor *cur;
	MDB_val k, v;
	struct repo_slot *old = c->repos;
	size_t nold = c->nrepos;
	struct repo_slot *nv = NULL;
	size_t n = 0;
	int rc = mdb_cursor_open(txn, c->dbi[DB_REPOS], &cur);

	if (rc)
		return alu_db_rc(rc, "cache repos", e);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct alu_cache_repo r;
		struct dec d = { v.mv_data, v.mv_size, 0, 0 };
		struct repo_slot *p = realloc(nv, (n + 1) * sizeof(*nv));
		if (!p) {
			rc = -ENOMEM;
			break;
		}
		nv = p;
		if (cache_dec_repo(&d, &r)) {
			rc = -ALUE_CORRUPT;
			break;
		}
		nv[n].idx = r.idx;
		nv[n].selected = 1;
		nv[n].id = strndup(k.mv_data, k.mv_size);
		if (!nv[n].id) {
			rc = -ENOMEM;
			break;
		}
		/* keep an earlier selection across reloads */
		for (size_t i = 0; i < nold; i++)
			if (!strcmp(old[i].id, nv[n].id))
				nv[n].selected = old[i].selected;
		n++;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		for (size_t i = 0; i < n; i++)
			free(nv[i].id);
		free(nv);
		if (rc == -ENOMEM)
			return alu_err_set(e, rc, "out of memory");
		if (rc == -ALUE_CORRUPT)
			return alu_err_set(e, rc, "cache: bad repository record");
		return alu_db_rc(rc, "cache repos", e);
	}
	free_repos(c);
	c->repos = nv;
	c->nrepos = n;
	return 0;
}

const struct repo_slot *cache_slot(const struct alu_cache *c, uint64_t id)
{
	uint32_t idx = (uint32_t)(id >> 32);

	for (size_t i = 0; i < c->nrepos; i++)
		if (c->repos[i].idx == idx)
			return (c->select_all || c->repos[i].selected) ? &c->repos[i] : NULL;
	return NULL;
}

int alu_cache_select(struct alu_cache *c, const char *const *ids, size_t n, struct alu_err *e)
{
	(void)e;
	c->select_all = !ids;
	for (size_t i = 0; i < c->nrepos; i++) {
		c->repos[i].selected = 0;
		for (size_t j = 0; ids && j < n; j++)
			if (!strcmp(ids[j], c->repos[i].id))
				c->repos[i].selected = 1;
	}
	return 0;
}

int alu_cache_repo_get(struct alu_cache *c, const char *repoid, struct alu_cache_repo *out,
		       struct alu_err *e)
{
	MDB_txn *txn;
	struct ckey k;
	MDB_val v;
	struct dec d;
	int rc = cache_rd(c, &txn, e);

	if (rc)
		return rc;
	cache_key(&k, repoid);
	rc = mdb_get(txn, c->dbi[DB_REPOS], &k.v, &v);
	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc)
		return alu_db_rc(rc, "cache repos", e);
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", repoid);
	d = (struct dec){ v.mv_data, v.mv_size, 0, 0 };
	if (cache_dec_repo(&d, out))
		return alu_err_set(e, -ALUE_CORRUPT, "cache: bad record of repository %s", repoid);
	return 0;
}

/* Rewrite the fetched time (and mirror) of one or all repositories. */
static int touch(struct alu_cache *c, const char *repoid, int64_t fetched, const char *mirror,
		 struct alu_err *e)
{
	MDB_txn *txn;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc, found = 0;

	rc = cache_wr_txn(c, &txn, e);
	if (rc)
		return rc;
	rc = mdb_cursor_open(txn, c->dbi[DB_REPOS], &cur);
	for (rc = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct alu_cache_repo r;
		struct dec d = { v.mv_data, v.mv_size, 0, 0 };
		struct enc b = { 0 };
		if (repoid && (k.mv_size != strlen(repoid) || memcmp(k.mv_data, repoid, k.mv_size)))
			continue;
		memset(&r, 0, sizeof(r));
		if (cache_dec_repo(&d, &r))
			continue;
		r.fetched = fetched;
		if (mirror)
			snprintf(r.mirror, sizeof(r.mirror), "%s", mirror);
		if (cache_enc_repo(&b, &r)) {
			free(b.p);
			rc = -ENOMEM;
			break;
		}
		v.mv_data = b.p;
		v.mv_size = b.n;
		rc = mdb_cursor_put(cur, &k, &v, MDB_CURRENT);
		free(b.p);
		if (rc)
			break;
		found = 1;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return rc == -ENOMEM ? alu_err_set(e, rc, "out of memory") : alu_db_rc(rc, "cache", e);
	}
	rc = mdb_txn_commit(txn);
	if (rc)
		return alu_db_rc(rc, "cache", e);
	return repoid && !found ? -ENOENT : 0;
}

int alu_cache_repo_touch(struct alu_cache *c, const char *repoid, int64_t fetched,
			 const char *mirror, struct alu_err *e)
{
	return touch(c, repoid, fetched, mirror, e);
}

int alu_cache_expire_all(struct alu_cache *c, struct alu_err *e)
{
	return touch(c, NULL, 0, NULL, e);
}
