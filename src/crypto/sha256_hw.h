/* SPDX-License-Identifier: MIT */
/*
 * Internal to src/crypto: SHA-256 on a CPU's own instructions. An
 * architecture's file (sha256_ni.c for x86's SHA extensions,
 * sha256_armv8.c for the ARMv8 crypto extensions) supplies only the block
 * function and the CPU check; sha256_hw.c wraps it in BearSSL's hash
 * vtable (its context, padding, state and set_state), so the rest of
 * alupdate cannot tell it from br_sha256_vtable.
 */
#ifndef ALU_CRYPTO_SHA256_HW_H
#define ALU_CRYPTO_SHA256_HW_H

#include <stddef.h>
#include <stdint.h>

/** Hash @p n 64-byte blocks at @p p into the state @p st (a..h). */
typedef void alu_sha256_blocks_fn(uint32_t st[8], const unsigned char *p, size_t n);

/** SHA-256's 64 round constants, for the block functions. */
extern const uint32_t alu_sha256_k[64];

/**
 * @brief This CPU's SHA-256 block function.
 * @param[out] name what it runs on ("x86 SHA extensions", ...), when not NULL.
 * @return the function, or NULL when the CPU (or the architecture built
 *         for) has no SHA-256 instructions.
 */
alu_sha256_blocks_fn *alu_sha256_hw_blocks(const char **name);

#endif
