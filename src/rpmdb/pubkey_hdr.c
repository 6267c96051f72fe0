/* SPDX-License-Identifier: MIT */
/*
 * The gpg-pubkey header `rpm --import` stores for an OpenPGP key (rpm 4.18
 * lib/rpmts.c makePubkeyHeader(), rpmtxnImportPubkey()): an immutable
 * region (HEADERIMMUTABLE) of NAME gpg-pubkey, VERSION the key id's low 32
 * bits, RELEASE its creation time (both %08x), SUMMARY "<uid> public key",
 * DESCRIPTION the key re-armored ("Version: rpm-4.18.0"), PUBKEYS its
 * base64 (lines of 64), provides gpg(<uid>), gpg(<short id>), gpg(<long
 * id>) = <key version>:<long id>-<created> (flags EQUAL|KEYRING), no ARCH
 * and no OS; then, past the
 * region, SHA1HEADER and SHA256HEADER of the region (header magic
 * included), INSTALLTIME and INSTALLTID (the same value). Data in tag
 * order, each aligned to its type, as rpm's headerExport() lays it out:
 * compared field by field with Debian's rpm 4.18 in
 * tests/e2e/test_rpmdb_pubkey.py.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/digest.h"
#include "rpmdb/rpmdb_out.h"

enum {
	TAG_REGION = 63, TAG_PUBKEYS = 266, TAG_SHA1HEADER = 269, TAG_SHA256HEADER = 273,
	TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002, TAG_SUMMARY = 1004,
	TAG_DESCRIPTION = 1005, TAG_BUILDTIME = 1006, TAG_BUILDHOST = 1007, TAG_INSTALLTIME = 1008,
	TAG_SIZE = 1009, TAG_LICENSE = 1014, TAG_PACKAGER = 1015, TAG_GROUP = 1016,
	TAG_SOURCERPM = 1044, TAG_PROVIDENAME = 1047, TAG_RPMVERSION = 1064,
	TAG_PROVIDEFLAGS = 1112, TAG_PROVIDEVERSION = 1113, TAG_INSTALLTID = 1128,
	RPMSENSE_EQUAL = 8, RPMSENSE_KEYRING = 1 << 26, NENT = 24,
};

#define RPM_VERSION "4.18.0"

struct ent {
	uint32_t tag, type, count;
	const void *data;
	size_t len;
};

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static size_t align_of(uint32_t type)
{
	return type == ALU_TYPE_INT16 ? 2 : type == ALU_TYPE_INT32 ? 4 : type == ALU_TYPE_INT64 ? 8 : 1;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of @p p into @p out (4*ceil(n/3)+1 bytes), lines of @p col (0: one line) */
static size_t b64_enc(const uint8_t *p, size_t n, char *out, size_t col)
{
	size_t o = 0, line = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		if (col && line == col) {
			out[o++] = '\n';
			line = 0;
		}
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
		line += 4;
	}
	out[o] = 0;
	return o;
}

static uint32_t crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xB704CEu;

	while (n--) {
		crc ^= (uint32_t)*p++ << 16;
		for (int i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= 0x1864CFBu;
		}
	}
	return crc & 0xFFFFFF;
}

/* rpm's pgpArmorWrap(PGPARMOR_PUBKEY, ...) */
static char *armor(const uint8_t *pkt, size_t len)
{
	static const char head[] =
		"-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: rpm-" RPM_VERSION "\n\n";
	static const char tail[] = "-----END PGP PUBLIC KEY BLOCK-----\n";
	size_t enc = (len + 2) / 3 * 4, cap = sizeof(head) + enc + enc / 64 + 16 + sizeof(tail);
	char *s = malloc(cap);
	uint32_t crc = crc24(pkt, len);
	uint8_t c[3] = { (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc };
	size_t o;

	if (!s)
		return NULL;
	o = (size_t)snprintf(s, cap, "%s", head);
	o += b64_enc(pkt, len, s + o, 64);
	s[o++] = '\n';
	s[o++] = '=';
	o += b64_enc(c, 3, s + o, 0);
	snprintf(s + o, cap - o, "\n%s", tail);
	return s;
}

/* Index entries then data of @p v (sorted by tag), data aligned from @p dl0
 * on, into @p ie and @p ds (big enough); @return the new data length. */
static size_t lay_out(const struct ent *v, size_t n, unsigned char *ie, unsigned char *ds,
		      size_t dl0)
{
	size_t o = dl0;

	for (size_t i = 0; i < n; i++) {
		size_t a = align_of(v[i].type);
		o = (o + a - 1) / a * a;
		if (ie) {
			put32(ie + 16 * i, v[i].tag);
			put32(ie + 16 * i + 4, v[i].type);
			put32(ie + 16 * i + 8, (uint32_t)o);
			put32(ie + 16 * i + 12, v[i].count);
			memcpy(ds + o, v[i].data, v[i].len);
		}
		o += v[i].len;
	}
	return o;
}

static void hexs(const unsigned char *md, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

int alu_rpmdb_pubkey_hdr(const uint8_t *pkt, size_t len, const struct alu_pgp_keyinfo *ki,
			 uint32_t installtime, struct alu_hdr **out, struct alu_err *e)
{
	char ver[16], rel[16], *summary = NULL, *desc = NULL, *pub64 = NULL, *pv = NULL, *pn = NULL;
	char sha1[41], sha256[65];
	unsigned char btime[4], size0[4] = { 0 }, itime[4], flags[12], md[32], trailer[16];
	unsigned char *blob = NULL, *region = NULL;
	const char *uid = ki->uid ? ki->uid : "";
	struct ent v[NENT];
	size_t n = 0, pnl, pvl, rdl, rlen, dl, il;
	uint32_t t = installtime ? installtime : (uint32_t)time(NULL);
	int r = 0;

	*out = NULL;
	snprintf(ver, sizeof(ver), "%08x", (unsigned)(ki->keyid & 0xffffffffu));
	snprintf(rel, sizeof(rel), "%08x", (unsigned)ki->created);
	pnl = 3 * (strlen(uid) + 40);
	pvl = 3 * 40;
	summary = malloc(strlen(uid) + 16);
	pub64 = malloc((len + 2) / 3 * 4 * 65 / 64 + 3);
	desc = armor(pkt, len);
	pn = malloc(pnl);
	pv = malloc(pvl);
	if (!summary || !pub64 || !desc || !pn || !pv) {
		r = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	sprintf(summary, "%s public key", uid);
	/* rpmBase64Encode(): lines of 64, each ending in a newline */
	strcat(pub64 + b64_enc(pkt, len, pub64, 64), "\n");
	pnl = (size_t)snprintf(pn, pnl, "gpg(%s)%cgpg(%s)%cgpg(%016llx)", uid, 0, ver, 0,
			       (unsigned long long)ki->keyid) + 1;
	pvl = 0;
	for (int i = 0; i < 3; i++)
		pvl += (size_t)snprintf(pv + pvl, 40, "%u:%016llx-%s", ki->version,
					(unsigned long long)ki->keyid, rel) + 1;
	put32(btime, ki->created);
	for (int i = 0; i < 3; i++)
		put32(flags + 4 * i, RPMSENSE_KEYRING | RPMSENSE_EQUAL);
#define S(tag, s) v[n++] = (struct ent){ tag, ALU_TYPE_STRING, 1, s, strlen(s) + 1 }
#define I18N(tag, s) v[n++] = (struct ent){ tag, ALU_TYPE_I18NSTRING, 1, s, strlen(s) + 1 }
	v[n++] = (struct ent){ TAG_PUBKEYS, ALU_TYPE_STRING_ARRAY, 1, pub64, strlen(pub64) + 1 };
	S(TAG_NAME, "gpg-pubkey");
	S(TAG_VERSION, ver);
	S(TAG_RELEASE, rel);
	I18N(TAG_SUMMARY, summary);
	I18N(TAG_DESCRIPTION, desc);
	v[n++] = (struct ent){ TAG_BUILDTIME, ALU_TYPE_INT32, 1, btime, 4 };
	S(TAG_BUILDHOST, "localhost");
	v[n++] = (struct ent){ TAG_SIZE, ALU_TYPE_INT32, 1, size0, 4 };
	S(TAG_LICENSE, "pubkey");
	S(TAG_PACKAGER, uid);
	I18N(TAG_GROUP, "Public Keys");
	S(TAG_SOURCERPM, "(none)");
	v[n++] = (struct ent){ TAG_PROVIDENAME, ALU_TYPE_STRING_ARRAY, 3, pn, pnl };
	S(TAG_RPMVERSION, RPM_VERSION);
	v[n++] = (struct ent){ TAG_PROVIDEFLAGS, ALU_TYPE_INT32, 3, flags, 12 };
	v[n++] = (struct ent){ TAG_PROVIDEVERSION, ALU_TYPE_STRING_ARRAY, 3, pv, pvl };
	/* the region: its own entry first, its trailer after the data */
	il = n + 1;
	rdl = lay_out(v, n, NULL, NULL, 0) + 16;
	rlen = 8 + 16 * il + rdl;
	if (!(region = calloc(1, 8 + rlen))) {
		r = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	/* header magic, then the region as headerExport() writes it */
	memcpy(region, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	unsigned char *rb = region + 8, *rds = rb + 8 + 16 * il;
	put32(rb, (uint32_t)il);
	put32(rb + 4, (uint32_t)rdl);
	lay_out(v, n, rb + 8 + 16, rds, 0);
	put32(rb + 8, TAG_REGION);
	put32(rb + 12, ALU_TYPE_BIN);
	put32(rb + 16, (uint32_t)(rdl - 16));
	put32(rb + 20, 16);
	put32(trailer, TAG_REGION);
	put32(trailer + 4, ALU_TYPE_BIN);
	put32(trailer + 8, (uint32_t)-(int32_t)(16 * il));
	put32(trailer + 12, 16);
	memcpy(rds + rdl - 16, trailer, 16);
	alu_digest_buf(ALU_HASH_SHA1, region, 8 + rlen, md);
	hexs(md, 20, sha1);
	alu_digest_buf(ALU_HASH_SHA256, region, 8 + rlen, md);
	hexs(md, 32, sha256);
	/* past the region: the digests and what dbAdd() puts */
	put32(itime, t);
	struct ent d[4] = {
		{ TAG_SHA1HEADER, ALU_TYPE_STRING, 1, sha1, 41 },
		{ TAG_SHA256HEADER, ALU_TYPE_STRING, 1, sha256, 65 },
		{ TAG_INSTALLTIME, ALU_TYPE_INT32, 1, itime, 4 },
		{ TAG_INSTALLTID, ALU_TYPE_INT32, 1, itime, 4 },
	};
	dl = lay_out(d, 4, NULL, NULL, rdl);
	if (!(blob = calloc(1, 8 + 16 * (il + 4) + dl))) {
		r = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	put32(blob, (uint32_t)(il + 4));
	put32(blob + 4, (uint32_t)dl);
	memcpy(blob + 8, rb + 8, 16 * il);
	memcpy(blob + 8 + 16 * (il + 4), rds, rdl);
	lay_out(d, 4, blob + 8 + 16 * il, blob + 8 + 16 * (il + 4), rdl);
	r = alu_hdr_parse(blob, 8 + 16 * (il + 4) + dl, "gpg-pubkey header", out, e);
out:
	free(blob);
	free(region);
	free(summary);
	free(desc);
	free(pub64);
	free(pn);
	free(pv);
	return r;
#undef S
#undef I18N
}
