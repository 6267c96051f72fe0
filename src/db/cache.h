/* SPDX-License-Identifier: MIT */
/*
 * The repository metadata cache: one LMDB environment in
 * <cachedir>/cache.mdb/ (disposable: `clean` removes it, a sync refills it).
 * Named databases, keyed for the queries the commands make:
 *
 *   meta      "schema" -> u32, "next_repo" -> u32
 *   repos     repo id -> repo state (index, repomd checksum, fetch time, mirror, counts)
 *   pkgs      package id (8 bytes big endian: repo index << 32 | sequence) -> record
 *   names     name -> package id             (dupsort, fixed 8-byte values)
 *   provides  capability name -> package id  (dupsort)
 *   files     path (primary's file list only) -> package id (dupsort)
 *   advs      advisory id (8 bytes, as package ids) -> record
 *   advids    advisory name ("ALAS2-2026-0001") -> advisory id (dupsort)
 *   advpkgs   package name listed in an advisory -> advisory id (dupsort)
 *   cves      CVE id referenced by an advisory -> advisory id (dupsort)
 *   revdeps   a name a package obsoletes, or one its Supplements names -> package id
 *             (dupsort): what reaches a package from outside it (solve/load_reach.c)
 *
 * Keys longer than ALU_CACHE_KEYMAX bytes are stored as their first bytes
 * plus a 64-bit hash of the whole, so a lookup of any length works.
 *
 * A repository is replaced as a whole in ONE write transaction
 * (alu_cache_write_begin .. commit): its old packages and advisories and
 * every index entry pointing at them are deleted and the new ones added, so a
 * crash leaves either the old or the new metadata, never a mix.
 *
 * Reading: queries share one read transaction, begun at the first query and
 * kept until alu_cache_close() (or alu_cache_write_begin(), which ends it):
 * a warm query is a few B-tree lookups. Records handed to callbacks point
 * into the map and are valid only during the callback.
 *
 * Repository selection: queries only report packages and advisories of the
 * repositories chosen by alu_cache_select() (default: every cached one).
 */
#ifndef ALU_DB_CACHE_H
#define ALU_DB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "repo/repo.h"
#include "util/err.h"

#define ALU_CACHE_DIR "cache.mdb"
#define ALU_CACHE_KEYMAX 400
#define ALU_CACHE_SCHEMA 4   /* 3: weak dependencies in package records; 4: revdeps */

enum {
	ALU_CACHEF_RDONLY = 1 << 0,  /* never write; -ENOENT when there is no cache */
};

struct alu_cache;

/** A repository's cached state. */
struct alu_cache_repo {
	char id[256];
	uint32_t idx;                 /* the high half of its package ids */
	char repomd_sha256[65];       /* of repomd.xml as fetched */
	char revision[128];
	char mirror[1024];            /* base URL that served it */
	char primary_type[16];        /* "primary" or "primary_db" */
	int64_t fetched;              /* time of the last successful check (seconds) */
	int64_t repomd_timestamp;     /* newest <timestamp> of repomd.xml */
	uint64_t npkgs, nadvs;
};

/**
 * @brief Open (creating when allowed) the cache under @p cachedir.
 * @param[in] flags ALU_CACHEF_*. Without RDONLY a cache directory that is not
 *            writable is opened read-only instead.
 * @return 0; -ENOENT (RDONLY and no cache); -ALUE_DB (LMDB error, schema
 *         newer than ours); -errno (cannot create the directory).
 */
int alu_cache_open(const char *cachedir, unsigned flags, struct alu_cache **out, struct alu_err *e);

/** @brief Close; ends the read transaction. NULL is fine. */
void alu_cache_close(struct alu_cache *c);

/**
 * @brief Read a repository's state.
 * @return 0, -ENOENT (never synced), -ALUE_DB, -ALUE_CORRUPT.
 */
int alu_cache_repo_get(struct alu_cache *c, const char *repoid, struct alu_cache_repo *out,
		       struct alu_err *e);

/** @brief Record that @p repoid was checked now and is unchanged (fetched
 *         time and mirror only). @return 0, -ENOENT, -ALUE_DB. */
int alu_cache_repo_touch(struct alu_cache *c, const char *repoid, int64_t fetched,
			 const char *mirror, struct alu_err *e);

/** @brief Mark every repository expired (fetched = 0): `clean expire-cache`. */
int alu_cache_expire_all(struct alu_cache *c, struct alu_err *e);

/**
 * @brief Restrict queries to these repositories (NULL/0: every cached one).
 * Unknown ids are ignored (a repo that was never synced has nothing to show).
 * @return 0, -ENOMEM, -ALUE_DB.
 */
int alu_cache_select(struct alu_cache *c, const char *const *repoids, size_t n,
		     struct alu_err *e);

/* ---- writing ------------------------------------------------------------ */

struct alu_cache_wr;

/**
 * @brief Start replacing repository @p repoid: deletes its old packages and
 *        advisories (inside the transaction: invisible until commit).
 * @return 0, -EROFS (read-only cache), -ALUE_DB, -ALUE_NOSPACE (map full:
 *         alu_cache_write_abort(), then retry; the map was grown).
 */
int alu_cache_write_begin(struct alu_cache *c, const char *repoid, struct alu_cache_wr **out,
			  struct alu_err *e);
/** @brief Add a package. @return 0, -ALUE_NOSPACE (see above), -ALUE_DB, -ENOMEM. */
int alu_cache_write_pkg(struct alu_cache_wr *w, const struct alu_pkgrec *p, struct alu_err *e);
/** @brief Add an advisory. @return as alu_cache_write_pkg(). */
int alu_cache_write_adv(struct alu_cache_wr *w, const struct alu_advrec *a, struct alu_err *e);
/**
 * @brief Store the repository state (@p st: id and idx are filled in here;
 *        npkgs and nadvs are counted) and commit. @p w is freed either way.
 * @return 0, -ALUE_NOSPACE, -ALUE_DB (then nothing of @p w was written).
 */
int alu_cache_write_commit(struct alu_cache_wr *w, struct alu_cache_repo *st, struct alu_err *e);
/** @brief Drop every change of @p w and free it. NULL is fine. */
void alu_cache_write_abort(struct alu_cache_wr *w);

/** @brief Delete a repository and everything of it (one transaction). @return 0 or -ENOENT. */
int alu_cache_repo_drop(struct alu_cache *c, const char *repoid, struct alu_err *e);

/* ---- packages ----------------------------------------------------------- */

/** A cached package: the record as ingested (deps and files not decoded:
 *  use alu_cache_pkg_deps / alu_cache_pkg_files). */
struct alu_cpkg {
	uint64_t id;
	const char *repoid;            /* owned by the cache, valid until close */
	struct alu_pkgrec r;           /* r.deps / r.files are NULL */
	const void *raw;               /* the record, for the decoders below */
	size_t rawlen;
};

typedef int (*alu_cpkg_cb)(void *ud, const struct alu_cpkg *p);

/**
 * @brief Dependencies of one kind.
 * @param[out] out malloc'd array (free() it); strings point into the map and
 *             are valid as long as @p p's.
 * @return 0, -ENOMEM, -ALUE_CORRUPT.
 */
int alu_cache_pkg_deps(const struct alu_cpkg *p, enum alu_deptype t, struct alu_dep **out, size_t *n);
/** @brief Every kind's dependencies in one pass over the record (out[kind],
 *         n[kind]; free() each); as alu_cache_pkg_deps(). */
int alu_cache_pkg_deps_all(const struct alu_cpkg *p, struct alu_dep *out[ALU_DEPTYPE_N],
			   size_t n[ALU_DEPTYPE_N]);
/** @brief The file paths primary listed; as alu_cache_pkg_deps(). */
int alu_cache_pkg_files(const struct alu_cpkg *p, const char ***out, size_t *n);

/**
 * Walks. Callbacks return 0 to go on; any other value stops the walk and is
 * returned. Walk functions return 0, that value, -ALUE_DB or -ALUE_CORRUPT.
 */
/** @brief Every package of the selected repos, by name. */
int alu_cache_foreach_pkg(struct alu_cache *c, alu_cpkg_cb cb, void *ud, struct alu_err *e);
/** @brief Packages whose name equals @p pat, or matches it when it holds
 *         glob characters (* ? [). */
int alu_cache_by_name(struct alu_cache *c, const char *pat, alu_cpkg_cb cb, void *ud,
		      struct alu_err *e);
/** @brief Packages providing capability @p name (name only; compare EVRs
 *         with alu_cache_pkg_deps(ALU_PROVIDES)). */
int alu_cache_by_provide(struct alu_cache *c, const char *name, alu_cpkg_cb cb, void *ud,
			 struct alu_err *e);
/** @brief Packages whose primary file list has @p path (exact) or a path
 *         matching @p path as a glob. */
int alu_cache_by_file(struct alu_cache *c, const char *path, alu_cpkg_cb cb, void *ud,
		      struct alu_err *e);
/** Exact-key indexes for alu_cache_lookup(). */
enum alu_cache_ix { ALU_CACHE_IX_NAME, ALU_CACHE_IX_PROVIDE, ALU_CACHE_IX_FILE,
	ALU_CACHE_IX_REVDEP };
/** @brief Packages whose key in index @p ix equals @p key exactly (no globs:
 *         capabilities hold '*' and '[' legitimately). */
int alu_cache_lookup(struct alu_cache *c, enum alu_cache_ix ix, const char *key, alu_cpkg_cb cb,
		     void *ud, struct alu_err *e);
/**
 * @brief The capability names a dependency name holds: @p dep itself, or for
 *        a rich dependency ("(a >= 1 if b)") each operand that is not an
 *        operator; versions after a comparison are not names.
 * @return 0 or the first non-zero value of @p cb.
 */
int alu_cache_dep_names(const char *dep, int (*cb)(void *ud, const char *s, size_t n), void *ud);
/** @brief The package with id @p id. @return 0, -ENOENT, or cb's value. */
int alu_cache_pkg_get(struct alu_cache *c, uint64_t id, alu_cpkg_cb cb, void *ud, struct alu_err *e);

/* ---- advisories --------------------------------------------------------- */

/** A cached advisory, fully decoded (refs and pkgs arrays are owned by the
 *  cache and valid during the callback only). */
struct alu_cadv {
	uint64_t id;
	const char *repoid;
	struct alu_advrec r;
};

typedef int (*alu_cadv_cb)(void *ud, const struct alu_cadv *a);

/** @brief The advisory with id @p id (not there, or not selected: 0 and no
 *         call). @return 0 or cb's value, -ALUE_DB, -ALUE_CORRUPT. */
int alu_cache_adv_get(struct alu_cache *c, uint64_t id, alu_cadv_cb cb, void *ud, struct alu_err *e);
/** @brief Every advisory of the selected repos, by advisory id. */
int alu_cache_foreach_adv(struct alu_cache *c, alu_cadv_cb cb, void *ud, struct alu_err *e);
/** @brief Advisories whose id equals or glob-matches @p pat. */
int alu_cache_adv_by_id(struct alu_cache *c, const char *pat, alu_cadv_cb cb, void *ud,
			struct alu_err *e);
/** @brief Advisories referencing a CVE equal to or glob-matching @p pat. */
int alu_cache_adv_by_cve(struct alu_cache *c, const char *pat, alu_cadv_cb cb, void *ud,
			 struct alu_err *e);
/** @brief Advisories whose package list names package @p name. */
int alu_cache_adv_by_pkgname(struct alu_cache *c, const char *name, alu_cadv_cb cb, void *ud,
			     struct alu_err *e);

#endif
