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

/**
 * @brief Remove everything inside @p dir (not @p dir itself), symlinks as
 *        links: never followed. A missing @p dir is empty.
 * @param[out] count files removed (added to).
 * @return 0, or the first -errno (removal goes on past it).
 */
int alu_rm_contents(const char *dir, size_t *count);

#endif
