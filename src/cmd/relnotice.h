/* SPDX-License-Identifier: MIT */
/*
 * AL2023's release notification (dnf's release-notification on Amazon
 * Linux 2023): after check-update, when the root has a versioned repository
 * (.../core/mirrors/$releasever/...) and releasemd.xml names a newer release
 * than the root's, the words of check-release-update go to stderr between
 * two rules. Best effort: a root without such a repository, -C, --json, -q
 * or a mirror that does not answer print nothing and change nothing.
 * Command-side helper of cmd/check_release_update.c.
 */
#ifndef ALU_CMD_RELNOTICE_H
#define ALU_CMD_RELNOTICE_H

#include "cmd/ctx.h"

struct alu_conf;

/** @brief Print the notice for @p c on stderr when a newer release exists. */
void alu_cmd_release_notice(const struct alu_ctx *ctx, const struct alu_conf *c);

#endif
