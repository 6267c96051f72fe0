/* SPDX-License-Identifier: MIT */
/*
 * What `download` (yumdownloader) fetches: the newest available package of
 * each spec, optionally the dependencies the root lacks (--resolve), or
 * instead the source packages their SOURCERPM names (--source), looked up
 * with arch "src" (epoch ignored, as yumdownloader does) in the enabled
 * repositories, of which the `-source` ones were turned on by
 * alu_ops_dl_source_repos() before alu_ops_open().
 *
 * The selection becomes o->plan (ALU_OP_INSTALL ops), so alu_ops_download()
 * and alu_ops_verify() fetch and check it as they do a transaction's.
 *
 * Library code: nothing here prints.
 */
#ifndef ALU_OPS_DOWNLOAD_H
#define ALU_OPS_DOWNLOAD_H

#include "ops/ops.h"

struct alu_dl_opts {
	const struct alu_strv *archlist; /* NULL/empty: basearch, noarch (src with source) */
	int source;                      /* SRPMs of the selected packages */
	int resolve;                     /* also the dependencies not installed */
};

/**
 * @brief For every enabled repository X that has a section X-source, add
 *        "+X-source" to @p ctx->repo_ops (as yumdownloader --source does).
 * @return 0, configuration errors (alu_conf_load), -ENOMEM.
 */
int alu_ops_dl_source_repos(struct alu_ctx *ctx, struct alu_err *e);

/**
 * @brief Fill o->plan (which must be empty) with what to download.
 * @param specs name, glob, name-version[-release][.arch] or name.arch (borrowed).
 * @return 0; -ALUE_NOTFOUND ("No package X available.", "No source rpm
 *         defined for NEVRA", "Source package N-V-R not found (SOURCERPM of
 *         NEVRA): enable its -source repository"); alu_ops_request() errors
 *         with --resolve; -ENOMEM; cache errors.
 */
int alu_ops_dl_plan(struct alu_ops *o, char **specs, int n, const struct alu_dl_opts *d,
		    struct alu_err *e);

/**
 * @brief The URL plan op @p i is fetched from (first mirror of its
 *        repository, or the package's xml:base).
 * @param[out] url malloc'd.
 * @return 0, -ALUE_NOTFOUND, -ALUE_CONFIG (no mirror), -ENOMEM, fetch errors
 *         of the mirror list.
 */
int alu_ops_dl_url(struct alu_ops *o, size_t i, char **url, struct alu_err *e);

#endif
