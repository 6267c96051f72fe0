/* SPDX-License-Identifier: MIT */
/*
 * Verification of document signatures (types 0x00 and 0x01) with RSA keys
 * (RFC 4880 5.2.4):
 *   1. hash the data (text mode: line ends as CRLF);
 *   2. hash the signature's trailer (V3: type and time; V4: the hashed part
 *      of the packet, then 0x04 0xFF and its length as 4 bytes);
 *   3. compare the first two digest bytes with the packet's quick check;
 *   4. RSA PKCS#1 v1.5 with the hash's DigestInfo OID, through BearSSL.
 */
#include <stdio.h>
#include <string.h>

#include <bearssl.h>

#include "crypto/fips.h"
#include "crypto/pgp_int.h"

static const char what_sig[] = "signature";

enum { RSA_MIN_BITS = 1024 };

static const unsigned char *hash_oid(int algo)
{
	switch (algo) {
	case ALU_HASH_SHA1: return BR_HASH_OID_SHA1;
	case ALU_HASH_SHA224: return BR_HASH_OID_SHA224;
	case ALU_HASH_SHA256: return BR_HASH_OID_SHA256;
	case ALU_HASH_SHA384: return BR_HASH_OID_SHA384;
	case ALU_HASH_SHA512: return BR_HASH_OID_SHA512;
	}
	return NULL;
}

static const struct alu_pgp_key *find_key(const struct alu_pgp_keyring *ring, uint64_t id,
					  size_t *from)
{
	for (size_t i = *from; i < ring->n; i++)
		if (ring->keys[i]->info.keyid == id) {
			*from = i + 1;
			return ring->keys[i];
		}
	return NULL;
}

static int latch(struct alu_pgp_verify *v, int rc, const struct alu_err *le)
{
	const char *m = le->msg[0] ? le->msg : alu_strerror(rc);
	size_t n = strnlen(m, sizeof v->msg - 1);

	v->err = rc;
	memcpy(v->msg, m, n);
	v->msg[n] = '\0';
	return rc;
}

/* Checks that need only the packet and the ring, so that a missing key or
 * an algorithm we lack is reported before any data is read. */
static int start(struct alu_pgp_verify *v, struct alu_err *le)
{
	const struct alu_pgp_key *k, *rsa = NULL, *any = NULL;
	unsigned long long id;
	struct pgp_sig s;
	size_t from = 0;
	int rc;

	rc = pgp_sig_parse(v->sig, v->sig_len, &s, what_sig, le);
	if (rc < 0)
		return rc;
	v->info = s.info;
	id = (unsigned long long)s.info.keyid;
	if (s.info.type != 0x00 && s.info.type != 0x01)
		return alu_err_set(le, -ALUE_UNSUPPORTED,
				   "signature type 0x%02x is not a document signature (key %016llX)",
				   s.info.type, id);
	if (!s.info.keyid)
		return alu_err_set(le, -ALUE_NOKEY, "signature names no issuer key");
	while ((k = find_key(v->ring, s.info.keyid, &from))) {
		any = any ? any : k;
		if (!rsa && PGP_IS_RSA(k->info.algo))
			rsa = k;
	}
	if (!any)
		return alu_err_set(le, -ALUE_NOKEY, "no public key %016llX", id);
	if (!PGP_IS_RSA(s.info.pk_algo) || !rsa)
		return alu_err_set(le, -ALUE_UNSUPPORTED, "unsupported algorithm %d (key %016llX)",
				   PGP_IS_RSA(s.info.pk_algo) ? any->info.algo : s.info.pk_algo, id);
	if (!rsa->nlen || rsa->info.bits < RSA_MIN_BITS)
		return alu_err_set(le, -ALUE_UNSUPPORTED,
				   "RSA key of %u bits not usable (size or exponent) (key %016llX)",
				   rsa->info.bits, id);
	if (alu_fips_on() && rsa->info.bits < ALU_FIPS_RSA_MIN_BITS)
		return alu_err_set(le, -ALUE_UNSUPPORTED,
				   "RSA key of %u bits refused in FIPS mode (%d bits at least) (key %016llX)",
				   rsa->info.bits, ALU_FIPS_RSA_MIN_BITS, id);
	if (alu_fips_weak_hash(s.info.hash_algo))
		return alu_err_set(le, -ALUE_UNSUPPORTED,
				   "signature by key %016llX hashes with %s, which FIPS mode does not accept",
				   id, alu_digest_name(s.info.hash_algo));
	if (!hash_oid(s.info.hash_algo))
		return alu_err_set(le, -ALUE_UNSUPPORTED,
				   "unsupported hash algorithm %d (%s) in signature by key %016llX",
				   s.info.hash_algo, alu_digest_name(s.info.hash_algo), id);
	alu_digest_init(&v->d, s.info.hash_algo);
	return 0;
}

static void reset(struct alu_pgp_verify *v, const struct alu_pgp_keyring *ring)
{
	v->err = 0;
	v->ring = ring;
	v->in_ws = 0;
	v->sig_len = 0;
	v->msg[0] = '\0';
	memset(&v->info, 0, sizeof v->info);
}

/* Start from one signature packet body. */
static int init_body(struct alu_pgp_verify *v, const struct alu_pgp_keyring *ring,
		     const uint8_t *body, size_t len, struct alu_err *le)
{
	int rc;

	reset(v, ring);
	if (len > sizeof v->sig)
		return latch(v, alu_err_set(le, -ALUE_UNSUPPORTED,
					    "signature packet larger than %d bytes", ALU_PGP_SIG_MAX), le);
	memmove(v->sig, body, len);
	v->sig_len = len;
	rc = start(v, le);
	return rc < 0 ? latch(v, rc, le) : 0;
}

static int issuer_known(const struct alu_pgp_keyring *ring, const struct pgp_pkt *p)
{
	struct pgp_sig s;
	size_t from = 0;

	return pgp_sig_parse(p->body, p->len, &s, what_sig, NULL) == 0 &&
	       find_key(ring, s.info.keyid, &from) != NULL;
}

int alu_pgp_verify_init(struct alu_pgp_verify *v, const struct alu_pgp_keyring *ring,
			const void *sig, size_t sig_len, struct alu_err *e)
{
	struct alu_err le = {0};
	struct pgp_pkt p, first = {0};
	const uint8_t *bin;
	size_t blen, pos = 0;
	int rc;

	reset(v, ring);
	rc = pgp_unarmor_one(what_sig, sig, sig_len, v->sig, sizeof v->sig, &bin, &blen, &le);
	if (rc < 0)
		goto fail;
	while ((rc = pgp_pkt_next(bin, blen, &pos, &p, what_sig, &le)) == 0) {
		if (p.tag != PGP_TAG_SIG)
			continue;
		if (!first.body)
			first = p;
		if (issuer_known(ring, &p)) {
			first = p;
			break;
		}
	}
	if (rc < 0)
		goto fail;
	if (!first.body) {
		rc = alu_err_set(&le, -ALUE_CORRUPT, "signature: no signature packet");
		goto fail;
	}
	rc = init_body(v, ring, first.body, first.len, &le);
	if (rc < 0)
		return alu_err_set(e, rc, "%s", v->msg);
	return 0;
fail:
	latch(v, rc, &le);
	return alu_err_set(e, rc, "%s", v->msg);
}

static int is_ws(uint8_t c)
{
	return c == '\r';
}

/* gpg 2.2's text filter (checked against gpg itself): each line loses its
 * trailing CRs and ends in CRLF; the last line, without LF, only loses its
 * CRs. Spaces and tabs stay significant. CRs are hashed as they come, with
 * a copy of the context taken before them; a line end rolls back to it. */
static void update_text(struct alu_pgp_verify *v, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		if (p[i] == '\n') {
			if (v->in_ws)
				v->d = v->d_ws;
			v->in_ws = 0;
			alu_digest_update(&v->d, "\r\n", 2);
			i++;
			continue;
		}
		if (is_ws(p[i])) {
			if (!v->in_ws)
				v->d_ws = v->d;
			v->in_ws = 1;
			while (j < n && is_ws(p[j]))
				j++;
		} else {
			v->in_ws = 0;
			while (j < n && p[j] != '\n' && !is_ws(p[j]))
				j++;
		}
		alu_digest_update(&v->d, p + i, j - i);
		i = j;
	}
}

void alu_pgp_verify_update(struct alu_pgp_verify *v, const void *p, size_t n)
{
	if (v->err)
		return;
	if (v->info.type == 0x01)
		update_text(v, p, n);
	else
		alu_digest_update(&v->d, p, n);
}

static void fill_result(const struct alu_pgp_verify *v, const struct alu_pgp_key *k,
			struct alu_pgp_result *res)
{
	const struct alu_pgp_key *pri = k;
	size_t from = 0;

	memset(res, 0, sizeof *res);
	res->sig = v->info;
	res->keyid = k->info.keyid;
	res->primary_keyid = k->info.primary_keyid;
	if (k->info.is_subkey)
		while ((pri = find_key(v->ring, k->info.primary_keyid, &from)) && pri->info.is_subkey)
			;
	if (!pri)
		pri = k;
	memcpy(res->fpr, pri->info.fpr, pri->info.fpr_len);
	res->fpr_len = pri->info.fpr_len;
	snprintf(res->uid, sizeof res->uid, "%s", pri->uid);
}

int alu_pgp_verify_finish(struct alu_pgp_verify *v, struct alu_pgp_result *res,
			  struct alu_err *e)
{
	const br_rsa_pkcs1_vrfy vrfy = br_rsa_pkcs1_vrfy_get_default();
	uint8_t md[ALU_DIGEST_MAX], hout[ALU_DIGEST_MAX], x[ALU_PGP_RSA_MAX];
	unsigned long long id = (unsigned long long)v->info.keyid;
	const struct alu_pgp_key *k;
	struct pgp_sig s;
	size_t hlen, from = 0;

	if (v->err)
		return alu_err_set(e, v->err, "%s", v->msg);
	/* start() parsed this very buffer already: this cannot fail. */
	if (pgp_sig_parse(v->sig, v->sig_len, &s, what_sig, NULL) < 0)
		return alu_err_set(e, -ALUE_CORRUPT, "signature: malformed");
	if (v->in_ws)
		v->d = v->d_ws;
	v->in_ws = 0;
	alu_digest_update(&v->d, s.trailer, s.trailer_len);
	if (s.info.version == 4) {
		uint8_t t[6] = {4, 0xFF, (uint8_t)(s.trailer_len >> 24),
				(uint8_t)(s.trailer_len >> 16), (uint8_t)(s.trailer_len >> 8),
				(uint8_t)s.trailer_len};

		alu_digest_update(&v->d, t, sizeof t);
	}
	hlen = alu_digest_final(&v->d, md);
	/* Once the data is hashed, no later update may change the verdict. */
	v->err = -ALUE_BADSIG;
	snprintf(v->msg, sizeof v->msg, "BAD signature from key %016llX", id);
	if (memcmp(md, s.left16, 2))
		return alu_err_set(e, v->err, "%s", v->msg);
	while ((k = find_key(v->ring, s.info.keyid, &from))) {
		br_rsa_public_key pk = {(unsigned char *)k->n, k->nlen,
					(unsigned char *)k->e, k->elen};

		if (!PGP_IS_RSA(k->info.algo) || !k->nlen || k->info.bits < RSA_MIN_BITS ||
		    (alu_fips_on() && k->info.bits < ALU_FIPS_RSA_MIN_BITS) ||
		    s.slen > k->nlen)
			continue;
		memset(x, 0, k->nlen - s.slen);
		memcpy(x + k->nlen - s.slen, s.s, s.slen);
		if (vrfy(x, k->nlen, hash_oid(s.info.hash_algo), hlen, &pk, hout) &&
		    !memcmp(hout, md, hlen)) {
			if (res)
				fill_result(v, k, res);
			v->err = 0;
			v->msg[0] = '\0';
			return 0;
		}
	}
	return alu_err_set(e, v->err, "%s", v->msg);
}

/* Which failure to report when every signature of a file fails. */
static int rank(int rc)
{
	switch (rc) {
	case -ALUE_BADSIG: return 4;
	case -ALUE_CORRUPT: return 3;
	case -ALUE_UNSUPPORTED: return 2;
	case -ALUE_NOKEY: return 1;
	}
	return 0;
}

int alu_pgp_verify_detached(const struct alu_pgp_keyring *ring,
			    const void *sig, size_t sig_len,
			    const void *data, size_t data_len,
			    struct alu_pgp_result *res, struct alu_err *e)
{
	uint8_t buf[ALU_PGP_SIG_MAX];
	struct alu_pgp_verify v;
	struct alu_err le = {0}, pe = {0};
	const uint8_t *bin;
	struct pgp_pkt p;
	char best_msg[sizeof v.msg] = "signature: no signature packet";
	size_t blen, pos = 0;
	int rc, best = -ALUE_CORRUPT, seen = 0;

	rc = pgp_unarmor_one(what_sig, sig, sig_len, buf, sizeof buf, &bin, &blen, e);
	if (rc < 0)
		return rc;
	while ((rc = pgp_pkt_next(bin, blen, &pos, &p, what_sig, &pe)) == 0) {
		if (p.tag != PGP_TAG_SIG)
			continue;
		alu_err_clear(&le);
		if (init_body(&v, ring, p.body, p.len, &le) == 0) {
			alu_pgp_verify_update(&v, data, data_len);
			if (alu_pgp_verify_finish(&v, res, &le) == 0)
				return 0;
		}
		if (!seen++ || rank(v.err) > rank(best)) {
			best = v.err;
			snprintf(best_msg, sizeof best_msg, "%s", v.msg);
		}
	}
	if (rc < 0)
		return alu_err_set(e, rc, "%s", pe.msg);
	return alu_err_set(e, best, "%s", best_msg);
}
