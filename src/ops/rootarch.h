/* SPDX-License-Identifier: MIT */
/*
 * Which architecture a root is, and refusing a root of another one: an
 * x86_64 alupdate must not fill an aarch64 root with x86_64 packages (and
 * the reverse). The root's architecture is, in this order:
 *   1. <root>/etc/rpm/platform, rpm's own override ("aarch64-amazon-linux":
 *      its first field), when the file is there;
 *   2. the basearch most of its installed packages are for (noarch and
 *      gpg-pubkey entries left out; i686 counts as i386, and i386 packages
 *      beside x86_64 ones count as x86_64: multilib, as yum installs them);
 *   3. none (an empty root): nothing to refuse.
 * --forcearch ARCH makes alupdate act as ARCH and skips the check.
 */
#ifndef ALU_OPS_ROOTARCH_H
#define ALU_OPS_ROOTARCH_H

#include <stddef.h>

#include "cmd/ctx.h"
#include "db/state.h"
#include "util/err.h"

/**
 * @brief The root's basearch (see above).
 * @param[out] arch "" when the root says none; @p n bytes.
 * @param[out] why what decided it, for messages ("/etc/rpm/platform",
 *             "12 of 14 installed packages"); @p wn bytes.
 * @return 0, or the state's error.
 */
int alu_rootarch_get(struct alu_state *s, char *arch, size_t n, char *why, size_t wn);

/**
 * @brief Refuse a root whose architecture is not @p basearch (the one
 *        alupdate acts as) unless --forcearch was given.
 * @return 0, or -ALUE_UNSUPPORTED with a message naming both architectures,
 *         what decided the root's and --forcearch.
 */
int alu_rootarch_check(const struct alu_ctx *ctx, const char *basearch, struct alu_state *s,
		       struct alu_err *e);

#endif
