/* SPDX-License-Identifier: MIT */
/*
 * SHA-256's block function on the ARMv8 crypto extensions (SHA256H,
 * SHA256H2, SHA256SU0/1; sha256_hw.c wraps it in BearSSL's vtable), used
 * when the kernel reports HWCAP_SHA2, as Graviton's cores do.
 * tests/unit/test_digest.c holds it to BearSSL's output (qemu-aarch64
 * emulates the instructions, so it runs on the x86 build machine too).
 */
#include "crypto/sha256_hw.h"

#if defined(__aarch64__) && defined(__GNUC__)
#include <arm_neon.h>
#include <sys/auxv.h>

#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif

/*
 * n 64-byte blocks into st (a..h): ABCD and EFGH in two registers, four
 * rounds an instruction pair; w[] holds the next 16 message words, group
 * r + 4 computed from groups r .. r + 3 once group r is used.
 */
__attribute__((target("+crypto")))
static void blocks(uint32_t st[8], const unsigned char *p, size_t n)
{
	uint32x4_t s0 = vld1q_u32(&st[0]), s1 = vld1q_u32(&st[4]);

	for (; n; n--, p += 64) {
		uint32x4_t a0 = s0, e0 = s1, w[4];
		for (int i = 0; i < 4; i++)
			w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p + 16 * i)));
		for (int r = 0; r < 16; r++) {
			uint32x4_t wk = vaddq_u32(w[r & 3], vld1q_u32(&alu_sha256_k[4 * r])), abcd = s0;
			if (r < 12)
				w[r & 3] = vsha256su1q_u32(vsha256su0q_u32(w[r & 3], w[(r + 1) & 3]),
							   w[(r + 2) & 3], w[(r + 3) & 3]);
			s0 = vsha256hq_u32(s0, s1, wk);
			s1 = vsha256h2q_u32(s1, abcd, wk);
		}
		s0 = vaddq_u32(s0, a0);
		s1 = vaddq_u32(s1, e0);
	}
	vst1q_u32(&st[0], s0);
	vst1q_u32(&st[4], s1);
}

alu_sha256_blocks_fn *alu_sha256_hw_blocks(const char **name)
{
	/* getauxval reads the auxiliary vector in memory: no need to cache it */
	if (name)
		*name = "ARMv8 crypto extensions";
	return (getauxval(AT_HWCAP) & HWCAP_SHA2) ? blocks : NULL;
}

#endif
