/* SPDX-License-Identifier: MIT */
/*
 * Repository metadata: decompression, repomd.xml, the package list (XML
 * `primary` through expat, or the SQLite `primary_db` that real Amazon Linux 2
 * mirrors publish alone), updateinfo.xml, and the ingest that turns both into
 * the LMDB cache (db/cache.h) in one write transaction per repository.
 *
 * Model. Readers are push parsers that call a sink once per record. A record
 * (struct alu_pkgrec, struct alu_advrec) borrows every string from the
 * parser; it is valid only during the callback. Both package readers produce
 * identical records for the same repository (dependency EVRs are composed as
 * "[E:]V[-R]" with a zero epoch omitted; flags are ALU_DEP_* bits), so the
 * cache cannot tell which form a repository published.
 *
 * Errors: -ALUE_XML (not well-formed, with line), -ALUE_CORRUPT (a required
 * field is missing or a number is malformed: the message names the package or
 * advisory), -ALUE_DB (SQLite), -ENOMEM, or whatever a sink returned (a
 * non-zero sink return stops the parse and is passed up unchanged).
 */
#ifndef ALU_REPO_REPO_H
#define ALU_REPO_REPO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/conf.h"
#include "rpm/rpm.h"
#include "util/err.h"
#include "util/strv.h"

struct alu_net_opts;

/** @brief @p r's timeout, retries, TLS and proxy settings into @p o
 *  (cleared first), as every fetch for @p r takes them (netopts.c). */
void alu_repo_net_opts(const struct alu_repo *r, struct alu_net_opts *o);

#define ALU_REPO_PARALLEL_DEFAULT 3   /* dnf's max_parallel_downloads */
#define ALU_REPO_PARALLEL_MAX 20      /* dnf refuses more */

/**
 * @brief max_parallel_downloads (dnf's key; yum.conf keeps it among the keys
 *        alupdate reads from `other`): @p r's own value, else [main]'s (with
 *        --setopt applied to either), else ALU_REPO_PARALLEL_DEFAULT.
 * @param r NULL: [main]'s value alone.
 * @param[out] out 1 .. ALU_REPO_PARALLEL_MAX.
 * @return 0; -ALUE_CONFIG naming the key, the value and where it was set
 *         ("[main]" or the repository) when it is not a number in range.
 */
int alu_repo_parallel(const struct alu_conf *c, const struct alu_repo *r, int *out,
	struct alu_err *e);

/* ---- decompression ----------------------------------------------------- */

/** A streaming decoder for gzip, xz, zstd, bzip2 or uncompressed data.
 *  A file named *.gz, *.xz, *.zst or *.bz2 must hold exactly that one
 *  compression; any other name may hold one of the four, recognised by
 *  magic. Never more than one layer: gzip inside gzip is refused, not
 *  unwrapped (a small nested file can take minutes and gigabytes). */
struct alu_decomp;

/** What the decoded data must be (repomd.xml's open-size/open-checksum). */
struct alu_decomp_expect {
	uint64_t open_size;    /* exact decoded size; 0: unknown, then at most
	                        * ALU_DECOMP_CAP_MIN or ALU_DECOMP_CAP_RATIO times
	                        * the file's size, whichever is more */
	int open_algo;         /* ALU_HASH_* of open_hex; 0: no checksum */
	const char *open_hex;  /* borrowed until the decoder is finished */
};
#define ALU_DECOMP_CAP_MIN (64ull << 20)
#define ALU_DECOMP_CAP_RATIO 100

/**
 * @brief As alu_decomp_open(), holding the decoded data to @p x (NULL: the
 *        cap only). Decoding stops one byte past open_size (or the cap):
 *        -ALUE_CORRUPT "... decodes to more than N bytes"; at the end a
 *        shorter result is -ALUE_CORRUPT, a wrong open checksum -ALUE_CHECKSUM.
 */
int alu_decomp_open_x(const char *path, const struct alu_decomp_expect *x,
		      struct alu_decomp **out, struct alu_err *e);

/** @brief alu_decomp_each() with alu_decomp_open_x()'s limits. */
int alu_decomp_each_x(const char *path, const struct alu_decomp_expect *x,
		      int (*cb)(void *ud, const char *buf, size_t n), void *ud, struct alu_err *e);

/** @brief alu_decomp_to_file() with alu_decomp_open_x()'s limits. */
int alu_decomp_to_file_x(const char *src, const struct alu_decomp_expect *x, const char *dst,
			 struct alu_err *e);

/**
 * @brief Open @p path for decoding.
 * @param[out] out release with alu_decomp_finish().
 * @return 0, -ENOENT, -ALUE_CORRUPT (unreadable or unknown compression), -ENOMEM.
 */
int alu_decomp_open(const char *path, struct alu_decomp **out, struct alu_err *e);

/**
 * @brief Read up to @p n decoded bytes.
 * @return bytes read (> 0), 0 at the end, or a negative code. Errors are
 *         sticky: once one happened every later call returns it.
 */
ssize_t alu_decomp_read(struct alu_decomp *d, void *buf, size_t n);

/** @brief Free @p d (NULL is fine). @return the first error met, with its
 *         message in @p e (-ALUE_CORRUPT "file: truncated gzip input" ...), or 0. */
int alu_decomp_finish(struct alu_decomp *d, struct alu_err *e);

/** @brief Decode @p path and hand each chunk to @p cb; a non-zero return of
 *         @p cb stops and is returned. */
int alu_decomp_each(const char *path, int (*cb)(void *ud, const char *buf, size_t n),
		    void *ud, struct alu_err *e);

/** @brief Decode @p src into a new file @p dst (removed again on failure). */
int alu_decomp_to_file(const char *src, const char *dst, struct alu_err *e);

/* ---- repomd.xml -------------------------------------------------------- */

#define ALU_HEX_MAX 129   /* sha512 in hex + NUL */

struct alu_repomd_data {
	char type[48];                    /* "primary", "primary_db", "updateinfo", ... */
	char *href;                       /* owned; "repodata/<...>-primary.xml.gz" */
	char checksum_type[16];           /* "sha256", "sha1", "sha512" ("sha" read as sha1) */
	char checksum[ALU_HEX_MAX];       /* lowercase hex of the file as published */
	char open_checksum_type[16];
	char open_checksum[ALU_HEX_MAX];  /* of the decompressed file; "" when absent */
	uint64_t size, open_size;         /* 0 when absent */
	uint64_t timestamp;
};

struct alu_repomd {
	char *revision;                   /* owned; "" when absent */
	struct alu_repomd_data *v;        /* owned */
	size_t n;
};

/**
 * @brief Parse repomd.xml held in memory.
 * @param what names the source in messages (the URL or path).
 * @param[out] out release with alu_repomd_free() (also after failure).
 * @return 0, -ALUE_XML, -ALUE_CORRUPT (a <data> without type or location, a
 *         bad number, a checksum of the wrong length), -ENOMEM.
 */
int alu_repomd_parse(const char *buf, size_t len, const char *what,
		     struct alu_repomd *out, struct alu_err *e);

/** @return the entry of @p type, or NULL. Borrowed from @p m. */
const struct alu_repomd_data *alu_repomd_find(const struct alu_repomd *m, const char *type);

void alu_repomd_free(struct alu_repomd *m);

/* ---- records ----------------------------------------------------------- */

/** One package of a repository. Strings are never NULL ("" when absent). */
struct alu_pkgrec {
	const char *name, *arch, *version, *release;
	uint32_t epoch;
	const char *pkgid;            /* checksum of the package file, lowercase hex */
	const char *checksum_type;    /* "sha256" */
	const char *summary, *description, *url, *license, *vendor, *group;
	const char *buildhost, *sourcerpm, *packager;
	const char *location;         /* "Packages/hello-2.10-1.amzn2.x86_64.rpm" */
	const char *location_base;    /* xml:base, "" when none */
	uint64_t time_file, time_build;
	uint64_t size_package, size_installed, size_archive;
	uint64_t header_start, header_end;
	struct alu_dep *deps[ALU_DEPTYPE_N];  /* ALU_DEP_PREREQ set for pre="1" */
	size_t ndeps[ALU_DEPTYPE_N];
	const char *const *files;     /* the file paths primary carries (not full lists) */
	size_t nfiles;
};

struct alu_advref {
	const char *href, *id, *title, *type;   /* type "cve", "bugzilla", ... */
};

struct alu_advpkg {
	const char *name, *version, *release, *arch, *src, *filename;
	uint32_t epoch;
};

/** One advisory of updateinfo.xml. Strings are never NULL ("" when absent). */
struct alu_advrec {
	const char *id;
	const char *type;          /* "security", "bugfix", "enhancement", "newpackage" ... */
	const char *severity;      /* as written ("important", "Critical"); "" when none */
	const char *title, *issued, *updated, *description;
	const char *from, *status, *version;
	const char *cvss_score, *cvss_vector;   /* CVSS v3, "" when absent */
	const struct alu_advref *refs;
	size_t nrefs;
	const struct alu_advpkg *pkgs;
	size_t npkgs;
};

typedef int (*alu_pkgrec_cb)(void *ud, const struct alu_pkgrec *p);
typedef int (*alu_advrec_cb)(void *ud, const struct alu_advrec *a);

/* ---- primary.xml ------------------------------------------------------- */

struct alu_primary_xml;

/** @brief A push parser for primary.xml calling @p cb per <package>.
 *  @return 0 or -ENOMEM. */
int alu_primary_xml_new(alu_pkgrec_cb cb, void *ud, struct alu_primary_xml **out);
/**
 * @brief Feed the next chunk of (decompressed) XML; @p final on the last.
 * @return 0 or an error (sticky: later calls return it again).
 */
int alu_primary_xml_feed(struct alu_primary_xml *p, const char *buf, size_t n, int final,
			 struct alu_err *e);
/** @return how many packages were handed to the sink. */
size_t alu_primary_xml_count(const struct alu_primary_xml *p);
void alu_primary_xml_free(struct alu_primary_xml *p);

/** @brief Decode and parse the (compressed) file @p path. */
int alu_primary_xml_file(const char *path, alu_pkgrec_cb cb, void *ud, struct alu_err *e);

/* ---- primary_db (SQLite) ----------------------------------------------- */

/**
 * @brief Read an (already decompressed) primary_db SQLite file read-only.
 * @return 0, -ALUE_DB (not a primary_db: message names the table or column),
 *         -ALUE_CORRUPT, -ENOMEM, or the sink's code.
 */
int alu_primary_sqlite_file(const char *dbpath, alu_pkgrec_cb cb, void *ud, struct alu_err *e);

/* ---- updateinfo.xml ---------------------------------------------------- */

struct alu_updateinfo;

int alu_updateinfo_new(alu_advrec_cb cb, void *ud, struct alu_updateinfo **out);
int alu_updateinfo_feed(struct alu_updateinfo *u, const char *buf, size_t n, int final,
			struct alu_err *e);
void alu_updateinfo_free(struct alu_updateinfo *u);
/** @brief Decode and parse the (compressed) file @p path. */
int alu_updateinfo_file(const char *path, alu_advrec_cb cb, void *ud, struct alu_err *e);

/* ---- ingest ------------------------------------------------------------ */

struct alu_cache;
struct alu_cache_repo;

/** The local, verified files of one repository's metadata. */
struct alu_ingest_src {
	const char *primary_path;     /* primary.xml[.gz|.xz|.zst|.bz2] or primary.sqlite[.bz2|...] */
	int primary_sqlite;           /* 1: primary_path is a primary_db */
	const char *updateinfo_path;  /* NULL: the repository has no updateinfo */
	const char *tmpdir;           /* where a primary_db is decoded (then removed) */
	struct alu_decomp_expect primary_x, updateinfo_x;  /* open-size/-checksum; zero: unknown */
};

/**
 * @brief Replace repository @p repoid in the cache with these files, in one
 *        write transaction (a failure leaves the previous metadata intact).
 * @param[in,out] st the state to store (repomd checksum, fetched time,
 *        mirror ...); idx, npkgs, nadvs and primary_type are filled in.
 * @return 0, the readers' errors (-ALUE_XML, -ALUE_CORRUPT, -ALUE_DB ...),
 *         -ALUE_NOSPACE when the map could not be grown enough, -EROFS.
 */
int alu_repo_ingest(struct alu_cache *c, const char *repoid, const struct alu_ingest_src *src,
		    struct alu_cache_repo *st, struct alu_err *e);

/* ---- sync --------------------------------------------------------------- */

struct alu_net;

enum {
	ALU_SYNCF_FORCE = 1 << 0,      /* check repomd.xml even when not expired (makecache) */
	ALU_SYNCF_CACHEONLY = 1 << 1,  /* -C: never touch the network */
};

/**
 * @brief Bring repository @p r's metadata in @p cache up to date.
 * Honours metadata_expire (fresh metadata is not checked unless FORCE);
 * an unchanged repomd.xml (same sha256) costs one request and nothing is
 * parsed; repo_gpgcheck verifies repomd.xml.asc against r->gpgkeys.
 * @param[out] changed 1 when new metadata was ingested.
 * Every <data> file is taken under its checksum (any kind repomd.xml uses;
 * none is refused, md5 alone is refused when r has gpgcheck or
 * repo_gpgcheck, else warned about), its size (the download stops there) and,
 * decoded, its open-size and open-checksum. A repomd.xml older than the
 * cached one is refused unless r->allow_metadata_rollback.
 * @return 0; -ALUE_NOCACHE (CACHEONLY and nothing cached); network errors
 *         (-ALUE_MIRRORS "all mirrors failed ...", -ALUE_NET ...);
 *         -ALUE_CORRUPT (no checksum, an older repomd.xml "refused as a
 *         rollback", a location leaving the repository, a decoded size that
 *         is not open-size); -ALUE_CHECKSUM (open-checksum); -ALUE_UNSUPPORTED
 *         (md5 alone under gpgcheck);
 *         -ALUE_BADSIG / -ALUE_NOKEY (repo_gpgcheck); -ALUE_CONFIG (no URL);
 *         parse and cache errors as alu_repo_ingest(). The previous metadata
 *         stays in the cache on every failure.
 */
int alu_repo_sync(const struct alu_conf *conf, struct alu_net *net, struct alu_cache *cache,
		  const struct alu_repo *r, unsigned flags, int *changed, struct alu_err *e);

/* ---- a command's view of its repositories -------------------------------- */

/** What a command that reads repositories holds. Everything owned. */
struct alu_repos {
	struct alu_conf conf;
	struct alu_cache *cache;      /* queries restricted to `enabled` */
	struct alu_net *net;          /* NULL with -C or NOSYNC */
	struct alu_strv enabled;      /* ids of the repositories in use */
	size_t nchanged;              /* repositories whose metadata was refreshed */
};

enum {
	ALU_REPOSF_NOSYNC = 1 << 0,   /* use the cache as it is (clean, offline listing) */
	ALU_REPOSF_FORCE = 1 << 1,    /* check every repomd.xml now (makecache) */
};

/**
 * @brief Load the configuration for @p ctx, open the cache, sync every
 *        enabled repository (unless -C or NOSYNC) and select them for queries.
 * A repository that fails with skip_if_unavailable=1 is reported with
 * alu_warn() and left out; any other failure fails the call.
 * @param[out] out release with alu_repos_close() (also after failure).
 * @return 0 or the first error (conf, cache, sync: see those).
 */
int alu_repos_open(const struct alu_ctx *ctx, unsigned flags, struct alu_repos *out,
		   struct alu_err *e);
void alu_repos_close(struct alu_repos *r);

/* ---- shared by the query commands ---------------------------------------- */

struct alu_state;

/** @return 1 when glob @p spec matches one of yum's forms of a package:
 *  name, name.arch, name-ver, name-ver-rel, name-ver-rel.arch,
 *  name-epoch:ver-rel.arch, epoch:name-ver-rel.arch. */
int alu_pkg_spec_match(const char *spec, const char *name, uint32_t epoch, const char *v,
		       const char *r, const char *arch);
/** @return 1 when the arches are equal or one is noarch. */
int alu_arch_compat(const char *a, const char *b);
/** @brief "name-[E:]V-R.A" into @p buf. @return as snprintf. */
int alu_nevra_fmt(char *buf, size_t n, const char *name, uint32_t epoch, const char *v,
		  const char *r, const char *arch);

/** An available update of an installed package. Strings owned. */
struct alu_update {
	char *name, *arch, *version, *release, *repo;   /* the newest newer repo package */
	uint32_t epoch;
	uint64_t id;                                    /* its cache id */
	char *inst_version, *inst_release, *inst_arch;  /* the newest installed one */
	uint32_t inst_epoch;
};

/**
 * @brief For every installed name.arch, the newest package of the selected
 *        repositories that is newer (same arch, or either noarch), sorted by
 *        name then arch. With @p conf, yum's priorities rule: a name is taken
 *        only from the best-priority repositories that carry it, and
 *        what its exclude= lists ([main] with -x, each repository's) is left out.
 * @param conf NULL: every selected repository alike.
 * @param[out] out free with alu_updates_free(out, n).
 * @return 0, -ENOMEM, cache or state errors.
 */
int alu_updates_find(struct alu_cache *c, struct alu_state *s, const struct alu_conf *conf,
		     struct alu_update **out, size_t *n, struct alu_err *e);
/** @brief 1 when repository @p r's URLs (mirrorlist, metalink, baseurls, as
 *  substituted) are not those its cached metadata was fetched from
 *  (<cachedir>/<id>/source; sync_source.c). 0 when unknown. */
int alu_repo_source_changed(const struct alu_conf *c, const struct alu_repo *r);
/** @brief Record @p r's URLs as the source of its cached metadata. @return 0, -errno. */
int alu_repo_source_save(const struct alu_conf *c, const struct alu_repo *r);
void alu_updates_free(struct alu_update *v, size_t n);

/** @return the ALU_ADV_* bit of an advisory type (0 for unknown ones). */
unsigned alu_adv_type_bit(const char *type);
/** @return 1 when any advisory filter is set. */
int alu_filter_active(const struct alu_filter *f);
/** @return 1 when @p a passes @p f (kinds of filter are ORed, as yum does;
 *  severities compare case-insensitively; ids, CVEs, BZs are globs; a bare
 *  CVE number also matches as "CVE-<n>"). No filter: 1. */
int alu_adv_filter_match(const struct alu_filter *f, const struct alu_advrec *a);

enum { ALU_ADVST_NONE = 0,       /* no installed package of that name and arch */
	ALU_ADVST_NEEDED = 1,    /* the newest installed one is older than the fix */
	ALU_ADVST_INSTALLED = 2, /* the fix (or newer) is installed */
};
/** @return ALU_ADVST_* for one package line of an advisory, or a negative code. */
int alu_adv_pkg_status(struct alu_state *s, const struct alu_advpkg *k);
/** @return yum's label: "critical/Sec.", "security" (no severity), "bugfix" ... */
const char *alu_adv_label(const struct alu_advrec *a, char *buf, size_t n);

#endif
