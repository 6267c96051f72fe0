/* SPDX-License-Identifier: MIT */
/*
 * SHA-256's block function on the x86 SHA extensions (sha256_hw.c wraps
 * it in BearSSL's vtable). Every metadata file and every package is hashed
 * before use; BearSSL's portable code costs about 55 instructions a byte
 * there, this about 3. tests/unit/test_digest.c holds it to BearSSL's output.
 */
#include "crypto/sha256_hw.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

/*
 * n 64-byte blocks into st (a..h). sha256rnds2 wants the state as two
 * registers, ABEF and CDGH (A in the top lane); it does two rounds and the
 * two registers swap roles, so four rounds bring them back.
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void blocks(uint32_t st[8], const unsigned char *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xb1);
	__m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1b);
	__m128i s0 = _mm_alignr_epi8(t, s1, 8);          /* ABEF */

	s1 = _mm_blend_epi16(s1, t, 0xf0);               /* CDGH */
	for (; n; n--, p += 64) {
		__m128i a0 = s0, c0 = s1, w[4], m;
		for (int i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
		for (int r = 0; r < 16; r++) {
			/* w[r&3] holds words 4r-16..; the next three quads follow it */
			if (r >= 4)
				w[r & 3] = _mm_sha256msg2_epu32(
					_mm_add_epi32(_mm_sha256msg1_epu32(w[r & 3], w[(r + 1) & 3]),
						      _mm_alignr_epi8(w[(r + 3) & 3], w[(r + 2) & 3], 4)),
					w[(r + 3) & 3]);
			m = _mm_add_epi32(w[r & 3], _mm_loadu_si128((const __m128i *)&alu_sha256_k[4 * r]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, m);
			s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0e));
		}
		s0 = _mm_add_epi32(s0, a0);
		s1 = _mm_add_epi32(s1, c0);
	}
	t = _mm_shuffle_epi32(s0, 0x1b);
	s1 = _mm_shuffle_epi32(s1, 0xb1);
	_mm_storeu_si128((__m128i *)&st[0], _mm_blend_epi16(t, s1, 0xf0));
	_mm_storeu_si128((__m128i *)&st[4], _mm_alignr_epi8(s1, t, 8));
}

alu_sha256_blocks_fn *alu_sha256_hw_blocks(const char **name)
{
	/* cpuid traps to the hypervisor in a VM: asked once (threads agree on the answer) */
	static int cached = -1;
	int have = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	unsigned a, b, c, d;

	if (have < 0) {
		/* SHA: leaf 7 EBX bit 29; SSSE3 and SSE4.1: leaf 1 ECX bits 9 and 19 */
		have = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 9)) && (c & (1u << 19)) &&
		       __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
		__atomic_store_n(&cached, have, __ATOMIC_RELAXED);
	}
	if (name)
		*name = "x86 SHA extensions";
	return have ? blocks : NULL;
}

#endif
