/* SPDX-License-Identifier: MIT */
/*
 * Berkeley DB hash databases (rpm 4.11's /var/lib/rpm/Packages), read from
 * memory without libdb. Layout (db_page.h of BDB 4.x/5.x):
 *
 *   page 0, the metadata page: magic 0x061561 at 12 (its byte order is the
 *   file's), version at 16, pagesize at 20, encrypt_alg at 24, metaflags at
 *   26, last_pgno at 32, max_bucket at 72, spares[32] at 96.
 *   every page: pgno at 8, next_pgno at 16, entries (u16) at 20, hf_offset
 *   (u16) at 22, type at 25, then entries u16 item offsets from 26.
 *   hash pages (type 13, or 2 in v8/unsorted): items in key, data pairs; an
 *   item runs from its offset to the previous item's offset (the page end
 *   for the first). Item byte 0 is its kind: H_KEYDATA (1) bytes follow;
 *   H_OFFPAGE (3) pgno at +4, total length at +8, held in a chain of
 *   overflow pages (type 7, hf_offset bytes of data from 26, next_pgno).
 *   bucket b lives on page b + spares[bits(b)], then its next_pgno chain.
 *
 * rpm's own read-only reader (lib/backend/bdb_ro.c) walks the same way: the
 * oracle our tests compare with. Key 0 holds rpm's instance counter, not a
 * header, and is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/rpmdb.h"

enum {
	HASH_MAGIC = 0x061561,
	P_HASH_UNSORTED = 2, P_OVERFLOW = 7, P_HASHMETA = 8, P_HASH = 13,
	H_KEYDATA = 1, H_OFFPAGE = 3,
	PAGE_HDR = 26,
};

struct bdb {
	const unsigned char *buf;
	size_t len;
	const char *what;
	int swapped;
	uint32_t pagesize, npages;    /* npages: pages present and <= last_pgno + 1 */
	uint32_t maxbucket, spares[32];
	unsigned char *seen;          /* bucket-chain pages visited: loops end */
	unsigned char *val;           /* overflow reassembly buffer */
	size_t valcap;
	struct alu_err *e;
};

/* "swapped": the file's byte order is not the host's (the magic said so) */
static uint32_t rd32(const struct bdb *d, const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return d->swapped ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const struct bdb *d, const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return d->swapped ? __builtin_bswap16(v) : v;
}

/* The page @p pgno, or NULL with an error: number in range, fully present,
 * and saying it is that page (what rpm checks too). */
static const unsigned char *page(struct bdb *d, uint32_t pgno, const char *role)
{
	const unsigned char *p;

	if (pgno == 0 || pgno >= d->npages) {
		alu_err_set(d->e, (size_t)pgno * d->pagesize >= d->len && pgno != 0 ? -ALUE_TRUNCATED : -ALUE_CORRUPT,
			    "%s: %s page %u out of range (file has %u pages)", d->what, role, pgno, d->npages);
		return NULL;
	}
	p = d->buf + (size_t)pgno * d->pagesize;
	if (rd32(d, p + 8) != pgno) {
		alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u claims to be page %u", d->what, pgno, rd32(d, p + 8));
		return NULL;
	}
	return p;
}

/* Reassemble an off-page item into d->val. */
static int overflow(struct bdb *d, uint32_t pgno, uint32_t tlen, const unsigned char **out)
{
	size_t got = 0;
	uint32_t steps = 0;

	if (tlen == 0 || tlen > d->len)
		return alu_err_set(d->e, -ALUE_CORRUPT, "%s: overflow item of %u bytes", d->what, tlen);
	if (tlen > d->valcap) {
		unsigned char *n = realloc(d->val, tlen);
		if (!n)
			return -ENOMEM;
		d->val = n;
		d->valcap = tlen;
	}
	while (got < tlen) {
		const unsigned char *p;
		uint16_t n;

		/* every step consumes a distinct page at best: more steps means a loop */
		if (++steps > d->npages)
			return alu_err_set(d->e, -ALUE_CORRUPT, "%s: overflow chain from page %u loops", d->what, pgno);
		p = page(d, pgno, "overflow");
		if (!p)
			return d->e ? d->e->code : -ALUE_CORRUPT;
		if (p[25] != P_OVERFLOW)
			return alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u is type %u, expected overflow",
					   d->what, pgno, p[25]);
		n = rd16(d, p + 22);
		if (n == 0 || (uint32_t)n + PAGE_HDR > d->pagesize || n > tlen - got)
			return alu_err_set(d->e, -ALUE_CORRUPT, "%s: overflow page %u holds a bad length %u",
					   d->what, pgno, n);
		memcpy(d->val + got, p + PAGE_HDR, n);
		got += n;
		pgno = rd32(d, p + 16);
	}
	*out = d->val;
	return 0;
}

/* Item @p i of hash page @p p at page @p pgno: its kind-tagged bytes. */
static int item(struct bdb *d, const unsigned char *p, uint32_t pgno, unsigned i, unsigned nent,
		const unsigned char **it, size_t *len)
{
	uint32_t off = rd16(d, p + PAGE_HDR + 2 * i);
	uint32_t end = i == 0 ? d->pagesize : rd16(d, p + PAGE_HDR + 2 * (i - 1));

	if (off < PAGE_HDR + 2 * nent || off >= end || end > d->pagesize)
		return alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u item %u has bad offset %u",
				   d->what, pgno, i, off);
	*it = p + off;
	*len = end - off;
	return 0;
}

/* An item's value: on-page bytes or a reassembled overflow chain. */
static int itemval(struct bdb *d, const unsigned char *it, size_t len, uint32_t pgno,
		   const unsigned char **v, size_t *vlen)
{
	if (it[0] == H_KEYDATA) {
		*v = it + 1;
		*vlen = len - 1;
		return 0;
	}
	if (it[0] == H_OFFPAGE && len == 12) {
		uint32_t tlen = rd32(d, it + 8);
		int r = overflow(d, rd32(d, it + 4), tlen, v);
		*vlen = tlen;
		return r;
	}
	return alu_err_set(d->e, -ALUE_UNSUPPORTED, "%s: page %u holds an item of kind %u (not rpm's)",
			   d->what, pgno, it[0]);
}

static int walk_page(struct bdb *d, const unsigned char *p, uint32_t pgno, alu_rpmdb_cb cb, void *arg)
{
	unsigned nent = rd16(d, p + 20);

	if (PAGE_HDR + 2 * (size_t)nent > d->pagesize || nent % 2)
		return alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u has a bad entry count %u", d->what, pgno, nent);
	for (unsigned i = 0; i < nent; i += 2) {
		const unsigned char *k, *v;
		size_t klen, vlen;
		uint32_t hnum;
		int r;

		r = item(d, p, pgno, i, nent, &k, &klen);
		if (!r)
			r = item(d, p, pgno, i + 1, nent, &v, &vlen);
		if (r)
			return r;
		if (k[0] != H_KEYDATA || klen != 5)
			return alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u: key %u is not a package number",
					   d->what, pgno, i / 2);
		hnum = rd32(d, k + 1);
		if (hnum == 0)
			continue;
		r = itemval(d, v, vlen, pgno, &v, &vlen);
		if (r)
			return r;
		r = cb(arg, hnum, v, vlen);
		if (r)
			return r;
	}
	return 0;
}

static int walk_bucket(struct bdb *d, uint32_t b, alu_rpmdb_cb cb, void *arg)
{
	unsigned bits = 0;
	uint32_t pgno;

	for (uint32_t x = b; x; x >>= 1)
		bits++;
	pgno = b + d->spares[bits];
	while (pgno) {
		const unsigned char *p = page(d, pgno, "bucket");
		int r;

		if (!p)
			return d->e ? d->e->code : -ALUE_CORRUPT;
		if (d->seen[pgno / 8] & (1u << (pgno % 8)))
			return alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u reached twice (bucket %u)",
					   d->what, pgno, b);
		d->seen[pgno / 8] |= (unsigned char)(1u << (pgno % 8));
		if (p[25] != P_HASH && p[25] != P_HASH_UNSORTED)
			return alu_err_set(d->e, -ALUE_CORRUPT, "%s: page %u is type %u, expected a hash page",
					   d->what, pgno, p[25]);
		r = walk_page(d, p, pgno, cb, arg);
		if (r)
			return r;
		pgno = rd32(d, p + 16);
	}
	return 0;
}

int alu_rpmdb_bdb_walk(const void *buf, size_t len, const char *what, alu_rpmdb_cb cb,
		       void *arg, struct alu_err *e)
{
	struct bdb d = { .buf = buf, .len = len, .what = what, .e = e };
	const unsigned char *m = buf;
	uint32_t magic, version, last;
	int r = 0;

	/* 1. the metadata page: magic decides the byte order */
	if (len < 512)
		return alu_err_set(e, len ? -ALUE_TRUNCATED : -ALUE_CORRUPT,
				   "%s: %zu bytes: too short for a Berkeley DB file", what, len);
	memcpy(&magic, m + 12, 4);
	if (magic == HASH_MAGIC)
		d.swapped = 0;
	else if (__builtin_bswap32(magic) == HASH_MAGIC)
		d.swapped = 1;
	else
		return alu_err_set(e, -ALUE_CORRUPT, "%s: not a Berkeley DB hash database (magic %08x)",
				   what, magic);
	version = rd32(&d, m + 16);
	d.pagesize = rd32(&d, m + 20);
	last = rd32(&d, m + 32);
	d.maxbucket = rd32(&d, m + 72);
	if (version < 8 || version > 10)
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: hash version %u not supported", what, version);
	if (d.pagesize < 512 || d.pagesize > 65536 || (d.pagesize & (d.pagesize - 1)))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: bad page size %u", what, d.pagesize);
	if (m[25] != P_HASHMETA)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: page 0 is not a hash metadata page", what);
	if (m[24] != 0 || (m[26] & 1))
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: encrypted or checksummed database", what);
	/* 2. every page up to last_pgno must be there */
	if (last >= UINT32_MAX || (size_t)(last + 1) > len / d.pagesize)
		return alu_err_set(e, -ALUE_TRUNCATED, "%s: truncated: %zu bytes, the database declares %llu",
				   what, len, (unsigned long long)(last + 1ull) * d.pagesize);
	d.npages = last + 1;
	if (d.maxbucket >= d.npages)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: %u buckets in %u pages", what, d.maxbucket + 1, d.npages);
	for (unsigned i = 0; i < 32; i++)
		d.spares[i] = rd32(&d, m + 96 + 4 * i);
	d.seen = calloc(d.npages / 8 + 1, 1);
	if (!d.seen)
		return -ENOMEM;
	/* 3. each bucket and its chain of overflow bucket pages */
	for (uint32_t b = 0; b <= d.maxbucket && !r; b++)
		r = walk_bucket(&d, b, cb, arg);
	free(d.seen);
	free(d.val);
	return r;
}

int alu_rpmdb_bdb_foreach(const char *path, alu_rpmdb_cb cb, void *arg, struct alu_err *e)
{
	struct stat st;
	void *map = NULL;
	int fd, r;

	/* O_NONBLOCK: a FIFO put in its place is refused below, not waited on */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = alu_err_set(e, -ALUE_CORRUPT, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			r = alu_err_set(e, -errno, "%s: mmap: %s", path, strerror(errno));
			goto out;
		}
	}
	r = alu_rpmdb_bdb_walk(map, (size_t)st.st_size, path, cb, arg, e);
out:
	if (map)
		munmap(map, (size_t)st.st_size);
	close(fd);
	return r;
}
