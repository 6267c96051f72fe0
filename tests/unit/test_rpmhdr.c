/* SPDX-License-Identifier: MIT */
/*
 * src/rpm against real packages and hostile input.
 *
 * 1. The fixtures in data/rpm (built by data/rpm/mkfixtures.sh) are read and
 *    every field compared with <rpm>.expect, which rpm -qp wrote; the header
 *    byte range is checked against the signature's SHA256 and SIZE tags.
 * 2. Every prefix of a package up to the end of its main header, and of a
 *    header blob, must fail cleanly; hand-made blobs break one rule each.
 */
#include "crypto/digest.h"
#include "rpm/rpm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) passed++; \
	else { failed++; fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)
#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (a_ && b_ && !strcmp(a_, b_)) passed++; \
	else { failed++; fprintf(stderr, "%s:%d: FAILED: %s: \"%s\" != \"%s\"\n", __FILE__, \
		__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
} while (0)

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		*len = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* ---- 1. fixtures against rpm -qp ------------------------------------------ */

static const char *none(const char *s)
{
	return strcmp(s, "(none)") ? s : "";
}

static void check_deps(const struct alu_hdr *h, enum alu_deptype t, const char *key, char *expect)
{
	struct alu_dep *d;
	size_t n, i = 0;
	char *save, *line, *copy = strdup(expect);

	CHECK(alu_hdr_deps(h, t, &d, &n) == 0);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = { 0 }, *p = line;

		for (int k = 0; k < 4 && p; k++)
			f[k] = strsep(&p, "\t");
		if (strcmp(f[0], key))
			continue;
		CHECK(i < n);
		if (i >= n)
			break;
		CHECK_STR(d[i].name, f[1]);
		CHECK(d[i].flags == strtoul(f[2], NULL, 10));
		CHECK_STR(d[i].evr, f[3] ? f[3] : "");
		CHECK(alu_dep_is_rich(&d[i]) == (f[1][0] == '('));
		i++;
	}
	CHECK(i == n);
	free(d);
	free(copy);
}

static void check_files(const struct alu_hdr *h, char *expect)
{
	size_t n = alu_hdr_nfiles(h), i = 0;
	char *save, *line, *copy = strdup(expect);
	struct alu_file f;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *x[11] = { 0 }, *p = line;

		for (int k = 0; k < 11 && p; k++)
			x[k] = strsep(&p, "\t");
		if (strcmp(x[0], "FILE") || !x[10])
			continue;
		CHECK(alu_hdr_file(h, i, &f) == 0);
		CHECK_STR(f.path, x[1]);
		CHECK(f.mode == strtoul(x[2], NULL, 10));
		CHECK(f.size == strtoull(x[3], NULL, 10));
		CHECK(f.mtime == strtoul(x[4], NULL, 10));
		CHECK(f.flags == strtoul(x[5], NULL, 10));
		CHECK_STR(f.user, x[6]);
		CHECK_STR(f.group, x[7]);
		CHECK_STR(f.linkto, x[8]);
		CHECK_STR(f.digest, x[9]);
		CHECK(f.inode == strtoul(x[10], NULL, 10));
		i++;
	}
	CHECK(i == n && n > 0);
	CHECK(alu_hdr_file(h, n, &f) == -ALUE_NOTFOUND);
	free(copy);
}

static const char *field(char *expect, const char *key, char *buf, size_t size)
{
	size_t kl = strlen(key);

	for (char *p = expect; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == '\t') {
			size_t l = strcspn(p + kl + 1, "\n");

			snprintf(buf, size, "%.*s", (int)l, p + kl + 1);
			return buf;
		}
	}
	snprintf(buf, size, "(none)");
	return buf;
}

static void check_script(const struct alu_hdr *h, const char *rpm, enum alu_script_kind kind,
			 const char *ext, const char *progkey, char *expect)
{
	char path[512], buf[256];
	struct alu_script s;
	size_t len;
	char *body;

	alu_hdr_script(h, kind, &s);
	snprintf(path, sizeof(path), "data/rpm/%s.%s", rpm, ext);
	body = slurp(path, &len);
	if (body)
		CHECK_STR(s.body, body);
	else
		CHECK(s.body == NULL);
	free(body);
	field(expect, progkey, buf, sizeof(buf));
	if (strcmp(buf, "(none)")) {
		CHECK(s.prog && s.nprog >= 1);
		if (s.prog)
			CHECK_STR(s.prog[0], buf);
		if (s.prog)
			CHECK(s.prog[s.nprog] == NULL);
	} else {
		CHECK(s.prog == NULL);
	}
}

static void hex(const uint8_t *md, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static void check_sig(struct alu_rpm *r, const char *file, size_t flen)
{
	struct alu_digest d;
	uint8_t md[ALU_DIGEST_MAX];
	char mdhex[ALU_DIGEST_HEX_MAX];
	size_t blen;
	uint32_t size;
	const uint8_t *all = (const uint8_t *)file;
	struct alu_hdr *again = NULL;
	struct alu_err e = { 0 };
	const void *blob;

	/* The SHA256 signature tag hashes exactly [hdr_off, hdr_off + hdr_len). */
	CHECK(alu_digest_init(&d, ALU_HASH_SHA256) == 0);
	alu_digest_update(&d, all + r->hdr_off, (size_t)r->hdr_len);
	hex(md, alu_digest_final(&d, md), mdhex);
	CHECK_STR(alu_hdr_str(r->sig, ALU_SIGTAG_SHA256), mdhex);
	CHECK(alu_hdr_u32(r->sig, ALU_SIGTAG_SIZE, &size) == 0);
	CHECK(size == flen - (size_t)r->hdr_off);
	/* The blob (from the index count on) parses back to the same header. */
	blob = alu_hdr_blob(r->hdr, &blen);
	CHECK(blen + 8 == (size_t)r->hdr_len);
	CHECK(blob && !memcmp(blob, all + r->hdr_off + 8, blen));
	CHECK(alu_hdr_parse(blob, blen, "again", &again, &e) == 0);
	if (again)
		CHECK_STR(alu_hdr_str(again, ALU_TAG_NAME), alu_hdr_str(r->hdr, ALU_TAG_NAME));
	alu_hdr_free(again);
}

static void test_fixture(const char *rpm, int source)
{
	char path[512], buf[512], nevra[256];
	struct alu_rpm r;
	struct alu_err e = { 0 };
	struct alu_pkginfo p;
	size_t elen, flen;
	char *expect, *file;
	int kind;

	snprintf(path, sizeof(path), "data/rpm/%s.expect", rpm);
	expect = slurp(path, &elen);
	snprintf(path, sizeof(path), "data/rpm/%s", rpm);
	file = slurp(path, &flen);
	CHECK(expect && file);
	if (!expect || !file)
		goto out;
	CHECK(alu_rpm_open(path, &r, &e) == 0);
	if (e.code) {
		fprintf(stderr, "  %s\n", e.msg);
		goto out;
	}
	CHECK(r.is_source == source);
	CHECK(alu_hdr_info(r.hdr, &p) == 0);
	CHECK(p.is_source == source);
	CHECK_STR(p.name, field(expect, "NAME", buf, sizeof(buf)));
	CHECK_STR(p.version, field(expect, "VERSION", buf, sizeof(buf)));
	CHECK_STR(p.release, field(expect, "RELEASE", buf, sizeof(buf)));
	CHECK(p.has_epoch && p.epoch == strtoul(field(expect, "EPOCH", buf, sizeof(buf)), NULL, 10));
	CHECK_STR(p.arch, source ? "src" : field(expect, "ARCH", buf, sizeof(buf)));
	CHECK_STR(p.summary, field(expect, "SUMMARY", buf, sizeof(buf)));
	CHECK_STR(p.license, field(expect, "LICENSE", buf, sizeof(buf)));
	CHECK_STR(p.url, field(expect, "URL", buf, sizeof(buf)));
	CHECK_STR(p.sourcerpm, none(field(expect, "SOURCERPM", buf, sizeof(buf))));
	CHECK(p.size == strtoull(field(expect, "SIZE", buf, sizeof(buf)), NULL, 10));
	CHECK(p.buildtime == strtoul(field(expect, "BUILDTIME", buf, sizeof(buf)), NULL, 10));
	CHECK_STR(p.payload_compressor, none(field(expect, "COMPRESSOR", buf, sizeof(buf))));
	CHECK_STR(p.payload_format, field(expect, "FORMAT", buf, sizeof(buf)));
	CHECK(alu_hdr_digest_algo(r.hdr) == atoi(field(expect, "DIGESTALGO", buf, sizeof(buf))));
	if (!source)
		CHECK_STR(alu_hdr_nevra(r.hdr, nevra, sizeof(nevra)),
			  field(expect, "NEVRA", buf, sizeof(buf)));
	kind = alu_rpm_payload_kind(&r);
	CHECK_STR(alu_payload_kind_name(kind), p.payload_compressor);
	check_deps(r.hdr, ALU_REQUIRES, "REQUIRES", expect);
	check_deps(r.hdr, ALU_PROVIDES, "PROVIDES", expect);
	check_deps(r.hdr, ALU_CONFLICTS, "CONFLICTS", expect);
	check_deps(r.hdr, ALU_OBSOLETES, "OBSOLETES", expect);
	check_files(r.hdr, expect);
	check_script(r.hdr, rpm, ALU_PRETRANS, "pretrans", "PRETRANSPROG", expect);
	check_script(r.hdr, rpm, ALU_POST, "post", "POSTINPROG", expect);
	check_script(r.hdr, rpm, ALU_POSTUN, "postun", "POSTUNPROG", expect);
	check_sig(&r, file, flen);
	alu_rpm_close(&r);
	CHECK(r.fd == -1 && !r.hdr && !r.sig);
out:
	free(expect);
	free(file);
}

/* ---- 2. hostile input ----------------------------------------------------- */

static int open_bytes(const void *p, size_t n, struct alu_rpm *r, struct alu_err *e)
{
	int fd = memfd_create("rpm", MFD_CLOEXEC);

	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n)) {
		perror("memfd");
		exit(2);
	}
	return alu_rpm_openfd(fd, "bytes.rpm", r, e);
}

/* Every prefix up to the end of the main header fails, with a message. */
static void test_truncated(const char *rpm)
{
	char path[512];
	size_t flen, blen, bad = 0;
	struct alu_rpm r, full;
	struct alu_err e = { 0 };
	struct alu_hdr *h;
	char *file;
	const void *blob;

	snprintf(path, sizeof(path), "data/rpm/%s", rpm);
	file = slurp(path, &flen);
	CHECK(file && open_bytes(file, flen, &full, &e) == 0);
	if (!file || e.code)
		return;
	for (size_t n = 0; n < (size_t)full.payload_off; n++) {
		alu_err_clear(&e);
		if (open_bytes(file, n, &r, &e) >= 0 || !e.msg[0] || r.fd != -1 || r.hdr || r.sig) {
			bad++;
			fprintf(stderr, "  prefix %zu of %s: rc %d \"%s\"\n", n, rpm, e.code, e.msg);
		}
		alu_rpm_close(&r);
	}
	CHECK(bad == 0);
	alu_err_clear(&e);
	CHECK(open_bytes(file, (size_t)full.payload_off, &r, &e) == 0);
	alu_rpm_close(&r);
	blob = alu_hdr_blob(full.hdr, &blen);
	bad = 0;
	for (size_t n = 0; n < blen; n++) {
		alu_err_clear(&e);
		if (alu_hdr_parse(blob, n, "blob", &h, &e) != -ALUE_TRUNCATED || h)
			bad++;
	}
	CHECK(bad == 0);
	alu_rpm_close(&full);
	free(file);
}

struct tent {
	uint32_t tag, type, count;
	const void *data;
	size_t len;
	int32_t off; /* -1: computed */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * A header blob: @p region 63 puts the first n - ndrib entries in an
 * immutable region (with its trailer), the rest after it as dribbles; 0
 * makes a legacy header. Returns the length.
 */
static size_t mkblob(uint8_t *out, const struct tent *t, size_t n, uint32_t region, size_t ndrib)
{
	static const uint32_t align[] = { 1, 1, 1, 2, 4, 8, 1, 1, 1, 1 };
	size_t il = n + (region ? 1 : 0), dl = 0, ri = region ? 1 : 0;
	uint8_t *pe = out + 8, *ds = out + 8 + 16 * il;

	for (size_t i = 0; i < n; i++) {
		if (region && i == n - ndrib) {
			uint32_t trailer = (uint32_t)dl;

			put32(ds + dl, region);
			put32(ds + dl + 4, ALU_TYPE_BIN);
			put32(ds + dl + 8, (uint32_t)-(int32_t)(16 * (n - ndrib + 1)));
			put32(ds + dl + 12, 16);
			dl += 16;
			put32(pe, region);
			put32(pe + 4, ALU_TYPE_BIN);
			put32(pe + 8, trailer);
			put32(pe + 12, 16);
		}
		while (dl % align[t[i].type < 10 ? t[i].type : 1])
			ds[dl++] = 0;
		put32(pe + 16 * (ri + i), t[i].tag);
		put32(pe + 16 * (ri + i) + 4, t[i].type);
		put32(pe + 16 * (ri + i) + 8, t[i].off >= 0 ? (uint32_t)t[i].off : (uint32_t)dl);
		put32(pe + 16 * (ri + i) + 12, t[i].count);
		memcpy(ds + dl, t[i].data, t[i].len);
		dl += t[i].len;
	}
	if (region && ndrib == 0) {
		put32(ds + dl, region);
		put32(ds + dl + 4, ALU_TYPE_BIN);
		put32(ds + dl + 8, (uint32_t)-(int32_t)(16 * il));
		put32(ds + dl + 12, 16);
		put32(pe, region);
		put32(pe + 4, ALU_TYPE_BIN);
		put32(pe + 8, (uint32_t)dl);
		put32(pe + 12, 16);
		dl += 16;
	}
	put32(out, (uint32_t)il);
	put32(out + 4, (uint32_t)dl);
	return 8 + 16 * il + dl;
}

static void expect_bad(const uint8_t *b, size_t len, int code, const char *msg_part)
{
	struct alu_err e = { 0 };
	struct alu_hdr *h = NULL;
	int r = alu_hdr_parse(b, len, "hostile", &h, &e);

	CHECK(r == code && h == NULL && strstr(e.msg, msg_part));
	if (r != code || !strstr(e.msg, msg_part))
		fprintf(stderr, "  want %d \"%s\", got %d \"%s\"\n", code, msg_part, r, e.msg);
	alu_hdr_free(h);
}

static void test_hostile(void)
{
	static uint8_t b[4096], c[4096];
	const uint8_t i32[8] = { 0, 0, 0, 7, 0, 0, 0, 9 }, i16[4] = { 0x81, 0xa4, 0x41, 0xed };
	const char names[] = "a\0b", dirs[] = "/d/", bad_idx[8] = { 0, 0, 0, 0, 0, 0, 0, 5 };
	struct tent t[] = {
		{ ALU_TAG_NAME, ALU_TYPE_STRING, 1, "pkg", 4, -1 },
		{ ALU_TAG_VERSION, ALU_TYPE_STRING, 1, "1", 2, -1 },
		{ ALU_TAG_RELEASE, ALU_TYPE_STRING, 1, "2", 2, -1 },
		{ ALU_TAG_FILEMODES, ALU_TYPE_INT16, 2, i16, 4, -1 },
		{ ALU_TAG_FILEMTIMES, ALU_TYPE_INT32, 2, i32, 8, -1 },
		{ ALU_TAG_DIRINDEXES, ALU_TYPE_INT32, 2, bad_idx, 8, -1 },
		{ ALU_TAG_BASENAMES, ALU_TYPE_STRING_ARRAY, 2, names, 4, -1 },
		{ ALU_TAG_DIRNAMES, ALU_TYPE_STRING_ARRAY, 1, dirs, 4, -1 },
	};
	struct tent d[] = { t[0], t[1], t[2], { ALU_TAG_NAME, ALU_TYPE_STRING, 1, "new", 4, -1 } };
	struct tent u[] = { t[0], { ALU_TAG_SUMMARY, ALU_TYPE_STRING, 1, "xyz", 3, -1 } };
	struct alu_err e = { 0 };
	struct alu_hdr *h = NULL;
	struct alu_file f;
	size_t len, n;
	uint32_t v;

	/* A good one first, then one broken rule at a time. */
	len = mkblob(b, t, 8, ALU_TAG_HEADERIMMUTABLE, 0);
	CHECK(alu_hdr_parse(b, len, "good", &h, &e) == 0);
	if (h) {
		CHECK(alu_hdr_nfiles(h) == 2);
		CHECK(alu_hdr_file(h, 0, &f) == 0 && !strcmp(f.path, "/d/a") && f.mode == 0100644 &&
		      f.mtime == 7 && !strcmp(f.user, "root"));
		CHECK(alu_hdr_file(h, 1, &f) == -ALUE_CORRUPT); /* dirindex 5 of 1 */
		CHECK(alu_hdr_u32(h, ALU_TAG_FILEMODES, &v) == 0 && v == 0100644);
		CHECK(alu_hdr_u32(h, ALU_TAG_NAME, &v) == -ALUE_NOTFOUND);
		CHECK(alu_hdr_str(h, ALU_TAG_FILEMODES) == NULL);
		CHECK(alu_hdr_strv(h, ALU_TAG_BASENAMES, &n) && n == 2);
		CHECK(alu_hdr_ntags(h) == 8);
	}
	alu_hdr_free(h);
	/* Trailing bytes, and an overflowing index count / data size. */
	expect_bad(b, len + 1, -ALUE_CORRUPT, "bytes after the header");
	memcpy(c, b, len);
	put32(c, 0x10000);
	expect_bad(c, len, -ALUE_CORRUPT, "index count 65536 exceeds limit 65535");
	put32(c, 0xffffffff);
	expect_bad(c, len, -ALUE_CORRUPT, "index count 4294967295 exceeds limit");
	memcpy(c, b, len);
	put32(c + 4, 0x10000000);
	expect_bad(c, len, -ALUE_CORRUPT, "data size 268435456 exceeds limit");
	memcpy(c, b, len);
	put32(c, 0);
	expect_bad(c, 8, -ALUE_CORRUPT, "no tags");
	/* Offset out of range (entry 1 = NAME). */
	memcpy(c, b, len);
	put32(c + 8 + 16 + 8, 0x7fffffff);
	expect_bad(c, len, -ALUE_CORRUPT, "offset 2147483647 outside the data");
	/* Region trailer: wrong tag, wrong size, trailer offset out of range. */
	memcpy(c, b, len);
	c[len - 16 + 3] = 62;
	expect_bad(c, len, -ALUE_CORRUPT, "region trailer wrong");
	memcpy(c, b, len);
	put32(c + len - 8, (uint32_t)-(int32_t)(16 * 10));
	expect_bad(c, len, -ALUE_CORRUPT, "region size wrong");
	memcpy(c, b, len);
	put32(c + 8 + 8, 0xfffffff0);
	expect_bad(c, len, -ALUE_CORRUPT, "region trailer offset");
	/* Bad type, reserved tag number, misaligned INT32, data past the end. */
	memcpy(c, b, len);
	put32(c + 8 + 16 + 4, 12);
	expect_bad(c, len, -ALUE_CORRUPT, "bad type 12");
	memcpy(c, b, len);
	put32(c + 8 + 16, 99);
	expect_bad(c, len, -ALUE_CORRUPT, "reserved tag number 99");
	memcpy(c, b, len);
	put32(c + 8 + 16 * 5 + 8, 13);
	expect_bad(c, len, -ALUE_CORRUPT, "unaligned");
	memcpy(c, b, len);
	put32(c + 8 + 16 * 5 + 12, 1000);
	expect_bad(c, len, -ALUE_CORRUPT, "do not fit");
	/* Overlapping data: VERSION at NAME's offset. */
	memcpy(c, b, len);
	memcpy(c + 8 + 16 * 2 + 8, c + 8 + 16 + 8, 4);
	expect_bad(c, len, -ALUE_CORRUPT, "overlaps");
	/* A string not terminated inside the store (legacy header: no trailer). */
	len = mkblob(b, u, 2, 0, 0);
	expect_bad(b, len, -ALUE_CORRUPT, "not terminated");
	/* A STRING_ARRAY with more elements than strings. */
	len = mkblob(b, t, 8, 0, 0);
	put32(b + 8 + 16 * 7 + 12, 2);
	expect_bad(b, len, -ALUE_CORRUPT, "not terminated");
	/* A dribble after the region replaces the region's entry (rpmdb blobs). */
	len = mkblob(b, d, 4, ALU_TAG_HEADERIMMUTABLE, 1);
	h = NULL;
	CHECK(alu_hdr_parse(b, len, "dribble", &h, &e) == 0);
	if (h)
		CHECK_STR(alu_hdr_str(h, ALU_TAG_NAME), "new");
	alu_hdr_free(h);
}

/* One tag of every type, read through every getter. */
static void test_types(void)
{
	static uint8_t b[1024];
	const uint8_t i64[16] = { 0, 0, 0, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t i16[4] = { 0x12, 0x34, 0xff, 0xff }, bin[3] = { 0, 1, 2 };
	struct tent t[] = {
		{ 5000, ALU_TYPE_CHAR, 2, "xy", 2, -1 },
		{ 5001, ALU_TYPE_INT8, 3, bin, 3, -1 },
		{ 5002, ALU_TYPE_INT16, 2, i16, 4, -1 },
		{ 5003, ALU_TYPE_INT64, 2, i64, 16, -1 },
		{ 5004, ALU_TYPE_BIN, 3, bin, 3, -1 },
		{ 5005, ALU_TYPE_I18NSTRING, 2, "en\0de", 6, -1 },
		{ 5006, ALU_TYPE_STRING, 1, "one", 4, -1 },
	};
	struct alu_err e = { 0 };
	struct alu_hdr *h = NULL;
	const uint32_t *u;
	const char *const *sv;
	const uint8_t *p;
	uint32_t v32, tag, type, count;
	uint64_t v64;
	size_t len = mkblob(b, t, 7, ALU_TAG_HEADERIMMUTABLE, 0), n;

	CHECK(alu_hdr_parse(b, len, "types", &h, &e) == 0);
	if (!h)
		return;
	CHECK(alu_hdr_u32(h, 5000, &v32) == 0 && v32 == 'x');
	CHECK((u = alu_hdr_u32v(h, 5001, &n)) && n == 3 && u[2] == 2);
	CHECK((u = alu_hdr_u32v(h, 5002, &n)) && n == 2 && u[0] == 0x1234 && u[1] == 0xffff);
	CHECK(alu_hdr_u64(h, 5003, &v64) == 0 && v64 == 0x100000002ull);
	CHECK(alu_hdr_u64_at(h, 5003, 1, &v64) == 0 && v64 == UINT64_MAX);
	CHECK(alu_hdr_u64_at(h, 5003, 2, &v64) == -ALUE_NOTFOUND);
	CHECK(alu_hdr_u32(h, 5003, &v32) == -ALUE_NOTFOUND);
	CHECK(alu_hdr_u32v(h, 5003, &n) == NULL && n == 0);
	CHECK((p = alu_hdr_bin(h, 5004, &n)) && n == 3 && p[2] == 2);
	CHECK(alu_hdr_bin(h, 5006, &n) == NULL);
	CHECK_STR(alu_hdr_str(h, 5005), "en");
	CHECK((sv = alu_hdr_strv(h, 5005, &n)) && n == 2 && !strcmp(sv[1], "de") && !sv[2]);
	CHECK((sv = alu_hdr_strv(h, 5006, &n)) && n == 1 && !strcmp(sv[0], "one") && !sv[1]);
	CHECK(alu_hdr_str(h, 5001) == NULL && alu_hdr_strv(h, 5001, &n) == NULL);
	CHECK(alu_hdr_str(h, 4999) == NULL && alu_hdr_u32(h, 4999, &v32) == -ALUE_NOTFOUND);
	CHECK(alu_hdr_ntags(h) == 7 && alu_hdr_tag(h, 6, &tag, &type, &count) == 0 && tag == 5006 &&
	      type == ALU_TYPE_STRING && count == 1);
	CHECK(alu_hdr_tag(h, 7, &tag, &type, &count) == -ALUE_NOTFOUND);
	alu_hdr_free(h);
}

static void test_bad_packages(void)
{
	size_t flen;
	char *file = slurp("data/rpm/tiny-xz.rpm", &flen);
	struct alu_err e = { 0 };
	struct alu_rpm r;

	CHECK(file != NULL);
	if (!file)
		return;
	file[0] = 0x00;
	CHECK(open_bytes(file, flen, &r, &e) == -ALUE_CORRUPT && strstr(e.msg, "bytes.rpm: bad lead magic"));
	file[0] = (char)0xed;
	file[4] = 2;
	alu_err_clear(&e);
	CHECK(open_bytes(file, flen, &r, &e) == -ALUE_UNSUPPORTED);
	file[4] = 3;
	alu_err_clear(&e);
	CHECK(open_bytes(file, flen, &r, &e) == 0);
	alu_rpm_close(&r);
	file[7] = 5;
	alu_err_clear(&e);
	CHECK(open_bytes(file, flen, &r, &e) == -ALUE_CORRUPT && strstr(e.msg, "package type 5"));
	file[7] = 0;
	/* Signature header with 33 tags: over rpm's limit of 32. */
	file[96 + 11] = 33;
	alu_err_clear(&e);
	CHECK(open_bytes(file, flen, &r, &e) == -ALUE_CORRUPT &&
	      strstr(e.msg, "bytes.rpm signature: header index count 33 exceeds limit 32"));
	file[96 + 8] = 0x7f;
	alu_err_clear(&e);
	CHECK(open_bytes(file, flen, &r, &e) == -ALUE_CORRUPT);
	free(file);
	alu_err_clear(&e);
	CHECK(alu_rpm_open("data/rpm/no-such.rpm", &r, &e) == -ENOENT && r.fd == -1);
	alu_rpm_close(&r);
}

int main(void)
{
	test_fixture("tiny-xz.rpm", 0);
	test_fixture("tiny-zstd.rpm", 0);
	test_fixture("tiny.src.rpm", 1);
	test_truncated("tiny-xz.rpm");
	test_truncated("tiny.src.rpm");
	test_hostile();
	test_types();
	test_bad_packages();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
