/* SPDX-License-Identifier: MIT */
/* Record encodings of the cache: every decoder checks each length first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache_int.h"

#define PKG_REC_VERSION 1
#define ADV_REC_VERSION 1
#define REPO_REC_VERSION 1

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

static void put_le32(char *q, uint32_t v)
{
	q[0] = (char)v;
	q[1] = (char)(v >> 8);
	q[2] = (char)(v >> 16);
	q[3] = (char)(v >> 24);
}

void enc_u32(struct enc *b, uint32_t v)
{
	char *q = enc_room(b, 4);

	if (q)
		put_le32(q, v);
}

void enc_u64(struct enc *b, uint64_t v)
{
	char *q = enc_room(b, 8);

	if (q) {
		put_le32(q, (uint32_t)v);
		put_le32(q + 4, (uint32_t)(v >> 32));
	}
}

void enc_str(struct enc *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *q;

	if (n > UINT32_MAX - 1) {
		b->err = -EOVERFLOW;
		return;
	}
	q = enc_room(b, 4 + n + 1);
	if (!q)
		return;
	put_le32(q, (uint32_t)n);
	memcpy(q + 4, s ? s : "", n + 1);   /* the string with its NUL */
}

static uint32_t get_le32(const unsigned char *x)
{
	return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
}

uint32_t dec_u32(struct dec *d)
{
	if (d->err || d->n - d->off < 4) {
		d->err = -ALUE_CORRUPT;
		return 0;
	}
	d->off += 4;
	return get_le32(d->p + d->off - 4);
}

uint64_t dec_u64(struct dec *d)
{
	if (d->err || d->n - d->off < 8) {
		d->err = -ALUE_CORRUPT;
		return 0;
	}
	d->off += 8;
	return get_le32(d->p + d->off - 8) | (uint64_t)get_le32(d->p + d->off - 4) << 32;
}

/* Hot: every package and index walk decodes strings, so no nested calls. */
const char *dec_strn(struct dec *d, size_t *len)
{
	size_t left = d->n - d->off, n;
	const char *s;

	if (d->err || left < 5 || (n = get_le32(d->p + d->off)) > left - 5 ||
	    d->p[d->off + 4 + n] != 0) {
		d->err = -ALUE_CORRUPT;
		*len = 0;
		return "";
	}
	s = (const char *)d->p + d->off + 4;
	d->off += 4 + n + 1;
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

	_Static_assert(sizeof(strs) / sizeof(strs[0]) == PKG_NSTR, "PKG_NSTR");
	_Static_assert(sizeof(nums) / sizeof(nums[0]) == PKG_NNUM, "PKG_NNUM");
	enc_u32(b, PKG_REC_VERSION);
	enc_u32(b, p->epoch);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		enc_str(b, strs[i]);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		enc_u64(b, nums[i]);
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		enc_u32(b, (uint32_t)p->ndeps[t]);
		for (size_t i = 0; i < p->ndeps[t]; i++) {
			enc_str(b, p->deps[t][i].name);
			enc_u32(b, p->deps[t][i].flags);
			enc_str(b, p->deps[t][i].evr);
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

	enc_u32(b, ADV_REC_VERSION);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		enc_str(b, strs[i]);
	enc_u32(b, (uint32_t)a->nrefs);
	for (size_t i = 0; i < a->nrefs; i++) {
		enc_str(b, a->refs[i].href);
		enc_str(b, a->refs[i].id);
		enc_str(b, a->refs[i].title);
		enc_str(b, a->refs[i].type);
	}
	enc_u32(b, (uint32_t)a->npkgs);
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *k = &a->pkgs[i];
		enc_str(b, k->name);
		enc_u32(b, k->epoch);
		enc_str(b, k->version);
		enc_str(b, k->release);
		enc_str(b, k->arch);
		enc_str(b, k->src);
		enc_str(b, k->filename);
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
	/* each ref takes at least 4 * 5 bytes: a count beyond that is corrupt */
	if (d->err || n > (d->n - d->off) / 20)
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
	if (d->err || n > (d->n - d->off) / 34)
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
