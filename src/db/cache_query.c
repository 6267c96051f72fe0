/* SPDX-License-Identifier: MIT */
/* Queries of the metadata cache: index lookups in the shared read txn. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache_int.h"
#include "db/db.h"

typedef int (*emit_fn)(struct alu_cache *c, MDB_txn *txn, uint64_t id, void *cb, void *ud,
		       struct alu_err *e);

static int emit_pkg(struct alu_cache *c, MDB_txn *txn, uint64_t id, void *cb, void *ud,
		    struct alu_err *e)
{
	const struct repo_slot *s = cache_slot(c, id);
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	struct alu_cpkg p;
	struct dec d;
	int rc;

	if (!s)
		return 0;
	cache_id(kb, id);
	rc = mdb_get(txn, c->dbi[DB_PKGS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;   /* an index entry without record cannot happen; be lenient */
	if (rc)
		return alu_db_rc(rc, "cache pkgs", e);
	d = (struct dec){ v.mv_data, v.mv_size, 0, 0 };
	if (cache_dec_pkg(&d, &p.r))
		return alu_err_set(e, -ALUE_CORRUPT, "cache: bad package record %llx "
				   "(run `alupdate clean metadata`)", (unsigned long long)id);
	p.id = id;
	p.repoid = s->id;
	p.raw = v.mv_data;
	p.rawlen = v.mv_size;
	return ((alu_cpkg_cb)cb)(ud, &p);
}

static int emit_adv(struct alu_cache *c, MDB_txn *txn, uint64_t id, void *cb, void *ud,
		    struct alu_err *e)
{
	const struct repo_slot *s = cache_slot(c, id);
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	struct alu_cadv a;
	struct dec d;
	int rc;

	if (!s)
		return 0;
	cache_id(kb, id);
	rc = mdb_get(txn, c->dbi[DB_ADVS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return alu_db_rc(rc, "cache advs", e);
	d = (struct dec){ v.mv_data, v.mv_size, 0, 0 };
	rc = cache_dec_adv(c, &d, &a.r);
	if (rc == -ENOMEM)
		return alu_err_set(e, rc, "out of memory");
	if (rc)
		return alu_err_set(e, -ALUE_CORRUPT, "cache: bad advisory record %llx "
				   "(run `alupdate clean metadata`)", (unsigned long long)id);
	a.id = id;
	a.repoid = s->id;
	return ((alu_cadv_cb)cb)(ud, &a);
}

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/*
 * Walk index @p db: every entry when @p pat is NULL, the entries of key
 * @p pat when it has no glob characters, else the keys matching it (scanning
 * from its literal prefix).
 */
static int walk(struct alu_cache *c, int db, const char *pat, emit_fn emit, void *cb, void *ud,
		struct alu_err *e)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	struct ckey ck;
	size_t plen = 0;
	int glob = pat && has_glob(pat), op, rc, crc = 0;
	char key[ALU_CACHE_KEYMAX + 1];

	rc = cache_rd(c, &txn, e);
	if (rc)
		return rc;
	rc = mdb_cursor_open(txn, c->dbi[db], &cur);
	if (rc)
		return alu_db_rc(rc, "cache", e);
	if (!pat) {
		op = MDB_FIRST;
	} else if (!glob) {
		cache_key(&ck, pat);
		k = ck.v;
		op = MDB_SET_KEY;
	} else {
		plen = strcspn(pat, "*?[\\");
		k.mv_data = (void *)pat;
		k.mv_size = plen;
		op = plen ? MDB_SET_RANGE : MDB_FIRST;
	}
	for (rc = mdb_cursor_get(cur, &k, &v, op); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, pat && !glob ? MDB_NEXT_DUP : MDB_NEXT)) {
		if (glob) {
			if (k.mv_size < plen || memcmp(k.mv_data, pat, plen))
				break;
			/* over-long keys are truncated + hashed: not matchable by glob */
			if (k.mv_size > ALU_CACHE_KEYMAX)
				continue;
			memcpy(key, k.mv_data, k.mv_size);
			key[k.mv_size] = 0;
			if (fnmatch(pat, key, 0))
				continue;
		}
		if (v.mv_size != 8)
			continue;
		crc = emit(c, txn, cache_id_get(v.mv_data), cb, ud, e);
		if (crc)
			break;
	}
	mdb_cursor_close(cur);
	if (crc)
		return crc;
	return rc == MDB_NOTFOUND ? 0 : alu_db_rc(rc, "cache", e);
}

int alu_cache_foreach_pkg(struct alu_cache *c, alu_cpkg_cb cb, void *ud, struct alu_err *e)
{
	return walk(c, DB_NAMES, NULL, emit_pkg, (void *)cb, ud, e);
}

int alu_cache_by_name(struct alu_cache *c, const char *pat, alu_cpkg_cb cb, void *ud,
		      struct alu_err *e)
{
	return walk(c, DB_NAMES, pat, emit_pkg, (void *)cb, ud, e);
}

/* The entries of key @p key exactly */
static int exact(struct alu_cache *c, int db, const char *key, alu_cpkg_cb cb, void *ud,
		 struct alu_err *e)
{
	struct ckey ck;
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_val k, v;
	int crc = 0, rc = cache_rd(c, &txn, e);

	if (rc)
		return rc;
	rc = mdb_cursor_open(txn, c->dbi[db], &cur);
	if (rc)
		return alu_db_rc(rc, "cache", e);
	cache_key(&ck, key);
	k = ck.v;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
		if (v.mv_size == 8 && (crc = emit_pkg(c, txn, cache_id_get(v.mv_data), (void *)cb, ud, e)))
			break;
	}
	mdb_cursor_close(cur);
	if (crc)
		return crc;
	return rc == MDB_NOTFOUND ? 0 : alu_db_rc(rc, "cache", e);
}

int alu_cache_by_provide(struct alu_cache *c, const char *name, alu_cpkg_cb cb, void *ud,
			 struct alu_err *e)
{
	/* capabilities hold '*' and '[' legitimately ("config(x)" never, but
	 * "perl(Foo::*)" can): exact lookups only */
	return exact(c, DB_PROVIDES, name, cb, ud, e);
}

int alu_cache_lookup(struct alu_cache *c, enum alu_cache_ix ix, const char *key, alu_cpkg_cb cb,
		     void *ud, struct alu_err *e)
{
	static const int db[] = { [ALU_CACHE_IX_NAME] = DB_NAMES,
		[ALU_CACHE_IX_PROVIDE] = DB_PROVIDES, [ALU_CACHE_IX_FILE] = DB_FILES,
		[ALU_CACHE_IX_REVDEP] = DB_REVDEPS };

	return exact(c, db[ix], key, cb, ud, e);
}

int alu_cache_by_file(struct alu_cache *c, const char *path, alu_cpkg_cb cb, void *ud,
		      struct alu_err *e)
{
	return walk(c, DB_FILES, path, emit_pkg, (void *)cb, ud, e);
}

int alu_cache_pkg_get(struct alu_cache *c, uint64_t id, alu_cpkg_cb cb, void *ud, struct alu_err *e)
{
	MDB_txn *txn;
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	int rc = cache_rd(c, &txn, e);

	if (rc)
		return rc;
	cache_id(kb, id);
	rc = mdb_get(txn, c->dbi[DB_PKGS], &k, &v);
	if (rc == MDB_NOTFOUND || !cache_slot(c, id))
		return -ENOENT;
	if (rc)
		return alu_db_rc(rc, "cache pkgs", e);
	return emit_pkg(c, txn, id, (void *)cb, ud, e);
}

int alu_cache_adv_get(struct alu_cache *c, uint64_t id, alu_cadv_cb cb, void *ud, struct alu_err *e)
{
	MDB_txn *txn;
	int rc = cache_rd(c, &txn, e);

	return rc ? rc : emit_adv(c, txn, id, (void *)cb, ud, e);
}

int alu_cache_foreach_adv(struct alu_cache *c, alu_cadv_cb cb, void *ud, struct alu_err *e)
{
	return walk(c, DB_ADVIDS, NULL, emit_adv, (void *)cb, ud, e);
}

int alu_cache_adv_by_id(struct alu_cache *c, const char *pat, alu_cadv_cb cb, void *ud,
			struct alu_err *e)
{
	return walk(c, DB_ADVIDS, pat, emit_adv, (void *)cb, ud, e);
}

int alu_cache_adv_by_cve(struct alu_cache *c, const char *pat, alu_cadv_cb cb, void *ud,
			 struct alu_err *e)
{
	return walk(c, DB_CVES, pat, emit_adv, (void *)cb, ud, e);
}

int alu_cache_adv_by_pkgname(struct alu_cache *c, const char *name, alu_cadv_cb cb, void *ud,
			     struct alu_err *e)
{
	return walk(c, DB_ADVPKGS, name, emit_adv, (void *)cb, ud, e);
}

/* Skip the scalar part of a package record (as cache_dec_pkg reads it). */
static int skip_scalars(const struct alu_cpkg *p, struct dec *d)
{
	struct alu_pkgrec tmp;

	*d = (struct dec){ p->raw, p->rawlen, 0, 0 };
	return cache_dec_pkg(d, &tmp);
}

/* The next kind's dependencies at @p d, into a new array when @p keep. */
static int dec_kind(struct dec *d, int keep, struct alu_dep **out, size_t *n)
{
	uint32_t cnt = dec_u32(d);
	struct alu_dep *v = NULL;

	if (d->err || cnt > (d->n - d->off) / CACHE_DEP_MIN)
		return -ALUE_CORRUPT;
	if (keep && !(v = calloc(cnt ? cnt : 1, sizeof(*v))))
		return -ENOMEM;
	for (uint32_t j = 0; j < cnt; j++) {
		const char *name = dec_str(d);
		uint32_t fl = dec_u32(d);
		const char *evr = dec_str(d);
		if (v)
			v[j] = (struct alu_dep){ name, fl, evr };
	}
	if (d->err) {
		free(v);
		return -ALUE_CORRUPT;
	}
	if (keep) {
		*out = v;
		*n = cnt;
	}
	return 0;
}

int alu_cache_pkg_deps(const struct alu_cpkg *p, enum alu_deptype t, struct alu_dep **out, size_t *n)
{
	struct dec d;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if ((unsigned)t >= ALU_DEPTYPE_N || skip_scalars(p, &d))
		return -ALUE_CORRUPT;
	for (int i = 0; !rc && i <= (int)t; i++)
		rc = dec_kind(&d, i == (int)t, out, n);
	return rc;
}

int alu_cache_pkg_deps_all(const struct alu_cpkg *p, struct alu_dep *out[ALU_DEPTYPE_N],
			   size_t n[ALU_DEPTYPE_N])
{
	struct dec d;
	int rc = 0;

	memset(out, 0, ALU_DEPTYPE_N * sizeof(*out));
	memset(n, 0, ALU_DEPTYPE_N * sizeof(*n));
	if (skip_scalars(p, &d))
		return -ALUE_CORRUPT;
	for (int i = 0; !rc && i < ALU_DEPTYPE_N; i++)
		rc = dec_kind(&d, 1, &out[i], &n[i]);
	for (int i = 0; rc && i < ALU_DEPTYPE_N; i++) {
		free(out[i]);
		out[i] = NULL;
		n[i] = 0;
	}
	return rc;
}

int alu_cache_pkg_files(const struct alu_cpkg *p, const char ***out, size_t *n)
{
	struct dec d;
	const char **v;
	uint32_t cnt;

	*out = NULL;
	*n = 0;
	if (skip_scalars(p, &d))
		return -ALUE_CORRUPT;
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		cnt = dec_u32(&d);
		for (uint32_t j = 0; j < cnt && !d.err; j++) {
			dec_str(&d);
			dec_u32(&d);
			dec_str(&d);
		}
	}
	cnt = dec_u32(&d);
	if (d.err || cnt > (d.n - d.off) / CACHE_STR_MIN)
		return -ALUE_CORRUPT;
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t j = 0; j < cnt; j++)
		v[j] = dec_str(&d);
	if (d.err) {
		free(v);
		return -ALUE_CORRUPT;
	}
	*out = v;
	*n = cnt;
	return 0;
}
