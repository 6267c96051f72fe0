/* SPDX-License-Identifier: MIT */
/* --json output: the one string writer every command uses. */
#ifndef ALU_UTIL_JSON_H
#define ALU_UTIL_JSON_H

/** @brief Write @p s to stdout as a JSON string (quotes, escapes; NULL as ""). */
void alu_json_str(const char *s);

#endif
