/* SPDX-License-Identifier: MIT */
/*
 * The Berkeley DB hash reader (src/db/rpmdb_bdb.c) on a fixture made by
 * db5.3_load (data/bdb-ok.db: pagesize 512, keys 0..21 as rpm writes them,
 * key 21 a 3000-byte value in an overflow chain) and on hostile variants
 * made from it here: truncations, page numbers out of range, loops,
 * bad offsets, random byte flips, and the same file in the other byte order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/rpmdb.h"

static int passed, failed;

#define CHECK(cond, ...) do { \
	if (cond) { passed++; } else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); printf("\n"); } } while (0)

struct tally {
	int n;
	size_t bytes;
	int big_ok;
};

static int count(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	struct tally *t = arg;
	const unsigned char *p = blob;

	t->n++;
	t->bytes += len;
	if (hnum == 21 && len == 3000) {
		t->big_ok = 1;
		for (size_t i = 0; i < len; i++)
			if (p[i] != (unsigned char)(i * 7 + 3))
				t->big_ok = 0;
	}
	return 0;
}

static unsigned char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 20);

	if (!f || !b) {
		printf("cannot read %s\n", path);
		exit(2);
	}
	*len = fread(b, 1, 1 << 20, f);
	fclose(f);
	return b;
}

static int walk(const unsigned char *b, size_t len, struct tally *t, struct alu_err *e)
{
	memset(t, 0, sizeof(*t));
	alu_err_clear(e);
	return alu_rpmdb_bdb_walk(b, len, "test.db", count, t, e);
}

static void put32le(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> 8 * i); }
static void put16le(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static uint16_t get16le(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void swap32(unsigned char *p) { unsigned char t = p[0]; p[0] = p[3]; p[3] = t; t = p[1]; p[1] = p[2]; p[2] = t; }
static void swap16(unsigned char *p) { unsigned char t = p[0]; p[0] = p[1]; p[1] = t; }

/* The fixture as a big-endian machine would have written it. */
static void to_big_endian(unsigned char *b, size_t len, unsigned ps)
{
	for (unsigned o = 8; o < 96; o += 4)
		if (o != 24)
			swap32(b + o);
	for (unsigned o = 96; o < 224; o += 4)
		swap32(b + o);
	for (size_t pg = 1; pg < len / ps; pg++) {
		unsigned char *p = b + pg * ps;
		unsigned n = get16le(p + 20);
		swap32(p + 8); swap32(p + 12); swap32(p + 16);
		swap16(p + 20); swap16(p + 22);
		if (p[25] != 13 && p[25] != 2)
			continue;
		for (unsigned i = 0, end = ps; i < n; i++) {
			unsigned off = get16le(p + 26 + 2 * i);
			if (p[off] == 3)
				swap32(p + off + 4), swap32(p + off + 8);
			else if (i % 2 == 0 && end - off == 5)
				swap32(p + off + 1);   /* the key: rpm's number in file order */
			swap16(p + 26 + 2 * i);
			end = off;
		}
	}
}

int main(void)
{
	struct alu_err e = { 0 };
	struct tally t;
	size_t len, ps = 512;
	unsigned char *ok = load("data/bdb-ok.db", &len), *b = malloc(len);
	int r;

	/* 1. the good file: 21 records, the overflow one intact */
	r = walk(ok, len, &t, &e);
	CHECK(r == 0, "ok.db: %d %s", r, e.msg);
	CHECK(t.n == 21, "ok.db: %d records", t.n);
	CHECK(t.big_ok, "ok.db: overflow record reassembled");

	/* 2. every truncation fails cleanly */
	int trunc_ok = 1;
	for (size_t n = 0; n < len; n++) {
		memcpy(b, ok, n);
		if (walk(b, n, &t, &e) == 0)
			trunc_ok = 0;
	}
	CHECK(trunc_ok, "every truncated length is refused");

	/* 3. a bucket chain that loops onto itself */
	memcpy(b, ok, len);
	put32le(b + ps * 1 + 16, 1);
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT && strstr(e.msg, "twice"), "bucket loop: %d %s", r, e.msg);

	/* 4. an overflow chain that loops back: terminates */
	memcpy(b, ok, len);
	put32le(b + ps * 5 + 16, 3);
	r = walk(b, len, &t, &e);
	CHECK(r == 0 || r == -ALUE_CORRUPT, "overflow loop back terminates: %d", r);
	memcpy(b, ok, len);
	put32le(b + ps * 3 + 16, 3);
	put16le(b + ps * 3 + 22, 0);
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT, "empty overflow page looping on itself: %d %s", r, e.msg);

	/* 5. page numbers out of range */
	memcpy(b, ok, len);
	put32le(b + ps * 4 + 16, 999);
	r = walk(b, len, &t, &e);
	CHECK(r < 0 && strstr(e.msg, "999"), "overflow next out of range: %d %s", r, e.msg);
	memcpy(b, ok, len);
	put32le(b + 96 + 4, 100000);   /* spares[1]: bucket 1's page */
	r = walk(b, len, &t, &e);
	CHECK(r < 0, "bucket page out of range: %d %s", r, e.msg);
	memcpy(b, ok, len);
	put32le(b + 72, 4000000000u);  /* max_bucket */
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT, "max_bucket beyond the file: %d %s", r, e.msg);
	memcpy(b, ok, len);
	put32le(b + 32, 0xffffffffu);  /* last_pgno */
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_TRUNCATED, "last_pgno beyond the file: %d %s", r, e.msg);

	/* 6. bad item offsets and counts */
	memcpy(b, ok, len);
	put16le(b + ps * 1 + 26, 5);
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT, "item offset inside the header: %d %s", r, e.msg);
	memcpy(b, ok, len);
	put16le(b + ps * 1 + 20, 3000);
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT, "entry count beyond the page: %d %s", r, e.msg);

	/* 7. not a hash database / bad page size */
	memcpy(b, ok, len);
	b[12] ^= 0xff;
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT && strstr(e.msg, "test.db"), "bad magic names the file: %s", e.msg);
	memcpy(b, ok, len);
	put32le(b + 20, 1000);
	r = walk(b, len, &t, &e);
	CHECK(r == -ALUE_CORRUPT, "page size 1000: %d", r);

	/* 8. random byte flips never crash (ASan/UBSan builds catch the rest) */
	unsigned long long x = 0x9e3779b97f4a7c15ull;
	int survived = 1;
	for (int i = 0; i < 20000; i++) {
		memcpy(b, ok, len);
		for (int k = 0; k < 1 + i % 4; k++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			b[(x >> 33) % len] = (unsigned char)(x >> 17);
		}
		r = walk(b, len, &t, &e);
		if (r > 0)
			survived = 0;
	}
	CHECK(survived, "random flips: only 0 or negative codes");

	/* 9. the other byte order reads the same */
	memcpy(b, ok, len);
	to_big_endian(b, len, (unsigned)ps);
	r = walk(b, len, &t, &e);
	CHECK(r == 0 && t.n == 21 && t.big_ok, "big-endian file: %d %d %s", r, t.n, e.msg);

	free(ok);
	free(b);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
