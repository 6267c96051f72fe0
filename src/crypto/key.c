/* SPDX-License-Identifier: MIT */
/*
 * The keyring: public keys and subkeys from key files (RFC 4880 5.5.2,
 * 11.1: a primary key, user ids with their signatures, subkeys with their
 * binding signatures). Signatures inside key files are skipped: see pgp.h
 * for why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/pgp_int.h"

/* Key files are a few KiB; this only bounds a mistaken gpgkey= path. */
#define KEYFILE_MAX (16u << 20)

struct load {
	const char *what;
	size_t primary;      /* ring index of the current primary key */
	int have_primary;
	int skipping;        /* the current primary was not loadable */
	int unsupported;     /* some key was skipped as unsupported */
};

void alu_pgp_keyring_init(struct alu_pgp_keyring *ring)
{
	memset(ring, 0, sizeof *ring);
}

static void key_free(struct alu_pgp_key *k)
{
	if (k) {
		free(k->what);
		free(k);
	}
}

static void ring_truncate(struct alu_pgp_keyring *ring, size_t n)
{
	while (ring->n > n)
		key_free(ring->keys[--ring->n]);
}

void alu_pgp_keyring_free(struct alu_pgp_keyring *ring)
{
	ring_truncate(ring, 0);
	free(ring->keys);
	alu_pgp_keyring_init(ring);
}

static int ring_push(struct alu_pgp_keyring *ring, struct alu_pgp_key *k)
{
	if (ring->n == ring->cap) {
		size_t cap = ring->cap ? 2 * ring->cap : 8;
		struct alu_pgp_key **keys = realloc(ring->keys, cap * sizeof *keys);

		if (!keys)
			return -ENOMEM;
		ring->keys = keys;
		ring->cap = cap;
	}
	ring->keys[ring->n++] = k;
	return 0;
}

static unsigned mpi_bits(const uint8_t *v, size_t n)
{
	unsigned bits = (unsigned)n * 8;

	for (uint8_t top = n ? v[0] : 0x80; top && !(top & 0x80); top <<= 1)
		bits--;
	return n ? bits : 0;
}

/* RSA n and e; the key stays in the ring (its id is useful in messages)
 * but unusable (nlen 0) when larger than BearSSL handles, or when e is
 * even or 1: with e = 1 anyone could make a "signature" that verifies. */
static int read_rsa(struct alu_pgp_key *k, const uint8_t *body, size_t len, size_t at)
{
	const uint8_t *n, *ev;
	size_t nl, el;

	if (pgp_mpi(body, len, &at, &n, &nl) < 0 || pgp_mpi(body, len, &at, &ev, &el) < 0 ||
	    nl == 0 || el == 0)
		return -ALUE_CORRUPT;
	k->info.bits = mpi_bits(n, nl);
	if (nl <= sizeof k->n && el <= sizeof k->e && (ev[el - 1] & 1) &&
	    (el > 1 || ev[0] >= 3)) {
		memcpy(k->n, n, nl);
		memcpy(k->e, ev, el);
		k->nlen = nl;
		k->elen = el;
	}
	return 0;
}

/* Parse a public key or subkey body. Returns 0, 1 (skipped: version or
 * algorithm we cannot identify) or a negative error. */
static int parse_key(struct alu_pgp_key *k, const struct pgp_pkt *p, const char *what,
		     struct alu_err *e)
{
	const uint8_t *b = p->body;
	size_t len = p->len;

	if (len < 1)
		goto corrupt;
	k->info.version = b[0];
	if (b[0] == 4) {
		struct alu_digest d;
		uint8_t hdr[3] = {0x99, (uint8_t)(len >> 8), (uint8_t)len};

		if (len < 6 || len > 0xFFFF)
			goto corrupt;
		k->info.created = pgp_be32(b + 1);
		k->info.algo = b[5];
		alu_digest_init(&d, ALU_HASH_SHA1);
		alu_digest_update(&d, hdr, sizeof hdr);
		alu_digest_update(&d, b, len);
		k->info.fpr_len = alu_digest_final(&d, k->info.fpr);
		k->info.keyid = pgp_be64(k->info.fpr + 12);
		if (PGP_IS_RSA(k->info.algo) && read_rsa(k, b, len, 6) < 0)
			goto corrupt;
		return 0;
	}
	if (b[0] == 2 || b[0] == 3) {
		/* V3: id and fingerprint come from the RSA numbers themselves. */
		const uint8_t *n, *ev;
		size_t at = 8, nl, el;
		struct alu_digest d;

		if (len < 8)
			goto corrupt;
		k->info.created = pgp_be32(b + 1);
		k->info.algo = b[7];
		if (!PGP_IS_RSA(k->info.algo))
			return 1;
		if (pgp_mpi(b, len, &at, &n, &nl) < 0 || pgp_mpi(b, len, &at, &ev, &el) < 0 ||
		    nl < 8 || read_rsa(k, b, len, 8) < 0)
			goto corrupt;
		k->info.keyid = pgp_be64(n + nl - 8);
		alu_digest_init(&d, ALU_HASH_MD5);
		alu_digest_update(&d, n, nl);
		alu_digest_update(&d, ev, el);
		k->info.fpr_len = alu_digest_final(&d, k->info.fpr);
		return 0;
	}
	return 1;
corrupt:
	return alu_err_set(e, -ALUE_CORRUPT, "%s: offset %zu: malformed public key packet",
			   what, p->off);
}

static void set_uid(char *dst, const uint8_t *src, size_t n)
{
	if (n >= ALU_PGP_UID_MAX)
		n = ALU_PGP_UID_MAX - 1;
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] < 0x20 || src[i] == 0x7F) ? '?' : (char)src[i];
	dst[n] = '\0';
}

static int add_key(struct alu_pgp_keyring *ring, struct load *st, const struct pgp_pkt *p,
		   struct alu_err *e)
{
	int sub = p->tag == PGP_TAG_PUBSUBKEY, rc;
	struct alu_pgp_key *k, *pri = NULL;

	if (sub && st->skipping)
		return 0;
	if (sub && !st->have_primary)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: offset %zu: subkey without a primary key",
				   st->what, p->off);
	k = calloc(1, sizeof *k);
	if (!k)
		return -ENOMEM;
	rc = parse_key(k, p, st->what, e);
	if (rc == 1) {
		st->unsupported = 1;
		if (!sub) {
			st->skipping = 1;
			st->have_primary = 0;
		}
		key_free(k);
		return 0;
	}
	k->what = strdup(st->what);
	if (rc < 0 || !k->what) {
		key_free(k);
		return rc < 0 ? rc : -ENOMEM;
	}
	k->info.uid = k->uid;
	k->info.what = k->what;
	if (sub) {
		pri = ring->keys[st->primary];
		k->info.is_subkey = 1;
		k->info.primary_keyid = pri->info.keyid;
		memcpy(k->uid, pri->uid, sizeof k->uid);
	} else {
		k->info.primary_keyid = k->info.keyid;
	}
	rc = ring_push(ring, k);
	if (rc < 0) {
		key_free(k);
		return rc;
	}
	if (!sub) {
		st->primary = ring->n - 1;
		st->have_primary = 1;
		st->skipping = 0;
	}
	return 0;
}

/* The first user id names the key (what yum shows as "Userid"). */
static void add_uid(struct alu_pgp_keyring *ring, struct load *st, const struct pgp_pkt *p)
{
	struct alu_pgp_key *pri;

	if (!st->have_primary || st->skipping)
		return;
	pri = ring->keys[st->primary];
	if (pri->uid[0])
		return;
	set_uid(pri->uid, p->body, p->len);
	for (size_t i = st->primary + 1; i < ring->n; i++)
		memcpy(ring->keys[i]->uid, pri->uid, sizeof pri->uid);
}

static int add_packets(struct alu_pgp_keyring *ring, struct load *st, const uint8_t *buf,
		       size_t len, struct alu_err *e)
{
	struct pgp_pkt p;
	size_t pos = 0;
	int rc;

	st->have_primary = 0;
	st->skipping = 0;
	while ((rc = pgp_pkt_next(buf, len, &pos, &p, st->what, e)) == 0) {
		switch (p.tag) {
		case PGP_TAG_PUBKEY:
		case PGP_TAG_PUBSUBKEY:
			rc = add_key(ring, st, &p, e);
			if (rc < 0)
				return rc;
			break;
		case PGP_TAG_UID:
			add_uid(ring, st, &p);
			break;
		case PGP_TAG_SECKEY:
		case PGP_TAG_SECSUBKEY:
			return alu_err_set(e, -ALUE_UNSUPPORTED,
					   "%s: holds a secret key; give the public key only", st->what);
		default:
			break;
		}
	}
	return rc < 0 ? rc : 0;
}

int alu_pgp_keyring_add(struct alu_pgp_keyring *ring, const void *data, size_t len,
			const char *what, struct alu_err *e)
{
	struct load st = {.what = what};
	size_t n0 = ring->n, pos = 0, outlen;
	uint8_t *buf = NULL;
	char kind[32];
	int rc;

	if (pgp_is_binary(data, len)) {
		rc = add_packets(ring, &st, data, len, e);
		if (rc < 0)
			goto fail;
	} else {
		buf = malloc(len / 4 * 3 + 3);
		if (!buf) {
			rc = -ENOMEM;
			goto fail;
		}
		while ((rc = alu_pgp_dearmor(what, data, len, &pos, buf, len / 4 * 3 + 3,
					     &outlen, kind, sizeof kind, e)) == 0) {
			if (strcmp(kind, "PUBLIC KEY BLOCK"))
				continue;
			rc = add_packets(ring, &st, buf, outlen, e);
			if (rc < 0)
				goto fail;
		}
		if (rc != -ALUE_NOTFOUND)
			goto fail;
	}
	if (ring->n == n0) {
		rc = st.unsupported
		     ? alu_err_set(e, -ALUE_UNSUPPORTED, "%s: no key of a supported version", what)
		     : alu_err_set(e, -ALUE_NOTFOUND, "%s: no OpenPGP public key found", what);
		goto fail;
	}
	free(buf);
	return (int)(ring->n - n0);
fail:
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "%s: out of memory", what);
	ring_truncate(ring, n0);
	free(buf);
	return rc;
}

int alu_pgp_keyring_add_file(struct alu_pgp_keyring *ring, const char *path,
			     struct alu_err *e)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) < 0) {
		rc = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > KEYFILE_MAX) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s: not a key file (not a regular file "
				 "of at most %u bytes)", path, KEYFILE_MAX);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		rc = alu_err_set(e, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	rc = alu_pgp_keyring_add(ring, buf, got, path, e);
out:
	free(buf);
	close(fd);
	return rc;
}

size_t alu_pgp_keyring_count(const struct alu_pgp_keyring *ring)
{
	return ring->n;
}

int alu_pgp_keyring_get(const struct alu_pgp_keyring *ring, size_t i,
			struct alu_pgp_keyinfo *out)
{
	if (i >= ring->n)
		return -ALUE_NOTFOUND;
	*out = ring->keys[i]->info;
	return 0;
}

int alu_pgp_keyring_find(const struct alu_pgp_keyring *ring, uint64_t keyid,
			 struct alu_pgp_keyinfo *out)
{
	for (size_t i = 0; i < ring->n; i++)
		if (ring->keys[i]->info.keyid == keyid) {
			*out = ring->keys[i]->info;
			return 0;
		}
	return -ALUE_NOKEY;
}

char *alu_pgp_fpr_format(const uint8_t *fpr, size_t len, char *out)
{
	char *o = out;

	for (size_t i = 0; i < len; i += 2) {
		if (i)
			*o++ = ' ';
		alu_hex(fpr + i, len - i >= 2 ? 2 : 1, o);
		o += strlen(o);
	}
	*o = '\0';
	return out;
}
