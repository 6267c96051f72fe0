/* SPDX-License-Identifier: MIT */
/*
 * src/crypto/sha256_hw.c (x86 SHA extensions or ARMv8 crypto extensions,
 * whichever the CPU has) against BearSSL's portable SHA-256: known answers,
 * every length up to three blocks and more, fed whole and in random
 * pieces, out() twice (it must not disturb the running hash), and state /
 * set_state round trips. On a CPU without SHA-256 instructions both sides
 * are BearSSL and the test says so. The aarch64 build runs it under
 * qemu-aarch64, which emulates the ARMv8 SHA-256 instructions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

static void hash(const br_hash_class *vt, const unsigned char *p, size_t n, unsigned seed,
		 unsigned char out[32])
{
	br_sha256_context c;
	unsigned char mid[32];

	vt->init(&c.vtable);
	srand(seed);
	while (n) {
		size_t k = seed ? (size_t)rand() % 150 : n;
		if (k > n)
			k = n;
		c.vtable->update(&c.vtable, p, k);
		c.vtable->out(&c.vtable, mid);   /* must leave the context as it was */
		p += k;
		n -= k;
	}
	c.vtable->out(&c.vtable, out);
}

static void hexeq(const unsigned char d[32], const char *hex)
{
	char h[65];

	for (int i = 0; i < 32; i++)
		snprintf(h + 2 * i, 3, "%02x", d[i]);
	CHECK(!strcmp(h, hex));
}

int main(void)
{
	const br_hash_class *fast = alu_sha256_fast();
	static unsigned char buf[4096];
	unsigned char a[32], b[32];

	printf("sha256: %s\n", fast == &br_sha256_vtable ? "no SHA-256 instructions, BearSSL on both sides" :
	       alu_sha256_impl());
	CHECK((fast == &br_sha256_vtable) == !strcmp(alu_sha256_impl(), "BearSSL"));
	hash(fast, (const unsigned char *)"abc", 3, 0, a);
	hexeq(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash(fast, (const unsigned char *)"", 0, 0, a);
	hexeq(a, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash(fast, (const unsigned char *)"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, 0, a);
	hexeq(a, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + (i >> 7));
	for (size_t n = 0; n <= sizeof(buf); n += n < 300 ? 1 : 61) {
		for (unsigned seed = 0; seed < 3; seed++) {
			hash(fast, buf, n, seed, a);
			hash(&br_sha256_vtable, buf, n, 0, b);
			if (memcmp(a, b, 32)) {
				fprintf(stderr, "length %zu seed %u differs\n", n, seed);
				failed++;
			} else {
				passed++;
			}
		}
	}
	/* state/set_state (defined on whole blocks): carry 128 bytes over to a fresh context */
	{
		br_sha256_context c, d;
		unsigned char st[32];
		uint64_t count;
		fast->init(&c.vtable);
		c.vtable->update(&c.vtable, buf, 128);
		count = c.vtable->state(&c.vtable, st);
		fast->init(&d.vtable);
		d.vtable->set_state(&d.vtable, st, count);
		c.vtable->update(&c.vtable, buf + 128, 900);
		d.vtable->update(&d.vtable, buf + 128, 900);
		c.vtable->out(&c.vtable, a);
		d.vtable->out(&d.vtable, b);
		CHECK(!memcmp(a, b, 32));
		CHECK(count == 128);
	}
	/* through the alu_digest API */
	CHECK(alu_digest_buf(ALU_HASH_SHA256, buf, 1000, a) == 32);
	hash(&br_sha256_vtable, buf, 1000, 0, b);
	CHECK(!memcmp(a, b, 32));
	printf("digest: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
