/* SPDX-License-Identifier: MIT */
/*
 * Replacing one repository in one write transaction: the old records and
 * every index entry they own are deleted, the new ones added, and the repo
 * state written last, so readers see either all of the old or all of the new.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache_int.h"
#include "db/db.h"

struct alu_cache_wr {
	struct alu_cache *c;
	MDB_txn *txn;
	char repoid[256];
	uint32_t idx;
	uint32_t next_pkg, next_adv;
	int full;              /* MDB_MAP_FULL seen: grow once the transaction is gone */
	struct enc buf;
};

static int wrc(struct alu_cache_wr *w, int rc, const char *what, struct alu_err *e)
{
	if (rc == MDB_MAP_FULL) {
		/* the caller aborts; growing needs no open transaction, so it happens then */
		w->full = 1;
		return alu_err_set(e, -ALUE_NOSPACE, "cache: map full while writing %s", what);
	}
	return alu_db_rc(rc, what, e);
}

/* Put an index entry; a repeated (key, id) pair is not an error. */
static int put_idx(struct alu_cache_wr *w, int db, const char *key, const unsigned char id[8])
{
	struct ckey k;
	MDB_val v = { 8, (void *)id };
	int rc;

	cache_key(&k, key);
	rc = mdb_put(w->txn, w->c->dbi[db], &k.v, &v, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : rc;
}

static int del_idx(MDB_txn *txn, MDB_dbi dbi, const char *key, const unsigned char id[8])
{
	struct ckey k;
	MDB_val v = { 8, (void *)id };
	int rc;

	cache_key(&k, key);
	rc = mdb_del(txn, dbi, &k.v, &v);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Delete every package of repository @p idx and its index entries. */
static int drop_pkgs(struct alu_cache *c, MDB_txn *txn, uint32_t idx)
{
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned char start[8];
	int rc;

	cache_id(start, (uint64_t)idx << 32);
	k.mv_data = start;
	k.mv_size = 8;
	rc = mdb_cursor_open(txn, c->dbi[DB_PKGS], &cur);
	if (rc)
		return rc;
	/* re-seek after each delete: simpler than trusting a cursor past a delete */
	for (;;) {
		k.mv_data = start;
		k.mv_size = 8;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc)
			break;
		unsigned char id[8];
		struct alu_pkgrec p;
		struct dec d = { v.mv_data, v.mv_size, 0, 0 };
		uint32_t n;

		if (k.mv_size != 8 || (uint32_t)(cache_id_get(k.mv_data) >> 32) != idx)
			break;
		memcpy(id, k.mv_data, 8);
		if (!cache_dec_pkg(&d, &p)) {
			rc = del_idx(txn, c->dbi[DB_NAMES], p.name, id);
			for (int t = 0; !rc && t < ALU_DEPTYPE_N && !d.err; t++) {
				n = dec_u32(&d);
				for (uint32_t i = 0; !rc && i < n && !d.err; i++) {
					const char *name = dec_str(&d);
					dec_u32(&d);
					dec_str(&d);
					if (t == ALU_PROVIDES && !d.err)
						rc = del_idx(txn, c->dbi[DB_PROVIDES], name, id);
				}
			}
			n = dec_u32(&d);
			for (uint32_t i = 0; !rc && i < n && !d.err; i++) {
				const char *f = dec_str(&d);
				if (!d.err)
					rc = del_idx(txn, c->dbi[DB_FILES], f, id);
			}
			if (rc)
				break;
		}
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int drop_advs(struct alu_cache *c, MDB_txn *txn, uint32_t idx)
{
	MDB_cursor *cur;
	MDB_val k, v;
	unsigned char start[8];
	int rc;

	cache_id(start, (uint64_t)idx << 32);
	k.mv_data = start;
	k.mv_size = 8;
	rc = mdb_cursor_open(txn, c->dbi[DB_ADVS], &cur);
	if (rc)
		return rc;
	/* re-seek after each delete: simpler than trusting a cursor past a delete */
	for (;;) {
		k.mv_data = start;
		k.mv_size = 8;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		if (rc)
			break;
		unsigned char id[8];
		struct alu_advrec a;
		struct dec d = { v.mv_data, v.mv_size, 0, 0 };

		if (k.mv_size != 8 || (uint32_t)(cache_id_get(k.mv_data) >> 32) != idx)
			break;
		memcpy(id, k.mv_data, 8);
		if (!cache_dec_adv(c, &d, &a)) {
			rc = del_idx(txn, c->dbi[DB_ADVIDS], a.id, id);
			for (size_t i = 0; !rc && i < a.nrefs; i++)
				if (!strcasecmp(a.refs[i].type, "cve") && *a.refs[i].id)
					rc = del_idx(txn, c->dbi[DB_CVES], a.refs[i].id, id);
			for (size_t i = 0; !rc && i < a.npkgs; i++)
				rc = del_idx(txn, c->dbi[DB_ADVPKGS], a.pkgs[i].name, id);
			if (rc)
				break;
		}
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The repository's index: its old one, or the next free one. */
static int repo_idx(struct alu_cache *c, MDB_txn *txn, const char *repoid, uint32_t *idx, int *existed)
{
	struct ckey k;
	MDB_val v, mk = { 9, "next_repo" };
	uint32_t next = 1;
	int rc;

	cache_key(&k, repoid);
	rc = mdb_get(txn, c->dbi[DB_REPOS], &k.v, &v);
	if (!rc) {
		struct alu_cache_repo r;
		struct dec d = { v.mv_data, v.mv_size, 0, 0 };
		if (!cache_dec_repo(&d, &r)) {
			*idx = r.idx;
			*existed = 1;
			return 0;
		}
	} else if (rc != MDB_NOTFOUND) {
		return rc;
	}
	*existed = 0;
	rc = mdb_get(txn, c->dbi[DB_META], &mk, &v);
	if (!rc && v.mv_size == sizeof(next))
		memcpy(&next, v.mv_data, sizeof(next));
	else if (rc && rc != MDB_NOTFOUND)
		return rc;
	*idx = next++;
	v.mv_data = &next;
	v.mv_size = sizeof(next);
	return mdb_put(txn, c->dbi[DB_META], &mk, &v, 0);
}

int alu_cache_write_begin(struct alu_cache *c, const char *repoid, struct alu_cache_wr **out,
			  struct alu_err *e)
{
	struct alu_cache_wr *w;
	int rc, existed;

	if (c->rdonly)
		return alu_err_set(e, -EROFS, "the metadata cache is read-only");
	if (strlen(repoid) >= sizeof(w->repoid))
		return alu_err_set(e, -EINVAL, "repository id too long: %s", repoid);
	w = calloc(1, sizeof(*w));
	if (!w)
		return alu_err_set(e, -ENOMEM, "out of memory");
	w->c = c;
	snprintf(w->repoid, sizeof(w->repoid), "%s", repoid);
	cache_rd_end(c);
	rc = mdb_txn_begin(c->env, NULL, 0, &w->txn);
	if (rc) {
		free(w);
		return alu_db_rc(rc, "cache", e);
	}
	rc = repo_idx(c, w->txn, repoid, &w->idx, &existed);
	if (!rc && existed)
		rc = drop_pkgs(c, w->txn, w->idx);
	if (!rc && existed)
		rc = drop_advs(c, w->txn, w->idx);
	if (rc) {
		rc = wrc(w, rc, repoid, e);
		alu_cache_write_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

int alu_cache_write_pkg(struct alu_cache_wr *w, const struct alu_pkgrec *p, struct alu_err *e)
{
	unsigned char id[8];
	MDB_val k = { 8, id }, v;
	int rc;

	if (w->next_pkg == UINT32_MAX)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: too many packages", w->repoid);
	cache_id(id, (uint64_t)w->idx << 32 | ++w->next_pkg);
	w->buf.n = 0;
	if (cache_enc_pkg(&w->buf, p))
		return alu_err_set(e, -ENOMEM, "out of memory");
	v.mv_data = w->buf.p;
	v.mv_size = w->buf.n;
	rc = mdb_put(w->txn, w->c->dbi[DB_PKGS], &k, &v, 0);
	if (!rc)
		rc = put_idx(w, DB_NAMES, p->name, id);
	for (size_t i = 0; !rc && i < p->ndeps[ALU_PROVIDES]; i++)
		rc = put_idx(w, DB_PROVIDES, p->deps[ALU_PROVIDES][i].name, id);
	for (size_t i = 0; !rc && i < p->nfiles; i++)
		rc = put_idx(w, DB_FILES, p->files[i], id);
	return rc ? wrc(w, rc, p->name, e) : 0;
}

int alu_cache_write_adv(struct alu_cache_wr *w, const struct alu_advrec *a, struct alu_err *e)
{
	unsigned char id[8];
	MDB_val k = { 8, id }, v;
	int rc;

	if (w->next_adv == UINT32_MAX)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: too many advisories", w->repoid);
	cache_id(id, (uint64_t)w->idx << 32 | ++w->next_adv);
	w->buf.n = 0;
	if (cache_enc_adv(&w->buf, a))
		return alu_err_set(e, -ENOMEM, "out of memory");
	v.mv_data = w->buf.p;
	v.mv_size = w->buf.n;
	rc = mdb_put(w->txn, w->c->dbi[DB_ADVS], &k, &v, 0);
	if (!rc)
		rc = put_idx(w, DB_ADVIDS, a->id, id);
	for (size_t i = 0; !rc && i < a->nrefs; i++)
		if (!strcasecmp(a->refs[i].type, "cve") && *a->refs[i].id)
			rc = put_idx(w, DB_CVES, a->refs[i].id, id);
	for (size_t i = 0; !rc && i < a->npkgs; i++)
		rc = put_idx(w, DB_ADVPKGS, a->pkgs[i].name, id);
	return rc ? wrc(w, rc, a->id, e) : 0;
}

int alu_cache_write_commit(struct alu_cache_wr *w, struct alu_cache_repo *st, struct alu_err *e)
{
	struct alu_cache *c = w->c;
	struct ckey k;
	MDB_val v;
	int rc;

	snprintf(st->id, sizeof(st->id), "%s", w->repoid);
	st->idx = w->idx;
	st->npkgs = w->next_pkg;
	st->nadvs = w->next_adv;
	w->buf.n = 0;
	if (cache_enc_repo(&w->buf, st)) {
		alu_cache_write_abort(w);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	cache_key(&k, w->repoid);
	v.mv_data = w->buf.p;
	v.mv_size = w->buf.n;
	rc = mdb_put(w->txn, c->dbi[DB_REPOS], &k.v, &v, 0);
	if (rc)
		rc = wrc(w, rc, w->repoid, e);
	else
		rc = cache_load_repos(c, w->txn, e);
	if (rc) {
		alu_cache_write_abort(w);
		return rc;
	}
	rc = mdb_txn_commit(w->txn);
	w->txn = NULL;
	if (rc)
		rc = wrc(w, rc, w->repoid, e);
	alu_cache_write_abort(w);
	return rc;
}

void alu_cache_write_abort(struct alu_cache_wr *w)
{
	if (!w)
		return;
	if (w->txn)
		mdb_txn_abort(w->txn);
	/* no transaction is open now: the moment to grow a full map */
	if (w->full)
		alu_db_grow(w->c->env);
	free(w->buf.p);
	free(w);
}

int alu_cache_repo_drop(struct alu_cache *c, const char *repoid, struct alu_err *e)
{
	MDB_txn *txn;
	struct ckey k;
	MDB_val v;
	struct alu_cache_repo r;
	struct dec d;
	int rc;

	if (c->rdonly)
		return alu_err_set(e, -EROFS, "the metadata cache is read-only");
	cache_rd_end(c);
	rc = mdb_txn_begin(c->env, NULL, 0, &txn);
	if (rc)
		return alu_db_rc(rc, "cache", e);
	cache_key(&k, repoid);
	rc = mdb_get(txn, c->dbi[DB_REPOS], &k.v, &v);
	if (rc == MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return -ENOENT;
	}
	d = (struct dec){ rc ? NULL : v.mv_data, rc ? 0 : v.mv_size, 0, 0 };
	if (!rc && cache_dec_repo(&d, &r))
		rc = MDB_CORRUPTED;
	if (!rc)
		rc = drop_pkgs(c, txn, r.idx);
	if (!rc)
		rc = drop_advs(c, txn, r.idx);
	if (!rc)
		rc = mdb_del(txn, c->dbi[DB_REPOS], &k.v, NULL);
	if (rc) {
		mdb_txn_abort(txn);
		return alu_db_rc(rc, repoid, e);
	}
	rc = cache_load_repos(c, txn, e);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return alu_db_rc(mdb_txn_commit(txn), repoid, e);
}
