/* SPDX-License-Identifier: MIT */
/*
 * The key store's keys as rpm's gpg-pubkey entries (pubkeys.c). Part of
 * the ops layer.
 */
#ifndef ALU_OPS_PUBKEYS_H
#define ALU_OPS_PUBKEYS_H

#include <stddef.h>

#include "db/state.h"
#include "util/err.h"

/**
 * @brief Add to @p s (open for writing, no transaction open) a gpg-pubkey
 *        header, as `rpm --import` makes it, for each key of @p root's key
 *        store that has none of its version-release yet.
 * @param[out] added how many were added.
 * @return 0, -ENOMEM, state errors (a key file that does not parse is skipped
 *         only when it is no key block; a corrupt block is an error naming it).
 */
int alu_ops_pubkeys_add(const char *root, struct alu_state *s, size_t *added, struct alu_err *e);

#endif
