/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/crypto: armor, packet framing, key and signature
 * parsing and the verification paths. Input layout: two bytes (big endian)
 * give the length of a key part; the key part goes to the keyring, the rest
 * is a signature checked against a fixed message, one-shot and streamed in
 * pieces whose size comes from the input. Whatever the verdict, nothing may
 * crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] = "fuzz message\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_pgp_keyring ring;
	struct alu_pgp_keyinfo ki;
	struct alu_pgp_siginfo si;
	struct alu_pgp_result res;
	struct alu_pgp_verify *v;
	struct alu_err e = {0};
	const uint8_t *sig;
	size_t klen, slen, pos = 0, outlen, step;
	uint8_t *out;
	char fpr[64];

	if (size < 2)
		return 0;
	klen = (size_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	if (klen > size)
		klen = size;
	sig = data + klen;
	slen = size - klen;

	/* 1. every armor block of the whole input */
	out = malloc(size + 1);
	if (!out)
		return 0;
	while (alu_pgp_dearmor("fuzz", (const char *)data, size, &pos, out, size + 1, &outlen,
			       NULL, 0, &e) == 0)
		alu_err_clear(&e);
	free(out);

	/* 2. keys; a failed add must leave the ring empty */
	alu_pgp_keyring_init(&ring);
	alu_err_clear(&e);
	if (alu_pgp_keyring_add(&ring, data, klen, "fuzz", &e) < 0 && alu_pgp_keyring_count(&ring))
		abort();
	for (size_t i = 0; alu_pgp_keyring_get(&ring, i, &ki) == 0; i++) {
		if (ki.fpr_len > ALU_PGP_FPR_MAX || strlen(ki.uid) >= ALU_PGP_UID_MAX)
			abort();
		alu_pgp_fpr_format(ki.fpr, ki.fpr_len, fpr);
	}

	/* 3. the signature: info, one-shot, streamed */
	alu_err_clear(&e);
	alu_pgp_sig_info(sig, slen, &si, &e);
	alu_err_clear(&e);
	alu_pgp_verify_detached(&ring, sig, slen, message, sizeof message - 1, &res, &e);
	v = malloc(sizeof *v);
	if (v) {
		step = slen ? sig[0] % 7 + 1 : 1;
		alu_err_clear(&e);
		alu_pgp_verify_init(v, &ring, sig, slen, &e);
		for (size_t at = 0; at < sizeof message - 1; at += step)
			alu_pgp_verify_update(v, message + at,
					      sizeof message - 1 - at < step ? sizeof message - 1 - at : step);
		alu_err_clear(&e);
		alu_pgp_verify_finish(v, &res, &e);
		free(v);
	}
	alu_pgp_keyring_free(&ring);
	return 0;
}
