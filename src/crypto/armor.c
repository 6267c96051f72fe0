/* SPDX-License-Identifier: MIT */
/*
 * ASCII armor (RFC 4880 section 6): a BEGIN line, optional "Key: value"
 * headers, a blank line, base64 lines, an optional "=XXXX" CRC24 line and
 * an END line. Key files often hold several blocks, and some tools omit the
 * blank line when there are no headers, so both are accepted.
 */
#include <errno.h>
#include <string.h>

#include "crypto/pgp_int.h"

#define CRC24_INIT 0xB704CEu
#define CRC24_POLY 0x1864CFBu

static uint32_t crc24(const uint8_t *p, size_t n)
{
	uint32_t crc = CRC24_INIT;

	while (n--) {
		crc ^= (uint32_t)*p++ << 16;
		for (int i = 0; i < 8; i++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= CRC24_POLY;
		}
	}
	return crc & 0xFFFFFF;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line of in[*pos..len): sets [*ls, *le) without the newline and
 * trailing blanks, moves *pos past the newline. Returns 0 at end of input. */
static int next_line(const char *in, size_t len, size_t *pos, size_t *ls, size_t *le)
{
	size_t p = *pos, end;

	if (p >= len)
		return 0;
	*ls = p;
	while (p < len && in[p] != '\n')
		p++;
	end = p;
	while (end > *ls && is_blank((unsigned char)in[end - 1]))
		end--;
	*le = end;
	*pos = p < len ? p + 1 : p;
	return 1;
}

static int starts(const char *in, size_t ls, size_t le, const char *s)
{
	size_t n = strlen(s);

	return le - ls >= n && !memcmp(in + ls, s, n);
}

/* The CRC line: '=' and exactly four base64 characters. */
static int crc_line(const char *in, size_t ls, size_t le, uint32_t *crc)
{
	uint32_t v = 0;

	if (le - ls != 5 || in[ls] != '=')
		return 0;
	for (size_t i = ls + 1; i < le; i++) {
		int d = b64val((unsigned char)in[i]);

		if (d < 0)
			return 0;
		v = v << 6 | (uint32_t)d;
	}
	*crc = v;
	return 1;
}

int alu_pgp_dearmor(const char *what, const char *in, size_t len, size_t *pos,
		    void *out, size_t cap, size_t *outlen, char *kind, size_t kind_cap,
		    struct alu_err *e)
{
	static const char begin[] = "-----BEGIN PGP ";
	uint8_t *o = out;
	size_t p = *pos, ls, le, n = 0, lineno = 0, first;
	uint32_t acc = 0, crc = 0;
	int bits = 0, have_crc = 0, padded = 0, in_body = 0, found = 0;

	/* 1. The BEGIN line (must start a line). */
	while (next_line(in, len, &p, &ls, &le)) {
		lineno++;
		if (starts(in, ls, le, begin) && le - ls >= sizeof begin - 1 + 5 &&
		    !memcmp(in + le - 5, "-----", 5)) {
			found = 1;
			break;
		}
	}
	if (!found)
		return -ALUE_NOTFOUND;
	first = lineno;
	if (kind && kind_cap) {
		size_t kl = le - 5 - (ls + sizeof begin - 1);

		if (kl >= kind_cap)
			kl = kind_cap - 1;
		memcpy(kind, in + ls + sizeof begin - 1, kl);
		kind[kl] = '\0';
	}

	/* 2. Headers, blank line, base64, CRC, END. */
	for (;;) {
		if (!next_line(in, len, &p, &ls, &le))
			return alu_err_set(e, -ALUE_CORRUPT,
					   "%s: armor block at line %zu has no END line", what, first);
		lineno++;
		if (starts(in, ls, le, "-----END PGP "))
			break;
		if (!in_body) {
			if (ls == le || memchr(in + ls, ':', le - ls))
				continue;   /* header or the blank line after them */
			in_body = 1;
		}
		if (have_crc)
			return alu_err_set(e, -ALUE_CORRUPT,
					   "%s: armor line %zu: data after the checksum", what, lineno);
		if (crc_line(in, ls, le, &crc)) {
			have_crc = 1;
			continue;
		}
		for (size_t i = ls; i < le; i++) {
			int c = (unsigned char)in[i], d;

			if (is_blank(c))
				continue;
			if (c == '=') {
				padded = 1;
				continue;
			}
			d = b64val(c);
			if (d < 0 || padded)
				return alu_err_set(e, -ALUE_CORRUPT,
						   "%s: armor line %zu: bad base64", what, lineno);
			acc = acc << 6 | (uint32_t)d;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (n >= cap)
					return alu_err_set(e, -ENOBUFS,
							   "%s: armor block too large", what);
				o[n++] = (uint8_t)(acc >> bits);
			}
		}
	}

	/* 3. RFC 4880 makes the checksum optional; when present it must hold. */
	if (have_crc && crc24(o, n) != crc)
		return alu_err_set(e, -ALUE_CORRUPT,
				   "%s: armor block at line %zu: CRC24 mismatch", what, first);
	if (n == 0)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: empty armor block at line %zu",
				   what, first);
	*outlen = n;
	*pos = p;
	return 0;
}

int pgp_is_binary(const void *data, size_t len)
{
	return len > 0 && (*(const uint8_t *)data & 0x80);
}

int pgp_unarmor_one(const char *what, const void *data, size_t len, uint8_t *buf,
		    size_t cap, const uint8_t **out, size_t *outlen, struct alu_err *e)
{
	size_t pos = 0;
	int rc;

	if (pgp_is_binary(data, len)) {
		*out = data;
		*outlen = len;
		return 0;
	}
	rc = alu_pgp_dearmor(what, data, len, &pos, buf, cap, outlen, NULL, 0, e);
	if (rc == -ENOBUFS) {
		alu_err_clear(e);
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: armored data larger than %zu bytes",
				   what, cap);
	}
	if (rc == -ALUE_NOTFOUND)
		return alu_err_set(e, rc, "%s: no OpenPGP data (neither armored nor binary)", what);
	if (rc == 0)
		*out = buf;
	return rc;
}
