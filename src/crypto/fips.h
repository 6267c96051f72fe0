/* SPDX-License-Identifier: MIT */
/*
 * FIPS mode: on when the host's /proc/sys/crypto/fips_enabled is 1 or the
 * configuration says fips=1 (--setopt=fips=1, yum.conf [main]); the
 * configuration can turn it on, never off. In FIPS mode MD5 and SHA-1 are
 * refused as the only integrity check of a file and as a signature's hash,
 * and RSA keys under 2048 bits as signers. BearSSL is not a FIPS 140 validated module: this only
 * narrows what alupdate accepts.
 */
#ifndef ALU_CRYPTO_FIPS_H
#define ALU_CRYPTO_FIPS_H

/** Smallest RSA modulus accepted in FIPS mode, in bits. */
#define ALU_FIPS_RSA_MIN_BITS 2048

/** @return 1 when the host kernel runs in FIPS mode, else 0 (also unreadable). */
int alu_fips_host(void);

/** Turn FIPS mode on (@p on != 0) or off for the rest of the process. */
void alu_fips_set(int on);

/** @return 1 in FIPS mode. */
int alu_fips_on(void);

/** @return 1 when @p algo (ALU_HASH_*) may not be a file's only check now. */
int alu_fips_weak_hash(int algo);

#endif
