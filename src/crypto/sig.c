/* SPDX-License-Identifier: MIT */
/*
 * Signature packets (RFC 4880 5.2).
 *
 * V3: version, 5, type, created[4], issuer[8], pk algo, hash algo,
 *     left16[2], MPIs. The hashed trailer is type + created.
 * V4: version, type, pk algo, hash algo, hashed subpacket length[2] and
 *     subpackets, unhashed length[2] and subpackets, left16[2], MPIs. The
 *     hashed trailer is everything up to the end of the hashed subpackets.
 */
#include <string.h>

#include "crypto/pgp_int.h"

enum { /* subpacket types we read */
	SUB_CREATED = 2,
	SUB_ISSUER = 16,
	SUB_ISSUER_FPR = 33,
};

/* Subpacket types of RFC 4880 / 9580 that are safe to meet marked
 * critical: nothing in them changes whether a document signature holds
 * for our purposes. An unknown critical subpacket (and a critical
 * notation, 20, which we cannot interpret) makes the signature invalid
 * (RFC 4880 5.2.3.1). */
static int sub_known(int type)
{
	return (type >= 2 && type <= 7) || type == 9 || type == 11 || type == 12 ||
	       type == 16 || (type >= 21 && type <= 35);
}

static int read_subpackets(struct pgp_sig *s, const uint8_t *p, size_t n, int hashed,
			   const char *what, struct alu_err *e)
{
	size_t at = 0;

	while (at < n) {
		size_t sl, hl;
		uint8_t o1 = p[at], type;
		const uint8_t *d;

		if (o1 < 192) {
			hl = 1;
			sl = o1;
		} else if (o1 < 255) {
			if (n - at < 2)
				goto corrupt;
			hl = 2;
			sl = ((size_t)(o1 - 192) << 8) + p[at + 1] + 192;
		} else {
			if (n - at < 5)
				goto corrupt;
			hl = 5;
			sl = pgp_be32(p + at + 1);
		}
		if (sl == 0 || sl > n - at - hl)
			goto corrupt;
		type = p[at + hl];
		d = p + at + hl + 1;
		sl--;
		switch (type & 0x7F) {
		case SUB_CREATED:
			if (hashed && sl == 4)
				s->info.created = pgp_be32(d);
			break;
		case SUB_ISSUER:
			if (sl == 8)
				s->info.keyid = pgp_be64(d);
			break;
		case SUB_ISSUER_FPR:
			/* version 4: 20 bytes, id is the low 64 bits; version 5: 32
			 * bytes, id is the high 64 bits (kept only as an id). */
			if (sl == 21 && d[0] == 4) {
				memcpy(s->info.fpr, d + 1, 20);
				s->info.fpr_len = 20;
				if (!s->info.keyid)
					s->info.keyid = pgp_be64(d + 13);
			} else if (sl == 33 && d[0] == 5 && !s->info.keyid) {
				s->info.keyid = pgp_be64(d + 1);
			}
			break;
		default:
			if (hashed && (type & 0x80) && !sub_known(type & 0x7F))
				return alu_err_set(e, -ALUE_UNSUPPORTED,
						   "%s: signature has unknown critical subpacket %d",
						   what, type & 0x7F);
		}
		at += hl + 1 + sl;
	}
	return 0;
corrupt:
	return alu_err_set(e, -ALUE_CORRUPT, "%s: malformed signature subpacket", what);
}

static int read_value(struct pgp_sig *s, const uint8_t *b, size_t len, size_t at,
		      const char *what, struct alu_err *e)
{
	if (len - at < 2)
		goto corrupt;
	memcpy(s->left16, b + at, 2);
	at += 2;
	if (PGP_IS_RSA(s->info.pk_algo) && (pgp_mpi(b, len, &at, &s->s, &s->slen) < 0 ||
					    s->slen == 0))
		goto corrupt;
	return 0;
corrupt:
	return alu_err_set(e, -ALUE_CORRUPT, "%s: truncated signature packet", what);
}

int pgp_sig_parse(const uint8_t *b, size_t len, struct pgp_sig *s,
		  const char *what, struct alu_err *e)
{
	size_t hl, ul, at;
	int rc;

	memset(s, 0, sizeof *s);
	if (len < 1)
		goto corrupt;
	s->info.version = b[0];
	if (b[0] == 2 || b[0] == 3) {
		if (len < 17 || b[1] != 5)
			goto corrupt;
		s->info.type = b[2];
		s->info.created = pgp_be32(b + 3);
		s->info.keyid = pgp_be64(b + 7);
		s->info.pk_algo = b[15];
		s->info.hash_algo = b[16];
		s->trailer = b + 2;
		s->trailer_len = 5;
		return read_value(s, b, len, 17, what, e);
	}
	if (b[0] != 4)
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: signature version %d not supported",
				   what, b[0]);
	if (len < 6)
		goto corrupt;
	s->info.type = b[1];
	s->info.pk_algo = b[2];
	s->info.hash_algo = b[3];
	hl = (size_t)b[4] << 8 | b[5];
	if (hl > len - 6 || len - 6 - hl < 2)
		goto corrupt;
	s->trailer = b;
	s->trailer_len = 6 + hl;
	at = 6 + hl;
	ul = (size_t)b[at] << 8 | b[at + 1];
	at += 2;
	if (ul > len - at)
		goto corrupt;
	rc = read_subpackets(s, b + 6, hl, 1, what, e);
	if (rc == 0)
		rc = read_subpackets(s, b + at, ul, 0, what, e);
	if (rc < 0)
		return rc;
	return read_value(s, b, len, at + ul, what, e);
corrupt:
	return alu_err_set(e, -ALUE_CORRUPT, "%s: truncated signature packet", what);
}

int alu_pgp_sig_info(const void *sig, size_t len, struct alu_pgp_siginfo *out,
		     struct alu_err *e)
{
	static const char what[] = "signature";
	uint8_t buf[ALU_PGP_SIG_MAX];
	const uint8_t *bin;
	struct pgp_sig s;
	struct pgp_pkt p;
	size_t blen, pos = 0;
	int rc;

	rc = pgp_unarmor_one(what, sig, len, buf, sizeof buf, &bin, &blen, e);
	if (rc < 0)
		return rc;
	while ((rc = pgp_pkt_next(bin, blen, &pos, &p, what, e)) == 0) {
		if (p.tag != PGP_TAG_SIG)
			continue;
		rc = pgp_sig_parse(p.body, p.len, &s, what, e);
		if (rc == 0)
			*out = s.info;
		return rc;
	}
	return rc < 0 ? rc : alu_err_set(e, -ALUE_NOTFOUND, "%s: no signature packet", what);
}
