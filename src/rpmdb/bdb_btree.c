/* SPDX-License-Identifier: MIT */
/*
 * A Berkeley DB B-tree written whole, bottom up, from sorted unique records
 * (rpm's index files). Layout as libdb 5.3 builds it (btree.h, db_page.h):
 *
 *   meta page 0: minkey 76 (2), re_pad 84 (' ', libdb's default), root 88.
 *   The root is page 1, as in every libdb B-tree (a root split keeps it).
 *   leaf pages (P_LBTREE, level 1) hold key, data pairs of items
 *   BKEYDATA {u16 len, u8 type, bytes} padded to 4 bytes, or BOVERFLOW
 *   {u16, u8 type 3, u8, u32 pgno, u32 tlen} for an item longer than the
 *   overflow size (1007 bytes at 4 KiB pages with minkey 2: what db_stat
 *   reports); leaves are linked left to right by prev/next.
 *   internal pages (P_IBTREE, level 2 and up) hold BINTERNAL {u16 len, u8
 *   type, u8, u32 pgno, u32 nrecs, key} padded to 4 bytes: the smallest key
 *   under each child. libdb never looks at the first key of an internal page
 *   and leaves it empty on the leftmost page of each level; so do we. A key
 *   that went to an overflow chain is copied into a chain of its own for
 *   the internal page, as libdb's split does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb/bdb_int.h"

#define ALIGN4(x) (((x) + 3u) & ~3u)

struct level {
	uint32_t n;       /* pages on this level */
	uint32_t *start;  /* leaves: first record; internal: first child (n + 1 entries) */
	uint32_t *first;  /* record index of the smallest key under each page */
	uint32_t base;    /* page number of page 0 of this level */
};

struct bt {
	struct bdb_file *f;
	const struct bdb_kv *kv;
	size_t n;
	uint32_t ovfl, room;
	struct level lv[32];
	unsigned nlv;
	unsigned char *p;
};

static uint32_t leaf_item(const struct bt *t, uint32_t len)
{
	return len > t->ovfl ? BDB_OFFPAGE_SIZE : ALIGN4(3 + len);
}

static uint32_t int_item(const struct bt *t, uint32_t klen)
{
	return ALIGN4(12 + (klen > t->ovfl ? BDB_OFFPAGE_SIZE : klen));
}

static int level_alloc(struct level *l, size_t n)
{
	l->start = malloc((n + 1) * sizeof(uint32_t));
	l->first = malloc((n ? n : 1) * sizeof(uint32_t));
	return l->start && l->first ? 0 : -ENOMEM;
}

/* 1. cut the sorted records into full leaves */
static int plan_leaves(struct bt *t)
{
	struct level *l = &t->lv[0];
	uint32_t used = 0, np = 0;

	if (level_alloc(l, t->n ? t->n : 1))
		return -ENOMEM;
	l->start[0] = 0;
	for (size_t i = 0; i < t->n; i++) {
		uint32_t need = 4 + leaf_item(t, t->kv[i].klen) + leaf_item(t, t->kv[i].vlen);

		if (i && bdb_keycmp(t->kv[i - 1].k, t->kv[i - 1].klen, t->kv[i].k, t->kv[i].klen) >= 0)
			return alu_err_set(t->f->e, -EINVAL, "%s: records not sorted", t->f->name);
		if (used + need > t->room && used) {
			l->start[++np] = (uint32_t)i;
			used = 0;
		}
		used += need;
	}
	l->n = np + 1;
	l->start[l->n] = (uint32_t)t->n;
	for (uint32_t j = 0; j < l->n; j++)
		l->first[j] = l->start[j];
	return 0;
}

/* 2. internal levels until one page holds them all */
static int plan_internal(struct bt *t)
{
	while (t->lv[t->nlv - 1].n > 1) {
		struct level *lo = &t->lv[t->nlv - 1], *l = &t->lv[t->nlv];
		uint32_t used = 0, np = 0;

		if (t->nlv == 31)
			return alu_err_set(t->f->e, -EFBIG, "%s: tree too deep", t->f->name);
		if (level_alloc(l, lo->n))
			return -ENOMEM;
		l->start[0] = 0;
		for (uint32_t c = 0; c < lo->n; c++) {
			uint32_t klen = c == 0 ? 0 : t->kv[lo->first[c]].klen;
			uint32_t need = 2 + int_item(t, klen);

			if (used + need > t->room && used) {
				l->start[++np] = c;
				used = 2 + int_item(t, klen);
				continue;
			}
			used += need;
		}
		l->n = np + 1;
		l->start[l->n] = lo->n;
		for (uint32_t j = 0; j < l->n; j++)
			l->first[j] = lo->first[l->start[j]];
		t->nlv++;
	}
	return 0;
}

static void put_counts(struct bt *t, uint32_t nent, uint32_t hf)
{
	bdb_put16(t->p + 20, (uint16_t)nent);
	bdb_put16(t->p + 22, (uint16_t)hf);
}

static int write_leaf(struct bt *t, uint32_t j)
{
	const struct level *l = &t->lv[0];
	uint32_t pgno = l->base + j, nent = 0, hf = t->f->pagesize;
	int r;

	bdb_page_init(t->f, t->p, pgno, j ? pgno - 1 : 0, j + 1 < l->n ? pgno + 1 : 0, 1, BDB_P_LBTREE);
	for (uint32_t i = l->start[j]; i < l->start[j + 1]; i++) {
		for (int half = 0; half < 2; half++) {
			const unsigned char *d = half ? t->kv[i].v : t->kv[i].k;
			uint32_t len = half ? t->kv[i].vlen : t->kv[i].klen;
			unsigned char *it;

			hf -= leaf_item(t, len);
			it = t->p + hf;
			bdb_put16(t->p + BDB_PAGE_HDR + 2 * nent++, (uint16_t)hf);
			if (len > t->ovfl) {
				uint32_t pg;
				/* the chain writer reuses f->page; t->p is ours */
				r = bdb_overflow_put(t->f, d, len, &pg);
				if (r)
					return r;
				it[2] = BDB_B_OVERFLOW;
				bdb_put32(it + 4, pg);
				bdb_put32(it + 8, len);
			} else {
				bdb_put16(it, (uint16_t)len);
				it[2] = BDB_B_KEYDATA;
				memcpy(it + 3, d, len);
			}
		}
	}
	put_counts(t, nent, hf);
	return bdb_page_put(t->f, pgno, t->p);
}

static int write_internal(struct bt *t, unsigned lvno, uint32_t j)
{
	const struct level *l = &t->lv[lvno], *lo = &t->lv[lvno - 1];
	uint32_t pgno = l->base + j, nent = 0, hf = t->f->pagesize;
	int r;

	bdb_page_init(t->f, t->p, pgno, 0, 0, (uint8_t)(lvno + 1), BDB_P_IBTREE);
	for (uint32_t c = l->start[j]; c < l->start[j + 1]; c++) {
		const struct bdb_kv *k = &t->kv[lo->first[c]];
		uint32_t klen = c == 0 ? 0 : k->klen;
		unsigned char *it;

		hf -= int_item(t, klen);
		it = t->p + hf;
		bdb_put16(t->p + BDB_PAGE_HDR + 2 * nent++, (uint16_t)hf);
		bdb_put32(it + 4, lo->base + c);
		if (klen > t->ovfl) {
			uint32_t pg;
			r = bdb_overflow_put(t->f, k->k, klen, &pg);
			if (r)
				return r;
			bdb_put16(it, BDB_OFFPAGE_SIZE);
			it[2] = BDB_B_OVERFLOW;
			it[12 + 2] = BDB_B_OVERFLOW;
			bdb_put32(it + 12 + 4, pg);
			bdb_put32(it + 12 + 8, klen);
		} else {
			bdb_put16(it, (uint16_t)klen);
			it[2] = BDB_B_KEYDATA;
			memcpy(it + 12, k->k, klen);
		}
	}
	put_counts(t, nent, hf);
	return bdb_page_put(t->f, pgno, t->p);
}

int bdb_btree_write(struct bdb_file *f, const struct bdb_kv *kv, size_t n)
{
	struct bt t = { .f = f, .kv = kv, .n = n, .nlv = 1 };
	uint32_t next = 2;
	int r;

	if (n > UINT32_MAX / 2)
		return alu_err_set(f->e, -EFBIG, "%s: too many records", f->name);
	t.room = f->pagesize - BDB_PAGE_HDR;
	t.ovfl = t.room / 4 - 10;
	t.p = malloc(f->pagesize);
	if (!t.p)
		return -ENOMEM;
	r = plan_leaves(&t);
	if (!r)
		r = plan_internal(&t);
	if (r)
		goto out;
	/* 3. page numbers: the root is 1, then each level from the top down */
	t.lv[t.nlv - 1].base = 1;
	for (unsigned i = t.nlv - 1; i-- > 0;) {
		t.lv[i].base = next;
		next += t.lv[i].n;
	}
	f->next_pgno = next;
	for (uint32_t j = 0; j < t.lv[0].n && !r; j++)
		r = write_leaf(&t, j);
	for (unsigned i = 1; i < t.nlv && !r; i++)
		for (uint32_t j = 0; j < t.lv[i].n && !r; j++)
			r = write_internal(&t, i, j);
	if (r)
		goto out;
	/* 4. the meta page */
	memset(t.p, 0, f->pagesize);
	bdb_meta_init(f, t.p, BDB_BTREE_MAGIC, BDB_P_BTREEMETA, f->next_pgno - 1, (uint32_t)n);
	bdb_put32(t.p + 76, 2);
	bdb_put32(t.p + 84, ' ');
	bdb_put32(t.p + 88, 1);
	r = bdb_page_put(f, 0, t.p);
out:
	for (unsigned i = 0; i < 32; i++) {
		free(t.lv[i].start);
		free(t.lv[i].first);
	}
	free(t.p);
	return r;
}
