/* SPDX-License-Identifier: MIT */
/*
 * Header blobs: the checks of rpm's hdrblobInit(), hdrblobVerifyRegion() and
 * hdrblobVerifyInfo() (lib/header.c), then tag lookup. Nothing in the blob is
 * trusted: every offset, count and length is checked once, at parse time, so
 * that the getters can index without further checks.
 */
#include "rpm/rpm_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const char *type_name(uint32_t t)
{
	static const char *const names[] = { "NULL", "CHAR", "INT8", "INT16", "INT32",
		"INT64", "STRING", "BIN", "STRING_ARRAY", "I18NSTRING" };

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/*
 * Bytes taken by an entry's data, or 0 when it does not fit in the store:
 * fixed-size types must lie inside it, strings must end with a NUL inside it.
 */
static uint64_t data_len(const uint8_t *ds, uint32_t dl, uint32_t type, uint32_t off,
			 uint32_t count)
{
	static const uint8_t size[] = { 0, 1, 1, 2, 4, 8, 0, 1, 0, 0 };
	const uint8_t *p = ds + off, *end = ds + dl, *z;
	uint64_t len;

	if (count == 0 || type > ALU_TYPE_I18NSTRING)
		return 0;
	if (type == ALU_TYPE_STRING || type == ALU_TYPE_STRING_ARRAY ||
	    type == ALU_TYPE_I18NSTRING) {
		if (type == ALU_TYPE_STRING && count != 1)
			return 0;
		for (uint32_t i = 0; i < count; i++) {
			if (p >= end || !(z = memchr(p, 0, (size_t)(end - p))))
				return 0;
			p = z + 1;
		}
		return (uint64_t)(p - (ds + off));
	}
	len = (uint64_t)size[type] * count;
	if (len == 0 || len > (uint64_t)dl - off)
		return 0;
	return len;
}

/* Step 2 of the checks: the region tag and its trailer (hdrblobVerifyRegion). */
static int check_region(struct alu_hdr *h, const uint8_t *pe, uint32_t region_tag, int exact,
			const char *what, struct alu_err *e)
{
	uint32_t tag = be32(pe), type = be32(pe + 4), off = be32(pe + 8), count = be32(pe + 12);
	uint32_t ttag, ttype, toff, tcount, ril, rdl;
	const uint8_t *t;

	if (!region_tag && (tag == TAG_HEADERIMAGE || tag == TAG_HEADERSIGNATURES ||
			    tag == ALU_TAG_HEADERIMMUTABLE))
		region_tag = tag;
	if (tag != region_tag)
		return 0; /* a legacy header without a region */
	if (type != ALU_TYPE_BIN || count != 16)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: region tag %u has type %u count %u",
				   what, tag, type, count);
	if (off > h->dl || h->dl - off < 16)
		return alu_err_set(e, -ALUE_CORRUPT,
				   "%s: region trailer offset %u outside the data (%u bytes)",
				   what, off, h->dl);
	t = h->ds + off;
	ttag = be32(t);
	ttype = be32(t + 4);
	toff = -be32(t + 8); /* the trailer's offset is the region's index size, negated */
	tcount = be32(t + 12);
	/* Old packages carry HEADERIMAGE in the signature region trailer. */
	if (region_tag == TAG_HEADERSIGNATURES && ttag == TAG_HEADERIMAGE)
		ttag = TAG_HEADERSIGNATURES;
	if (ttag != region_tag || ttype != ALU_TYPE_BIN || tcount != 16)
		return alu_err_set(e, -ALUE_CORRUPT,
				   "%s: region trailer wrong (tag %u type %u count %u, want tag %u)",
				   what, ttag, ttype, tcount, region_tag);
	ril = toff / 16;
	rdl = off + 16;
	if (toff % 16 || ril > h->il || ril < 1)
		return alu_err_set(e, -ALUE_CORRUPT,
				   "%s: region size wrong (%u index bytes, header has %u entries)",
				   what, toff, h->il);
	if (exact && (ril != h->il || rdl != h->dl))
		return alu_err_set(e, -ALUE_CORRUPT,
				   "%s: region %u covers %u of %u entries and %u of %u data bytes",
				   what, region_tag, ril, h->il, rdl, h->dl);
	h->region = region_tag;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct hdr_ent *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	/* Same tag: data offsets grow with the index (checked), so this keeps
	 * index order and the later entry, a dribble added after the region,
	 * wins. */
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Step 3: every other entry (hdrblobVerifyInfo), then the lookup table. */
static int check_entries(struct alu_hdr *h, const uint8_t *pe, const char *what,
			 struct alu_err *e)
{
	uint32_t first = h->region ? 1 : 0;
	uint64_t end = 0, len;
	size_t n = 0;

	h->ents = calloc(h->il - first + 1, sizeof(*h->ents));
	if (!h->ents)
		return -ENOMEM;
	for (uint32_t i = first; i < h->il; i++) {
		const uint8_t *p = pe + 16 * (size_t)i;
		struct hdr_ent *x = &h->ents[n];

		x->tag = be32(p);
		x->type = be32(p + 4);
		x->off = be32(p + 8);
		x->count = be32(p + 12);
		if (x->tag < ALU_TAG_HEADERI18NTABLE)
			return alu_err_set(e, -ALUE_CORRUPT, "%s: tag[%u] has reserved tag number %u",
					   what, i, x->tag);
		if (x->type < ALU_TYPE_CHAR || x->type > ALU_TYPE_I18NSTRING)
			return alu_err_set(e, -ALUE_CORRUPT, "%s: tag %u has bad type %u", what,
					   x->tag, x->type);
		if ((x->type == ALU_TYPE_INT16 && x->off % 2) ||
		    (x->type == ALU_TYPE_INT32 && x->off % 4) ||
		    (x->type == ALU_TYPE_INT64 && x->off % 8))
			return alu_err_set(e, -ALUE_CORRUPT, "%s: tag %u: %s data at unaligned offset %u",
					   what, x->tag, type_name(x->type), x->off);
		if (x->off >= h->dl)
			return alu_err_set(e, -ALUE_CORRUPT,
					   "%s: tag %u: offset %u outside the data (%u bytes)", what,
					   x->tag, x->off, h->dl);
		/* rpm refuses data that overlaps the previous entry's. */
		if (end > x->off)
			return alu_err_set(e, -ALUE_CORRUPT, "%s: tag %u: data at %u overlaps the previous tag's",
					   what, x->tag, x->off);
		len = data_len(h->ds, h->dl, x->type, x->off, x->count);
		if (len == 0)
			return alu_err_set(e, -ALUE_CORRUPT,
					   "%s: tag %u: %u %s item(s) at offset %u do not fit in the data%s",
					   what, x->tag, x->count, type_name(x->type), x->off,
					   x->type >= ALU_TYPE_STRING && x->type != ALU_TYPE_BIN ?
					   " (string not terminated)" : "");
		x->len = (uint32_t)len;
		end = (uint64_t)x->off + len;
		n++;
	}
	qsort(h->ents, n, sizeof(*h->ents), ent_cmp);
	/* Dedup: the last of a run of equal tags is the one in force. */
	h->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && h->ents[i + 1].tag == h->ents[i].tag)
			continue;
		h->ents[h->n++] = h->ents[i];
	}
	return 0;
}

int hdr_read_sizes(const uint8_t *p, uint32_t il_max, uint32_t dl_max, const char *what,
		   uint32_t *il, uint32_t *dl, struct alu_err *e)
{
	*il = be32(p);
	*dl = be32(p + 4);
	if (*il > il_max)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: header index count %u exceeds limit %u",
				   what, *il, il_max);
	if (*dl > dl_max)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: header data size %u exceeds limit %u",
				   what, *dl, dl_max);
	return 0;
}

int hdr_parse(const void *blob, size_t len, const char *what, uint32_t region_tag, int exact,
	      uint32_t il_max, uint32_t dl_max, struct alu_hdr **out, struct alu_err *e)
{
	const uint8_t *b = blob;
	struct alu_hdr *h;
	uint64_t need;
	uint32_t il, dl;
	int r;

	*out = NULL;
	/* Step 1: the sizes (hdrblobRead, hdrblobInit). */
	if (len < 8)
		return alu_err_set(e, -ALUE_TRUNCATED, "%s: header truncated (%zu of 8 bytes)",
				   what, len);
	r = hdr_read_sizes(b, il_max, dl_max, what, &il, &dl, e);
	if (r)
		return r;
	if (il < 1)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: header has no tags", what);
	need = 8 + 16 * (uint64_t)il + dl;
	if (need >= HDR_BYTES_MAX)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: header size %llu exceeds limit %u", what,
				   (unsigned long long)need, HDR_BYTES_MAX);
	if (len < need)
		return alu_err_set(e, -ALUE_TRUNCATED, "%s: header truncated (%zu of %llu bytes)",
				   what, len, (unsigned long long)need);
	if (len > need)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: %zu bytes after the header's %llu",
				   what, len - (size_t)need, (unsigned long long)need);
	h = calloc(1, sizeof(*h));
	if (!h || !(h->blob = malloc(len))) {
		free(h);
		return -ENOMEM;
	}
	memcpy(h->blob, blob, len);
	h->len = len;
	h->il = il;
	h->dl = dl;
	h->ds = h->blob + 8 + 16 * (size_t)il;
	r = check_region(h, h->blob + 8, region_tag, exact, what, e);
	if (!r)
		r = check_entries(h, h->blob + 8, what, e);
	if (r) {
		alu_hdr_free(h);
		return r;
	}
	*out = h;
	return 0;
}

int alu_hdr_parse(const void *blob, size_t len, const char *what, struct alu_hdr **out,
		  struct alu_err *e)
{
	return hdr_parse(blob, len, what, 0, 0, HDR_TAGS_MAX, HDR_DATA_MAX, out, e);
}

void alu_hdr_free(struct alu_hdr *h)
{
	if (!h)
		return;
	for (size_t i = 0; h->ents && i < h->n; i++)
		free(h->ents[i].cache);
	free(h->ents);
	free(h->blob);
	free(h);
}

const void *alu_hdr_blob(const struct alu_hdr *h, size_t *len)
{
	*len = h->len;
	return h->blob;
}

const struct hdr_ent *hdr_find(const struct alu_hdr *h, uint32_t tag)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->ents[mid].tag == tag)
			return &h->ents[mid];
		if (h->ents[mid].tag < tag)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t alu_hdr_ntags(const struct alu_hdr *h)
{
	return h->n;
}

int alu_hdr_tag(const struct alu_hdr *h, size_t i, uint32_t *tag, uint32_t *type,
		uint32_t *count)
{
	if (i >= h->n)
		return -ALUE_NOTFOUND;
	*tag = h->ents[i].tag;
	*type = h->ents[i].type;
	*count = h->ents[i].count;
	return 0;
}

const char *alu_hdr_str(const struct alu_hdr *h, uint32_t tag)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	if (!x || (x->type != ALU_TYPE_STRING && x->type != ALU_TYPE_STRING_ARRAY &&
		   x->type != ALU_TYPE_I18NSTRING))
		return NULL;
	return (const char *)h->ds + x->off;
}

/* Element @p i of an integer entry, in host order. */
static uint64_t int_at(const struct alu_hdr *h, const struct hdr_ent *x, size_t i)
{
	const uint8_t *p = h->ds + x->off;

	switch (x->type) {
	case ALU_TYPE_CHAR:
	case ALU_TYPE_INT8:
		return p[i];
	case ALU_TYPE_INT16:
		return (uint32_t)p[2 * i] << 8 | p[2 * i + 1];
	case ALU_TYPE_INT32:
		return be32(p + 4 * i);
	default:
		return (uint64_t)be32(p + 8 * i) << 32 | be32(p + 8 * i + 4);
	}
}

static int is_int(uint32_t type)
{
	return type >= ALU_TYPE_CHAR && type <= ALU_TYPE_INT64;
}

int alu_hdr_u32(const struct alu_hdr *h, uint32_t tag, uint32_t *out)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	if (!x || !is_int(x->type) || x->type == ALU_TYPE_INT64)
		return -ALUE_NOTFOUND;
	*out = (uint32_t)int_at(h, x, 0);
	return 0;
}

int alu_hdr_u64(const struct alu_hdr *h, uint32_t tag, uint64_t *out)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	if (!x || !is_int(x->type))
		return -ALUE_NOTFOUND;
	*out = int_at(h, x, 0);
	return 0;
}

const char *const *alu_hdr_strv(const struct alu_hdr *h, uint32_t tag, size_t *count)
{
	struct hdr_ent *x = (struct hdr_ent *)hdr_find(h, tag);
	const char **v, *s;

	*count = 0;
	if (!x || (x->type != ALU_TYPE_STRING && x->type != ALU_TYPE_STRING_ARRAY &&
		   x->type != ALU_TYPE_I18NSTRING))
		return NULL;
	if (!x->cache) {
		v = malloc(((size_t)x->count + 1) * sizeof(*v));
		if (!v)
			return NULL;
		s = (const char *)h->ds + x->off;
		for (uint32_t i = 0; i < x->count; i++) {
			v[i] = s;
			s += strlen(s) + 1;
		}
		v[x->count] = NULL;
		x->cache = v;
	}
	*count = x->count;
	return x->cache;
}

const uint32_t *alu_hdr_u32v(const struct alu_hdr *h, uint32_t tag, size_t *count)
{
	struct hdr_ent *x = (struct hdr_ent *)hdr_find(h, tag);
	uint32_t *v;

	*count = 0;
	if (!x || !is_int(x->type) || x->type == ALU_TYPE_INT64)
		return NULL;
	if (!x->cache) {
		v = malloc((size_t)x->count * sizeof(*v));
		if (!v)
			return NULL;
		for (uint32_t i = 0; i < x->count; i++)
			v[i] = (uint32_t)int_at(h, x, i);
		x->cache = v;
	}
	*count = x->count;
	return x->cache;
}

int alu_hdr_u64_at(const struct alu_hdr *h, uint32_t tag, size_t i, uint64_t *out)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	if (!x || !is_int(x->type) || i >= x->count)
		return -ALUE_NOTFOUND;
	*out = int_at(h, x, i);
	return 0;
}

const uint8_t *alu_hdr_chars(const struct alu_hdr *h, uint32_t tag, size_t *count)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	*count = 0;
	if (!x || (x->type != ALU_TYPE_CHAR && x->type != ALU_TYPE_INT8))
		return NULL;
	*count = x->count;
	return h->ds + x->off;
}

const void *alu_hdr_bin(const struct alu_hdr *h, uint32_t tag, size_t *len)
{
	const struct hdr_ent *x = hdr_find(h, tag);

	*len = 0;
	if (!x || x->type != ALU_TYPE_BIN)
		return NULL;
	*len = x->len;
	return h->ds + x->off;
}
