/* SPDX-License-Identifier: MIT */
/*
 * The command side of a repository transaction (src/ops does the work):
 * yum's transaction table and summary, the question, download and key
 * messages, the outcome, --json. Every command that changes the root from
 * repositories (update, update-minimal, install NAME, reinstall, downgrade,
 * remove, autoremove, distro-sync, history undo/rollback) is one call.
 */
#ifndef ALU_CMD_OPSRUN_H
#define ALU_CMD_OPSRUN_H

#include "util/json.h"
#include "cmd/ctx.h"
#include "ops/ops.h"

/**
 * @brief Run a whole transaction for @p kind with @p specs: open, solve,
 *        show, ask (unless -y; no terminal and no -y: refused), download,
 *        verify, check space, apply, record history, report.
 * @param cmdname the command word, for messages and the history record.
 * @return the exit code: 0 (done, nothing to do, --downloadonly), 1 (error,
 *         refused, aborted).
 */
int alu_cmd_ops_run(struct alu_ctx *ctx, const char *cmdname, enum alu_ops_kind kind,
		    char **specs, int nspecs);

/* opsshow.c: printing a plan. */
/** @return 1 when the root has repositories (enabled or not) to resolve
 *  package files' dependencies from; 0 for a bare root (install.c). */
int alu_cmd_has_repos(const struct alu_ctx *ctx);
void alu_cmd_ops_table(const struct alu_ops *o);
void alu_cmd_ops_json(const struct alu_ops *o, const char *cmdname, const char *result,
		      const struct alu_err *e, const struct alu_txn_log *log);
void alu_cmd_ops_done(const struct alu_ops *o);

#endif
