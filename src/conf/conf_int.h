/* SPDX-License-Identifier: MIT */
/*
 * Internals of src/conf shared between its files, the unit tests and the
 * fuzz target. Not for other modules: they use conf.h.
 *
 * The INI reader follows what yum's iniparse/ConfigParser accepts: sections
 * `[id]`; `key=value`, `key = value` or `key: value`; keys lowercased;
 * comments are lines whose first non-blank character is `#` or `;`, and a
 * `;` preceded by a blank ends a value; a line starting with a blank
 * continues the previous value (joined with "\n"). Everything it cannot read
 * is reported with alu_warn("FILE:LINE: ...") and skipped.
 */
#ifndef ALU_CONF_CONF_INT_H
#define ALU_CONF_CONF_INT_H

#include <stddef.h>

#include "conf/conf.h"
#include "txn/smap.h"

struct alu_ini_kv {
	char *key;    /* lowercased */
	char *val;    /* trimmed; continuation lines joined with "\n" */
	int line;
};

struct alu_ini_sec {
	char *name;
	int line;
	struct alu_ini_kv *kv;
	size_t nkv, cap;
};

struct alu_ini {
	char *file;   /* name used in messages */
	struct alu_ini_sec *secs;   /* in file order; a repeated [name] replaces the earlier one */
	size_t nsecs, cap;
	struct alu_smap names;      /* while parsing: name -> index in secs (keys are secs' names) */
};

/**
 * @brief Parse @p len bytes (NUL bytes end a line's content, never crash).
 * @param file name for warnings; copied.
 * @return 0 or -ENOMEM. Release @p ini with alu_ini_free() in both cases.
 */
int alu_ini_parse(struct alu_ini *ini, const char *file, const char *buf, size_t len);

/**
 * @brief Read and parse @p path.
 * @param shown the name for messages (the path inside the root); NULL: @p path.
 * @return 0, -errno from open/read (message in @p e), -ENOMEM.
 */
int alu_ini_load(struct alu_ini *ini, const char *path, const char *shown, struct alu_err *e);

/** @brief Release @p ini; leaves it zeroed. */
void alu_ini_free(struct alu_ini *ini);

/** @return the section named @p name or NULL. */
const struct alu_ini_sec *alu_ini_section(const struct alu_ini *ini, const char *name);

/** @return the value of @p key in @p s, or NULL. */
const char *alu_ini_get(const struct alu_ini_sec *s, const char *key);

/* keys.c: the table of keys yum knows and how each lands in the structs. */
enum alu_conf_scope { ALU_SCOPE_MAIN, ALU_SCOPE_REPO };

/**
 * @brief Apply one key (already lowercased) to [main] or a repository; the
 *        value is variable-substituted first.
 * @return 0; 1 when the key is unknown (caller warns or fails); -EINVAL for
 *         a bad value; -ENOMEM.
 */
int alu_conf_apply(struct alu_conf *c, struct alu_repo *r, const char *key, const char *val);

/** @brief Copy the [main] values a repository inherits into @p r. */
int alu_conf_inherit(const struct alu_conf *c, struct alu_repo *r);

/** @brief Release one repository's members. */
void alu_conf_repo_free(struct alu_repo *r);

/* vars.c */
/** @brief Set the variables: builtins, then <root>/etc/yum/vars, <root>/etc/dnf/vars. */
int alu_conf_vars_load(struct alu_conf *c, const struct alu_ctx *ctx);
/** @brief Set (replace) one variable. @return 0 or -ENOMEM. */
int alu_conf_var_set(struct alu_conf *c, const char *name, const char *val);

/* yaml.c */
/**
 * @brief Read alupdate.yaml from the root when present; sets regions,
 *        boot_*, cachedir and (when given) metadata_expire.
 * @param[out] expire_set 1 when the file set metadata_expire.
 * @return 0; -ALUE_CONFIG "FILE:LINE:COL: message"; -ENOMEM.
 */
int alu_conf_yaml_load(struct alu_conf *c, int *expire_set, struct alu_err *e);

/* overrides.c: command-line overrides. */
int alu_conf_setopt_main(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e);
int alu_conf_setopt_repos(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e);
int alu_conf_repo_ops(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e);
int alu_conf_repofrompath(struct alu_conf *c, const struct alu_ctx *ctx, struct alu_err *e);
/** @return 1 when @p id is a valid repository id (yum: [A-Za-z0-9-_.:]+). */
int alu_conf_valid_id(const char *id);

#endif
