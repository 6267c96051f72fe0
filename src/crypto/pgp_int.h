/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the OpenPGP files: packet framing, the key record and
 * a parsed signature. Everything parsed here borrows from the input buffer.
 */
#ifndef ALU_CRYPTO_PGP_INT_H
#define ALU_CRYPTO_PGP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/pgp.h"

enum { /* packet tags (RFC 4880 4.3) */
	PGP_TAG_SIG = 2,
	PGP_TAG_SECKEY = 5,
	PGP_TAG_PUBKEY = 6,
	PGP_TAG_SECSUBKEY = 7,
	PGP_TAG_UID = 13,
	PGP_TAG_PUBSUBKEY = 14,
};

enum { /* public key algorithms (RFC 4880 9.1) */
	PGP_PK_RSA = 1, PGP_PK_RSA_E = 2, PGP_PK_RSA_S = 3,
};

#define PGP_IS_RSA(a) ((a) == PGP_PK_RSA || (a) == PGP_PK_RSA_E || (a) == PGP_PK_RSA_S)

/** One packet: its tag and body, located in the input. */
struct pgp_pkt {
	int tag;
	const uint8_t *body;
	size_t len;
	size_t off;          /* offset of the packet header in the input */
};

/**
 * @brief Frame the packet at *pos (old or new format).
 * @return 0 and advances *pos past it; 1 when *pos == len (no more);
 *         -ALUE_CORRUPT (bad header, partial length, length past the end).
 */
int pgp_pkt_next(const uint8_t *buf, size_t len, size_t *pos, struct pgp_pkt *p,
		 const char *what, struct alu_err *e);

/**
 * @brief Read a multiprecision integer at *pos of @p buf[0..len).
 * @param[out] val its bytes without leading zeros; @p vlen their count.
 * @return 0, or -ALUE_CORRUPT when it runs past @p len.
 */
int pgp_mpi(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **val, size_t *vlen);

static inline uint32_t pgp_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t pgp_be64(const uint8_t *p)
{
	return (uint64_t)pgp_be32(p) << 32 | pgp_be32(p + 4);
}

/** A key as the ring keeps it. */
struct alu_pgp_key {
	struct alu_pgp_keyinfo info;  /* info.uid and info.what point below */
	size_t nlen, elen;            /* RSA material; nlen 0 when not usable */
	uint8_t n[ALU_PGP_RSA_MAX];
	uint8_t e[8];
	char uid[ALU_PGP_UID_MAX];
	char *what;                   /* malloc'd */
};

/** A parsed signature packet body. Pointers borrow from the body. */
struct pgp_sig {
	struct alu_pgp_siginfo info;
	const uint8_t *trailer;   /* hashed after the data: V4 from the version
	                           * byte to the end of the hashed subpackets,
	                           * V3 the type and creation time */
	size_t trailer_len;
	uint8_t left16[2];        /* first two bytes of the digest */
	const uint8_t *s;         /* RSA signature value (no leading zeros) */
	size_t slen;              /* 0 for other algorithms */
};

/**
 * @brief Parse a signature packet body (tag 2).
 * @return 0, -ALUE_CORRUPT, -ALUE_UNSUPPORTED (version, critical subpacket).
 */
int pgp_sig_parse(const uint8_t *body, size_t len, struct pgp_sig *s,
		  const char *what, struct alu_err *e);

/**
 * @brief Find the binary packets of @p data: decode the first armor block
 *        into @p buf, or return @p data itself when it is binary.
 * @return 0 with *out / *outlen set, -ALUE_CORRUPT, -ALUE_NOTFOUND,
 *         -ALUE_UNSUPPORTED (larger than @p cap).
 */
int pgp_unarmor_one(const char *what, const void *data, size_t len, uint8_t *buf,
		    size_t cap, const uint8_t **out, size_t *outlen, struct alu_err *e);

/** @return 1 when @p data starts (after blanks) like binary OpenPGP. */
int pgp_is_binary(const void *data, size_t len);

#endif
