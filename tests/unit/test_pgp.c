/* SPDX-License-Identifier: MIT */
/*
 * Digests and OpenPGP verification against fixtures made by real gpg,
 * openssl and rpmsign (data/pgp/mkfixtures.sh; expected.txt holds what gpg
 * says about the keys). Runs from tests/unit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/digest.h"
#include "crypto/pgp.h"

#define D "data/pgp/"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) { \
		passed++; \
	} else { \
		failed++; \
		fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_RC(got, want) do { \
	int got_ = (got), want_ = (want); \
	if (got_ == want_) { \
		passed++; \
	} else { \
		failed++; \
		fprintf(stderr, "%s:%d: FAILED: %s = %d (%s), want %d (%s)\n", __FILE__, \
			__LINE__, #got, got_, alu_strerror(got_), want_, alu_strerror(want_)); \
	} \
} while (0)

struct buf {
	unsigned char *p;
	size_t n;
};

static struct buf slurp(const char *path)
{
	struct buf b = {0};
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	b.n = (size_t)ftell(f);
	rewind(f);
	b.p = malloc(b.n + 1);
	if (!b.p || fread(b.p, 1, b.n, f) != b.n)
		exit(2);
	b.p[b.n] = 0;
	fclose(f);
	return b;
}

/* expected.txt: "name HEX" lines. */
static char expected[8][2][80];

static const char *expect(const char *name)
{
	for (int i = 0; i < 8; i++)
		if (!strcmp(expected[i][0], name))
			return expected[i][1];
	fprintf(stderr, "expected.txt has no %s\n", name);
	exit(2);
}

static void load_expected(void)
{
	FILE *f = fopen(D "expected.txt", "r");

	for (int i = 0; f && i < 8 && fscanf(f, "%79s %79s", expected[i][0], expected[i][1]) == 2; i++)
		;
	if (f)
		fclose(f);
}

static void hexup(const uint8_t *p, size_t n, char *out)
{
	alu_hex(p, n, out);
	for (char *c = out; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c -= 32;
}

static int add(struct alu_pgp_keyring *r, const char *file)
{
	struct buf b = slurp(file);
	struct alu_err e = {0};
	int rc = alu_pgp_keyring_add(r, b.p, b.n, file, &e);

	free(b.p);
	return rc;
}

/* Verify a fixture signature over @p data; keep the error text. */
static int vfy(struct alu_pgp_keyring *r, const char *sigfile, const struct buf *data,
	       struct alu_pgp_result *res, struct alu_err *e)
{
	struct buf s = slurp(sigfile);
	int rc;

	alu_err_clear(e);
	rc = alu_pgp_verify_detached(r, s.p, s.n, data->p, data->n, res, e);
	free(s.p);
	return rc;
}

/* ---- digests ----------------------------------------------------------- */

static void test_digest(void)
{
	static const struct { int algo; const char *hex; } kat[] = {
		{ALU_HASH_MD5, "900150983cd24fb0d6963f7d28e17f72"},
		{ALU_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{ALU_HASH_SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
		{ALU_HASH_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{ALU_HASH_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
				  "8086072ba1e7cc2358baeca134c825a7"},
		{ALU_HASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
				  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	};
	unsigned char md[ALU_DIGEST_MAX], md2[ALU_DIGEST_MAX];
	char hex[ALU_DIGEST_HEX_MAX];
	struct alu_digest d;
	struct alu_err e = {0};
	size_t len;

	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		int n = alu_digest_buf(kat[i].algo, "abc", 3, md);

		CHECK(n == (int)strlen(kat[i].hex) / 2);
		CHECK(!strcmp(alu_hex(md, (size_t)n, hex), kat[i].hex));
		CHECK(alu_hex_eq(kat[i].hex, md, (size_t)n));
		/* split updates give the same digest */
		CHECK(alu_digest_init(&d, kat[i].algo) == 0);
		alu_digest_update(&d, "a", 1);
		alu_digest_update(&d, "", 0);
		alu_digest_update(&d, "bc", 2);
		CHECK(alu_digest_final(&d, md2) == (size_t)n && !memcmp(md, md2, (size_t)n));
		CHECK(alu_digest_by_name(alu_digest_name(kat[i].algo)) == kat[i].algo);
	}
	alu_digest_buf(ALU_HASH_SHA256, "abc", 3, md);
	CHECK(alu_hex_eq("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", md, 32));
	CHECK(!alu_hex_eq("ba7816bf", md, 32));
	CHECK(!alu_hex_eq("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad00", md, 32));
	CHECK(!alu_hex_eq("xa7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", md, 32));
	CHECK(alu_digest_by_name("SHA") == ALU_HASH_SHA1);
	CHECK_RC(alu_digest_by_name("sha3-256"), -ALUE_UNSUPPORTED);
	CHECK_RC(alu_digest_init(&d, 3), -ALUE_UNSUPPORTED);
	CHECK(alu_digest_len(ALU_HASH_SHA512) == 64 && alu_digest_len(99) == 0);

	/* file helper agrees with the buffer helper */
	struct buf b = slurp(D "data.txt");
	CHECK(alu_digest_file(D "data.txt", ALU_HASH_SHA256, md, &len, &e) == 0 && len == 32);
	alu_digest_buf(ALU_HASH_SHA256, b.p, b.n, md2);
	CHECK(!memcmp(md, md2, 32));
	CHECK(alu_digest_file(D "nonexistent", ALU_HASH_SHA256, md, &len, &e) < 0 &&
	      strstr(e.msg, "nonexistent"));
	free(b.p);
}

/* ---- armor --------------------------------------------------------------- */

static void test_armor(void)
{
	struct buf a = slurp(D "rsa2048.pub.asc"), bin = slurp(D "rsa2048.pub.gpg");
	unsigned char *out = malloc(a.n);
	struct alu_err e = {0};
	char kind[32];
	size_t pos = 0, n = 0;
	char *crc, *p;

	CHECK(alu_pgp_dearmor("k", (char *)a.p, a.n, &pos, out, a.n, &n, kind, sizeof kind, &e) == 0);
	CHECK(n == bin.n && !memcmp(out, bin.p, n));
	CHECK(!strcmp(kind, "PUBLIC KEY BLOCK"));
	CHECK_RC(alu_pgp_dearmor("k", (char *)a.p, a.n, &pos, out, a.n, &n, NULL, 0, &e),
		 -ALUE_NOTFOUND);
	/* a too small output buffer */
	pos = 0;
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_dearmor("k", (char *)a.p, a.n, &pos, out, 10, &n, NULL, 0, &e), -ENOBUFS);

	/* CRC mismatch: change one checksum character */
	crc = strstr((char *)a.p, "\n=");
	CHECK(crc != NULL);
	crc[2] = crc[2] == 'A' ? 'B' : 'A';
	pos = 0;
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_dearmor("k", (char *)a.p, a.n, &pos, out, a.n, &n, NULL, 0, &e),
		 -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "CRC24") != NULL);
	struct alu_pgp_keyring r = {0};
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_keyring_add(&r, a.p, a.n, "bad-crc.asc", &e), -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "bad-crc.asc") && alu_pgp_keyring_count(&r) == 0);

	/* no CRC line at all is allowed (RFC 4880 6.1) */
	memmove(crc + 1, crc + 7, strlen(crc + 7) + 1);
	pos = 0;
	alu_err_clear(&e);
	CHECK(alu_pgp_dearmor("k", (char *)a.p, strlen((char *)a.p), &pos, out, a.n, &n, NULL, 0,
			      &e) == 0 && n == bin.n && !memcmp(out, bin.p, n));

	/* a bad base64 character in the body */
	p = strstr((char *)a.p, "\n\n");
	CHECK(p != NULL);
	p[5] = '*';
	pos = 0;
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_dearmor("k", (char *)a.p, strlen((char *)a.p), &pos, out, a.n, &n, NULL, 0,
				 &e), -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "base64") != NULL);

	/* no END line */
	free(a.p);
	a = slurp(D "rsa2048.pub.asc");
	p = strstr((char *)a.p, "-----END");
	*p = '\0';
	pos = 0;
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_dearmor("k", (char *)a.p, strlen((char *)a.p), &pos, out, a.n, &n, NULL, 0,
				 &e), -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "END") != NULL);
	free(a.p);
	free(bin.p);
	free(out);
}

/* ---- keyring ------------------------------------------------------------- */

static void check_key(const struct alu_pgp_keyinfo *k, const char *fpr_hex)
{
	char got[2 * ALU_PGP_FPR_MAX + 1];

	hexup(k->fpr, k->fpr_len, got);
	CHECK(!strcmp(got, fpr_hex));
	CHECK(k->keyid == strtoull(fpr_hex + 24, NULL, 16));
}

static void test_keyring(void)
{
	struct alu_pgp_keyring r;
	struct alu_pgp_keyinfo k;
	struct alu_err e = {0};
	char fmt[64];

	alu_pgp_keyring_init(&r);
	CHECK(add(&r, D "rsa2048.pub.asc") == 1);
	CHECK(alu_pgp_keyring_get(&r, 0, &k) == 0);
	check_key(&k, expect("rsa2048"));
	CHECK(k.version == 4 && k.algo == 1 && k.bits == 2048 && !k.is_subkey);
	CHECK(!strcmp(k.uid, "Alu Test RSA2048 <rsa2048@alupdate.test>"));
	CHECK(!strcmp(k.what, D "rsa2048.pub.asc"));
	CHECK(k.primary_keyid == k.keyid);
	CHECK_RC(alu_pgp_keyring_get(&r, 1, &k), -ALUE_NOTFOUND);

	/* the subkey comes with its primary's identity */
	CHECK(add(&r, D "rsa4096.pub.asc") == 2);
	CHECK(alu_pgp_keyring_count(&r) == 3);
	CHECK(alu_pgp_keyring_get(&r, 1, &k) == 0);
	check_key(&k, expect("rsa4096"));
	CHECK(k.bits == 4096 && !k.is_subkey);
	CHECK(alu_pgp_keyring_get(&r, 2, &k) == 0);
	check_key(&k, expect("rsa4096sub"));
	CHECK(k.is_subkey && k.bits == 4096);
	CHECK(k.primary_keyid == strtoull(expect("rsa4096") + 24, NULL, 16));
	CHECK(!strcmp(k.uid, "Alu Test RSA4096 <rsa4096@alupdate.test>"));
	CHECK(alu_pgp_keyring_find(&r, strtoull(expect("rsa4096sub") + 24, NULL, 16), &k) == 0 &&
	      k.is_subkey);
	CHECK_RC(alu_pgp_keyring_find(&r, 0x1234, &k), -ALUE_NOKEY);

	/* yum's fingerprint form */
	alu_pgp_keyring_get(&r, 0, &k);
	alu_pgp_fpr_format(k.fpr, k.fpr_len, fmt);
	CHECK(strlen(fmt) == 49 && fmt[4] == ' ' && fmt[44] == ' ');
	CHECK(!strncasecmp(fmt, expect("rsa2048"), 4) && !strncasecmp(fmt + 45, expect("rsa2048") + 36, 4));
	alu_pgp_keyring_free(&r);
	CHECK(alu_pgp_keyring_count(&r) == 0);

	/* binary; two keys in one block; two blocks with text around them */
	CHECK(add(&r, D "rsa2048.pub.gpg") == 1);
	CHECK(add(&r, D "two-in-one-block.asc") == 3);
	CHECK(add(&r, D "two-blocks.asc") == 2);
	CHECK(alu_pgp_keyring_get(&r, 5, &k) == 0);
	check_key(&k, expect("ed25519"));
	CHECK(k.algo == 22 && k.bits == 0);
	alu_pgp_keyring_free(&r);

	/* crafted V4 key (openssl RSA) and a legacy V3 key */
	CHECK(add(&r, D "v3key.pub.gpg") == 1);
	alu_pgp_keyring_get(&r, 0, &k);
	check_key(&k, expect("v3"));
	CHECK(add(&r, D "v3legacy.pub.gpg") == 1);
	alu_pgp_keyring_get(&r, 1, &k);
	CHECK(k.version == 3 && k.fpr_len == 16 && k.bits == 2048);
	CHECK(k.keyid == strtoull(expect("v3legacy"), NULL, 16));
	CHECK(!strcmp(k.uid, "Alu Test V3 <v3@alupdate.test>"));

	/* nothing usable: the ring is left as it was */
	CHECK_RC(alu_pgp_keyring_add(&r, "hello\n", 6, "junk", &e), -ALUE_NOTFOUND);
	CHECK(strstr(e.msg, "junk") != NULL);
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_keyring_add(&r, "", 0, "empty", &e), -ALUE_NOTFOUND);
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_keyring_add_file(&r, D "missing.asc", &e), -ENOENT);
	CHECK(strstr(e.msg, "missing.asc") != NULL);
	alu_err_clear(&e);
	CHECK(alu_pgp_keyring_add_file(&r, D "rsa2048.pub.asc", &e) == 1);
	CHECK(alu_pgp_keyring_count(&r) == 3);
	alu_pgp_keyring_free(&r);
}

/* ---- verification ------------------------------------------------------- */

static void test_verify(void)
{
	static const char *const good[] = {
		D "data.txt.sha256.asc", D "data.txt.sha256.sig", D "data.txt.sha1.asc",
		D "data.txt.sha384.asc", D "data.txt.sha512.asc", D "data.txt.text.asc",
		D "data.txt.two.asc",
	};
	static const int hash[] = {8, 8, 2, 9, 10, 8};
	struct alu_pgp_keyring r = {0}, r2048 = {0}, red = {0};
	struct buf data = slurp(D "data.txt");
	struct alu_pgp_result res;
	struct alu_err e = {0};
	char fpr[41];

	add(&r, D "rsa2048.pub.asc");
	add(&r, D "rsa4096.pub.asc");
	add(&r, D "ed25519.pub.asc");
	add(&r, D "v3key.pub.gpg");
	add(&r, D "v3legacy.pub.gpg");
	add(&r2048, D "rsa2048.pub.asc");
	add(&red, D "ed25519.pub.asc");

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		CHECK_RC(vfy(&r, good[i], &data, &res, &e), 0);
		hexup(res.fpr, res.fpr_len, fpr);
		CHECK(!strcmp(fpr, expect("rsa2048")));
		CHECK(!strcmp(res.uid, "Alu Test RSA2048 <rsa2048@alupdate.test>"));
		CHECK(res.keyid == res.primary_keyid && res.sig.version == 4);
		if (i < sizeof hash / sizeof hash[0])
			CHECK(res.sig.hash_algo == hash[i]);
		CHECK(res.sig.created > 1600000000);
	}
	CHECK_RC(vfy(&r, D "data.txt.text.asc", &data, &res, &e), 0);
	CHECK(res.sig.type == 0x01);

	/* signed by the subkey: the result names the subkey and the primary */
	CHECK_RC(vfy(&r, D "data.txt.subkey.asc", &data, &res, &e), 0);
	CHECK(res.keyid == strtoull(expect("rsa4096sub") + 24, NULL, 16));
	CHECK(res.primary_keyid == strtoull(expect("rsa4096") + 24, NULL, 16));
	hexup(res.fpr, res.fpr_len, fpr);
	CHECK(!strcmp(fpr, expect("rsa4096")));
	CHECK(!strcmp(res.uid, "Alu Test RSA4096 <rsa4096@alupdate.test>"));

	/* V3 signatures: by the crafted V4 key, and by the legacy V3 key */
	CHECK_RC(vfy(&r, D "data.txt.v3.sig", &data, &res, &e), 0);
	CHECK(res.sig.version == 3 && res.sig.created == 1700003600);
	hexup(res.fpr, res.fpr_len, fpr);
	CHECK(!strcmp(fpr, expect("v3")));
	CHECK_RC(vfy(&r, D "data.txt.v3legacy.sig", &data, &res, &e), 0);
	CHECK(res.keyid == strtoull(expect("v3legacy"), NULL, 16));

	/* Ed25519: known key, unsupported algorithm; never a pass */
	CHECK_RC(vfy(&r, D "data.txt.ed25519.asc", &data, &res, &e), -ALUE_UNSUPPORTED);
	CHECK(strstr(e.msg, "unsupported algorithm 22 (key ") != NULL);
	CHECK(strstr(e.msg, expect("ed25519") + 24) != NULL);
	/* two signatures: ed25519 + rsa2048; the verifiable one decides */
	CHECK_RC(vfy(&r2048, D "data.txt.two.asc", &data, &res, &e), 0);
	CHECK_RC(vfy(&red, D "data.txt.two.asc", &data, &res, &e), -ALUE_UNSUPPORTED);

	/* unknown key */
	CHECK_RC(vfy(&r2048, D "data.txt.subkey.asc", &data, &res, &e), -ALUE_NOKEY);
	CHECK(strstr(e.msg, expect("rsa4096sub") + 24) != NULL);
	CHECK_RC(vfy(&r2048, D "data.txt.v3.sig", &data, &res, &e), -ALUE_NOKEY);

	/* text mode: CRLF line ends verify too; a changed blank does not */
	{
		static const char crlf[] = "first line\r\ntrailing blanks  \t \r\nwindows line\r\n\r\n"
			"<repomd>\r\n  <revision>1</revision>\r\nlast line, no newline  \r";
		static const char nosp[] = "first line\ntrailing blanks  \t\nwindows line\r\n\n"
			"<repomd>\n  <revision>1</revision>\nlast line, no newline  ";
		struct buf v = {(unsigned char *)crlf, sizeof crlf - 1};

		CHECK_RC(vfy(&r, D "data.txt.text.asc", &v, &res, &e), 0);
		CHECK_RC(vfy(&r, D "data.txt.sha256.asc", &v, &res, &e), -ALUE_BADSIG);
		v.p = (unsigned char *)nosp;
		v.n = sizeof nosp - 1;
		CHECK_RC(vfy(&r, D "data.txt.text.asc", &v, &res, &e), -ALUE_BADSIG);
	}

	/* tampered data: every good signature turns BAD */
	data.p[3] ^= 1;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK_RC(vfy(&r, good[i], &data, &res, &e), -ALUE_BADSIG);
	CHECK_RC(vfy(&r, D "data.txt.subkey.asc", &data, &res, &e), -ALUE_BADSIG);
	CHECK_RC(vfy(&r, D "data.txt.v3.sig", &data, &res, &e), -ALUE_BADSIG);
	CHECK(strstr(e.msg, "BAD signature") != NULL);
	data.p[3] ^= 1;
	data.n--;
	CHECK_RC(vfy(&r, D "data.txt.sha256.sig", &data, &res, &e), -ALUE_BADSIG);
	data.n++;

	free(data.p);
	alu_pgp_keyring_free(&r);
	alu_pgp_keyring_free(&r2048);
	alu_pgp_keyring_free(&red);
}

static void test_stream_and_info(void)
{
	static const char *const sigs[] = {D "data.txt.sha256.asc", D "data.txt.text.asc",
					   D "data.txt.v3.sig"};
	struct alu_pgp_keyring r = {0};
	struct buf data = slurp(D "data.txt");
	struct alu_pgp_siginfo si;
	struct alu_pgp_verify v;
	struct alu_err e = {0};

	add(&r, D "rsa2048.pub.asc");
	add(&r, D "v3key.pub.gpg");
	for (size_t s = 0; s < sizeof sigs / sizeof sigs[0]; s++) {
		struct buf sig = slurp(sigs[s]);

		for (size_t chunk = 1; chunk <= 64; chunk = chunk * 2 + 1) {
			struct alu_pgp_result res;

			CHECK(alu_pgp_verify_init(&v, &r, sig.p, sig.n, &e) == 0);
			for (size_t at = 0; at < data.n; at += chunk)
				alu_pgp_verify_update(&v, data.p + at,
						      data.n - at < chunk ? data.n - at : chunk);
			CHECK_RC(alu_pgp_verify_finish(&v, &res, &e), 0);
			/* updates after finish change nothing: the verdict is latched */
			alu_pgp_verify_update(&v, "x", 1);
		}
		free(sig.p);
	}

	/* sticky: an init failure is returned again by finish */
	{
		struct buf sig = slurp(D "data.txt.subkey.asc");

		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_init(&v, &r, sig.p, sig.n, &e), -ALUE_NOKEY);
		alu_pgp_verify_update(&v, data.p, data.n);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_finish(&v, NULL, &e), -ALUE_NOKEY);
		CHECK(strstr(e.msg, "no public key ") != NULL);
		alu_err_clear(&e);
		CHECK(alu_pgp_sig_info(sig.p, sig.n, &si, &e) == 0);
		CHECK(si.keyid == strtoull(expect("rsa4096sub") + 24, NULL, 16));
		CHECK(si.hash_algo == ALU_HASH_SHA256 && si.pk_algo == 1 && si.version == 4);
		CHECK(si.fpr_len == 20 && si.type == 0 && si.created > 1600000000);
		free(sig.p);
	}
	{
		struct buf sig = slurp(D "data.txt.v3legacy.sig");

		CHECK(alu_pgp_sig_info(sig.p, sig.n, &si, &e) == 0);
		CHECK(si.version == 3 && si.created == 1700003600 && si.fpr_len == 0);
		CHECK(si.keyid == strtoull(expect("v3legacy"), NULL, 16));
		free(sig.p);
	}
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_sig_info("", 0, &si, &e), -ALUE_NOTFOUND);
	{
		/* a key file is not a signature */
		struct buf k = slurp(D "rsa2048.pub.gpg");

		alu_err_clear(&e);
		CHECK_RC(alu_pgp_sig_info(k.p, k.n, &si, &e), 0); /* its self-signature */
		CHECK(si.type == 0x13);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_detached(&r, k.p, k.n, data.p, data.n, NULL, &e),
			 -ALUE_UNSUPPORTED);
		free(k.p);
	}
	free(data.p);
	alu_pgp_keyring_free(&r);
}

/* ---- hostile input -------------------------------------------------------- */

/* End of the hashed region of a binary V4 signature packet:
 * packet header + 6 + hashed subpackets. */
static size_t hashed_end(const struct buf *s)
{
	static const size_t old[4] = {2, 3, 5, 1};
	size_t hl = !(s->p[0] & 0x40) ? old[s->p[0] & 3] :
		    s->p[1] < 192 ? 2 : s->p[1] < 224 ? 3 : 6;

	return hl + 6 + ((size_t)s->p[hl + 4] << 8 | s->p[hl + 5]);
}

static void test_hostile(void)
{
	static const char *const keys[] = {D "rsa2048.pub.gpg", D "v3key.pub.gpg",
					   D "v3legacy.pub.gpg", D "rsa4096.pub.asc",
					   D "two-blocks.asc"};
	struct alu_pgp_keyring r = {0}, t = {0};
	struct buf data = slurp(D "data.txt");
	struct buf sig = slurp(D "data.txt.sha256.sig");
	struct alu_pgp_siginfo si;
	struct alu_err e = {0};
	int all_fail = 1, rc;

	add(&r, D "rsa2048.pub.asc");
	/* every proper prefix of a signature fails, none crashes */
	for (size_t n = 0; n < sig.n; n++) {
		unsigned char *cut = malloc(n + 1);

		memcpy(cut, sig.p, n);
		alu_err_clear(&e);
		if (alu_pgp_verify_detached(&r, cut, n, data.p, data.n, NULL, &e) == 0)
			all_fail = 0;
		alu_err_clear(&e);
		alu_pgp_sig_info(cut, n, &si, &e);
		free(cut);
	}
	CHECK(all_fail);

	/* one flipped bit anywhere in the signed part or the value: refused */
	all_fail = 1;
	for (size_t i = 0; i < sig.n; i++) {
		if (i >= hashed_end(&sig) && i < sig.n - 260)
			continue; /* the unhashed area is not protected, by design */
		sig.p[i] ^= 0x10;
		alu_err_clear(&e);
		rc = alu_pgp_verify_detached(&r, sig.p, sig.n, data.p, data.n, NULL, &e);
		if (rc == 0) {
			all_fail = 0;
			fprintf(stderr, "flip at %zu verified\n", i);
		}
		sig.p[i] ^= 0x10;
	}
	CHECK(all_fail);

	/* truncated and bit-flipped key files: any result but a crash, and a
	 * failure leaves the ring untouched */
	all_fail = 1;
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		struct buf b = slurp(keys[k]);

		for (size_t n = 0; n <= b.n; n++) {
			alu_err_clear(&e);
			rc = alu_pgp_keyring_add(&t, b.p, n, "cut", &e);
			if (rc < 0 && alu_pgp_keyring_count(&t) != 0)
				all_fail = 0;
			alu_pgp_keyring_free(&t);
		}
		for (size_t i = 0; i < b.n; i++) {
			b.p[i] ^= 0x41;
			alu_err_clear(&e);
			alu_pgp_keyring_add(&t, b.p, b.n, "flip", &e);
			alu_pgp_keyring_free(&t);
			b.p[i] ^= 0x41;
		}
		free(b.p);
	}
	CHECK(all_fail);

	/* RSA with an even public exponent is loaded but never trusted: with
	 * e = 1 or an even e a "signature" could be made without the key */
	{
		struct buf k = slurp(D "v3legacy.pub.gpg"), s = slurp(D "data.txt.v3legacy.sig");

		CHECK(k.p[0] == 0x99 && k.p[3 + 270] == 0x01);   /* e = 65537, last byte */
		k.p[3 + 270] = 0x00;
		alu_err_clear(&e);
		CHECK(alu_pgp_keyring_add(&t, k.p, k.n, "even-e", &e) == 1);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_detached(&t, s.p, s.n, data.p, data.n, NULL, &e),
			 -ALUE_UNSUPPORTED);
		CHECK(strstr(e.msg, "not usable") != NULL);
		alu_pgp_keyring_free(&t);
		free(k.p);
		free(s.p);
	}

	/* framing corner cases */
	{
		static const unsigned char partial[] = {0xC2, 0xE1, 1, 2};     /* partial length */
		static const unsigned char longlen[] = {0xC2, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 4};
		static const unsigned char oldlong[] = {0x8A, 0xFF, 0xFF, 0xFF, 0xF0, 4};
		static const unsigned char tag0[] = {0x80, 0x01, 0x00};
		static const unsigned char indet[] = {0x8B, 4, 0, 1, 8, 0, 0};  /* tag 2, to end */

		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_detached(&r, partial, sizeof partial, "", 0, NULL, &e),
			 -ALUE_CORRUPT);
		CHECK(strstr(e.msg, "partial") != NULL);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_detached(&r, longlen, sizeof longlen, "", 0, NULL, &e),
			 -ALUE_CORRUPT);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_detached(&r, oldlong, sizeof oldlong, "", 0, NULL, &e),
			 -ALUE_CORRUPT);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_keyring_add(&t, tag0, sizeof tag0, "tag0", &e), -ALUE_CORRUPT);
		alu_err_clear(&e);
		CHECK_RC(alu_pgp_verify_detached(&r, indet, sizeof indet, "", 0, NULL, &e),
			 -ALUE_CORRUPT);
	}
	free(sig.p);
	free(data.p);
	alu_pgp_keyring_free(&r);
}

/* ---- RPM header signatures ----------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A header at @p off: its total size, and the data of @p tag (if any). */
static size_t rpm_header(const struct buf *f, size_t off, uint32_t tag,
			 const unsigned char **val, size_t *vlen)
{
	uint32_t il = be32(f->p + off + 8), dl = be32(f->p + off + 12);
	const unsigned char *idx = f->p + off + 16, *store = idx + 16 * il;

	*val = NULL;
	for (uint32_t i = 0; i < il; i++) {
		const unsigned char *ent = idx + 16 * i;

		if (be32(ent) != tag)
			continue;
		*val = store + be32(ent + 8);
		*vlen = be32(ent + 4) == 6 ? strlen((const char *)*val) : be32(ent + 12);
	}
	return 16 + 16 * (size_t)il + dl;
}

static void test_rpm(const char *file, int has_pgp)
{
	struct alu_pgp_keyring r = {0};
	struct buf f = slurp(file);
	struct alu_pgp_result res;
	struct alu_pgp_verify v;
	struct alu_err e = {0};
	const unsigned char *rsa, *pgp, *sha256, *md5, *unused;
	size_t rsalen, pgplen, shalen, md5len, ulen, siglen, hoff, hlen;
	unsigned char md[ALU_DIGEST_MAX];

	add(&r, D "rsa2048.pub.asc");
	add(&r, D "rsa4096.pub.asc");
	CHECK(f.n > 96 + 16 && be32(f.p) == 0xedabeedb);
	siglen = rpm_header(&f, 96, 268, &rsa, &rsalen);
	rpm_header(&f, 96, 1002, &pgp, &pgplen);
	rpm_header(&f, 96, 273, &sha256, &shalen);
	rpm_header(&f, 96, 1004, &md5, &md5len);
	/* the main header follows the signature header, 8-byte aligned */
	hoff = 96 + ((siglen + 7) & ~(size_t)7);
	hlen = rpm_header(&f, hoff, 0, &unused, &ulen);
	CHECK(be32(f.p + hoff) == 0x8eade801);
	CHECK(rsa != NULL && sha256 != NULL && md5 != NULL);
	CHECK((pgp != NULL) == has_pgp);

	/* 268: over the main header from its magic to its end */
	CHECK_RC(alu_pgp_verify_detached(&r, rsa, rsalen, f.p + hoff, hlen, &res, &e), 0);
	CHECK(!strcmp(res.uid, has_pgp ? "Alu Test RSA4096 <rsa4096@alupdate.test>"
				       : "Alu Test RSA2048 <rsa2048@alupdate.test>"));
	/* 273: sha256 hex of the same bytes */
	alu_digest_buf(ALU_HASH_SHA256, f.p + hoff, hlen, md);
	CHECK(shalen == 64 && alu_hex_eq((const char *)sha256, md, 32));
	/* 1004: md5 of header + payload */
	alu_digest_buf(ALU_HASH_MD5, f.p + hoff, f.n - hoff, md);
	CHECK(md5len == 16 && !memcmp(md, md5, 16));
	/* 1002: header + payload, streamed in 1000-byte pieces */
	if (pgp) {
		CHECK(alu_pgp_verify_init(&v, &r, pgp, pgplen, &e) == 0);
		for (size_t at = hoff; at < f.n; at += 1000)
			alu_pgp_verify_update(&v, f.p + at, f.n - at < 1000 ? f.n - at : 1000);
		CHECK_RC(alu_pgp_verify_finish(&v, &res, &e), 0);
		CHECK(res.keyid != res.primary_keyid);
	}
	/* a changed header byte (in the data store's last string) */
	f.p[hoff + hlen - 2] ^= 1;
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_verify_detached(&r, rsa, rsalen, f.p + hoff, hlen, &res, &e),
		 -ALUE_BADSIG);
	/* without the signer's key */
	alu_pgp_keyring_free(&r);
	f.p[hoff + hlen - 2] ^= 1;
	add(&r, D "ed25519.pub.asc");
	alu_err_clear(&e);
	CHECK_RC(alu_pgp_verify_detached(&r, rsa, rsalen, f.p + hoff, hlen, &res, &e), -ALUE_NOKEY);
	alu_pgp_keyring_free(&r);
	free(f.p);
}

int main(void)
{
	load_expected();
	test_digest();
	test_armor();
	test_keyring();
	test_verify();
	test_stream_and_info();
	test_hostile();
	test_rpm(D "sigtest-v4.rpm", 0);
	test_rpm(D "sigtest-v3.rpm", 1);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
