/* SPDX-License-Identifier: MIT */
/*
 * The Berkeley DB writer (src/rpmdb/bdb_*.c) on 600 synthetic packages made
 * so that every path is taken: headers spread over overflow chains, a
 * Basenames index of three levels (30,000 keys), a key of 1,500 bytes (an
 * overflow key), a value of 4,800 bytes (one key in every package), empty
 * indexes, rpm's exceptions (install-only requires, repeated trigger names,
 * no Group). What rpm 4.11 would index is built here from the generator, not
 * from the headers, and looked up in the files with a small reader of our
 * own; Packages is read back by the adoption reader; db5.3_verify (when
 * installed) must pass on every file and libdb must find every key in it.
 * Then the failures: nothing is left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/rpmdb.h"
#include "rpm/rpm.h"
#include "rpmdb/bdb_write.h"

static int passed, failed;

#define CHECK(cond, ...) do { \
	if (cond) { passed++; } else { failed++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); printf("\n"); } } while (0)

enum { NPKG = 600, NFILES = 50, PS = 4096 };

/* ---- a header blob builder (legacy header: no region, tags ascending) ---- */

struct hb {
	unsigned char idx[64 * 16], data[1 << 20];
	uint32_t il, dl;
};

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static void hb_add(struct hb *b, uint32_t tag, uint32_t type, uint32_t count, const void *d, size_t len)
{
	if (type == ALU_TYPE_INT32)
		while (b->dl % 4)
			b->data[b->dl++] = 0;
	be32(b->idx + 16 * b->il, tag);
	be32(b->idx + 16 * b->il + 4, type);
	be32(b->idx + 16 * b->il + 8, b->dl);
	be32(b->idx + 16 * b->il + 12, count);
	b->il++;
	memcpy(b->data + b->dl, d, len);
	b->dl += (uint32_t)len;
}

/* strings joined with their NULs */
static void hb_strs(struct hb *b, uint32_t tag, uint32_t type, char **v, size_t n)
{
	static char buf[1 << 20];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(buf + len, v[i], l);
		len += l;
	}
	hb_add(b, tag, type, (uint32_t)n, buf, len);
}

static unsigned char *hb_blob(const struct hb *b, size_t *len)
{
	unsigned char *p = malloc(8 + 16 * b->il + b->dl);

	be32(p, b->il);
	be32(p + 4, b->dl);
	memcpy(p + 8, b->idx, 16 * b->il);
	memcpy(p + 8 + 16 * b->il, b->data, b->dl);
	*len = 8 + 16 * b->il + b->dl;
	return p;
}

enum { NLONG = 200 };   /* more than a leaf holds: some leaf starts with one, and
                         * an internal page carries an overflow key */
static char longname[NLONG][1501];

static uint32_t hnum_of(int i) { return 3 * (uint32_t)i + 1; }   /* gaps, as after removals */

static unsigned char *make_pkg(int i, size_t *len)
{
	static char s[NFILES + 8][1600];
	char *v[NFILES + NLONG + 8];
	struct hb *b = calloc(1, sizeof(*b));
	uint32_t u[3];
	unsigned char md5[16];
	unsigned char *blob;
	int n;

	snprintf(s[0], sizeof(s[0]), "pkg-%04d", i);
	v[0] = s[0];
	for (int k = 0; k < 16; k++)
		md5[k] = (unsigned char)(k < 2 ? i >> 8 * k : i * 31 + k);
	hb_add(b, 261, ALU_TYPE_BIN, 16, md5, 16);
	snprintf(s[1], sizeof(s[1]), "%040x", i);
	v[1] = s[1];
	hb_strs(b, 269, ALU_TYPE_STRING, &v[1], 1);
	hb_strs(b, 1000, ALU_TYPE_STRING, &v[0], 1);
	if (i % 50 == 0) {   /* a header of several overflow pages */
		static char big[20001];
		memset(big, 'd', 20000);
		v[2] = big;
		hb_strs(b, 1005, ALU_TYPE_I18NSTRING, &v[2], 1);
	}
	if (i % 3) {
		snprintf(s[2], sizeof(s[2]), "Group/%d", i % 5);
		snprintf(s[3], sizeof(s[3]), "Gruppe/%d", i % 5);
		v[2] = s[2]; v[3] = s[3];
		hb_strs(b, 1016, ALU_TYPE_I18NSTRING, &v[2], 2);
	}
	hb_strs(b, 1047, ALU_TYPE_STRING_ARRAY, (char *[]){ s[0], "cap-common" }, 2);
	u[0] = 0; u[1] = 1 << 9; u[2] = (1 << 10) | (1 << 11);
	for (int k = 0; k < 3; k++)
		u[k] = __builtin_bswap32(u[k]);
	hb_add(b, 1048, ALU_TYPE_INT32, 3, u, 12);
	hb_strs(b, 1049, ALU_TYPE_STRING_ARRAY, (char *[]){ "cap-common", "/bin/sh", "post-and-preun" }, 3);
	if (i % 10 == 0)
		hb_strs(b, 1054, ALU_TYPE_STRING_ARRAY, (char *[]){ "conf" }, 1);
	if (i % 4 == 0)
		hb_strs(b, 1066, ALU_TYPE_STRING_ARRAY, (char *[]){ "trig", "trig", "other" }, 3);
	n = 0;
	v[n++] = "common";
	for (int k = 0; k < NFILES; k++) {
		snprintf(s[4 + k], sizeof(s[4 + k]), "f-%04d-%02d", i, k);
		v[n++] = s[4 + k];
	}
	if (i == 7)
		for (int k = 0; k < NLONG; k++)
			v[n++] = longname[k];
	hb_strs(b, 1117, ALU_TYPE_STRING_ARRAY, v, (size_t)n);
	snprintf(s[3], sizeof(s[3]), "/usr/share/%s/", s[0]);
	hb_strs(b, 1118, ALU_TYPE_STRING_ARRAY, (char *[]){ "/usr/", s[3] }, 2);
	u[0] = __builtin_bswap32(1000 + (uint32_t)(i % 7));
	hb_add(b, 1128, ALU_TYPE_INT32, 1, u, 4);
	blob = hb_blob(b, len);
	free(b);
	return blob;
}

/* ---- a B-tree reader of our own: root to leaf by key, like rpm's bdb_ro -- */

struct file { unsigned char *b; size_t len; };

static struct file slurp(const char *dir, const char *name)
{
	char path[512];
	struct file f = { 0 };
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return f;
	f.b = malloc((size_t)st.st_size + 1);
	f.len = (size_t)read(fd, f.b, (size_t)st.st_size);
	close(fd);
	return f;
}

static uint16_t rd16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static unsigned char ovbuf[1 << 20];

/* an item's bytes: on page, or its overflow chain gathered into ovbuf */
static const unsigned char *bitem(const struct file *f, const unsigned char *it, uint32_t *len, int internal)
{
	const unsigned char *ov = internal ? it + 12 : it;

	if ((it[2] & 0x7f) == 1) {
		*len = rd16(it);
		return it + (internal ? 12 : 3);
	}
	*len = rd32(ov + 8);
	for (uint32_t pg = rd32(ov + 4), got = 0; got < *len; pg = rd32(f->b + (size_t)pg * PS + 16)) {
		const unsigned char *p = f->b + (size_t)pg * PS;
		if ((size_t)pg * PS >= f->len || p[25] != 7)
			return NULL;
		memcpy(ovbuf + got, p + 26, rd16(p + 22));
		got += rd16(p + 22);
	}
	return ovbuf;
}

static int kcmp(const void *a, uint32_t al, const void *b, uint32_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

/* The value of @p key, copied to @p out; -1 when absent. */
static long lookup(const struct file *f, const void *key, uint32_t klen, unsigned char *out)
{
	uint32_t pg = rd32(f->b + 88);

	for (int depth = 0; depth < 10; depth++) {
		const unsigned char *p = f->b + (size_t)pg * PS;
		unsigned n = rd16(p + 20);

		if (p[25] == 5) {
			for (unsigned i = 0; i + 1 < n; i += 2) {
				uint32_t l, vl;
				const unsigned char *k = bitem(f, p + rd16(p + 26 + 2 * i), &l, 0);
				unsigned char kc[1600];
				const unsigned char *v;
				memcpy(kc, k, l);
				if (kcmp(kc, l, key, klen))
					continue;
				v = bitem(f, p + rd16(p + 26 + 2 * (i + 1)), &vl, 0);
				memcpy(out, v, vl);
				return vl;
			}
			return -1;
		}
		/* internal: the last child whose key is <= ours (entry 0 is -inf) */
		uint32_t child = rd32(p + rd16(p + 26) + 4);
		for (unsigned i = 1; i < n; i++) {
			const unsigned char *it = p + rd16(p + 26 + 2 * i);
			uint32_t l;
			const unsigned char *k = bitem(f, it, &l, 1);
			if (kcmp(k, l, key, klen) > 0)
				break;
			child = rd32(it + 4);
		}
		pg = child;
	}
	return -1;
}

/* Keys in leaf order must rise; returns how many, and the tree's height. */
static long scan(const struct file *f, int *height)
{
	uint32_t pg = rd32(f->b + 88);
	unsigned char prev[1600];
	uint32_t plen = 0;
	long nkeys = 0;

	*height = 1;
	while (f->b[(size_t)pg * PS + 25] == 3) {
		const unsigned char *p = f->b + (size_t)pg * PS;
		pg = rd32(p + rd16(p + 26) + 4);
		(*height)++;
	}
	for (; pg; pg = rd32(f->b + (size_t)pg * PS + 16)) {
		const unsigned char *p = f->b + (size_t)pg * PS;
		for (unsigned i = 0; i < rd16(p + 20); i += 2) {
			uint32_t l;
			const unsigned char *k = bitem(f, p + rd16(p + 26 + 2 * i), &l, 0);
			if (nkeys && kcmp(prev, plen, k, l) >= 0)
				return -1;
			memcpy(prev, k, l);
			plen = l;
			nkeys++;
		}
	}
	return nkeys;
}

static unsigned char val[1 << 16];

/* internal-page keys that live in overflow chains */
static int internal_overflow_keys(const struct file *f)
{
	int n = 0;

	for (size_t pg = 1; pg < f->len / PS; pg++) {
		const unsigned char *p = f->b + pg * PS;
		if (p[25] == 3)
			for (unsigned i = 0; i < rd16(p + 20); i++)
				n += (p[rd16(p + 26 + 2 * i) + 2] & 0x7f) == 3;
	}
	return n;
}

/* value == the (hnum, idx) pairs given */
static void expect(const struct file *f, const char *what, const void *key, uint32_t klen,
		   const uint32_t *pairs, long npairs)
{
	long n = lookup(f, key, klen, val);

	if (npairs == 0) {
		CHECK(n == -1, "%s: key found, expected absent", what);
		return;
	}
	CHECK(n == 8 * npairs && !memcmp(val, pairs, (size_t)n), "%s: value of %ld bytes, expected %ld",
	      what, n, 8 * npairs);
}

static void check_indexes(const char *dir)
{
	static uint32_t pairs[2 * NPKG * 2];
	struct file f;
	long n;
	int h;

	/* Name: every package, its own key */
	f = slurp(dir, "Name");
	pairs[0] = hnum_of(123); pairs[1] = 0;
	expect(&f, "Name pkg-0123", "pkg-0123", 8, pairs, 1);
	CHECK(scan(&f, &h) == NPKG, "Name: %ld keys", scan(&f, &h));
	free(f.b);
	/* Basenames: three levels; "common" in everyone at index 0; the long name */
	f = slurp(dir, "Basenames");
	n = scan(&f, &h);
	CHECK(n == 1 + NPKG * NFILES + NLONG && h == 3, "Basenames: %ld keys, height %d", n, h);
	for (int i = 0; i < NPKG; i++) {
		pairs[2 * i] = hnum_of(i);
		pairs[2 * i + 1] = 0;
	}
	expect(&f, "Basenames common", "common", 6, pairs, NPKG);
	pairs[0] = hnum_of(599); pairs[1] = 50;
	expect(&f, "Basenames f-0599-49", "f-0599-49", 9, pairs, 1);
	pairs[0] = hnum_of(0); pairs[1] = 1;
	expect(&f, "Basenames f-0000-00", "f-0000-00", 9, pairs, 1);
	CHECK(internal_overflow_keys(&f) >= 1, "no overflow key on an internal page");
	for (int k = 0; k < NLONG; k++) {
		pairs[0] = hnum_of(7);
		pairs[1] = NFILES + 1 + (uint32_t)k;
		expect(&f, "Basenames long", longname[k], 1500, pairs, 1);
	}
	free(f.b);
	/* Group: I18N's first string; no Group is "Unknown" */
	f = slurp(dir, "Group");
	n = 0;
	for (int i = 0; i < NPKG; i++)
		if (i % 3 == 0) {
			pairs[2 * n] = hnum_of(i);
			pairs[2 * n++ + 1] = 0;
		}
	expect(&f, "Group Unknown", "Unknown", 7, pairs, n);
	expect(&f, "Group Gruppe/1", "Gruppe/1", 8, pairs, 0);
	CHECK(scan(&f, &h) == 6, "Group: %ld keys", scan(&f, &h));
	free(f.b);
	/* Requirename: the %pre-only requirement is not indexed, %post+%preun is */
	f = slurp(dir, "Requirename");
	expect(&f, "Requirename /bin/sh", "/bin/sh", 7, pairs, 0);
	for (int i = 0; i < NPKG; i++) {
		pairs[2 * i] = hnum_of(i);
		pairs[2 * i + 1] = 2;
	}
	expect(&f, "Requirename post-and-preun", "post-and-preun", 14, pairs, NPKG);
	free(f.b);
	/* Triggername: once per package, at the first index */
	f = slurp(dir, "Triggername");
	n = 0;
	for (int i = 0; i < NPKG; i += 4) {
		pairs[2 * n] = hnum_of(i);
		pairs[2 * n++ + 1] = 0;
	}
	expect(&f, "Triggername trig", "trig", 4, pairs, n);
	free(f.b);
	/* Obsoletename: nobody obsoletes: an empty tree */
	f = slurp(dir, "Obsoletename");
	CHECK(f.len == 2 * PS && scan(&f, &h) == 0, "Obsoletename: %zu bytes", f.len);
	free(f.b);
	/* Installtid: the int32 in host order */
	f = slurp(dir, "Installtid");
	{
		uint32_t tid = 1003;
		n = 0;
		for (int i = 3; i < NPKG; i += 7) {
			pairs[2 * n] = hnum_of(i);
			pairs[2 * n++ + 1] = 0;
		}
		expect(&f, "Installtid 1003", &tid, 4, pairs, n);
	}
	free(f.b);
	/* Sigmd5: 16 raw bytes; Sha1header: the hex string */
	f = slurp(dir, "Sigmd5");
	{
		unsigned char md5[16];
		for (int k = 0; k < 16; k++)
			md5[k] = (unsigned char)(k < 2 ? 42 >> 8 * k : 42 * 31 + k);
		pairs[0] = hnum_of(42); pairs[1] = 0;
		expect(&f, "Sigmd5 #42", md5, 16, pairs, 1);
	}
	free(f.b);
	f = slurp(dir, "Sha1header");
	{
		char hex[41];
		snprintf(hex, sizeof(hex), "%040x", 42);
		expect(&f, "Sha1header #42", hex, 40, pairs, 1);
	}
	free(f.b);
}

/* ---- Packages read back by the adoption reader ----------------------------- */

struct back { unsigned char **blob; size_t *len; int n, bad; };

static int back_cb(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	struct back *b = arg;
	int i = (int)(hnum - 1) / 3;

	if ((hnum - 1) % 3 || i >= NPKG || len != b->len[i] || memcmp(blob, b->blob[i], len))
		b->bad++;
	b->n++;
	return 0;
}

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static void rm_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd)) {}
}

int main(void)
{
	static const char *files[] = { "Packages", "Name", "Basenames", "Group", "Requirename",
		"Providename", "Conflictname", "Obsoletename", "Triggername", "Dirnames", "Installtid",
		"Sigmd5", "Sha1header" };
	static struct alu_rpmdb_hdr h[NPKG];
	static unsigned char *blobs[NPKG];
	static size_t lens[NPKG];
	char dir[] = "/tmp/test_bdb_write.XXXXXX", path[600];
	struct alu_err e = { 0 };
	struct back b = { blobs, lens, 0, 0 };
	int dfd, r;

	for (int k = 0; k < NLONG; k++) {
		memset(longname[k], 'L', 1500);
		snprintf(longname[k] + 1497, 4, "%03d", k);
	}
	for (int i = 0; i < NPKG; i++) {
		blobs[i] = make_pkg(i, &lens[i]);
		h[i] = (struct alu_rpmdb_hdr){ hnum_of(i), blobs[i], lens[i] };
	}
	if (!mkdtemp(dir))
		return 2;
	dfd = open(dir, O_RDONLY | O_DIRECTORY);

	/* 1. the database, every file present */
	r = alu_rpmdb_bdb_write(dfd, h, NPKG, &e);
	CHECK(r == 0, "write: %d %s", r, e.msg);
	CHECK(dir_entries(dir) == 13, "%d files", dir_entries(dir));
	snprintf(path, sizeof(path), "%s/Packages", dir);
	r = alu_rpmdb_bdb_foreach(path, back_cb, &b, &e);
	CHECK(r == 0 && b.n == NPKG && b.bad == 0, "Packages read back: %d, %d headers, %d differ",
	      r, b.n, b.bad);
	check_indexes(dir);
	/* 2. libdb's own verifier, when there */
	if (system("command -v db5.3_verify >/dev/null 2>&1") == 0) {
		for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
			char cmd[700];
			snprintf(cmd, sizeof(cmd), "db5.3_verify -q '%s/%s'", dir, files[i]);
			CHECK(system(cmd) == 0, "db5.3_verify %s", files[i]);
			/* libdb looks every key up: db5.3_load -n refuses each one it
			 * finds, and the file stays as it was (the verifier does not
			 * check a hash page's order outside diagnostic builds) */
			snprintf(cmd, sizeof(cmd), "cd '%s' && f='%s' && cp \"$f\" copy && "
				 "n=$(db5.3_dump \"$f\" | grep -c '^ '); "
				 "k=$(db5.3_dump \"$f\" | db5.3_load -n \"$f\" 2>&1 | grep -c 'key already exists'); "
				 "cmp -s \"$f\" copy && rm copy && [ $((n / 2)) -eq \"$k\" ]", dir, files[i]);
			CHECK(system(cmd) == 0, "libdb does not find every key of %s", files[i]);
		}
	} else {
		printf("db5.3_verify not installed: libdb's verifier skipped\n");
	}
	rm_dir(dir);

	/* 3. failures leave nothing behind */
	mkdir(dir, 0755);
	h[5].hnum = h[4].hnum;
	alu_err_clear(&e);
	r = alu_rpmdb_bdb_write(dfd, h, NPKG, &e);
	CHECK(r == -EINVAL && strstr(e.msg, "out of order") && dir_entries(dir) == 0,
	      "out of order: %d '%s', %d files", r, e.msg, dir_entries(dir));
	h[5].hnum = hnum_of(5);
	close(dfd);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	h[9].len = 7;
	alu_err_clear(&e);
	r = alu_rpmdb_bdb_write(dfd, h, NPKG, &e);
	CHECK(r < 0 && strstr(e.msg, "#28") && dir_entries(dir) == 0,
	      "bad header: %d '%s', %d files", r, e.msg, dir_entries(dir));
	h[9].len = lens[9];
	snprintf(path, sizeof(path), "%s/Dirnames", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	alu_err_clear(&e);
	r = alu_rpmdb_bdb_write(dfd, h, NPKG, &e);
	CHECK(r == -EEXIST && strstr(e.msg, "Dirnames") && dir_entries(dir) == 1,
	      "existing file: %d '%s', %d files", r, e.msg, dir_entries(dir));
	unlink(path);
	/* 4. no packages at all: still a database rpm opens (key 0 only) */
	alu_err_clear(&e);
	b.n = 0;
	r = alu_rpmdb_bdb_write(dfd, h, 0, &e);
	snprintf(path, sizeof(path), "%s/Packages", dir);
	CHECK(r == 0 && dir_entries(dir) == 13 && alu_rpmdb_bdb_foreach(path, back_cb, &b, &e) == 0 &&
	      b.n == 0, "empty: %d '%s'", r, e.msg);
	close(dfd);
	rm_dir(dir);
	for (int i = 0; i < NPKG; i++)
		free(blobs[i]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
