/* SPDX-License-Identifier: MIT */
/*
 * What install, remove (and later update) share around alu_txn_run(): the
 * lock, the state open, recovery of a cut transaction, the summary and the
 * question, and printing the outcome. Command-side helpers: they print.
 */
#ifndef ALU_CMD_TXNRUN_H
#define ALU_CMD_TXNRUN_H

#include "cmd/ctx.h"
#include "db/state.h"
#include "txn/txn.h"

/**
 * @brief Lock the root, open its state for writing (creating it) and run
 *        recovery, saying what recovery did.
 * @param[out] lockfd, s release with alu_cmd_txn_close().
 * @return 0, or 1 after printing the error.
 */
int alu_cmd_txn_open(struct alu_ctx *ctx, int *lockfd, struct alu_state **s);
void alu_cmd_txn_close(int lockfd, struct alu_state *s);

/** One line of the summary: "Installing", "Upgrading", "Removing" rows. */
struct alu_cmd_row {
	const char *section;  /* "Installing", "Upgrading", "Removing" */
	char name[256], arch[64], evr[256], from[256];
	unsigned long long size;
};

/**
 * @brief Print the summary, ask (unless -y; --assumeno answers no), run the
 *        plan and print what happened.
 * @return the exit code: 0, or 1 (refused, aborted, failed).
 */
int alu_cmd_txn_apply(struct alu_ctx *ctx, struct alu_state *s, const struct alu_txn_plan *plan,
		      const struct alu_cmd_row *rows, size_t nrows);

#endif
