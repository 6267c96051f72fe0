/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 on the x86 SHA extensions, behind BearSSL's hash vtable so the
 * rest of alupdate cannot tell it from br_sha256_vtable. Every metadata
 * file and every package is hashed before use; BearSSL's portable code
 * costs about 55 instructions a byte there, this about 3. Only the block
 * function is new: the context is BearSSL's br_sha256_context, its state
 * and set_state are BearSSL's, and the padding mirrors its own. CPUs
 * without the extensions (and other architectures) keep BearSSL's code;
 * tests/unit/test_digest.c holds the two to the same output.
 */
#include <string.h>

#include "crypto/digest.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

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
			m = _mm_add_epi32(w[r & 3], _mm_loadu_si128((const __m128i *)&K[4 * r]));
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

static void ni_init(const br_hash_class **vt);

static void ni_update(const br_hash_class **vt, const void *data, size_t len)
{
	br_sha256_context *c = (br_sha256_context *)vt;
	const unsigned char *p = data;
	size_t fill = (size_t)c->count & 63;

	c->count += len;
	if (fill) {
		size_t k = 64 - fill < len ? 64 - fill : len;
		memcpy(c->buf + fill, p, k);
		p += k;
		len -= k;
		if (fill + k < 64)
			return;
		blocks(c->val, c->buf, 1);
	}
	blocks(c->val, p, len / 64);
	memcpy(c->buf, p + (len & ~(size_t)63), len & 63);
}

/* MD padding on a copy: out() leaves the running hash as it was. */
static void ni_out(const br_hash_class *const *vt, void *dst)
{
	const br_sha256_context *c = (const br_sha256_context *)vt;
	unsigned char buf[128], *o = dst;
	uint32_t val[8];
	size_t fill = (size_t)c->count & 63, n = fill < 56 ? 64 : 128;
	uint64_t bits = c->count << 3;

	memcpy(val, c->val, sizeof(val));
	memcpy(buf, c->buf, fill);
	buf[fill] = 0x80;
	memset(buf + fill + 1, 0, n - fill - 1);
	for (int i = 0; i < 8; i++)
		buf[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	blocks(val, buf, n / 64);
	for (int i = 0; i < 8; i++) {
		o[4 * i] = (unsigned char)(val[i] >> 24);
		o[4 * i + 1] = (unsigned char)(val[i] >> 16);
		o[4 * i + 2] = (unsigned char)(val[i] >> 8);
		o[4 * i + 3] = (unsigned char)val[i];
	}
}

static const br_hash_class ni_vtable = {
	sizeof(br_sha256_context),
	BR_HASHDESC_ID(br_sha256_ID) | BR_HASHDESC_OUT(32) | BR_HASHDESC_STATE(32) |
		BR_HASHDESC_LBLEN(6) | BR_HASHDESC_MD_PADDING | BR_HASHDESC_MD_PADDING_BE,
	ni_init,
	ni_update,
	ni_out,
	(uint64_t (*)(const br_hash_class *const *, void *))&br_sha256_state,
	(void (*)(const br_hash_class **, const void *, uint64_t))&br_sha256_set_state,
};

static void ni_init(const br_hash_class **vt)
{
	br_sha256_init((br_sha256_context *)vt);
	*vt = &ni_vtable;
}

const br_hash_class *alu_sha256_fast(void)
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
	return have ? &ni_vtable : &br_sha256_vtable;
}

#else

const br_hash_class *alu_sha256_fast(void)
{
	return &br_sha256_vtable;
}

#endif
