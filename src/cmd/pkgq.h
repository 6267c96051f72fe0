/* SPDX-License-Identifier: MIT */
/*
 * Package rows shared by the query commands (list, search, provides, info):
 * owned copies of a package's identity, yum's column and JSON output, and
 * the "available" rule (the newest package of each name.arch that is not
 * installed, or newer than every installed one of that name.arch).
 */
#ifndef ALU_CMD_PKGQ_H
#define ALU_CMD_PKGQ_H

#include <stddef.h>
#include <stdint.h>

struct alu_cache;
struct alu_state;
struct alu_err;

struct pkgq_row {
	char *name, *arch, *version, *release;
	char *repo;       /* repo id; for installed rows the origin ("" unknown) */
	char *summary;    /* "" when not loaded */
	uint32_t epoch;
	uint64_t id;      /* cache id, or state id for installed rows */
	int installed;
	int reason;       /* installed rows: ALU_REASON_* */
	uint32_t installtime;
	uint64_t size;
	unsigned tag;     /* the command's own use (search: matched terms) */
};

struct pkgq_rows {
	struct pkgq_row *v;
	size_t n, cap;
};

/** @brief Append a row (strings copied; NULL reads as ""). @return 0 or -ENOMEM. */
int pkgq_add(struct pkgq_rows *r, const char *name, uint32_t epoch, const char *v,
	     const char *rel, const char *arch, const char *repo, const char *summary, uint64_t id);
/** @brief Sort by name, arch, then EVR (oldest first). */
void pkgq_sort(struct pkgq_rows *r);
void pkgq_free(struct pkgq_rows *r);

/** @brief "[E:]V-R" into @p buf. */
void pkgq_evr(char *buf, size_t n, uint32_t e, const char *v, const char *r);
/** @return 1 when there are no @p specs or one matches (alu_pkg_spec_match). */
int pkgq_wanted(char **specs, int nspecs, const struct pkgq_row *p);

/** @brief Every installed package passing @p specs, sorted; installed = 1. */
int pkgq_installed(struct alu_state *s, char **specs, int nspecs, struct pkgq_rows *out);
/** @brief The available packages passing @p specs (see above), sorted;
 *  @p inst is the sorted installed set (all of it, not only matching ones).
 *  @p dups (--showduplicates): every version the repositories carry, older
 *  and installed ones too, instead of the newest of each name.arch. */
int pkgq_available(struct alu_cache *c, const struct pkgq_rows *inst, char **specs, int nspecs,
		   int dups, struct pkgq_rows *out, struct alu_err *e);
/** @return the newest installed row of @p name and @p arch in the sorted
 *  set, or NULL. */
const struct pkgq_row *pkgq_inst_find(const struct pkgq_rows *inst, const char *name,
				      const char *arch);

struct alu_dep;
/** @return 1 when version @p e:@p v-@p r satisfies dependency @p d's range
 *  (an unversioned dependency matches everything). */
int pkgq_dep_match(const struct alu_dep *d, uint32_t e, const char *v, const char *r);
/**
 * @brief yum's obsoletes list: repository packages (newest of each
 *        name.arch, passing @p specs) that obsolete an installed package.
 * @param[out] by the obsoleting packages; @p old the installed package each
 *        obsoletes (same index; a package obsoleting two gives two rows).
 */
int pkgq_obsoletes(struct alu_cache *c, struct alu_state *s, char **specs, int nspecs,
		   struct pkgq_rows *by, struct pkgq_rows *old, struct alu_err *e);

/**
 * @brief `info`'s "Available Packages" section (info_repo.c): the available
 *        packages (pkgq_available's rule) matching @p globs, in yum's
 *        "Name        : ..." layout; nothing when there are none. @p dups:
 *        every version (--showduplicates).
 * @param[out] shown how many were printed.
 * @return 0, cache or state errors (message in @p e).
 */
int pkgq_info_available(struct alu_cache *c, struct alu_state *s, char **globs, int nglobs,
			int dups, int *shown, struct alu_err *e);

/** @brief Widen @p w1 (name.arch) and @p w2 (evr) for the rows. */
void pkgq_widths(const struct pkgq_rows *r, int *w1, int *w2);
/** @brief yum's section: @p heading, then `name.arch  evr  repo` lines;
 *  installed rows show "@repo" ("installed" when the origin is unknown).
 *  Nothing at all for an empty set. */
void pkgq_print(const char *heading, const struct pkgq_rows *r, int w1, int w2);
/** @brief yum's "Obsoleting Packages" section of pkgq_obsoletes() rows: each
 *  obsoleting package, then the installed one it replaces, indented. */
void pkgq_print_obsoletes(const struct pkgq_rows *by, const struct pkgq_rows *old, int w1, int w2);
/** @brief `"key":[{name, epoch, version, release, arch, repo}...]` (no braces around). */
void pkgq_json(const char *key, const struct pkgq_rows *r);
/** @brief yum's section rule: "==== text ====" centred in 78 columns. */
void pkgq_section(const char *text);

#endif
