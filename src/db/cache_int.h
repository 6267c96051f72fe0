/* SPDX-License-Identifier: MIT */
/* Internals of the metadata cache shared by cache_*.c. */
#ifndef ALU_DB_CACHE_INT_H
#define ALU_DB_CACHE_INT_H

#include <lmdb.h>

#include "db/cache.h"

enum { DB_META, DB_REPOS, DB_PKGS, DB_NAMES, DB_PROVIDES, DB_FILES, DB_ADVS, DB_ADVIDS,
	DB_ADVPKGS, DB_CVES, DB_REVDEPS, DB_N };

struct repo_slot {
	uint32_t idx;
	char *id;
	int selected;
};

struct alu_cache {
	MDB_env *env;
	MDB_dbi dbi[DB_N];
	MDB_txn *rd;          /* the shared read transaction; NULL until a query */
	int rdonly;
	struct repo_slot *repos;
	size_t nrepos;
	int select_all;
	/* scratch for decoded advisories (reused) */
	struct alu_advref *refs;
	size_t caprefs;
	struct alu_advpkg *pkgs;
	size_t cappkgs;
};

/* ---- record encoding: unsigned LEB128 integers (enc_u32 and enc_u64 name
 * the range, not the width); strings as a LEB128 tag, then the bytes and a
 * NUL, or a reference back to an equal string earlier in the record
 * (cache_rec.c), so decoded strings point into the map either way ---- */
struct enc {
	char *p;
	size_t n, cap;
	int err;
};
void enc_u32(struct enc *b, uint32_t v);
void enc_u64(struct enc *b, uint64_t v);
void enc_str(struct enc *b, const char *s);

struct dec {
	const unsigned char *p;
	size_t n, off;
	int err;
};
uint32_t dec_u32(struct dec *d);
uint64_t dec_u64(struct dec *d);
const char *dec_str(struct dec *d);
/* dec_str() that also gives the length (0 on error) */
const char *dec_strn(struct dec *d, size_t *len);

/* The fewest bytes a string, and a dependency (name, flags, evr), take:
 * decoders refuse counts that the bytes left cannot hold. */
enum { CACHE_STR_MIN = 1, CACHE_DEP_MIN = 2 * CACHE_STR_MIN + 1 };

int cache_enc_pkg(struct enc *b, const struct alu_pkgrec *p);
/* Decodes the scalar fields; @p d is left at the dependency lists. */
int cache_dec_pkg(struct dec *d, struct alu_pkgrec *p);
/* Decodes the name only, leaving @p d where cache_dec_pkg leaves it: at the
 * dependency lists (each kind: count, then name, flags, evr), then the
 * count of files and their paths. */
int cache_dec_pkg_name(struct dec *d, const char **name, size_t *len);
int cache_enc_adv(struct enc *b, const struct alu_advrec *a);
int cache_dec_adv(struct alu_cache *c, struct dec *d, struct alu_advrec *a);

/* ---- keys ---- */
struct ckey {
	char buf[ALU_CACHE_KEYMAX + 8];
	MDB_val v;
};
void cache_key(struct ckey *k, const char *s);
/* cache_key() of the @p n bytes at @p s */
void cache_keyn(struct ckey *k, const char *s, size_t n);
void cache_id(unsigned char out[8], uint64_t id);
uint64_t cache_id_get(const void *p);

/* a write transaction: ends the shared read one first; -EROFS, -ALUE_DB */
int cache_wr_txn(struct alu_cache *c, MDB_txn **out, struct alu_err *e);
/* the shared read transaction (begun on demand) */
int cache_rd(struct alu_cache *c, MDB_txn **out, struct alu_err *e);
void cache_rd_end(struct alu_cache *c);
/* reload the repo index table from `repos` within @p txn */
int cache_load_repos(struct alu_cache *c, MDB_txn *txn, struct alu_err *e);
/* repo slot for a package/advisory id; NULL when not selected */
const struct repo_slot *cache_slot(const struct alu_cache *c, uint64_t id);

int cache_enc_repo(struct enc *b, const struct alu_cache_repo *r);
int cache_dec_repo(struct dec *d, struct alu_cache_repo *r);

/* ---- index entries of a cache write, and their sorting (cache_ixsort.c) ---- */

/* One index entry waiting to be put or deleted. */
struct ixent {
	uint64_t pfx;               /* the key's first 8 bytes, big endian, zero padded:
	                               most comparisons end here */
	uint64_t id;
	const unsigned char *key;   /* in a key block of the batch */
	size_t len;
};

struct ixvec {
	struct ixent *v;
	size_t n, cap;
};

/* LMDB's order of keys: bytes, then length (a prefix sorts first). */
int cache_key_cmp(const struct ixent *a, const struct ixent *b);

/* The tables @p t[0..DB_N) sorted in table order (key, then id), into
 * orders of entry indices; a second thread sorts beside the caller, so a
 * table can be put while the next is sorted. */
struct ixsort;
/* NULL when out of memory */
struct ixsort *cache_ixsort_start(const struct ixvec *t);
/* Table @p db's order, sorted by now (here, when no thread has begun it). */
const uint32_t *cache_ixsort_get(struct ixsort *s, int db);
void cache_ixsort_end(struct ixsort *s);

#endif
