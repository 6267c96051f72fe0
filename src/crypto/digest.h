/* SPDX-License-Identifier: MIT */
/*
 * Message digests over BearSSL, selected by their OpenPGP / RPM hash id.
 *
 * The same numbers name a hash everywhere alupdate meets one: OpenPGP
 * signature packets, RPMTAG_FILEDIGESTALGO and (through alu_digest_by_name)
 * the checksum types of repomd.xml and primary. The context is a plain value
 * owned by the caller (stack or parent struct); nothing here allocates, and a
 * context may be copied with `=` to fork a running hash (pgp text mode uses
 * that to take back trailing blanks).
 *
 * Usage:
 *	struct alu_digest d;
 *	alu_digest_init(&d, ALU_HASH_SHA256);
 *	alu_digest_update(&d, buf, n);            (any number of times)
 *	unsigned char md[ALU_DIGEST_MAX];
 *	size_t len = alu_digest_final(&d, md);
 */
#ifndef ALU_CRYPTO_DIGEST_H
#define ALU_CRYPTO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "util/err.h"

/* Hash ids: OpenPGP's (RFC 4880 9.4), which RPM reuses. Same values as
 * ALU_DIGEST_* in rpm/rpm.h. */
enum {
	ALU_HASH_MD5 = 1,
	ALU_HASH_SHA1 = 2,
	ALU_HASH_SHA256 = 8,
	ALU_HASH_SHA384 = 9,
	ALU_HASH_SHA512 = 10,
	ALU_HASH_SHA224 = 11,
};

/** Largest digest size in bytes (SHA-512). */
#define ALU_DIGEST_MAX 64
/** Size of a hex buffer for any digest, NUL included. */
#define ALU_DIGEST_HEX_MAX (2 * ALU_DIGEST_MAX + 1)

/** A running hash. Caller-allocated; copyable by value. */
struct alu_digest {
	int algo;                    /* ALU_HASH_* */
	br_hash_compat_context ctx;  /* BearSSL context; ctx.vtable selects it */
};

/** BearSSL's SHA-256 vtable, or one on the CPU's SHA extensions when it has them. */
const br_hash_class *alu_sha256_fast(void);

/** What alu_sha256_fast() runs on: "x86 SHA extensions", "ARMv8 crypto extensions" or "BearSSL". */
const char *alu_sha256_impl(void);

/**
 * @brief Start a hash.
 * @param[out] d the context to initialise.
 * @param algo ALU_HASH_*.
 * @return 0, or -ALUE_UNSUPPORTED for an unknown id (d is then unusable).
 */
int alu_digest_init(struct alu_digest *d, int algo);

/** @brief Hash @p n more bytes (n may be 0). */
void alu_digest_update(struct alu_digest *d, const void *p, size_t n);

/**
 * @brief Finish: write the digest to @p out (ALU_DIGEST_MAX bytes suffice).
 * @return the digest length. @p d may be updated further afterwards as if
 *         final had not been called (BearSSL's out() does not consume it).
 */
size_t alu_digest_final(const struct alu_digest *d, void *out);

/** @return the digest length of @p algo in bytes, 0 when unknown. */
size_t alu_digest_len(int algo);

/** @return "md5", "sha1", "sha224", "sha256", "sha384", "sha512";
 *          "unknown" for other ids (never NULL). */
const char *alu_digest_name(int algo);

/**
 * @brief Map a checksum type as repodata writes it to an id.
 * @param name "md5", "sha", "sha1", "sha224", "sha256", "sha384", "sha512"
 *        (case-insensitive; "sha" is sha1, as createrepo and yum mean it).
 * @return ALU_HASH_* (> 0), or -ALUE_UNSUPPORTED.
 */
int alu_digest_by_name(const char *name);

/**
 * @brief One-shot hash of a buffer.
 * @return the digest length, or -ALUE_UNSUPPORTED.
 */
int alu_digest_buf(int algo, const void *p, size_t n, void *out);

/**
 * @brief Hash the rest of an open file (read until EOF; fd is not closed).
 * @param[out] out ALU_DIGEST_MAX bytes; @p outlen receives the length.
 * @param[out] size may be NULL; receives the number of bytes hashed.
 * @return 0, -errno from read(), or -ALUE_UNSUPPORTED.
 */
int alu_digest_fd(int fd, int algo, void *out, size_t *outlen, uint64_t *size);

/**
 * @brief Hash a whole file.
 * @return 0, -errno (the message names @p path), or -ALUE_UNSUPPORTED.
 */
int alu_digest_file(const char *path, int algo, void *out, size_t *outlen,
		    struct alu_err *e);

/**
 * @brief Lowercase hex of @p n bytes into @p out (2n+1 bytes, NUL-terminated).
 * @return out.
 */
char *alu_hex(const void *p, size_t n, char *out);

/**
 * @brief Compare a hex string (either case) with binary bytes.
 * @return 1 when @p hex is exactly 2n hex digits equal to @p bin, else 0.
 */
int alu_hex_eq(const char *hex, const void *bin, size_t n);

#endif
