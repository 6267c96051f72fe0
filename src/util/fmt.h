/* SPDX-License-Identifier: MIT */
/* Formatting shared by the commands. */
#ifndef ALU_UTIL_FMT_H
#define ALU_UTIL_FMT_H

#include <stddef.h>

/** @brief A size as yum prints it: "812", "7.5 k", "327 k", "1.2 M" (1024 steps). */
void alu_fmt_size(unsigned long long n, char *buf, size_t len);

#endif
