/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP signature verification (RFC 4880), just what a package manager
 * needs: public keys from `gpgkey=` files, detached signatures over
 * repomd.xml (`repomd.xml.asc`) and the RPM header signatures (signature
 * tags 268 RSAHEADER and 1002 PGP).
 *
 * What is understood:
 *   - ASCII armor (CRC24 checked when present; several blocks in one file)
 *     and binary packets, old and new framing, every length form except
 *     partial body lengths (never legal for keys and signatures: refused).
 *   - V4 public keys and subkeys (tags 6, 14), their user ids (tag 13),
 *     fingerprint = SHA-1(0x99, len16, body), key id = its low 64 bits;
 *     V3 keys (key id = low 64 bits of n, fingerprint = MD5(n, e)).
 *   - V3 and V4 signatures of type 0x00 (binary) and 0x01 (text: every
 *     line end hashed as CRLF, trailing CRs dropped, spaces and tabs kept,
 *     exactly as gpg 2.2 verifies).
 *   - RSA (public key algorithms 1, 2, 3), 1024 to 4096 bits, odd e >= 3,
 *     PKCS#1 v1.5 through BearSSL, with hashes SHA-1, SHA-224, SHA-256, SHA-384 and
 *     SHA-512. SHA-1 is accepted in V3 and V4 signatures because rpm 4.18
 *     and gpg 2.2 still accept it and older repositories are signed so;
 *     MD5 signatures are refused.
 *   - Other key algorithms (DSA 17, ECDH 18, ECDSA 19, EdDSA 22, ...) are
 *     loaded into the keyring (so that their key ids are known) but a
 *     signature by one fails with -ALUE_UNSUPPORTED "unsupported algorithm
 *     N (key XXXX)": never a silent pass.
 *
 * Not checked, as rpm 4.18 does not check them either: self-signatures and
 * subkey binding signatures (trust comes from the administrator's choice of
 * key file), key expiry and revocation, signature expiry.
 *
 * Errors: -ALUE_BADSIG (does not verify: tampered data or signature),
 * -ALUE_NOKEY (no key in the ring with the issuer's key id; the message
 * holds it), -ALUE_UNSUPPORTED (algorithm, version, size), -ALUE_CORRUPT
 * (malformed armor or packets; the message says where), -ENOMEM.
 *
 * Key ids are printed as 16 uppercase hex digits; yum's short form is the
 * low 8 (`keyid & 0xffffffff`).
 */
#ifndef ALU_CRYPTO_PGP_H
#define ALU_CRYPTO_PGP_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "util/err.h"

/** Largest signature packet (whole packet) the verifier copies. */
#define ALU_PGP_SIG_MAX 8192
/** Largest RSA modulus accepted, in bytes (BearSSL's limit: 4096 bits). */
#define ALU_PGP_RSA_MAX 512
/** Fingerprint bytes kept (V4: 20, V3: 16). */
#define ALU_PGP_FPR_MAX 20
/** User id bytes kept (longer ones are cut). */
#define ALU_PGP_UID_MAX 256

/* ---- keyring ------------------------------------------------------------ */

struct alu_pgp_key;  /* one primary key or subkey; internal */

/**
 * Public keys loaded from any number of files or buffers. Caller-allocated;
 * zero it or call alu_pgp_keyring_init(), release with alu_pgp_keyring_free().
 * The keys themselves are malloc'd and owned by the ring.
 */
struct alu_pgp_keyring {
	struct alu_pgp_key **keys;
	size_t n, cap;
};

/** Public facts about one key, as yum prints them on import. */
struct alu_pgp_keyinfo {
	uint64_t keyid;
	uint8_t version;               /* 3 or 4 */
	uint8_t algo;                  /* public key algorithm id */
	uint32_t created;              /* seconds since the epoch */
	unsigned bits;                 /* RSA modulus size; 0 for other algorithms */
	int is_subkey;
	uint64_t primary_keyid;        /* == keyid for a primary key */
	uint8_t fpr[ALU_PGP_FPR_MAX];  /* of this key */
	size_t fpr_len;
	const char *uid;               /* primary's first user id; "" if none. Owned by the ring */
	const char *what;              /* where it was loaded from. Owned by the ring */
};

/** @brief Make @p ring empty (same as zeroing it). */
void alu_pgp_keyring_init(struct alu_pgp_keyring *ring);

/** @brief Free every key; @p ring is empty afterwards and may be reused. */
void alu_pgp_keyring_free(struct alu_pgp_keyring *ring);

/**
 * @brief Load every public key (and subkey) found in @p data.
 * @param[in] data an armored key file (one or more "BEGIN PGP PUBLIC KEY
 *        BLOCK" blocks; text around them is ignored) or binary packets.
 *        Not kept: the ring copies what it needs.
 * @param[in] what names the source in messages and in keyinfo.what
 *        ("/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2").
 * @return the number of keys added (primary keys and subkeys, >= 1), or
 *         -ALUE_CORRUPT (bad armor, CRC mismatch, malformed packet: the
 *         message names @p what and the offset), -ALUE_NOTFOUND (no key in
 *         it), -ENOMEM. On failure the ring is left as it was.
 */
int alu_pgp_keyring_add(struct alu_pgp_keyring *ring, const void *data, size_t len,
			const char *what, struct alu_err *e);

/**
 * @brief Read a file and add its keys (alu_pgp_keyring_add on its contents).
 * @return as alu_pgp_keyring_add, or -errno naming @p path.
 */
int alu_pgp_keyring_add_file(struct alu_pgp_keyring *ring, const char *path,
			     struct alu_err *e);

/** @return the number of keys (primary keys and subkeys). */
size_t alu_pgp_keyring_count(const struct alu_pgp_keyring *ring);

/**
 * @brief Describe key @p i (0 <= i < count), in load order.
 * @return 0, or -ALUE_NOTFOUND when @p i is out of range.
 */
int alu_pgp_keyring_get(const struct alu_pgp_keyring *ring, size_t i,
			struct alu_pgp_keyinfo *out);

/**
 * @brief Find a key by key id (primary or subkey).
 * @return 0 and fills @p out, or -ALUE_NOKEY.
 */
int alu_pgp_keyring_find(const struct alu_pgp_keyring *ring, uint64_t keyid,
			 struct alu_pgp_keyinfo *out);

/**
 * @brief Format a fingerprint as yum does: groups of 4 lowercase hex digits
 *        separated by spaces ("99e6 17fe ... 5b1a").
 * @param[out] out at least 5 * ALU_PGP_FPR_MAX / 2 bytes (50).
 * @return out.
 */
char *alu_pgp_fpr_format(const uint8_t *fpr, size_t len, char *out);

/* ---- signatures --------------------------------------------------------- */

/** What a signature says about itself (nothing here is verified). */
struct alu_pgp_siginfo {
	uint8_t version;     /* 3 or 4 */
	uint8_t type;        /* 0x00 binary, 0x01 text, ... */
	uint8_t pk_algo;     /* 1 RSA, 17 DSA, 22 EdDSA, ... */
	uint8_t hash_algo;   /* ALU_HASH_* id */
	uint32_t created;    /* 0 when the signature does not say */
	uint64_t keyid;      /* issuer; 0 when the signature names none */
	uint8_t fpr[ALU_PGP_FPR_MAX]; /* issuer fingerprint (subpacket 33), if any */
	size_t fpr_len;      /* 0 when absent */
};

/**
 * @brief Parse the first signature packet of @p sig (armored or binary).
 *        For "Public key for X.rpm is not installed (key id ...)".
 * @return 0, -ALUE_CORRUPT, -ALUE_NOTFOUND (no signature packet),
 *         -ALUE_UNSUPPORTED (signature version other than 3 or 4).
 */
int alu_pgp_sig_info(const void *sig, size_t len, struct alu_pgp_siginfo *out,
		     struct alu_err *e);

/** Who made a signature that verified. */
struct alu_pgp_result {
	struct alu_pgp_siginfo sig;
	uint64_t keyid;                /* the key that signed (may be a subkey) */
	uint64_t primary_keyid;        /* its primary key */
	uint8_t fpr[ALU_PGP_FPR_MAX];  /* fingerprint of the primary key */
	size_t fpr_len;
	char uid[ALU_PGP_UID_MAX];     /* primary's first user id, "" if none */
};

/**
 * A streaming verification: init with the signature and the ring, feed the
 * signed data in chunks, finish. Caller-allocated (about 9 KiB: fine on the
 * stack); no allocation. Errors are sticky: after a failed init, update does
 * nothing and finish returns the same error.
 */
struct alu_pgp_verify {
	int err;                         /* sticky error, 0 while fine */
	const struct alu_pgp_keyring *ring;
	struct alu_digest d;             /* running hash of the signed data */
	struct alu_digest d_ws;          /* text mode: hash before pending CRs */
	int in_ws;                       /* text mode: d_ws is live */
	size_t sig_len;
	uint8_t sig[ALU_PGP_SIG_MAX];    /* the signature packet body */
	struct alu_pgp_siginfo info;
	char msg[200];                   /* sticky error's message */
};

/**
 * @brief Start verifying data against a detached signature.
 * @param[in] sig armored ("BEGIN PGP SIGNATURE") or binary; copied. When it
 *        holds several signature packets the first whose issuer is in the
 *        ring is used (else the first).
 * @param[in] ring borrowed: must stay valid and unchanged until finish.
 * @return 0, or -ALUE_CORRUPT, -ALUE_NOKEY (issuer not in the ring:
 *         "no public key XXXXXXXXXXXXXXXX"), -ALUE_UNSUPPORTED (algorithm,
 *         hash, signature type or version). The error is latched in @p v.
 */
int alu_pgp_verify_init(struct alu_pgp_verify *v, const struct alu_pgp_keyring *ring,
			const void *sig, size_t sig_len, struct alu_err *e);

/** @brief Hash more signed data (any chunking gives the same result). */
void alu_pgp_verify_update(struct alu_pgp_verify *v, const void *p, size_t n);

/**
 * @brief Check the signature over everything fed.
 * @param[out] res may be NULL; filled on success.
 * @return 0 when it verifies, else -ALUE_BADSIG, or the latched error.
 */
int alu_pgp_verify_finish(struct alu_pgp_verify *v, struct alu_pgp_result *res,
			  struct alu_err *e);

/**
 * @brief One-shot: verify @p data against the detached signature @p sig.
 *        When @p sig holds several signatures, success if any verifies.
 * @return as alu_pgp_verify_init / alu_pgp_verify_finish.
 */
int alu_pgp_verify_detached(const struct alu_pgp_keyring *ring,
			    const void *sig, size_t sig_len,
			    const void *data, size_t data_len,
			    struct alu_pgp_result *res, struct alu_err *e);

/* ---- armor (used by the above; public for tools and tests) --------------- */

/**
 * @brief Decode the next armor block of @p in, starting at *pos.
 * @param[in] what names the input in messages.
 * @param[in,out] pos where to look; on success, just past the END line.
 * @param[out] out receives the binary data; @p cap its size (len*3/4+3 of
 *        the remaining input always suffices).
 * @param[out] kind may be NULL; receives the word after "BEGIN PGP "
 *        ("PUBLIC KEY BLOCK", "SIGNATURE"), cut to @p kind_cap.
 * @return 0, -ALUE_NOTFOUND (no further BEGIN line), -ALUE_CORRUPT (bad
 *         base64, CRC mismatch, no END line), -ENOBUFS (cap too small).
 */
int alu_pgp_dearmor(const char *what, const char *in, size_t len, size_t *pos,
		    void *out, size_t cap, size_t *outlen, char *kind, size_t kind_cap,
		    struct alu_err *e);

/* ---- key files ----------------------------------------------------------- */

/** @return 1 when a gpgkey= entry names a local file ("file:///p" or "/p"). */
int alu_pgp_key_file_path(const char *url);

/**
 * @brief Read the key file a gpgkey= entry names: THE lookup rule for both
 *        package signatures (gpgcheck) and repomd.xml signatures
 *        (repo_gpgcheck). With an installroot @p root, <root>/p is read when
 *        it exists, else the host's /p (as dnf does: an image patched from
 *        outside is checked with the key its own configuration names, and a
 *        root that lacks the key file still works with the host's copy).
 *        Only a regular file is read (a FIFO or device is -EINVAL, never a
 *        hang); at most 16 MiB.
 * @param root the installroot ("" or "/" for none).
 * @param url "file:///p", "file://localhost/p" or "/p".
 * @param[out] buf malloc'd, NUL-terminated; caller frees. NULL on failure.
 * @param[out] from may be NULL: the host path read (or last tried).
 * @return 0, -EINVAL (not a local absolute path, or not a regular file),
 *         -ENAMETOOLONG, -EFBIG, -ENOMEM, -errno of open/read.
 */
int alu_pgp_key_file_read(const char *root, const char *url, char **buf, size_t *len,
			  char *from, size_t fromlen);

#endif
