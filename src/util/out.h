/* SPDX-License-Identifier: MIT */
/*
 * The one output object. Messages for people go to stdout, errors and
 * warnings to stderr, each filtered by -q/-v. Commands print; library code
 * only reports warnings through alu_warn() (for example a bad .repo line that
 * is skipped, never fatal) and leaves errors to its caller.
 */
#ifndef ALU_UTIL_OUT_H
#define ALU_UTIL_OUT_H

enum alu_verbosity { ALU_QUIET = -1, ALU_NORMAL = 0, ALU_VERBOSE = 1, ALU_DEBUG = 2 };

/** @brief Set the level (from -q/-v); the default is ALU_NORMAL. */
void alu_out_set_level(int level);
/** @return the current level. */
int alu_out_level(void);

/** @brief "alupdate: error: ..." on stderr; always shown. */
void alu_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @brief "alupdate: warning: ..." on stderr; hidden by -q. */
void alu_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @brief A line for people on stdout; hidden by -q. */
void alu_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** @brief Shown only with -v. */
void alu_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
