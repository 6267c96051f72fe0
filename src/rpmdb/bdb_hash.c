/* SPDX-License-Identifier: MIT */
/*
 * A Berkeley DB hash database written whole (rpm's Packages). Layout as
 * libdb 5.3 builds it (hash.h, hash_page.c):
 *
 *   meta page 0: max_bucket 72, high_mask 76, low_mask 80, ffactor 84 (0:
 *   libdb splits a bucket when its page fills), nelem 88, h_charkey 92 (the
 *   hash of "%$sniglet^&" with its NUL: tells libdb which hash function made
 *   the file), spares[32] 96: bucket b lives on page b + spares[log2(b + 1)].
 *   We make 2^k buckets on pages 1 .. 2^k (spares[0..k] = 1, the rest 0, as
 *   a fresh libdb table of that size), so libdb's next split starts a new
 *   doubling at the end of the file as it would in its own files.
 *
 *   buckets: key = FNV-1 of the key bytes (h = h * 16777619 ^ byte, from 0;
 *   libdb's default __ham_func5, what rpm's bdb_ro looks up with) masked by
 *   high_mask. Pages of type P_HASH keep their pairs sorted, and libdb
 *   finds a key by binary search (__ham_getindex_sorted): memcmp of the
 *   common length, then the LONGER key first (unlike the B-tree's order).
 *   db5.3_verify checks that order only in diagnostic builds, so the tests
 *   look every key up through libdb itself. A bucket that does not fit
 *   chains further P_HASH pages by next/prev. An item longer than a
 *   quarter page (ISBIG) goes off page: H_OFFPAGE {type, 3 pad, pgno, tlen}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb/bdb_int.h"

struct hent {
	uint32_t bucket;
	const struct bdb_kv *kv;
};

static uint32_t fnv(const unsigned char *p, size_t n)
{
	uint32_t h = 0;

	for (size_t i = 0; i < n; i++)
		h = (h * 16777619u) ^ p[i];
	return h;
}

/* libdb's order on a sorted hash page: common bytes, then longer first */
static int hash_keycmp(const struct bdb_kv *x, const struct bdb_kv *y)
{
	int c = memcmp(x->k, y->k, x->klen < y->klen ? x->klen : y->klen);

	if (c)
		return c;
	return x->klen > y->klen ? -1 : x->klen < y->klen;
}

static int hent_cmp(const void *a, const void *b)
{
	const struct hent *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return hash_keycmp(x->kv, y->kv);
}

static uint32_t item_size(const struct bdb_file *f, uint32_t len)
{
	return len > f->pagesize / 4 ? BDB_OFFPAGE_SIZE : 1 + len;
}

struct hpage {
	unsigned char *p;
	uint32_t pgno, nent, hf;
};

static void hpage_start(struct bdb_file *f, struct hpage *hp, uint32_t pgno, uint32_t prev)
{
	bdb_page_init(f, hp->p, pgno, prev, 0, 0, BDB_P_HASH);
	hp->pgno = pgno;
	hp->nent = 0;
	hp->hf = f->pagesize;
}

static int hpage_flush(struct bdb_file *f, struct hpage *hp)
{
	bdb_put16(hp->p + 20, (uint16_t)hp->nent);
	bdb_put16(hp->p + 22, (uint16_t)hp->hf);
	return bdb_page_put(f, hp->pgno, hp->p);
}

/* Put one key or data item at the bottom of the free space. */
static int hpage_item(struct bdb_file *f, struct hpage *hp, const unsigned char *d, uint32_t len)
{
	uint32_t sz = item_size(f, len);
	unsigned char *it;

	hp->hf -= sz;
	it = hp->p + hp->hf;
	bdb_put16(hp->p + BDB_PAGE_HDR + 2 * hp->nent++, (uint16_t)hp->hf);
	if (sz == BDB_OFFPAGE_SIZE) {
		uint32_t pg;
		int r = bdb_overflow_put(f, d, len, &pg);
		if (r)
			return r;
		it[0] = BDB_H_OFFPAGE;
		bdb_put32(it + 4, pg);
		bdb_put32(it + 8, len);
	} else {
		it[0] = BDB_H_KEYDATA;
		memcpy(it + 1, d, len);
	}
	return 0;
}

int bdb_hash_write(struct bdb_file *f, const struct bdb_kv *kv, size_t n)
{
	uint32_t room = f->pagesize - BDB_PAGE_HDR, nb = 2, log2nb = 1;
	struct hpage hp = { 0 };
	struct hent *ent = NULL;
	uint64_t total = 0;
	size_t i = 0;
	int r = 0;

	/* 1. enough buckets that each page is about 3/4 full on average */
	for (size_t j = 0; j < n; j++)
		total += 4 + item_size(f, kv[j].klen) + item_size(f, kv[j].vlen);
	while ((uint64_t)nb * room * 3 / 4 < total && log2nb < 30) {
		nb <<= 1;
		log2nb++;
	}
	ent = malloc((n ? n : 1) * sizeof(*ent));
	hp.p = malloc(f->pagesize);
	if (!ent || !hp.p) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t j = 0; j < n; j++) {
		ent[j].bucket = fnv(kv[j].k, kv[j].klen) & (nb - 1);
		ent[j].kv = &kv[j];
	}
	qsort(ent, n, sizeof(*ent), hent_cmp);
	f->next_pgno = nb + 1;
	/* 2. each bucket: its page, then chained pages while it overflows */
	for (uint32_t b = 0; b < nb; b++) {
		hpage_start(f, &hp, b + 1, 0);
		for (; i < n && ent[i].bucket == b; i++) {
			const struct bdb_kv *x = ent[i].kv;
			uint32_t need = 4 + item_size(f, x->klen) + item_size(f, x->vlen);

			if (i + 1 < n && ent[i + 1].bucket == b && !hash_keycmp(x, ent[i + 1].kv)) {
				r = alu_err_set(f->e, -EINVAL, "%s: duplicate key", f->name);
				goto out;
			}
			if (need > hp.hf - BDB_PAGE_HDR - 2 * hp.nent) {
				uint32_t next = f->next_pgno++;
				bdb_put32(hp.p + 16, next);
				r = hpage_flush(f, &hp);
				if (r)
					goto out;
				hpage_start(f, &hp, next, hp.pgno);
			}
			r = hpage_item(f, &hp, x->k, x->klen);
			if (!r)
				r = hpage_item(f, &hp, x->v, x->vlen);
			if (r)
				goto out;
		}
		r = hpage_flush(f, &hp);
		if (r)
			goto out;
	}
	/* 3. the meta page, last: it names the last page */
	memset(hp.p, 0, f->pagesize);
	bdb_meta_init(f, hp.p, BDB_HASH_MAGIC, BDB_P_HASHMETA, f->next_pgno - 1, (uint32_t)n);
	bdb_put32(hp.p + 72, nb - 1);
	bdb_put32(hp.p + 76, nb - 1);
	bdb_put32(hp.p + 80, nb / 2 - 1);
	bdb_put32(hp.p + 88, (uint32_t)n);
	bdb_put32(hp.p + 92, fnv((const unsigned char *)"%$sniglet^&", 12));
	for (uint32_t s = 0; s <= log2nb; s++)
		bdb_put32(hp.p + 96 + 4 * s, 1);
	r = bdb_page_put(f, 0, hp.p);
out:
	free(hp.p);
	free(ent);
	return r;
}
