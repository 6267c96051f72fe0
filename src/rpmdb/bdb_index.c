/* SPDX-License-Identifier: MIT */
/*
 * The keys rpm 4.11 puts in its index files (lib/rpmdb.c addToIndex, td2key):
 *
 *   key   the tag's element: a string without its NUL (an empty string is
 *         the one byte NUL), an INT32 as 4 host-order bytes, BIN whole; an
 *         I18NSTRING is its first (C locale) string.
 *   value every (instance, element index) pair with that key, two host-order
 *         u32 each, in the order rpm appended them: by instance, then index.
 *         No duplicate keys in the B-tree: one value holds them all.
 *   Every element is indexed (Basenames each file, Providename each provide
 *   ...), except: Requirename skips install-only prerequisites (rpm's
 *   isInstallPreReq && !isErasePreReq: %pre/%post/rpmlib()/pretrans ...
 *   requires); Triggername indexes each name once per package, at its first
 *   index; a package without Group is indexed under "Unknown".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb/bdb_index.h"

/* rpmsenseFlags of rpm 4.11's lib/rpmds.h */
enum {
	SENSE_POSTTRANS = 1 << 5, SENSE_PRETRANS = 1 << 7, SENSE_SCRIPT_PRE = 1 << 9,
	SENSE_SCRIPT_POST = 1 << 10, SENSE_SCRIPT_PREUN = 1 << 11, SENSE_SCRIPT_POSTUN = 1 << 12,
	SENSE_RPMLIB = 1 << 24, SENSE_KEYRING = 1 << 26,
	INSTALL_ONLY = SENSE_SCRIPT_PRE | SENSE_SCRIPT_POST | SENSE_RPMLIB | SENSE_KEYRING |
		       SENSE_PRETRANS | SENSE_POSTTRANS,
	ERASE_ONLY = SENSE_SCRIPT_PREUN | SENSE_SCRIPT_POSTUN,
};

const struct bdb_index bdb_indexes[] = {
	{ "Name", 1000 }, { "Basenames", 1117 }, { "Group", 1016 },
	{ "Requirename", 1049 }, { "Providename", 1047 }, { "Conflictname", 1054 },
	{ "Obsoletename", 1090 }, { "Triggername", 1066 }, { "Dirnames", 1118 },
	{ "Installtid", 1128 }, { "Sigmd5", 261 }, { "Sha1header", 269 },
	{ NULL, 0 },
};

static int push(struct bdb_ixset *s, const void *k, size_t klen, uint32_t hnum, uint32_t idx)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct bdb_ixent *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct bdb_ixent){ k, (uint32_t)klen, hnum, idx };
	return 0;
}

static int tag_type(const struct alu_hdr *h, uint32_t tag, uint32_t *type)
{
	for (size_t i = 0; i < alu_hdr_ntags(h); i++) {
		uint32_t t, count;
		if (alu_hdr_tag(h, i, &t, type, &count) == 0 && t == tag)
			return count ? 0 : -ALUE_NOTFOUND;
	}
	return -ALUE_NOTFOUND;
}

static int add_strings(struct bdb_ixset *s, const struct alu_hdr *h, uint32_t tag, uint32_t type,
		       uint32_t hnum)
{
	size_t n = 0, nflags = 0;
	const char *const *v = alu_hdr_strv(h, tag, &n);
	const uint32_t *flags = NULL;

	if (!v)
		return -ENOMEM;
	if (type == ALU_TYPE_I18NSTRING && n > 1)
		n = 1;
	if (tag == 1049)
		flags = alu_hdr_u32v(h, 1048, &nflags);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]);
		int r;

		if (flags && i < nflags && (flags[i] & INSTALL_ONLY) && !(flags[i] & ERASE_ONLY))
			continue;
		if (tag == 1066) {
			size_t j = 0;
			while (j < i && strcmp(v[j], v[i]))
				j++;
			if (j < i)
				continue;
		}
		/* rpm's "/" fixup: an empty key is its NUL byte */
		r = push(s, v[i], len ? len : 1, hnum, (uint32_t)i);
		if (r)
			return r;
	}
	return 0;
}

int bdb_index_collect(struct bdb_ixset *s, uint32_t tag, const struct alu_hdr *h, uint32_t hnum,
		      struct alu_err *e)
{
	uint32_t type;
	size_t n;

	if (tag_type(h, tag, &type)) {
		if (tag == 1016)
			return push(s, "Unknown", 7, hnum, 0);
		return 0;
	}
	switch (type) {
	case ALU_TYPE_STRING:
	case ALU_TYPE_STRING_ARRAY:
	case ALU_TYPE_I18NSTRING:
		return add_strings(s, h, tag, type, hnum);
	case ALU_TYPE_INT32: {
		const uint32_t *v = alu_hdr_u32v(h, tag, &n);
		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			if (push(s, &v[i], 4, hnum, (uint32_t)i))
				return -ENOMEM;
		return 0;
	}
	case ALU_TYPE_BIN: {
		const void *v = alu_hdr_bin(h, tag, &n);
		return v && n ? push(s, v, n, hnum, 0) : 0;
	}
	default:
		return alu_err_set(e, -ALUE_CORRUPT, "header #%u: tag %u has type %u, not one rpm indexes",
				   hnum, tag, type);
	}
}

static int ixent_cmp(const void *a, const void *b)
{
	const struct bdb_ixent *x = a, *y = b;
	int c = bdb_keycmp(x->k, x->klen, y->k, y->klen);

	if (c)
		return c;
	if (x->hnum != y->hnum)
		return x->hnum < y->hnum ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int bdb_index_records(struct bdb_ixset *s, struct bdb_kv **kv, size_t *nkv, unsigned char **vals)
{
	size_t nk = 0;
	unsigned char *val;
	struct bdb_kv *out;

	*kv = NULL;
	*vals = NULL;
	*nkv = 0;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), ixent_cmp);
	val = malloc(s->n ? 8 * s->n : 1);
	out = malloc((s->n ? s->n : 1) * sizeof(*out));
	if (!val || !out) {
		free(val);
		free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct bdb_ixent *x = &s->v[i];
		unsigned char *p = val + 8 * i;

		if (!nk || bdb_keycmp(out[nk - 1].k, out[nk - 1].klen, x->k, x->klen))
			out[nk++] = (struct bdb_kv){ .k = x->k, .klen = x->klen, .v = p, .vlen = 0 };
		memcpy(p, &x->hnum, 4);
		memcpy(p + 4, &x->idx, 4);
		out[nk - 1].vlen += 8;
	}
	*kv = out;
	*nkv = nk;
	*vals = val;
	return 0;
}
