/* SPDX-License-Identifier: MIT */
/*
 * Keys imported as `rpm --import` does (`alupdate keys import`): trusted
 * for the packages of every repository, not only of the repositories whose
 * gpgkey= names them. They live in the root's key store (ops/ops.h,
 * ALU_KEYS_DIR) like the keys imported from gpgkey=, marked by a
 * "# trust: all" line after the "# from:" line, so that the rpm-database
 * write-back can add a gpg-pubkey header for each of them too. Part of the
 * ops layer.
 */
#ifndef ALU_OPS_TRUST_H
#define ALU_OPS_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/pgp.h"
#include "util/err.h"

/**
 * @brief Import the ASCII-armored key file @p data (from @p from, a path or
 *        URL) into @p root's key store, trusted for every repository.
 * @param[out] keyid the first primary key's id; @p uid its user id (size @p uidn).
 * @param[out] already 1 when it was in the store with that trust before.
 * @return 0, -ALUE_CORRUPT / -ALUE_NOTFOUND (not a key: the message names
 *         @p from), -ALUE_PATH, -errno writing the store.
 */
int alu_keys_import_trusted(const char *root, const char *from, const char *data, size_t len,
			    uint64_t *keyid, char *uid, size_t uidn, int *already, struct alu_err *e);

/**
 * @brief Add every key of @p root's store marked "trust: all" to @p ring.
 * @return the number of keys added (>= 0), or -ALUE_CORRUPT naming the file.
 */
int alu_keys_add_trusted(const char *root, struct alu_pgp_keyring *ring, struct alu_err *e);

#endif
