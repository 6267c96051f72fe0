/* SPDX-License-Identifier: MIT */
/*
 * A CPU's SHA-256 block function (sha256_hw.h) behind BearSSL's hash
 * vtable: the context is BearSSL's br_sha256_context, its state and
 * set_state are BearSSL's, and the padding mirrors its own, so contexts
 * move freely between the two. CPUs without the instructions keep
 * BearSSL's portable code; tests/unit/test_digest.c holds them equal.
 */
#include <string.h>

#include "crypto/digest.h"
#include "crypto/sha256_hw.h"

const uint32_t alu_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#if !(defined(__x86_64__) || defined(__aarch64__)) || !defined(__GNUC__)
alu_sha256_blocks_fn *alu_sha256_hw_blocks(const char **name)
{
	(void)name;
	return NULL;
}
#endif

/* set once by alu_sha256_fast before the vtable is handed out */
static alu_sha256_blocks_fn *hw;

static void hw_init(const br_hash_class **vt);

static void hw_update(const br_hash_class **vt, const void *data, size_t len)
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
		hw(c->val, c->buf, 1);
	}
	hw(c->val, p, len / 64);
	memcpy(c->buf, p + (len & ~(size_t)63), len & 63);
}

/* MD padding on a copy: out() leaves the running hash as it was. */
static void hw_out(const br_hash_class *const *vt, void *dst)
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
	hw(val, buf, n / 64);
	for (int i = 0; i < 8; i++) {
		o[4 * i] = (unsigned char)(val[i] >> 24);
		o[4 * i + 1] = (unsigned char)(val[i] >> 16);
		o[4 * i + 2] = (unsigned char)(val[i] >> 8);
		o[4 * i + 3] = (unsigned char)val[i];
	}
}

static const br_hash_class hw_vtable = {
	sizeof(br_sha256_context),
	BR_HASHDESC_ID(br_sha256_ID) | BR_HASHDESC_OUT(32) | BR_HASHDESC_STATE(32) |
		BR_HASHDESC_LBLEN(6) | BR_HASHDESC_MD_PADDING | BR_HASHDESC_MD_PADDING_BE,
	hw_init,
	hw_update,
	hw_out,
	(uint64_t (*)(const br_hash_class *const *, void *))&br_sha256_state,
	(void (*)(const br_hash_class **, const void *, uint64_t))&br_sha256_set_state,
};

static void hw_init(const br_hash_class **vt)
{
	br_sha256_init((br_sha256_context *)vt);
	*vt = &hw_vtable;
}

const br_hash_class *alu_sha256_fast(void)
{
	/* threads that race here store the same pointer */
	alu_sha256_blocks_fn *f = alu_sha256_hw_blocks(NULL);

	if (!f)
		return &br_sha256_vtable;
	__atomic_store_n(&hw, f, __ATOMIC_RELAXED);
	return &hw_vtable;
}

const char *alu_sha256_impl(void)
{
	const char *name = NULL;

	return alu_sha256_hw_blocks(&name) ? name : "BearSSL";
}
