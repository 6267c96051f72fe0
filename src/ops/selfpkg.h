/* SPDX-License-Identifier: MIT */
/*
 * alupdate's own package(s) in the root, which no transaction may remove
 * or replace by another name (solve.h protect_self): the package named
 * alupdate, and the package that owns the running binary when that binary
 * is in the root (the host's /proc/self/exe for root "/", or a path under
 * --installroot), whatever its name: a renamed or repackaged alupdate is
 * protected the same way.
 */
#ifndef ALU_OPS_SELFPKG_H
#define ALU_OPS_SELFPKG_H

#include "cmd/ctx.h"
#include "db/state.h"
#include "util/strv.h"

/**
 * @brief Append the names of alupdate's own packages to @p out.
 * @return 0 or -ENOMEM (an unreadable /proc/self/exe only leaves the name).
 */
int alu_ops_self_names(const struct alu_ctx *ctx, struct alu_state *s, struct alu_strv *out);

#endif
