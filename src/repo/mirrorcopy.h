/* SPDX-License-Identifier: MIT */
/*
 * Mirror copies: one repository copied into a directory that any static web
 * server, bucket or file:// can serve (what `alupdate reposync` does).
 *
 * Model. alu_mcopy_repo() copies one repository into o->dest:
 *   1. repodata/repomd.xml (and, when published, repomd.xml.asc and
 *      repomd.xml.key) is fetched into memory and, with repo_gpgcheck,
 *      its signature checked against o->ring;
 *   2. the package list (primary, else primary_db) and, with METADATA,
 *      every other file repomd lists, each into dest/repodata/ under its
 *      published name, byte for byte, checked against repomd's checksum
 *      and size (so the upstream signature on repomd.xml still verifies);
 *   3. the packages the list names (after the arch / source / newest-only
 *      selection), each to "<final>.part" by the network layer (resumed with
 *      Range after an interruption: the sha256 is known), checked against
 *      the metadata checksum, then handed to o->verify (signature) and only
 *      then renamed to its final name. A file already under its final name
 *      whose checksum holds is kept;
 *   4. with METADATA, repomd.xml (and its .asc/.key) last, by write to
 *      ".part", fsync and rename: until then the copy keeps serving its
 *      previous, complete state (old repomd, old data files, old packages);
 *   5. with SNAPSHOT, a dated copy of the metadata in
 *      dest/snapshots/<revision>/repodata/ (hard links), see mirrorsnap.c;
 *   6. with DELETE, what the source no longer lists is removed (packages
 *      named by a kept snapshot stay), see mirrorprune.c.
 * Any failure stops before step 4: the copy is left in its last good state
 * plus verified new files, never a half file under a final name.
 *
 * Packages are fetched o->parallel at a time (dnf's max_parallel_downloads),
 * each worker with its own struct alu_net (which is not thread-safe) and so
 * its own keep-alive connection; metadata is fetched first, sequentially.
 *
 * Library code: nothing here prints. Errors name the file and the URL.
 */
#ifndef ALU_REPO_MIRRORCOPY_H
#define ALU_REPO_MIRRORCOPY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/pgp.h"
#include "net/net.h"
#include "util/err.h"
#include "util/strv.h"

enum {
	ALU_MCOPYF_METADATA = 1 << 0,  /* --download-metadata: keep repodata/ as published */
	ALU_MCOPYF_NEWEST = 1 << 1,    /* --newest-only: the newest EVR of each name.arch */
	ALU_MCOPYF_SOURCE = 1 << 2,    /* --source: src packages too (else skipped) */
	ALU_MCOPYF_DELETE = 1 << 3,    /* --delete: remove what the source no longer lists */
	ALU_MCOPYF_SNAPSHOT = 1 << 4,  /* --snapshot: keep this revision's metadata */
	ALU_MCOPYF_REPOSIG = 1 << 5,   /* repo_gpgcheck: repomd.xml.asc must verify */
};

struct alu_filter;

/** Checks a downloaded package before it gets its final name (signature).
 *  @return 0 or an error with its message in @p e (names the file). */
typedef int (*alu_mcopy_verify_cb)(void *arg, const char *path, struct alu_err *e);

/** Told about each package: @p state 0 kept (already whole), 1 fetched. */
typedef void (*alu_mcopy_pkg_cb)(void *arg, const char *location, int state, uint64_t size);

struct alu_mcopy_opts {
	const char *repoid;
	const char *dest;                    /* the repository's directory (created) */
	unsigned flags;                      /* ALU_MCOPYF_* */
	const struct alu_strv *arches;       /* NULL/empty: every arch; noarch always */
	const struct alu_pgp_keyring *ring;  /* for REPOSIG; may be NULL otherwise */
	alu_mcopy_verify_cb verify;          /* NULL: no signature check (gpgcheck off) */
	void *verify_arg;
	alu_mcopy_pkg_cb progress;           /* NULL: silent */
	void *progress_arg;
	const struct alu_filter *filter;     /* an active one: the advisory subset (mirrorsubset.c) */
	int parallel;                        /* packages downloaded at once; < 1: 1 */
};

#define ALU_MCOPY_PARALLEL_DEFAULT 3     /* as dnf's max_parallel_downloads */
#define ALU_MCOPY_PARALLEL_MAX 20        /* dnf's ceiling too */

struct alu_mcopy_stats {
	size_t pkgs;            /* packages selected */
	size_t fetched;         /* of them downloaded by this run */
	size_t deleted;         /* files removed by DELETE */
	uint64_t bytes;         /* bytes downloaded (packages and metadata) */
	char revision[128];     /* of the copied repomd.xml */
	char snapshot[160];     /* the snapshot directory name written, "" if none */
	int subset;             /* 1: an advisory subset with metadata of its own */
};

/**
 * @brief Copy one repository (see the model above). o->verify and
 *        o->progress are called from worker threads (never two at once for
 *        progress; verify concurrently).
 * @param m the repository's mirror set (failover as everywhere else).
 * @param no network options of the repository (borrowed).
 * @return 0; network errors (-ALUE_MIRRORS naming each mirror, -ALUE_NET ...);
 *         -ALUE_CHECKSUM (a file does not match repomd/primary: the message
 *         names it); -ALUE_BADSIG/-ALUE_NOKEY (repomd.xml or a package
 *         signature); -ALUE_CORRUPT (repomd lists no package list, a location
 *         that escapes the directory); -ALUE_XML/-ALUE_DB (package list);
 *         -errno for local I/O (naming the path).
 */
int alu_mcopy_repo(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *no,
		   const struct alu_mcopy_opts *o, struct alu_mcopy_stats *st, struct alu_err *e);

/* ---- helpers shared by the mirror-copy files (mirrorsnap.c, mirrorprune.c) ---- */

/**
 * @brief Write @p len bytes to "<path>.part", fsync, rename to @p path.
 * @return 0 or -errno (the .part is removed), message naming @p path.
 */
int alu_mcopy_write(const char *path, const void *buf, size_t len, struct alu_err *e);

/**
 * @brief Record the package locations of the package list that @p repomd
 *        (in @p dir/repodata/) names into @p out (sorted, for bsearch).
 * @return 0 or the readers' errors.
 */
int alu_mcopy_locations(const char *dir, const char *repomd, size_t len, struct alu_strv *out,
			struct alu_err *e);

/**
 * @brief Keep the metadata of @p repomd (already written under
 *        @p dest/repodata) as dest/snapshots/<name>/repodata/: data files
 *        hard-linked (copied where links fail), repomd.xml (+ .asc/.key)
 *        written last. <name> is the revision (characters other than
 *        [A-Za-z0-9._-] replaced by '_'), or the newest timestamp when there
 *        is none; a different repomd under an existing name gets
 *        "-<8 hex of its sha256>" appended. An identical snapshot is kept.
 * @param asc,key NULL when not published.
 * @param[out] name the directory name used.
 * @return 0 or -errno naming the path.
 */
int alu_mcopy_snapshot(const char *dest, const char *repomd, size_t len, const char *asc,
		       size_t asclen, const char *key, size_t keylen, char *name, size_t namen,
		       struct alu_err *e);

/**
 * @brief DELETE: remove every file under @p dest/ not in @p keep (paths
 *        relative to dest, sorted) and not a package of a kept snapshot;
 *        repodata/ keeps the files the current repomd lists; snapshots/ and
 *        files named mirror.list are left alone. Stale ".part" files go too.
 * @param[out] ndeleted files removed.
 * @return 0 or -errno naming the path.
 */
int alu_mcopy_prune(const char *dest, const struct alu_strv *keep, size_t *ndeleted,
		    struct alu_err *e);

/**
 * @brief Write <dir>/<region>/<tail> for each "REGION=URL" of @p specs: a
 *        mirror.list of one line, "<URL>/<repoid>/". <tail> is the path of
 *        the repository's own mirrorlist after its "/<awsregion>/" component
 *        (so that clients configured for per-region mirrorlists only change
 *        the host part), else "<repoid>/mirror.list".
 * @param mirrorlist the repository's (substituted) mirrorlist URL or NULL.
 * @return 0; -ALUE_USAGE for a spec without '=' or with an unsafe region;
 *         -errno naming the path.
 */
int alu_mcopy_mirrorlists(const char *dir, const char *repoid, const char *mirrorlist,
			  const char *awsregion, const struct alu_strv *specs, struct alu_err *e);

/**
 * @brief Write @p buf as <dir>/<region>/<tail> for each region of @p specs
 *        ("REGION=URL", as alu_mcopy_mirrorlists()): <tail> is the path of
 *        @p url after its "/<awsregion>/" component (the extras catalog:
 *        ".../us-east-1/2/extras-catalog.json" -> "2/extras-catalog.json").
 * @return 0; -ALUE_USAGE (a bad spec; @p url has no such component, or one
 *         that is not a plain path); -errno naming the path.
 */
int alu_mcopy_region_file(const char *dir, const char *url, const char *awsregion,
			  const struct alu_strv *specs, const char *buf, size_t len,
			  struct alu_err *e);

/* ---- the advisory subset (mirrorsubset.c) ------------------------------------ */

/** @brief "name-E:V-R.A", the key both sides of a subset compare. */
void alu_msubset_key(char *buf, size_t n, const char *name, uint32_t epoch, const char *v,
		     const char *r, const char *arch);

/**
 * @brief The keys (alu_msubset_key) of every package that an advisory of
 *        @p updateinfo passing @p f names, sorted into @p out.
 * @param updateinfo NULL: the repository has none (the set stays empty).
 * @return 0 or the updateinfo reader's errors.
 */
int alu_msubset_select(const char *updateinfo, const struct alu_filter *f, struct alu_strv *out,
		       struct alu_err *e);

/**
 * @brief Write the subset's primary.xml.gz and updateinfo.xml.gz into
 *        @p dest/repodata/ and compose its repomd.xml (not written: the
 *        caller writes it last).
 * @param primary,sqlite the upstream package list (verified local file).
 * @param locs locations of the packages the copy holds (sorted).
 * @param have their keys (sorted): advisories keep only these packages and
 *        are left out when none remains.
 * @param[out] md malloc'd repomd.xml, @p mdlen its length.
 * @return 0, the readers' errors, -errno naming the path, -ENOMEM.
 */
int alu_msubset_write(const char *dest, const char *primary, int sqlite, const char *updateinfo,
		      const struct alu_filter *f, const struct alu_strv *locs,
		      const struct alu_strv *have, const char *revision, char **md, size_t *mdlen,
		      struct alu_err *e);

#endif
