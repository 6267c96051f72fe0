/* SPDX-License-Identifier: MIT */
/*
 * What cmd/reposync.c shares with its extras half (cmd/reposync_extras.c):
 * the options as parsed and the copy of one repository. Command-side
 * helpers: they do not print (the caller reports), except where said.
 */
#ifndef ALU_CMD_REPOSYNC_H
#define ALU_CMD_REPOSYNC_H

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "net/net.h"
#include "repo/mirrorcopy.h"
#include "util/strv.h"

struct alu_reposync {
	struct alu_strv repoids, arches, mirrorlists, extras;
	const char *path;
	unsigned flags;          /* ALU_MCOPYF_* */
	int gpgcheck, norepopath;
};

/**
 * @brief The mirror set of repository @p r: its mirrorlist fetched (with
 *        @p no), then its baseurls.
 * @return 0; the network's errors naming the URL; -ALUE_CONFIG (neither).
 */
int alu_reposync_mirrors(const struct alu_conf *c, struct alu_net *net, const struct alu_repo *r,
			 const struct alu_net_opts *no, struct alu_mirrors *m, struct alu_err *e);

/**
 * @brief Copy repository @p r into @p dest as the options say (keys loaded,
 *        signatures checked as r->gpgcheck / --gpgcheck / repo_gpgcheck ask).
 * @param m its mirror set (alu_reposync_mirrors()); borrowed.
 * @param flags ALU_MCOPYF_* added to the options' own.
 * @return 0 or alu_mcopy_repo()'s errors, message in @p e.
 */
int alu_reposync_copy(const struct alu_reposync *pv, const struct alu_ctx *ctx,
		      const struct alu_conf *c, struct alu_net *net, const struct alu_repo *r,
		      struct alu_mirrors *m, const char *dest, unsigned flags,
		      struct alu_mcopy_stats *st, struct alu_err *e);

/**
 * @brief --extras: the extras catalog and the topics matching pv->extras
 *        (globs; "all" is every topic) copied so that `extras` works from
 *        the copy; see doc/alupdate.8.src (reposync, --extras). Prints a
 *        line per topic copied and each topic's error (that topic fails,
 *        the others are still copied; the catalogs are written last, only
 *        when every topic asked for is whole).
 * @return 0, or the number of failures (> 0) with what failed printed;
 *         < 0 for an error that stops everything, message in @p e.
 */
int alu_reposync_extras(const struct alu_reposync *pv, const struct alu_ctx *ctx,
			const struct alu_conf *c, struct alu_net *net, struct alu_err *e);

#endif
