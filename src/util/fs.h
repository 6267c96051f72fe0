/* SPDX-License-Identifier: MIT */
/* File system helpers shared by the layers. */
#ifndef ALU_UTIL_FS_H
#define ALU_UTIL_FS_H

#include <stddef.h>

/**
 * @brief mkdir -p @p dir with mode 0755 (existing directories are fine).
 * @return 0, -ENAMETOOLONG, or -errno of the mkdir that failed.
 */
int alu_mkdir_p(const char *dir);

struct alu_err;

/**
 * @brief Remove everything inside @p dir (not @p dir itself), symlinks as
 *        links: never followed. A missing @p dir is empty. Under the
 *        installroot @p dir is reached by the no-symlink walk (util/rootfs.h).
 * @param[out] count files removed (added to).
 * @param[out] e names @p dir when it cannot be opened (a symlink on the way).
 * @return 0, or the first -errno or -ALUE_PATH (removal goes on past it).
 */
int alu_rm_contents(const char *dir, size_t *count, struct alu_err *e);

#endif
