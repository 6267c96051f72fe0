/* SPDX-License-Identifier: MIT */
/* A growable, NULL-terminated array of owned strings. */
#ifndef ALU_UTIL_STRV_H
#define ALU_UTIL_STRV_H

#include <stddef.h>

struct alu_strv {
	char **v;   /* owned; v[n] == NULL when n > 0 */
	size_t n;
	size_t cap;
};

/** @brief Append a copy of @p s. @return 0 or -ENOMEM. */
int alu_strv_push(struct alu_strv *sv, const char *s);
/** @brief Append copies of each comma- or space-separated item of @p s. */
int alu_strv_push_split(struct alu_strv *sv, const char *s);
/** @return 1 when some element equals @p s. */
int alu_strv_has(const struct alu_strv *sv, const char *s);
/** @brief Free every element and the array; leaves @p sv empty. */
void alu_strv_free(struct alu_strv *sv);

#endif
