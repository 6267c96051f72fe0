/* SPDX-License-Identifier: MIT */
/*
 * Amazon Linux 2023's versioned repositories. A root is locked to one
 * release: $releasever is --releasever, else /etc/dnf/vars/releasever (the
 * lock file), else the release of the installed system-release
 * (conf/conf.h). Each release has its own repository under
 * .../core/mirrors/<release>/<arch>/mirror.list ("latest" follows the
 * newest) and .../core/releasemd.xml lists them all (repo/releasemd.h).
 *
 *  - alu_release_list(): the releases, from beside the first enabled
 *    repository of that layout, through its mirror (same network options).
 *  - alu_release_lock_follow(): after a successful transaction run with
 *    --releasever that changed the root's system-release, a lock file that
 *    named another release is rewritten with the release the root is now
 *    on (its system-release), atomically
 *    through util/rootfs.h; a lock of "latest" is left as it is.
 */
#ifndef ALU_OPS_RELEASE_H
#define ALU_OPS_RELEASE_H

#include <stddef.h>

#include "repo/releasemd.h"
#include "util/err.h"

struct alu_conf;

/** The lock file, inside the root. */
#define ALU_RELEASE_LOCK "/etc/dnf/vars/releasever"

/**
 * @brief The releases published for configuration @p c.
 * @param[out] url the releasemd.xml URL read (@p un bytes).
 * @return 0; -ENOENT "no enabled repository has Amazon Linux 2023's
 *         layout" (no mirrorlist .../mirrors/...); the fetch's error
 *         (naming the URL); the parser's (-ALUE_CORRUPT "URL:LINE:COL").
 */
int alu_release_list(const struct alu_conf *c, struct alu_releases *out, char *url, size_t un,
		     struct alu_err *e);

/**
 * @brief Before a transaction run with --releasever: can the lock file be
 *        followed? Its directories are walked without symlinks and the
 *        file, when there, must be a regular file (util/rootfs.h).
 * @return 0 (also with no --releasever or no lock file), or -ALUE_PATH /
 *         -errno with "the release lock ... could not follow ..." in @p e.
 */
int alu_release_lock_check(const struct alu_conf *c, const char *requested, struct alu_err *e);

/**
 * @brief Follow a release move in the lock file (see the model): only when
 *        the transaction changed the root's system-release release.
 * @param requested the --releasever of the run (NULL: nothing to do).
 * @param before alu_conf_system_release() before the transaction, or NULL.
 * @param[out] msg what changed ("" when nothing), for the user.
 * @return 0 (also when there is no lock file), or the write's error.
 */
int alu_release_lock_follow(const struct alu_conf *c, const char *requested, const char *before,
			    char *msg, size_t mn, struct alu_err *e);

#endif
