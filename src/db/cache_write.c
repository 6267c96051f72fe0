/* SPDX-License-Identifier: MIT */
/*
 * Replacing one repository in one write transaction: the old records and
 * every index entry they own are deleted, the new ones added, and the repo
 * state written last, so readers see either all of the old or all of the new.
 *
 * Index entries (name, provide, file, advisory id, CVE, advisory package ->
 * record id) are not put as they come: a put in random key order descends
 * the B-tree from its root, comparing keys on every level. They are gathered
 * in a batch, sorted as LMDB orders them and put through one cursor per
 * table, so that LMDB finds most positions on the page its cursor is already
 * on; each key is put once with all its ids (MDB_MULTIPLE); and where a batch
 * sorts after everything in its table (an empty table, a new repository's
 * records) it is appended, which also fills pages instead of splitting them
 * in halves. An old repository's entries are deleted through the same batch.
 *
 * A replaced repository keeps its index, so its new records take the keys of
 * the old ones and overwrite them in place; only those beyond the new count
 * are deleted. Deleting a long run of keys is what LMDB does worst: each
 * delete from an underfilled page pulls a node over from its neighbour.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/cache_int.h"
#include "db/db.h"

/* Key bytes are copied into blocks of this size (a key is at most
 * ALU_CACHE_KEYMAX + 8 bytes). A batch whose entries and keys take more than
 * IX_MAX_BYTES is applied before it grows on, so that a huge repository costs
 * a few batches, not all memory (vectors grown by doubling hold up to twice). */
#define IX_BLOCK ((size_t)256 << 10)
#define IX_MAX_BYTES ((size_t)8 << 20)

struct ixbatch {
	struct ixvec t[DB_N];       /* by table; only the index tables are used */
	unsigned char **blk;        /* key blocks, the last one being filled */
	size_t nblk, used;          /* blocks, bytes used of the last */
	size_t bytes;               /* of the queued entries and their keys */
	unsigned char *ids;         /* one key's ids, big endian, for MDB_MULTIPLE */
	size_t capids;
};

struct alu_cache_wr {
	struct alu_cache *c;
	MDB_txn *txn;
	MDB_cursor *cur[DB_N];      /* NULL for meta and repos */
	char repoid[256];
	uint32_t idx;
	/* of pkgs and advs: records written, records of the old contents, and
	 * the put flags of records beyond those (MDB_APPEND when valid) */
	uint32_t n[DB_N], old[DB_N];
	unsigned rec_put[DB_N];
	int full;                   /* MDB_MAP_FULL seen: grow once the transaction is gone */
	size_t unflushed;           /* record bytes put since the last writeback_start */
	size_t keys_put;            /* index keys put (alu_db_trim every TRIM_EVERY_KEYS) */
	/* ids of old records that did not decode, by record table, ascending */
	uint64_t *lost[DB_N];
	size_t nlost[DB_N], caplost[DB_N];
	struct enc buf;
	struct ixbatch ix;
};

/* Map an LMDB code (positive) or one of ours (negative) to our contract. */
static int wrc(struct alu_cache_wr *w, int rc, const char *what, struct alu_err *e)
{
	if (rc == MDB_MAP_FULL) {
		/* the caller aborts; growing needs no open transaction, so it happens then */
		w->full = 1;
		return alu_err_set(e, -ALUE_NOSPACE, "cache: map full while writing %s", what);
	}
	if (rc == -ENOMEM)
		return alu_err_set(e, rc, "out of memory");
	if (rc < 0)
		return alu_err_set(e, rc, "cache: %s: %s", what, alu_strerror(rc));
	return alu_db_rc(rc, what, e);
}

/*
 * The pages of the map an ingest reads (index trees it merges into, records
 * it replaces) are the file's, and count in this process's RSS: ten
 * repositories of 25,000 entries make a 180 MB file whose index pages the
 * last ingest walks. Dropping them from the process every few MB keeps
 * RSS to what is being worked on. The map is shared and read-only, so
 * its content is unchanged: a page read again is faulted back in from the
 * page cache (a minor fault), and pointers into it stay valid.
 */
#define TRIM_EVERY_KEYS 16384

/*
 * LMDB writes a large transaction's pages out as it goes (it spills them:
 * its dirty list is kept small, vendor/lmdb.sh) and syncs them all at commit.
 * Asking the kernel to start writing those pages now lets the disk work
 * while the rest is parsed and the indexes built, so that the commit's sync
 * waits for little. Only a hint: the pages are this transaction's own, which
 * no committed meta page refers to yet, and the commit's sync is what counts.
 */
#define WRITEBACK_EVERY ((size_t)4 << 20)

static void writeback_start(struct alu_cache_wr *w)
{
	int fd;

	w->unflushed = 0;
	if (!mdb_env_get_fd(w->c->env, &fd))
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	alu_db_trim(w->c->env);
}

/* ---- the index batch ------------------------------------------------------ */

static uint64_t key_pfx(const unsigned char *k, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < 8; i++)
		v = v << 8 | (i < n ? k[i] : 0);
	return v;
}

static unsigned char *ix_keymem(struct ixbatch *b, size_t n)
{
	unsigned char **nb;

	if (!b->nblk || IX_BLOCK - b->used < n) {
		nb = realloc(b->blk, (b->nblk + 1) * sizeof(*nb));
		if (!nb)
			return NULL;
		b->blk = nb;
		b->blk[b->nblk] = malloc(IX_BLOCK);
		if (!b->blk[b->nblk])
			return NULL;
		b->nblk++;
		b->used = 0;
	}
	b->used += n;
	return b->blk[b->nblk - 1] + b->used - n;
}

/* Queue index entry (@p s, @p n bytes) -> @p id of table @p db. */
static int ix_add(struct ixbatch *b, int db, const char *s, size_t n, uint64_t id)
{
	struct ixvec *t = &b->t[db];
	struct ckey k;
	unsigned char *dst;

	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 4096;
		struct ixent *nv = realloc(t->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		t->v = nv;
		t->cap = nc;
	}
	cache_keyn(&k, s, n);
	dst = ix_keymem(b, k.v.mv_size);
	if (!dst)
		return -ENOMEM;
	memcpy(dst, k.v.mv_data, k.v.mv_size);
	b->bytes += sizeof(*t->v) + k.v.mv_size;
	t->v[t->n++] = (struct ixent){ key_pfx(dst, k.v.mv_size), id, dst, k.v.mv_size };
	return 0;
}

/* Forget the queued entries; keep one key block and the vectors for reuse. */
static void ix_reset(struct ixbatch *b)
{
	for (size_t i = 1; i < b->nblk; i++)
		free(b->blk[i]);
	b->nblk = b->nblk ? 1 : 0;
	b->used = 0;
	b->bytes = 0;
	for (int i = 0; i < DB_N; i++)
		b->t[i].n = 0;
}

static void ix_free(struct ixbatch *b)
{
	for (size_t i = 0; i < b->nblk; i++)
		free(b->blk[i]);
	free(b->blk);
	for (int i = 0; i < DB_N; i++)
		free(b->t[i].v);
	free(b->ids);
}

/* Does @p k sort after every key of @p cur's table (or is it empty)? */
static int sorts_last(MDB_txn *txn, MDB_dbi dbi, MDB_cursor *cur, const MDB_val *k)
{
	MDB_val last, v;
	int rc = mdb_cursor_get(cur, &last, &v, MDB_LAST);

	if (rc)
		return rc == MDB_NOTFOUND;
	return mdb_cmp(txn, dbi, k, &last) > 0;
}

/* Put entries @p v of table @p db in sorted order @p o, each key once with
 * all its ids. */
static int ix_put(struct alu_cache_wr *w, int db, const struct ixent *v, const uint32_t *o,
		  size_t n)
{
	MDB_cursor *cur = w->cur[db];
	struct ixbatch *b = &w->ix;
	MDB_val k = { v[o[0]].len, (void *)v[o[0]].key };
	unsigned fl = MDB_MULTIPLE;
	size_t i, j, nid;
	int rc = 0;

	/* appending keeps LMDB from searching and from half-filling pages */
	if (sorts_last(w->txn, w->c->dbi[db], cur, &k))
		fl |= MDB_APPEND | MDB_APPENDDUP;
	for (i = 0; i < n && !rc; i = j) {
		const struct ixent *x = &v[o[i]];
		for (j = i + 1; j < n && !cache_key_cmp(x, &v[o[j]]); j++)
			;
		if (8 * (j - i) > b->capids) {
			unsigned char *p = realloc(b->ids, 8 * (j - i));
			if (!p)
				return -ENOMEM;
			b->ids = p;
			b->capids = 8 * (j - i);
		}
		nid = 0;
		for (size_t m = i; m < j; m++)
			/* one package may list a provide or file twice */
			if (m == i || v[o[m]].id != v[o[m - 1]].id)
				cache_id(b->ids + 8 * nid++, v[o[m]].id);
		MDB_val d[2] = { { 8, b->ids }, { nid, NULL } };
		k = (MDB_val){ x->len, (void *)x->key };
		rc = mdb_cursor_put(cur, &k, d, fl);
		if (++w->keys_put % TRIM_EVERY_KEYS == 0)
			alu_db_trim(w->c->env);
	}
	return rc;
}

/* Delete the ids @p o[0..n) (sorted) of one key from @p cur's table; absent
 * ones are no error. A key whose ids are all of this repository goes whole:
 * ids sort by repository first, so the first and the last tell. */
static int del_key(MDB_cursor *cur, const struct ixent *v, const uint32_t *o, size_t n)
{
	const struct ixent *x = &v[o[0]];
	uint64_t idx = x->id >> 32;
	unsigned char id[8];
	MDB_val k = { x->len, (void *)x->key }, first, last;
	int rc = mdb_cursor_get(cur, &k, &first, MDB_SET);

	if (!rc)
		rc = mdb_cursor_get(cur, &k, &last, MDB_LAST_DUP);
	if (rc)
		return rc == MDB_NOTFOUND ? 0 : rc;
	if (first.mv_size == 8 && last.mv_size == 8 && cache_id_get(first.mv_data) >> 32 == idx &&
	    cache_id_get(last.mv_data) >> 32 == idx)
		return mdb_cursor_del(cur, MDB_NODUPDATA);
	for (size_t i = 0; i < n && !rc; i++) {
		MDB_val d = { 8, id };
		if (i && v[o[i]].id == v[o[i - 1]].id)
			continue;
		cache_id(id, v[o[i]].id);
		rc = mdb_cursor_get(cur, &k, &d, MDB_GET_BOTH);
		if (!rc)
			rc = mdb_cursor_del(cur, 0);
		else if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	return rc;
}

/* Delete entries @p v from table @p db in sorted order @p o. */
static int ix_del(struct alu_cache_wr *w, int db, const struct ixent *v, const uint32_t *o,
		  size_t n)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; i < n && !rc; i = j) {
		for (j = i + 1; j < n && !cache_key_cmp(&v[o[i]], &v[o[j]]); j++)
			;
		rc = del_key(w->cur[db], v, o + i, j - i);
	}
	return rc;
}

/* Apply the batch: put its entries, or delete them when @p del. */
static int ix_flush(struct alu_cache_wr *w, int del)
{
	struct ixsort *so;
	size_t total = 0;
	int rc = 0;

	for (int db = 0; db < DB_N; db++)
		total += w->ix.t[db].n;
	if (!total)
		return 0;
	so = cache_ixsort_start(w->ix.t);
	if (!so)
		return -ENOMEM;
	/* table by table, each as soon as it is sorted */
	for (int db = 0; db < DB_N && !rc; db++) {
		struct ixvec *t = &w->ix.t[db];
		const uint32_t *o = cache_ixsort_get(so, db);
		if (o)
			rc = del ? ix_del(w, db, t->v, o, t->n) : ix_put(w, db, t->v, o, t->n);
	}
	/* after an error the helper finishes its sorts before the batch goes */
	cache_ixsort_end(so);
	ix_reset(&w->ix);
	return rc;
}

/* ---- which index entries a record owns ----------------------------------- */

struct revkey { struct alu_cache_wr *w; uint64_t id; };

static int revkey_add(void *ud, const char *s, size_t n)
{
	struct revkey *k = ud;
	return ix_add(&k->w->ix, DB_REVDEPS, s, n, k->id);
}

/* revdeps: the names a package obsoletes, and those its Supplements name */
static int revdep_keys(struct alu_cache_wr *w, int t, const char *s, size_t len, uint64_t id)
{
	struct revkey k = { w, id };

	if (t == ALU_OBSOLETES)
		return ix_add(&w->ix, DB_REVDEPS, s, len, id);
	return t == ALU_SUPPLEMENTS ? alu_cache_dep_names(s, revkey_add, &k) : 0;
}

/* Queue the index entries of package record @p rec (id @p id). */
static int pkg_keys(struct alu_cache_wr *w, const void *rec, size_t n, uint64_t id)
{
	struct dec d = { rec, n, 0, 0 };
	const char *s;
	size_t len;
	uint32_t cnt;
	int rc = cache_dec_pkg_name(&d, &s, &len);

	if (!rc)
		rc = ix_add(&w->ix, DB_NAMES, s, len, id);
	for (int t = 0; !rc && t < ALU_DEPTYPE_N; t++) {
		cnt = dec_u32(&d);
		for (uint32_t i = 0; !rc && i < cnt && !d.err; i++) {
			s = dec_strn(&d, &len);
			dec_u32(&d);
			dec_str(&d);
			if (t == ALU_PROVIDES && !d.err)
				rc = ix_add(&w->ix, DB_PROVIDES, s, len, id);
			else if (!d.err)
				rc = revdep_keys(w, t, s, len, id);
		}
	}
	cnt = dec_u32(&d);
	for (uint32_t i = 0; !rc && i < cnt && !d.err; i++) {
		s = dec_strn(&d, &len);
		if (!d.err)
			rc = ix_add(&w->ix, DB_FILES, s, len, id);
	}
	return rc ? rc : d.err;
}

/* pkg_keys() of a package being written, from the record it was encoded
 * from rather than by decoding it again: the same strings (an encoded NULL
 * decodes as ""). */
static int pkg_keys_of(struct alu_cache_wr *w, const struct alu_pkgrec *p, uint64_t id)
{
	const char *s = p->name ? p->name : "";
	int rc = ix_add(&w->ix, DB_NAMES, s, strlen(s), id);

	for (size_t i = 0; !rc && i < p->ndeps[ALU_PROVIDES]; i++) {
		s = p->deps[ALU_PROVIDES][i].name ? p->deps[ALU_PROVIDES][i].name : "";
		rc = ix_add(&w->ix, DB_PROVIDES, s, strlen(s), id);
	}
	for (size_t r = 0; !rc && r < 2; r++) {
		int t = r ? ALU_SUPPLEMENTS : ALU_OBSOLETES;
		for (size_t i = 0; !rc && i < p->ndeps[t]; i++) {
			s = p->deps[t][i].name ? p->deps[t][i].name : "";
			rc = revdep_keys(w, t, s, strlen(s), id);
		}
	}
	for (size_t i = 0; !rc && i < p->nfiles; i++) {
		s = p->files[i] ? p->files[i] : "";
		rc = ix_add(&w->ix, DB_FILES, s, strlen(s), id);
	}
	return rc;
}

/* Queue the index entries of advisory @p a (id @p id); its strings are
 * never NULL (repo.h). */
static int adv_keys_of(struct alu_cache_wr *w, const struct alu_advrec *a, uint64_t id)
{
	int rc = ix_add(&w->ix, DB_ADVIDS, a->id, strlen(a->id), id);

	for (size_t i = 0; !rc && i < a->nrefs; i++)
		if (!strcasecmp(a->refs[i].type, "cve") && *a->refs[i].id)
			rc = ix_add(&w->ix, DB_CVES, a->refs[i].id, strlen(a->refs[i].id), id);
	for (size_t i = 0; !rc && i < a->npkgs; i++)
		rc = ix_add(&w->ix, DB_ADVPKGS, a->pkgs[i].name, strlen(a->pkgs[i].name), id);
	return rc;
}

/* Queue the index entries of advisory record @p rec (id @p id). */
static int adv_keys(struct alu_cache_wr *w, const void *rec, size_t n, uint64_t id)
{
	struct dec d = { rec, n, 0, 0 };
	struct alu_advrec a;
	int rc = cache_dec_adv(w->c, &d, &a);

	return rc ? rc : adv_keys_of(w, &a, id);
}

/* ---- dropping a repository's old contents -------------------------------- */

static int lost_add(struct alu_cache_wr *w, int db, uint64_t id)
{
	if (w->nlost[db] == w->caplost[db]) {
		size_t nc = w->caplost[db] ? 2 * w->caplost[db] : 16;
		uint64_t *nv = realloc(w->lost[db], nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		w->lost[db] = nv;
		w->caplost[db] = nc;
	}
	w->lost[db][w->nlost[db]++] = id;
	return 0;
}

/* Queue for deletion the index entries owned by the records of repository
 * @p idx in @p db (pkgs or advs), and count those records in w->old. */
static int old_keys(struct alu_cache_wr *w, int db, uint32_t idx)
{
	MDB_cursor *cur = w->cur[db];
	unsigned char start[8];
	MDB_val k = { 8, start }, v;
	int rc;

	cache_id(start, (uint64_t)idx << 32);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t id;
		if (k.mv_size != 8 || (uint32_t)(cache_id_get(k.mv_data) >> 32) != idx)
			break;
		id = cache_id_get(k.mv_data);
		w->old[db] = (uint32_t)id;
		rc = db == DB_PKGS ? pkg_keys(w, v.mv_data, v.mv_size, id)
				   : adv_keys(w, v.mv_data, v.mv_size, id);
		/* a record that does not decode cannot say which entries are its
		 * own: drop_lost() looks for its id in every entry */
		if (rc == -ALUE_CORRUPT)
			rc = lost_add(w, db, id);
		if (!rc && w->ix.bytes > IX_MAX_BYTES)
			rc = ix_flush(w, 1);
		if (rc)
			return rc;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int is_lost(const struct alu_cache_wr *w, int db, uint64_t id)
{
	size_t lo = 0, hi = w->nlost[db];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->lost[db][mid] == id)
			return 1;
		if (w->lost[db][mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Delete the index entries naming a lost record: the record that takes its
 * id next must not inherit them. A walk of whole tables, but only after a
 * record was found damaged. */
static int drop_lost(struct alu_cache_wr *w)
{
	static const int tabs[][5] = { { DB_PKGS, DB_NAMES, DB_PROVIDES, DB_FILES, DB_REVDEPS },
				      { DB_ADVS, DB_ADVIDS, DB_ADVPKGS, DB_CVES, -1 } };
	int rc = 0;

	for (size_t g = 0; g < sizeof(tabs) / sizeof(tabs[0]) && !rc; g++) {
		if (!w->nlost[tabs[g][0]])
			continue;
		for (int t = 1; t < 5 && tabs[g][t] >= 0 && !rc; t++) {
			MDB_cursor *cur = w->cur[tabs[g][t]];
			MDB_val k, v;
			for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc;
			     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
				/* after a delete the cursor rests on the next entry: MDB_NEXT returns it */
				if (v.mv_size == 8 && is_lost(w, tabs[g][0], cache_id_get(v.mv_data)) &&
				    (rc = mdb_cursor_del(cur, 0)))
					return rc;
			rc = rc == MDB_NOTFOUND ? 0 : rc;
		}
	}
	return rc;
}

/* Delete the old records the new contents did not overwrite. */
static int drop_tail(struct alu_cache_wr *w, int db)
{
	MDB_cursor *cur = w->cur[db];
	unsigned char start[8];
	MDB_val k = { 8, start }, v;
	int rc = 0;

	if (w->n[db] >= w->old[db])
		return 0;
	cache_id(start, (uint64_t)w->idx << 32 | (w->n[db] + 1));
	/* after mdb_cursor_del the cursor rests on the next record: MDB_NEXT returns it */
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8 || (uint32_t)(cache_id_get(k.mv_data) >> 32) != w->idx)
			break;
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			return rc;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Delete repository @p idx's index entries; its records are overwritten or
 * dropped by drop_tail at the end. When it is the only repository every
 * record and entry is its own: emptying the tables then frees their pages
 * without visiting each entry. */
static int drop_repo(struct alu_cache_wr *w, uint32_t idx)
{
	MDB_stat st;
	int rc = mdb_stat(w->txn, w->c->dbi[DB_REPOS], &st);

	if (!rc && st.ms_entries == 1) {
		for (int db = 0; db < DB_N && !rc; db++)
			if (w->cur[db])
				rc = mdb_drop(w->txn, w->c->dbi[db], 0);
		return rc;
	}
	if (!rc)
		rc = old_keys(w, DB_PKGS, idx);
	if (!rc)
		rc = old_keys(w, DB_ADVS, idx);
	if (!rc)
		rc = ix_flush(w, 1);
	if (!rc)
		rc = drop_lost(w);
	return rc;
}

/* The repository's index: its old one (*existed = 1), or, when @p create,
 * the next free one. Without @p create a missing repository is MDB_NOTFOUND. */
static int repo_idx(struct alu_cache *c, MDB_txn *txn, const char *repoid, int create,
		    uint32_t *idx, int *existed)
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
		if (!create)
			return MDB_CORRUPTED;
	} else if (rc != MDB_NOTFOUND || !create) {
		return rc;
	}
	/* a record that does not decode is replaced under a new index */
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

/* Open a write transaction on repository @p repoid with its old contents
 * dropped (see repo_idx for @p create). */
static int wr_start(struct alu_cache *c, const char *repoid, int create, struct alu_cache_wr **out,
		    struct alu_err *e)
{
	struct alu_cache_wr *w;
	int rc, existed = 0;

	if (strlen(repoid) >= sizeof(w->repoid))
		return alu_err_set(e, -EINVAL, "repository id too long: %s", repoid);
	w = calloc(1, sizeof(*w));
	if (!w)
		return alu_err_set(e, -ENOMEM, "out of memory");
	w->c = c;
	snprintf(w->repoid, sizeof(w->repoid), "%s", repoid);
	rc = cache_wr_txn(c, &w->txn, e);
	if (rc) {
		free(w);
		return rc;
	}
	rc = repo_idx(c, w->txn, repoid, create, &w->idx, &existed);
	if (rc == MDB_NOTFOUND) {
		alu_cache_write_abort(w);
		return -ENOENT;
	}
	for (int db = DB_PKGS; db < DB_N && !rc; db++)
		rc = mdb_cursor_open(w->txn, c->dbi[db], &w->cur[db]);
	if (!rc && existed)
		rc = drop_repo(w, w->idx);
	if (rc) {
		rc = wrc(w, rc, repoid, e);
		alu_cache_write_abort(w);
		return rc;
	}
	*out = w;
	return 0;
}

/* Write the repository table (state @p st, or its removal when NULL) and commit. */
static int wr_finish(struct alu_cache_wr *w, const struct alu_cache_repo *st, struct alu_err *e)
{
	struct ckey k;
	MDB_val v;
	int rc;

	/* the records are all put: they go to disk while the indexes are built */
	writeback_start(w);
	rc = ix_flush(w, 0);

	if (!rc)
		rc = drop_tail(w, DB_PKGS);
	if (!rc)
		rc = drop_tail(w, DB_ADVS);
	cache_key(&k, w->repoid);
	if (!rc && st) {
		w->buf.n = 0;
		rc = cache_enc_repo(&w->buf, st);
		v = (MDB_val){ w->buf.n, w->buf.p };
		if (!rc)
			rc = mdb_put(w->txn, w->c->dbi[DB_REPOS], &k.v, &v, 0);
	} else if (!rc) {
		rc = mdb_del(w->txn, w->c->dbi[DB_REPOS], &k.v, NULL);
	}
	if (rc)
		rc = wrc(w, rc, w->repoid, e);
	else
		rc = cache_load_repos(w->c, w->txn, e);
	if (!rc) {
		rc = mdb_txn_commit(w->txn);
		w->txn = NULL;
		if (rc)
			rc = wrc(w, rc, w->repoid, e);
		alu_db_trim(w->c->env);
	}
	alu_cache_write_abort(w);
	return rc;
}

/* ---- the API --------------------------------------------------------------- */

int alu_cache_write_begin(struct alu_cache *c, const char *repoid, struct alu_cache_wr **out,
			  struct alu_err *e)
{
	static const int rec_dbs[] = { DB_PKGS, DB_ADVS };
	struct alu_cache_wr *w;
	unsigned char first[8];
	MDB_val k = { 8, first };
	int rc = wr_start(c, repoid, 1, &w, e);

	if (rc)
		return rc;
	/* the newest repository's ids sort after every other's: append its
	 * records beyond the old ones */
	for (size_t i = 0; i < sizeof(rec_dbs) / sizeof(rec_dbs[0]); i++) {
		int db = rec_dbs[i];
		cache_id(first, (uint64_t)w->idx << 32 | (w->old[db] + 1));
		if (sorts_last(w->txn, c->dbi[db], w->cur[db], &k))
			w->rec_put[db] = MDB_APPEND;
	}
	*out = w;
	return 0;
}

/* Put the record in w->buf under the next id of @p db (pkgs or advs), then
 * queue its index entries: those of @p p, or of @p a. */
static int put_rec(struct alu_cache_wr *w, int db, const struct alu_pkgrec *p,
		   const struct alu_advrec *a, struct alu_err *e)
{
	const char *what = p ? p->name : a->id;
	unsigned char id[8];
	MDB_val k = { 8, id }, v = { w->buf.n, w->buf.p };
	uint64_t n;
	int rc;

	if (w->n[db] == UINT32_MAX)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: too many records", w->repoid);
	n = (uint64_t)w->idx << 32 | ++w->n[db];
	cache_id(id, n);
	/* an old record of this id is overwritten */
	rc = mdb_cursor_put(w->cur[db], &k, &v, w->n[db] > w->old[db] ? w->rec_put[db] : 0);
	if (!rc)
		rc = p ? pkg_keys_of(w, p, n) : adv_keys_of(w, a, n);
	w->unflushed += w->buf.n;
	if (w->unflushed >= WRITEBACK_EVERY)
		writeback_start(w);
	if (!rc && w->ix.bytes > IX_MAX_BYTES)
		rc = ix_flush(w, 0);
	return rc ? wrc(w, rc, what ? what : "", e) : 0;
}

int alu_cache_write_pkg(struct alu_cache_wr *w, const struct alu_pkgrec *p, struct alu_err *e)
{
	w->buf.n = 0;
	if (cache_enc_pkg(&w->buf, p))
		return alu_err_set(e, -ENOMEM, "out of memory");
	return put_rec(w, DB_PKGS, p, NULL, e);
}

int alu_cache_write_adv(struct alu_cache_wr *w, const struct alu_advrec *a, struct alu_err *e)
{
	w->buf.n = 0;
	if (cache_enc_adv(&w->buf, a))
		return alu_err_set(e, -ENOMEM, "out of memory");
	return put_rec(w, DB_ADVS, NULL, a, e);
}

int alu_cache_write_commit(struct alu_cache_wr *w, struct alu_cache_repo *st, struct alu_err *e)
{
	snprintf(st->id, sizeof(st->id), "%s", w->repoid);
	st->idx = w->idx;
	st->npkgs = w->n[DB_PKGS];
	st->nadvs = w->n[DB_ADVS];
	return wr_finish(w, st, e);
}

void alu_cache_write_abort(struct alu_cache_wr *w)
{
	if (!w)
		return;
	/* cursors of a write transaction are closed by its end */
	if (w->txn)
		mdb_txn_abort(w->txn);
	/* no transaction is open now: the moment to grow a full map */
	if (w->full)
		alu_db_grow(w->c->env);
	ix_free(&w->ix);
	for (int db = 0; db < DB_N; db++)
		free(w->lost[db]);
	free(w->buf.p);
	free(w);
}

int alu_cache_repo_drop(struct alu_cache *c, const char *repoid, struct alu_err *e)
{
	struct alu_cache_wr *w;
	int rc = wr_start(c, repoid, 0, &w, e);

	return rc ? rc : wr_finish(w, NULL, e);
}
