/* SPDX-License-Identifier: MIT */
/*
 * amazon-linux-extras' catalog (extras-catalog.json, FORMATS.md "Extras"):
 * the topics a mirror offers, what each installs, its versions, and which
 * may be enabled together (v2: each topic's `conflicts`; v1: top-level
 * `whitelists`, lists of topic indices). Parsed by a small strict JSON
 * reader of its own (depth and size bounded), so a malformed catalog is
 * refused with line:column rather than half used. Part of the repository
 * layer (repo/repo.h).
 */
#ifndef ALU_REPO_EXTRAS_CATALOG_H
#define ALU_REPO_EXTRAS_CATALOG_H

#include <stddef.h>

#include "util/err.h"
#include "util/strv.h"

struct alu_extras_topic {
	char *name;                  /* "n" */
	struct alu_strv inst;        /* packages `install` brings */
	struct alu_strv versions;    /* as listed; the first is the newest */
	struct alu_strv conflicts;   /* v2 */
	int visible;                 /* 1 unless "visible": false */
	char *deprecated_at;         /* "deprecated-at", or NULL */
};

struct alu_extras_catalog {
	int version;                 /* 1 or 2 */
	char *motd;                  /* or NULL */
	struct alu_extras_topic *topics;
	size_t ntopics;
	size_t **wl, *wln, nwl;      /* v1 whitelists: nwl lists of wln[i] indices */
};

/** Largest catalog accepted (bytes). */
#define ALU_EXTRAS_CATALOG_MAX (4u << 20)

/**
 * @brief Parse catalog @p text (@p len bytes; need not be NUL-terminated).
 * @param where names the catalog (its URL) in messages.
 * @return 0, or -ALUE_CORRUPT with "WHERE:LINE:COL: what" in @p e
 *         (bad JSON, a missing or mistyped field, status not "ok", an
 *         unknown version, a whitelist index out of range), -ENOMEM.
 *         On error @p c holds nothing to free.
 */
int alu_extras_catalog_parse(const char *text, size_t len, const char *where,
			     struct alu_extras_catalog *c, struct alu_err *e);

void alu_extras_catalog_free(struct alu_extras_catalog *c);

/** @return the topic named @p name, or NULL. */
const struct alu_extras_topic *alu_extras_catalog_find(const struct alu_extras_catalog *c,
							const char *name);

/**
 * @brief May the topics @p names (every topic that would be enabled) be
 *        enabled together? v2: no two conflict; v1: all lie in one whitelist.
 * @return 0, or -EPERM with the reason in @p e (which topic, with which).
 */
int alu_extras_catalog_check(const struct alu_extras_catalog *c, const struct alu_strv *names,
			     struct alu_err *e);

#endif
