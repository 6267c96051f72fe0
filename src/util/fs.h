/* SPDX-License-Identifier: MIT */
/* File system helpers shared by the layers. */
#ifndef ALU_UTIL_FS_H
#define ALU_UTIL_FS_H

/**
 * @brief mkdir -p @p dir with mode 0755 (existing directories are fine).
 * @return 0, -ENAMETOOLONG, or -errno of the mkdir that failed.
 */
int alu_mkdir_p(const char *dir);

#endif
