/* SPDX-License-Identifier: MIT */
/*
 * The launch-time update policy (`alupdate boot-update`): what is installed
 * when an instance or container first starts, kept in alupdate.yaml's
 * `boot:` mapping, and the stamp that makes it happen once per launch.
 *
 * A launch is named by cloud-init's instance id (<root>/var/lib/cloud/data/
 * instance-id) when there is one, else by <root>/etc/machine-id (an image
 * built for reuse has it emptied, so each first boot makes a new one), else
 * by nothing: then the stamp means "done once, for ever".
 *
 * The stamp <root>/var/lib/alupdate/boot-update.done holds one line,
 * "<launch id>\t<unix time>\t<policy>"; it is written (temporary file,
 * fsync, rename) only after a run that succeeded.
 *
 * Library code: nothing here prints.
 */
#ifndef ALU_OPS_BOOT_H
#define ALU_OPS_BOOT_H

#include <stddef.h>

#include "db/state.h"
#include "util/err.h"
#include "util/strv.h"

#define ALU_BOOT_STAMP ALU_STATE_DIR "/boot-update.done"
#define ALU_BOOT_LOG "/var/log/alupdate-boot-update.log"
#define ALU_BOOT_YAML "/etc/alupdate/alupdate.yaml"

/**
 * @brief The id of this launch: "instance-id i-0123..." or "machine-id
 *        0123abcd..." or "root" (neither file, or both empty).
 * @return 0, or -errno of a file that exists but cannot be read.
 */
int alu_boot_id(const char *root, char *buf, size_t n, struct alu_err *e);

/**
 * @brief Is there a stamp for launch @p id?
 * @param[out] line the stamp's line when it is for @p id (may be NULL).
 * @return 1 yes, 0 no (no stamp, or one of another launch).
 */
int alu_boot_stamp_done(const char *root, const char *id, char *line, size_t n);

/** @brief Write the stamp (atomically). @return 0, -errno. */
int alu_boot_stamp_write(const char *root, const char *id, const char *policy,
			 struct alu_err *e);

/**
 * @brief Replace the `boot:` mapping of <root>/etc/alupdate/alupdate.yaml
 *        (the file is created when missing; every other line is kept as it
 *        is) through a temporary file, fsync and rename.
 * @param policy "security", "bugfix", "all" or "none" (checked by the caller).
 * @param sev severities (security only; NULL or empty: none written, the
 *        default applies).
 * @param timeout seconds, > 0.
 * @return 0, -errno (message names the file).
 */
int alu_boot_policy_write(const char *root, const char *policy, const struct alu_strv *sev,
			  long timeout, struct alu_err *e);

#endif
