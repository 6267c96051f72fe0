/* SPDX-License-Identifier: MIT */
/* Record encodings of the cache: every decoder checks each length first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache_int.h"

/* 2: LEB128 numbers and string tags, repeats referred back (cache schema 2) */
#define PKG_REC_VERSION 2
#define ADV_REC_VERSION 2
#define REPO_REC_VERSION 2

/* Earlier inline strings of the record being encoded, by offset from its
 * first byte (offsets, not pointers: the buffer may move). */
enum { SREF_MAX = 48, SREF_HEADS = 32 };
struct srefs {
	size_t base;
	unsigned n;
	uint32_t off[SREF_MAX], len[SREF_MAX];
	/* chains by length, newest first, so that a string is compared only with
	 * the few of its length (index + 1; 0 ends a chain) */
	unsigned char head[SREF_HEADS], next[SREF_MAX];
};

/* A package record: version, epoch, PKG_NSTR strings, PKG_NNUM numbers, then
 * the dependency lists and files (cache_int.h). */
enum { PKG_NSTR = 17, PKG_NNUM = 7 };

/* Room for @p n more bytes at the end of @p b; NULL (and b->err set) when
 * there is none. Records are encoded field by field, so this is the hot path
 * of a cache write: one capacity check per field, then plain stores. */
static char *enc_room(struct enc *b, size_t n)
{
	char *q;

	if (b->err)
		return NULL;
	if (n > b->cap - b->n) {
		size_t nc = b->cap ? b->cap : 1024;
		while (nc - b->n < n)
			nc *= 2;
		q = realloc(b->p, nc);
		if (!q) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->p = q;
		b->cap = nc;
	}
	q = b->p + b->n;
	b->n += n;
	return q;
}

/* LEB128: seven bits a byte, low first; most numbers in a record (counts,
 * flags, lengths, sizes) then take one to three bytes instead of four or
 * eight, and the smaller records fill fewer map pages. */
static void enc_uv(struct enc *b, uint64_t v)
{
	unsigned char t[10];
	size_t n = 0;
	char *q;

	while (v >= 0x80) {
		t[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (unsigned char)v;
	q = enc_room(b, n);
	if (q)
		memcpy(q, t, n);
}

void enc_u32(struct enc *b, uint32_t v)
{
	enc_uv(b, v);
}

void enc_u64(struct enc *b, uint64_t v)
{
	enc_uv(b, v);
}

/* A string is a LEB128 tag: an even tag 2n is n inline bytes and their NUL
 * (an empty string is the tag alone and decodes to a static ""); an odd tag
 * 2k + 1 points back at an earlier inline string of the same record, k bytes
 * from its start. A package repeats strings (its name as a provide, one evr
 * on several provides, vendor as packager): each repeat then costs one or two
 * bytes, and the decoded pointer is still a NUL-terminated string in the map. */
static void put_inline(struct enc *b, const char *s, size_t n)
{
	char *q;

	if (n > UINT32_MAX - 1) {
		b->err = -EOVERFLOW;
		return;
	}
	enc_uv(b, (uint64_t)n << 1);
	if (!n)
		return;
	q = enc_room(b, n + 1);
	if (q)
		memcpy(q, s, n + 1);   /* the string with its NUL */
}

void enc_str(struct enc *b, const char *s)
{
	put_inline(b, s ? s : "", s ? strlen(s) : 0);
}

static size_t uv_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* enc_str(), or a reference to an equal string already in the record when
 * that is shorter; inline strings are remembered while @p r has room. The
 * earliest equal string is the one referred to: its offset is the smallest. */
static void enc_sref(struct enc *b, struct srefs *r, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	unsigned h = n % SREF_HEADS, hit = 0;

	if (!n || b->err) {
		put_inline(b, "", 0);
		return;
	}
	for (unsigned i = r->head[h]; i; i = r->next[i - 1])
		if (r->len[i - 1] == n && !memcmp(b->p + r->base + r->off[i - 1], s, n))
			hit = i;
	if (hit) {
		uint64_t tag = (uint64_t)r->off[hit - 1] << 1 | 1;
		if (uv_len(tag) < n + 2) {
			enc_uv(b, tag);
			return;
		}
	}
	if (r->n < SREF_MAX && n <= UINT32_MAX - 1) {
		size_t at = b->n - r->base + uv_len((uint64_t)n << 1);
		if (at <= UINT32_MAX) {
			r->off[r->n] = (uint32_t)at;
			r->len[r->n] = (uint32_t)n;
			r->next[r->n] = r->head[h];
			r->head[h] = (unsigned char)++r->n;
		}
	}
	put_inline(b, s, n);
}

/* The value at d->off, at most @p max; 0 and d->err set when it is cut
 * short or too large. */
static uint64_t dec_uv(struct dec *d, uint64_t max)
{
	uint64_t v = 0;
	unsigned char c;

	for (unsigned sh = 0;; sh += 7) {
		if (d->err || d->off >= d->n || sh > 63)
			goto corrupt;
		c = d->p[d->off++];
		if (sh == 63 && c > 1)
			goto corrupt;
		v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80))
			break;
	}
	if (v > max)
		goto corrupt;
	return v;
corrupt:
	d->err = -ALUE_CORRUPT;
	return 0;
}

/* Hot: counts and flags are nearly always one byte, so that case is inline. */
uint32_t dec_u32(struct dec *d)
{
	if (!d->err && d->off < d->n && d->p[d->off] < 0x80)
		return d->p[d->off++];
	return (uint32_t)dec_uv(d, UINT32_MAX);
}

uint64_t dec_u64(struct dec *d)
{
	return dec_uv(d, UINT64_MAX);
}

/* The string @p k bytes into the record, which must end before d->off. */
static const char *dec_ref(struct dec *d, uint64_t k, size_t *len)
{
	const unsigned char *e;

	if (k >= d->off || !(e = memchr(d->p + k, 0, d->off - k))) {
		d->err = -ALUE_CORRUPT;
		return "";
	}
	*len = (size_t)(e - (d->p + k));
	return (const char *)d->p + k;
}

/* Hot: every package and index walk decodes strings; inline strings shorter
 * than 64 bytes take the one-byte path. */
const char *dec_strn(struct dec *d, size_t *len)
{
	uint64_t t;
	size_t n;
	const char *s;

	if (!d->err && d->off < d->n && d->p[d->off] < 0x80)
		t = d->p[d->off++];
	else
		t = dec_uv(d, UINT64_MAX);
	*len = 0;
	if (d->err)
		return "";
	if (t & 1)
		return dec_ref(d, t >> 1, len);
	n = (size_t)(t >> 1);
	if (!n)
		return "";
	if (n >= d->n - d->off || d->p[d->off + n] != 0) {
		d->err = -ALUE_CORRUPT;
		return "";
	}
	s = (const char *)d->p + d->off;
	d->off += n + 1;
	*len = n;
	return s;
}

const char *dec_str(struct dec *d)
{
	size_t n;

	return dec_strn(d, &n);
}

int cache_enc_pkg(struct enc *b, const struct alu_pkgrec *p)
{
	const char *const strs[] = { p->name, p->arch, p->version, p->release, p->pkgid,
		p->checksum_type, p->summary, p->description, p->url, p->license, p->vendor,
		p->group, p->buildhost, p->sourcerpm, p->packager, p->location, p->location_base };
	const uint64_t nums[] = { p->time_file, p->time_build, p->size_package, p->size_installed,
		p->size_archive, p->header_start, p->header_end };
	struct srefs r;

	_Static_assert(sizeof(strs) / sizeof(strs[0]) == PKG_NSTR, "PKG_NSTR");
	_Static_assert(sizeof(nums) / sizeof(nums[0]) == PKG_NNUM, "PKG_NNUM");
	r.base = b->n;
	r.n = 0;
	memset(r.head, 0, sizeof(r.head));
	enc_u32(b, PKG_REC_VERSION);
	enc_u32(b, p->epoch);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		enc_sref(b, &r, strs[i]);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		enc_u64(b, nums[i]);
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		enc_u32(b, (uint32_t)p->ndeps[t]);
		for (size_t i = 0; i < p->ndeps[t]; i++) {
			enc_sref(b, &r, p->deps[t][i].name);
			enc_u32(b, p->deps[t][i].flags);
			enc_sref(b, &r, p->deps[t][i].evr);
		}
	}
	enc_u32(b, (uint32_t)p->nfiles);
	for (size_t i = 0; i < p->nfiles; i++)
		enc_str(b, p->files[i]);
	return b->err;
}

int cache_dec_pkg(struct dec *d, struct alu_pkgrec *p)
{
	const char **strs[] = { &p->name, &p->arch, &p->version, &p->release, &p->pkgid,
		&p->checksum_type, &p->summary, &p->description, &p->url, &p->license, &p->vendor,
		&p->group, &p->buildhost, &p->sourcerpm, &p->packager, &p->location, &p->location_base };
	uint64_t *nums[] = { &p->time_file, &p->time_build, &p->size_package, &p->size_installed,
		&p->size_archive, &p->header_start, &p->header_end };

	_Static_assert(sizeof(strs) / sizeof(strs[0]) == PKG_NSTR, "PKG_NSTR");
	_Static_assert(sizeof(nums) / sizeof(nums[0]) == PKG_NNUM, "PKG_NNUM");
	memset(p, 0, sizeof(*p));
	if (dec_u32(d) != PKG_REC_VERSION)
		return -ALUE_CORRUPT;
	p->epoch = dec_u32(d);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		*strs[i] = dec_str(d);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		*nums[i] = dec_u64(d);
	return d->err;
}

int cache_dec_pkg_name(struct dec *d, const char **name, size_t *len)
{
	size_t n;

	if (dec_u32(d) != PKG_REC_VERSION)
		return -ALUE_CORRUPT;
	dec_u32(d);
	*name = dec_strn(d, len);
	for (int i = 1; i < PKG_NSTR; i++)
		dec_strn(d, &n);
	for (int i = 0; i < PKG_NNUM; i++)
		dec_u64(d);
	return d->err;
}

int cache_enc_adv(struct enc *b, const struct alu_advrec *a)
{
	const char *const strs[] = { a->id, a->type, a->severity, a->title, a->issued,
		a->updated, a->description, a->from, a->status, a->version, a->cvss_score,
		a->cvss_vector };
	struct srefs r;

	r.base = b->n;
	r.n = 0;
	memset(r.head, 0, sizeof(r.head));
	enc_u32(b, ADV_REC_VERSION);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		enc_sref(b, &r, strs[i]);
	enc_u32(b, (uint32_t)a->nrefs);
	for (size_t i = 0; i < a->nrefs; i++) {
		enc_sref(b, &r, a->refs[i].href);
		enc_sref(b, &r, a->refs[i].id);
		enc_sref(b, &r, a->refs[i].title);
		enc_sref(b, &r, a->refs[i].type);
	}
	enc_u32(b, (uint32_t)a->npkgs);
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *k = &a->pkgs[i];
		enc_sref(b, &r, k->name);
		enc_u32(b, k->epoch);
		enc_sref(b, &r, k->version);
		enc_sref(b, &r, k->release);
		enc_sref(b, &r, k->arch);
		enc_sref(b, &r, k->src);
		enc_sref(b, &r, k->filename);
	}
	return b->err;
}

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	void *p;

	if (need <= *cap)
		return 0;
	if (need > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*v, need * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = need;
	return 0;
}

int cache_dec_adv(struct alu_cache *c, struct dec *d, struct alu_advrec *a)
{
	const char **strs[] = { &a->id, &a->type, &a->severity, &a->title, &a->issued,
		&a->updated, &a->description, &a->from, &a->status, &a->version, &a->cvss_score,
		&a->cvss_vector };
	uint32_t n;

	memset(a, 0, sizeof(*a));
	if (dec_u32(d) != ADV_REC_VERSION)
		return -ALUE_CORRUPT;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		*strs[i] = dec_str(d);
	n = dec_u32(d);
	/* a count beyond what the bytes left can hold is corrupt */
	if (d->err || n > (d->n - d->off) / (4 * CACHE_STR_MIN))
		return -ALUE_CORRUPT;
	if (grow((void **)&c->refs, &c->caprefs, n, sizeof(*c->refs)))
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		c->refs[i].href = dec_str(d);
		c->refs[i].id = dec_str(d);
		c->refs[i].title = dec_str(d);
		c->refs[i].type = dec_str(d);
	}
	a->refs = c->refs;
	a->nrefs = n;
	n = dec_u32(d);
	if (d->err || n > (d->n - d->off) / (6 * CACHE_STR_MIN + 1))
		return -ALUE_CORRUPT;
	if (grow((void **)&c->pkgs, &c->cappkgs, n, sizeof(*c->pkgs)))
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		struct alu_advpkg *k = &c->pkgs[i];
		k->name = dec_str(d);
		k->epoch = dec_u32(d);
		k->version = dec_str(d);
		k->release = dec_str(d);
		k->arch = dec_str(d);
		k->src = dec_str(d);
		k->filename = dec_str(d);
	}
	a->pkgs = c->pkgs;
	a->npkgs = n;
	return d->err;
}

int cache_enc_repo(struct enc *b, const struct alu_cache_repo *r)
{
	enc_u32(b, REPO_REC_VERSION);
	enc_u32(b, r->idx);
	enc_str(b, r->repomd_sha256);
	enc_str(b, r->revision);
	enc_str(b, r->mirror);
	enc_str(b, r->primary_type);
	enc_u64(b, (uint64_t)r->fetched);
	enc_u64(b, (uint64_t)r->repomd_timestamp);
	enc_u64(b, r->npkgs);
	enc_u64(b, r->nadvs);
	return b->err;
}

int cache_dec_repo(struct dec *d, struct alu_cache_repo *r)
{
	if (dec_u32(d) != REPO_REC_VERSION)
		return -ALUE_CORRUPT;
	r->idx = dec_u32(d);
	snprintf(r->repomd_sha256, sizeof(r->repomd_sha256), "%s", dec_str(d));
	snprintf(r->revision, sizeof(r->revision), "%s", dec_str(d));
	snprintf(r->mirror, sizeof(r->mirror), "%s", dec_str(d));
	snprintf(r->primary_type, sizeof(r->primary_type), "%s", dec_str(d));
	r->fetched = (int64_t)dec_u64(d);
	r->repomd_timestamp = (int64_t)dec_u64(d);
	r->npkgs = dec_u64(d);
	r->nadvs = dec_u64(d);
	return d->err;
}

/* FNV-1a: only to make over-long keys unique, not for security */
static uint64_t fnv64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

void cache_keyn(struct ckey *k, const char *s, size_t n)
{
	if (n <= ALU_CACHE_KEYMAX) {
		k->v.mv_data = (void *)s;
		k->v.mv_size = n ? n : 1;   /* LMDB refuses empty keys; "" is stored as "\0" */
		if (!n)
			k->v.mv_data = (void *)"";
		return;
	}
	memcpy(k->buf, s, ALU_CACHE_KEYMAX);
	cache_id((unsigned char *)k->buf + ALU_CACHE_KEYMAX, fnv64(s, n));
	k->v.mv_data = k->buf;
	k->v.mv_size = ALU_CACHE_KEYMAX + 8;
}

void cache_key(struct ckey *k, const char *s)
{
	cache_keyn(k, s, strlen(s));
}

void cache_id(unsigned char out[8], uint64_t id)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (unsigned char)id;
		id >>= 8;
	}
}

uint64_t cache_id_get(const void *p)
{
	const unsigned char *b = p;
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}
