/* SPDX-License-Identifier: MIT */
/*
 * The header rpm stores for an installed package (rpm 4.18 lib/package.c
 * headerMergeLegacySigs(), lib/psm.c dbAdd(), lib/header.c headerExport()):
 *
 *   1. the package's main header, region and all, byte for byte;
 *   2. signature tags, renumbered where the signature header's numbers
 *      clash with main-header tags (SIZE 1000 -> SIGSIZE 257, PGP 1002 ->
 *      SIGPGP 259, MD5 1004 -> SIGMD5 261, GPG 1005 -> 262, PGP5 1006 ->
 *      263, PAYLOADSIZE 1007 -> ARCHIVESIZE 1046, file signatures 274/275
 *      -> 5090/5091, verity 276/277 -> 5099/5100); others in 256..999
 *      (DSA 267, RSA 268, SHA1 269, LONGSIZE 270, SHA256 273 ...) as they
 *      are; anything else (RESERVEDSPACE 1008) dropped; integers only with
 *      count 1, strings and blobs under 16 KiB, never I18N; never a tag
 *      the main header has;
 *   3. FILESTATES (one char per file), INSTALLTID, INSTALLTIME, INSTALLCOLOR.
 * Entries added after the region follow it in tag order, each one's data
 * aligned to its type's size from the start of the data store: that is
 * what rpm's export writes (compared byte for byte with Debian's rpm 4.18
 * in tests/e2e/test_rpmdb_writeback.py).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "rpmdb/rpmdb_out.h"

enum {
	TAG_SIGSIZE = 257, TAG_SIGPGP = 259, TAG_SIGMD5 = 261, TAG_SIGGPG = 262, TAG_SIGPGP5 = 263,
	TAG_INSTALLTIME = 1008, TAG_FILESTATES = 1029, TAG_ARCHIVESIZE = 1046,
	TAG_INSTALLCOLOR = 1127, TAG_INSTALLTID = 1128,
	FILESTATE_NORMAL = 0, FILESTATE_NOTINSTALLED = 2,
	MAXENT = 64,
};

uint32_t alu_rpmdb_color(void)
{
#if defined(__x86_64__) || defined(__aarch64__) || defined(__powerpc64__) || defined(__s390x__)
	return 3;
#else
	return 0;
#endif
}

struct ent {
	uint32_t tag, type, count;
	const unsigned char *data;
	size_t len;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static size_t type_align(uint32_t type)
{
	return type == ALU_TYPE_INT16 ? 2 : type == ALU_TYPE_INT32 ? 4 : type == ALU_TYPE_INT64 ? 8 : 1;
}

/* The sig tag's number in the main header, or 0 when rpm does not copy it. */
static uint32_t sig_to_main(uint32_t tag)
{
	switch (tag) {
	case 1000: return TAG_SIGSIZE;
	case 1002: return TAG_SIGPGP;
	case 1004: return TAG_SIGMD5;
	case 1005: return TAG_SIGGPG;
	case 1006: return TAG_SIGPGP5;
	case 1007: return TAG_ARCHIVESIZE;
	case 274: return 5090;   /* FILESIGNATURES */
	case 275: return 5091;   /* FILESIGNATURELENGTH */
	case 276: return 5099;   /* VERITYSIGNATURES */
	case 277: return 5100;   /* VERITYSIGNATUREALGO */
	default: return tag >= 256 && tag < 1000 ? tag : 0;
	}
}

/* Length of entry data at @p off in a data store of @p dl bytes; 0: bad. */
static size_t ent_len(const unsigned char *ds, size_t dl, uint32_t type, uint32_t off, uint32_t count)
{
	size_t n = 0;

	if (off >= dl)
		return 0;
	switch (type) {
	case ALU_TYPE_CHAR: case ALU_TYPE_INT8: case ALU_TYPE_BIN: n = count; break;
	case ALU_TYPE_INT16: n = (size_t)count * 2; break;
	case ALU_TYPE_INT32: n = (size_t)count * 4; break;
	case ALU_TYPE_INT64: n = (size_t)count * 8; break;
	case ALU_TYPE_STRING: count = 1; /* fall through */
	case ALU_TYPE_STRING_ARRAY:
		for (uint32_t i = 0; i < count; i++) {
			const unsigned char *z = memchr(ds + off + n, 0, dl - off - n);
			if (!z)
				return 0;
			n = (size_t)(z - (ds + off)) + 1;
		}
		return n;
	default:
		return 0;
	}
	return n && n <= dl - off ? n : 0;
}

static int has_tag(const struct alu_hdr *h, uint32_t tag)
{
	size_t n = alu_hdr_ntags(h);
	uint32_t t, ty, c;

	for (size_t i = 0; i < n; i++)
		if (alu_hdr_tag(h, i, &t, &ty, &c) == 0 && t == tag)
			return 1;
	return 0;
}

/* Step 2: the signature tags rpm copies, in @p v. */
static int sig_entries(const struct alu_hdr *main, const struct alu_hdr *sig, struct ent *v,
		       size_t *nv, struct alu_err *e)
{
	size_t len;
	const unsigned char *b = alu_hdr_blob(sig, &len);
	uint32_t il, dl;

	if (len < 8)
		return alu_err_set(e, -ALUE_CORRUPT, "signature header too short");
	il = be32(b);
	dl = be32(b + 4);
	if ((uint64_t)il * 16 + dl + 8 > len)
		return alu_err_set(e, -ALUE_CORRUPT, "signature header sizes wrong");
	for (uint32_t i = 0; i < il && *nv < MAXENT; i++) {
		const unsigned char *ie = b + 8 + 16 * (size_t)i, *ds = b + 8 + 16 * (size_t)il;
		uint32_t tag = be32(ie), type = be32(ie + 4), off = be32(ie + 8), count = be32(ie + 12);
		uint32_t mt = sig_to_main(tag);
		size_t n;

		if (!mt || has_tag(main, mt) || type == ALU_TYPE_NULL || type == ALU_TYPE_I18NSTRING)
			continue;
		if (type >= ALU_TYPE_CHAR && type <= ALU_TYPE_INT64 && count != 1)
			continue;
		if ((type == ALU_TYPE_STRING || type == ALU_TYPE_STRING_ARRAY || type == ALU_TYPE_BIN) &&
		    count >= 16 * 1024)
			continue;
		n = ent_len(ds, dl, type, off, count);
		if (!n)
			return alu_err_set(e, -ALUE_CORRUPT, "signature tag %u: data outside the header", tag);
		v[(*nv)++] = (struct ent){ mt, type, count, ds + off, n };
	}
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return x->tag < y->tag ? -1 : x->tag > y->tag;
}

int alu_rpmdb_hdr_compose(const struct alu_hdr *main, const struct alu_hdr *sig,
			  const struct alu_rpmdb_inst *in, struct alu_hdr **out, struct alu_err *e)
{
	struct ent v[MAXENT + 4];
	size_t nv = 0, mlen, nf = alu_hdr_nfiles(main), dl, o;
	const unsigned char *mb = alu_hdr_blob(main, &mlen);
	unsigned char tid[4], itime[4], color[4], *states = NULL, *blob = NULL;
	uint32_t mil, mdl, t = in->installtime ? in->installtime : (uint32_t)alu_now();
	int r = 0;

	*out = NULL;
	if (mlen < 8)
		return alu_err_set(e, -ALUE_CORRUPT, "header too short");
	mil = be32(mb);
	mdl = be32(mb + 4);
	if (sig && (r = sig_entries(main, sig, v, &nv, e)))
		return r;
	/* step 3: what dbAdd() puts (header integers are big-endian) */
	put32(tid, in->tid);
	put32(itime, t);
	put32(color, in->color);
	if (nf && !has_tag(main, TAG_FILESTATES)) {
		struct alu_file *f = malloc(sizeof(*f));
		states = calloc(nf, 1);
		if (!states || !f) {
			free(f);
			r = alu_err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < nf; i++)
			states[i] = in->nodocs && alu_hdr_file(main, i, f) == 0 && (f->flags & ALU_FILE_DOC) ?
				FILESTATE_NOTINSTALLED : FILESTATE_NORMAL;
		free(f);
		v[nv++] = (struct ent){ TAG_FILESTATES, ALU_TYPE_CHAR, (uint32_t)nf, states, nf };
	}
	if (!has_tag(main, TAG_INSTALLTID))
		v[nv++] = (struct ent){ TAG_INSTALLTID, ALU_TYPE_INT32, 1, tid, 4 };
	if (!has_tag(main, TAG_INSTALLTIME))
		v[nv++] = (struct ent){ TAG_INSTALLTIME, ALU_TYPE_INT32, 1, itime, 4 };
	if (!has_tag(main, TAG_INSTALLCOLOR))
		v[nv++] = (struct ent){ TAG_INSTALLCOLOR, ALU_TYPE_INT32, 1, color, 4 };
	qsort(v, nv, sizeof(*v), ent_cmp);
	dl = mdl;
	for (size_t i = 0; i < nv; i++) {
		size_t a = type_align(v[i].type);
		dl = (dl + a - 1) / a * a + v[i].len;
	}
	if (dl > 256u << 20) {
		r = alu_err_set(e, -ALUE_CORRUPT, "header too large");
		goto out;
	}
	blob = calloc(1, 8 + 16 * ((size_t)mil + nv) + dl);
	if (!blob) {
		r = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	put32(blob, mil + (uint32_t)nv);
	put32(blob + 4, (uint32_t)dl);
	memcpy(blob + 8, mb + 8, 16 * (size_t)mil);
	unsigned char *ds = blob + 8 + 16 * ((size_t)mil + nv);
	memcpy(ds, mb + 8 + 16 * (size_t)mil, mdl);
	o = mdl;
	for (size_t i = 0; i < nv; i++) {
		unsigned char *ie = blob + 8 + 16 * ((size_t)mil + i);
		size_t a = type_align(v[i].type);
		o = (o + a - 1) / a * a;
		put32(ie, v[i].tag);
		put32(ie + 4, v[i].type);
		put32(ie + 8, (uint32_t)o);
		put32(ie + 12, v[i].count);
		memcpy(ds + o, v[i].data, v[i].len);
		o += v[i].len;
	}
	r = alu_hdr_parse(blob, 8 + 16 * ((size_t)mil + nv) + dl, "installed header", out, e);
out:
	free(blob);
	free(states);
	return r;
}
