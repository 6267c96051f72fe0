/* SPDX-License-Identifier: MIT */
/*
 * Package groups from the repositories' comps.xml (repomd `group_gz` or
 * `group`), part of the repository layer (repo/repo.h).
 *
 * Model. alu_comps_load() reads the comps of every enabled repository
 * (fetched on demand, repo/lazy.h) into one list: a group id met in several
 * repositories is one group whose package lists are the union, as yum
 * merges them. Only the untranslated <name> and <description> are kept
 * (no xml:lang). Categories and environments are not read: no command
 * here shows them.
 *
 * Ownership: everything is owned by struct alu_comps; alu_comps_free().
 */
#ifndef ALU_REPO_COMPS_H
#define ALU_REPO_COMPS_H

#include <stddef.h>

#include "repo/repo.h"
#include "util/strv.h"

enum alu_greq {
	ALU_GREQ_MANDATORY, ALU_GREQ_DEFAULT, ALU_GREQ_OPTIONAL, ALU_GREQ_CONDITIONAL,
	ALU_GREQ_N
};
/* group_package_types bits */
#define ALU_GREQ_BIT(t) (1u << (t))

struct alu_group {
	char *id, *name, *description;   /* owned; name defaults to id, description "" */
	int uservisible, isdefault;      /* <uservisible> (default 1), <default> (default 0) */
	struct alu_strv pkgs[ALU_GREQ_N];/* package names by type, in file order, no duplicates */
	struct alu_strv repos;           /* the repositories that list it */
};

struct alu_comps {
	struct alu_group *v;   /* sorted by name (case-insensitive), as yum lists them */
	size_t n;
};

/**
 * @brief Parse one comps file (compressed or not) and merge it into @p c.
 * @param repoid recorded in each group's repos.
 * @return 0, -ALUE_XML ("FILE: line N: ..."), -ALUE_CORRUPT (a group without
 *         <id>, a packagereq of unknown type), -ENOMEM, decompression errors.
 */
int alu_comps_file(struct alu_comps *c, const char *path, const char *repoid, struct alu_err *e);

/**
 * @brief The groups of every enabled repository of @p rp. A repository
 *        without groups contributes none.
 * @param cacheonly -C (see alu_repo_lazy_get()).
 * @return 0 or the first error of alu_repo_lazy_get() / alu_comps_file().
 */
int alu_comps_load(struct alu_repos *rp, int cacheonly, struct alu_comps *c, struct alu_err *e);

/** @brief Sort the groups by name (alu_comps_load() does it). */
void alu_comps_sort(struct alu_comps *c);

/**
 * @return the first group whose id or name equals @p pat ignoring case, or
 *         matches it as a glob (case-insensitive), from @p from on (NULL:
 *         the first); NULL when none.
 */
const struct alu_group *alu_comps_find(const struct alu_comps *c, const char *pat,
				       const struct alu_group *from);

/**
 * @brief group_package_types ("mandatory, default optional") into ALU_GREQ_BIT
 *        bits. NULL: yum's default, mandatory + default.
 * @return 0 or -EINVAL (an unknown type).
 */
int alu_comps_types(const char *s, unsigned *bits);

void alu_comps_free(struct alu_comps *c);

#endif
