/* SPDX-License-Identifier: MIT */
/*
 * What main.c's option loop needs beyond getopt: yum's options that have no
 * use here (accepted so that scripts written for yum run), and the option
 * a usage error is about, named as the user typed it.
 */
#ifndef ALU_CMD_YUMOPTS_H
#define ALU_CMD_YUMOPTS_H

#include <stddef.h>

/* In the order of main.c's YUM_ONLY_OPTS. */
enum alu_yumopt {
	ALU_YUMOPT_DEBUGLEVEL,    /* -d N: 0 is -q (yum's -q sets debuglevel 0) */
	ALU_YUMOPT_ERRORLEVEL,    /* -e N */
	ALU_YUMOPT_DISABLEPLUGIN,
	ALU_YUMOPT_ENABLEPLUGIN,
	ALU_YUMOPT_NOPLUGINS,
	ALU_YUMOPT_COLOR,
	ALU_YUMOPT_RPMVERBOSITY,
	ALU_YUMOPT_TOLERANT,      /* -t */
	ALU_YUMOPT_OBSOLETES,     /* obsoletes are always processed */
};

/**
 * @brief Take one of yum's no-use options.
 * @param arg its argument, or NULL.
 * @return 0, or -EINVAL for a -d/-e level that is not a number 0..10
 *         (yum: "option -d: invalid integer value").
 */
int alu_yumopt_apply(int which, const char *arg);

/**
 * @brief Name the option getopt_long() stopped at, as typed: "'--foo'",
 *        "'-x'", "'-Z' (in '-yZ1')".
 * @param prev optind before the getopt_long() call, @p now after it.
 * @param c '?' (unknown) or ':' (argument missing); @p optopt getopt's.
 * @param[out] buf the quoted name.
 */
void alu_yumopt_typed(int argc, char **argv, int prev, int now, int c, int optopt,
		      char *buf, size_t n);

#endif
