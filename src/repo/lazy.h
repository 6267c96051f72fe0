/* SPDX-License-Identifier: MIT */
/*
 * Metadata fetched when a command first needs it, not at every sync: the
 * groups (`group_gz`/`group`: comps.xml) and the full file lists
 * (`filelists`/`filelists_db`). Part of the repository layer (repo/repo.h).
 *
 * Model. A sync keeps only the checksum of the repomd.xml it ingested. On
 * demand, the repomd.xml with exactly that checksum is kept in
 * <cachedir>/<repoid>/md/ (fetched again from the mirror that served the
 * sync when missing); a different one means the repository changed since
 * the sync, which is then redone first, so a lazily fetched file always
 * belongs to the packages in the cache. The file itself is kept there
 * under the name repomd gives it (which holds its checksum) and is checked
 * against repomd's checksum and size before each use. `clean metadata`
 * removes the directory's files.
 */
#ifndef ALU_REPO_LAZY_H
#define ALU_REPO_LAZY_H

#include <stddef.h>

#include "repo/repo.h"

#define ALU_LAZY_DIR "md"

/** A metadata file held locally. */
struct alu_lazy {
	char type[48];                 /* the repomd type found ("group_gz" ...) */
	char checksum[ALU_HEX_MAX];    /* its checksum in repomd (identifies the content) */
	char path[4096];               /* host path of the verified file as published */
};

/**
 * @brief Make the first of @p types (NULL-terminated, in preference order)
 *        that repository @p r's repomd.xml lists available locally.
 * @param rp the command's repositories; rp->net is created here when NULL
 *        and @p cacheonly is 0 (owned by @p rp then).
 * @param cacheonly -C: use only what is on disk.
 * @return 0; -ENOENT (repomd lists none of @p types: nothing was set in @p e);
 *         -ALUE_NOCACHE (-C and the file is not on disk, or the repository
 *         was never synced); -ALUE_CHECKSUM, network and sync errors (the
 *         message names the repository and URL); -errno for local I/O.
 */
int alu_repo_lazy_get(struct alu_repos *rp, const struct alu_repo *r, const char *const *types,
		      int cacheonly, struct alu_lazy *out, struct alu_err *e);

/** Called for each enabled repository that has one of the types; @p l is
 *  valid during the call. A non-zero return stops the walk and is returned. */
typedef int (*alu_lazy_cb)(void *ud, const struct alu_repo *r, const struct alu_lazy *l,
			   struct alu_err *e);

/**
 * @brief alu_repo_lazy_get() for every enabled repository of @p rp, as a sync
 *        treats them: one whose repomd lists none of @p types is passed over,
 *        one with skip_if_unavailable=1 whose file cannot be had is skipped
 *        with a warning.
 * @return 0, the first error (alu_repo_lazy_get's or @p cb's).
 */
int alu_repo_lazy_each(struct alu_repos *rp, const char *const *types, int cacheonly,
		       alu_lazy_cb cb, void *ud, struct alu_err *e);

/** @return the enabled repository @p id of @p rp's configuration, or NULL. */
const struct alu_repo *alu_repos_find(const struct alu_repos *rp, const char *id);

#endif
