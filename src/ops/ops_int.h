/* SPDX-License-Identifier: MIT */
/* Internal to src/ops. */
#ifndef ALU_OPS_INT_H
#define ALU_OPS_INT_H

#include "net/net.h"
#include "ops/ops.h"

/* autoremove.c: remove jobs for every reason=dep package no kept package
 * needs (specs, when given, are removed too). */
int alu_ops_autoremove_want(struct alu_ops *o, char **specs, int n, struct alu_err *e);

/* missing.c: one solver job per spec of a named request; names that match
 * nothing go to o->missing or fail, as yum's skip_missing_names_on_* say. */
int alu_ops_want_named(struct alu_ops *o, enum alu_ops_kind k, enum alu_want w, char **specs,
		       int n, struct alu_err *e);

/* local.c: 1 when @p spec names a package file or URL (ends in .rpm and is a
 * URL or an existing file, as in yum), not a package or capability. */
int alu_ops_is_file_spec(const char *spec);
/* local.c: every file/URL spec into the pool ("@commandline") and asked for
 * exactly; *matched counts them (installed ones too: yum's message noted).
 * updateonly (update ./x.rpm): files whose name is not installed are noted. */
int alu_ops_want_local(struct alu_ops *o, char **specs, int n, int updateonly, int *matched,
		       struct alu_err *e);

/* fetch.c: the mirror set of repository @p r, the one that served the
 * metadata first. */
int alu_ops_mirrors(struct alu_ops *o, const struct alu_repo *r, struct alu_mirrors *m,
		    struct alu_err *e);

/* pkgcheck.c: each downloaded package's header is the package the solver
 * chose (name, epoch, version, release, arch; header-range when primary gives
 * it); -ALUE_CORRUPT naming both NEVRAs otherwise. */
int alu_ops_check_identity(struct alu_ops *o, struct alu_err *e);
/* pkgcheck.c: each downloaded package's checksum in the metadata, for the
 * transaction to check the file it applies against (ops[i].sum points into
 * sums[i]; alu_txn_op.sum); -ALUE_UNSUPPORTED for a type it cannot check. */
int alu_ops_expect(struct alu_ops *o, struct alu_txn_op *ops, char (*sums)[ALU_HEX_MAX],
		   struct alu_err *e);

/* hist.c: append one operation (strings copied; repo NULL = "") to *v. */
int alu_hist_op_add(struct alu_hist_op **v, size_t *n, const char *action, const char *nevra,
		    const char *repo);
void alu_hist_ops_free(struct alu_hist_op **v, size_t *n);

#endif
