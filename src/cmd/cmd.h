/* SPDX-License-Identifier: MIT */
/*
 * Commands. One file per command in src/cmd/, each holding an option table
 * (declared once with an X-macro), an optional private context, parse(),
 * run() and a const descriptor listed in table.c.
 *
 * Declaring options:
 *
 *   #define OPTS(X) X(OPT_FOO, "foo", 'f', 1) X(OPT_BAR, "bar", 0, 0)
 *   ALU_OPTS_ENUM(OPTS);            // enum { OPT_FOO = ALU_OPT_CMD_BASE, ... }
 *   static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) {0} };
 *
 * main.c builds one getopt_long table from the global group, the shared
 * groups the descriptor names and the command's own options. Options that
 * belong to a shared group are handled by main.c; the command's own go to its
 * parse(), which returns 0, or -ENOTSUP for an option it does not know.
 */
#ifndef ALU_CMD_CMD_H
#define ALU_CMD_CMD_H

#include <stddef.h>

#include "cmd/ctx.h"

struct alu_opt {
	int id;
	const char *name;
	int short_opt;   /* 0: long option only */
	int has_arg;     /* 0 no, 1 required */
};

#define ALU_OPT_CMD_BASE 0x1000
#define ALU_OPT_ENUM_ITEM(id, name, s, a) id,
#define ALU_OPTS_ENUM(list) enum { _##list##_first = ALU_OPT_CMD_BASE - 1, list(ALU_OPT_ENUM_ITEM) }
#define ALU_OPT_ENTRY(id, name, s, a) { id, name, s, a },

/* Shared option groups a command may name. */
enum {
	ALU_OPTG_TXN = 1 << 0,      /* -y --assumeno --downloadonly --downloaddir --noscripts --nodocs --replacefiles --nowait */
	ALU_OPTG_FILTER = 1 << 1,   /* --security --bugfix --sec-severity --advisory --cve ... */
};

enum {
	ALU_CMDF_WRITES_ROOT = 1 << 0,  /* changes the root: takes the lock */
	ALU_CMDF_NEEDS_ARGS = 1 << 1,   /* at least one argument */
};

struct alu_cmd {
	const char *name;
	const char *const *aliases;   /* NULL-terminated, or NULL */
	const char *summary;          /* one line for `alupdate --help` */
	const char *usage;            /* argument synopsis */
	unsigned flags;               /* ALU_CMDF_* */
	unsigned groups;              /* ALU_OPTG_* */
	const struct alu_opt *opts;   /* the command's own, {0}-terminated, or NULL */
	size_t priv_size;             /* zeroed block handed to parse() and run() */
	/** @return 0, or -ENOTSUP for an unknown option id, or another error. */
	int (*parse)(void *priv, struct alu_ctx *ctx, int id, const char *arg);
	/** @return the process exit code (0, 1, 100 for check-update ...). */
	int (*run)(void *priv, struct alu_ctx *ctx, int argc, char **argv);
};

/** The command table, NULL-terminated (table.c). */
extern const struct alu_cmd *const alu_cmds[];

/** @return the command named @p name or one of its aliases, or NULL. */
const struct alu_cmd *alu_cmd_find(const char *name);

#endif
