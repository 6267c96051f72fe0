/* SPDX-License-Identifier: MIT */
/*
 * Packet framing (RFC 4880 4.2). Old format: bit 6 clear, tag in bits 5-2,
 * length type in bits 1-0 (1, 2 or 4 octets, or 3 = to the end of the
 * input). New format: bit 6 set, tag in bits 5-0, then a one-, two- or
 * five-octet length; partial body lengths (224..254) are only legal for
 * data packets, which no key or signature file contains, so they are
 * refused.
 */
#include "crypto/pgp_int.h"

int pgp_pkt_next(const uint8_t *buf, size_t len, size_t *pos, struct pgp_pkt *p,
		 const char *what, struct alu_err *e)
{
	size_t at = *pos, hl;
	uint64_t bl;
	uint8_t h;

	if (at >= len)
		return 1;
	h = buf[at];
	if (!(h & 0x80))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: offset %zu: not an OpenPGP packet header",
				   what, at);
	if (h & 0x40) {
		uint8_t o1;

		p->tag = h & 0x3F;
		if (len - at < 2)
			goto truncated;
		o1 = buf[at + 1];
		if (o1 < 192) {
			hl = 2;
			bl = o1;
		} else if (o1 < 224) {
			if (len - at < 3)
				goto truncated;
			hl = 3;
			bl = ((uint64_t)(o1 - 192) << 8) + buf[at + 2] + 192;
		} else if (o1 == 255) {
			if (len - at < 6)
				goto truncated;
			hl = 6;
			bl = pgp_be32(buf + at + 2);
		} else {
			return alu_err_set(e, -ALUE_CORRUPT,
					   "%s: offset %zu: partial body length in a packet of tag %d",
					   what, at, p->tag);
		}
	} else {
		static const size_t lsz[3] = {1, 2, 4};
		int lt = h & 3;

		p->tag = (h >> 2) & 0xF;
		if (lt == 3) {
			hl = 1;
			bl = len - at - 1;
		} else {
			hl = 1 + lsz[lt];
			if (len - at < hl)
				goto truncated;
			bl = 0;
			for (size_t i = 1; i < hl; i++)
				bl = bl << 8 | buf[at + i];
		}
	}
	if (p->tag == 0)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: offset %zu: packet tag 0 is reserved",
				   what, at);
	if (bl > len - at - hl)
		goto truncated;
	p->body = buf + at + hl;
	p->len = (size_t)bl;
	p->off = at;
	*pos = at + hl + (size_t)bl;
	return 0;
truncated:
	return alu_err_set(e, -ALUE_CORRUPT, "%s: offset %zu: packet runs past the end of the data",
			   what, at);
}

int pgp_mpi(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **val, size_t *vlen)
{
	size_t at = *pos, nbytes;

	if (at > len || len - at < 2)
		return -ALUE_CORRUPT;
	nbytes = ((size_t)buf[at] << 8 | buf[at + 1]);
	nbytes = (nbytes + 7) / 8;
	at += 2;
	if (nbytes > len - at)
		return -ALUE_CORRUPT;
	*val = buf + at;
	*vlen = nbytes;
	*pos = at + nbytes;
	while (*vlen > 0 && **val == 0) {
		(*val)++;
		(*vlen)--;
	}
	return 0;
}
