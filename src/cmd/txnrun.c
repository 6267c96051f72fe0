/* SPDX-License-Identifier: MIT */
/* Shared by the commands that change the root; see txnrun.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ops/ops.h"
#include "util/fmt.h"
#include "cmd/txnrun.h"
#include "util/out.h"

int alu_cmd_txn_open(struct alu_ctx *ctx, int *lockfd, struct alu_state **s)
{
	struct alu_err e = { 0 };
	char what[1024];
	int r = alu_ops_writer_open(ctx, lockfd, s, what, sizeof(what), &e);

	if (r) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
		return 1;
	}
	if (what[0])
		fprintf(stderr, "alupdate: recovered an interrupted transaction: %s\n", what);
	return 0;
}

void alu_cmd_txn_close(int lockfd, struct alu_state *s)
{
	alu_state_close(s);
	alu_txn_unlock(lockfd);
}

static void summary(const struct alu_cmd_row *rows, size_t n)
{
	int wn = 7, wa = 4, wv = 7, wr = 10;
	const char *last = NULL;
	char sz[32];

	for (size_t i = 0; i < n; i++) {
		int a = (int)strlen(rows[i].name) + 1, b = (int)strlen(rows[i].arch);
		int c = (int)strlen(rows[i].evr), d = (int)strlen(rows[i].from);
		wn = a > wn ? a : wn; wa = b > wa ? b : wa; wv = c > wv ? c : wv; wr = d > wr ? d : wr;
	}
	printf("%s\n", "Dependencies Resolved");
	printf("\n %-*s %-*s %-*s %-*s %s\n", wn, "Package", wa, "Arch", wv, "Version", wr, "Repository", "Size");
	for (size_t i = 0; i < n; i++) {
		if (!last || strcmp(last, rows[i].section))
			printf("%s:\n", rows[i].section);
		last = rows[i].section;
		alu_fmt_size(rows[i].size, sz, sizeof(sz));
		printf(" %-*s %-*s %-*s %-*s %s\n", wn, rows[i].name, wa, rows[i].arch, wv, rows[i].evr,
		       wr, rows[i].from, sz);
	}
	printf("\nTransaction Summary\n");
	for (size_t k = 0; k < 3; k++) {
		static const char *const secs[] = { "Installing", "Upgrading", "Removing" };
		static const char *const verbs[] = { "Install", "Upgrade", "Remove" };
		size_t c = 0;
		for (size_t i = 0; i < n; i++)
			c += !strcmp(rows[i].section, secs[k]);
		if (c)
			printf("%-8s %zu Package%s\n", verbs[k], c, c == 1 ? "" : "s");
	}
	printf("\n");
}

static int confirm(struct alu_ctx *ctx)
{
	char ans[16];

	if (ctx->assumeyes)
		return 1;
	if (ctx->assumeno) {
		printf("Exiting on user command\n");
		return 0;
	}
	printf("Is this ok [y/N]: ");
	fflush(stdout);
	if (!fgets(ans, sizeof(ans), stdin) || (ans[0] != 'y' && ans[0] != 'Y')) {
		printf("%sExiting on user command\n", feof(stdin) ? "\n" : "");
		return 0;
	}
	return 1;
}

int alu_cmd_txn_apply(struct alu_ctx *ctx, struct alu_state *s, const struct alu_txn_plan *plan,
		      const struct alu_cmd_row *rows, size_t nrows)
{
	struct alu_txn_opts o = { ctx->root, 0 };
	struct alu_txn_log log = { 0 };
	struct alu_err e = { 0 };
	int r;

	if (alu_out_level() >= ALU_NORMAL)
		summary(rows, nrows);
	if (!confirm(ctx))
		return 1;
	o.flags = (ctx->noscripts ? ALU_TXNF_NOSCRIPTS : 0) | (ctx->nodocs ? ALU_TXNF_NODOCS : 0);
	/* local packages read no configuration: only --setopt chooses the sandbox */
	for (size_t i = 0; i < ctx->setopts.n; i++)
		if (!strncmp(ctx->setopts.v[i], "scriptlet_sandbox=", 18) &&
		    (o.sandbox = alu_txn_sandbox_parse(ctx->setopts.v[i] + 18)) < 0) {
			alu_error("--setopt=%s: must be auto, namespaces or chroot", ctx->setopts.v[i]);
			return 1;
		}
	if (ctx->replacefiles)
		o.flags |= ALU_TXNF_REPLACEFILES;
	alu_msg("Running transaction");
	r = alu_txn_run(s, &o, plan, &log, &e);
	if (log.done) {
		struct alu_err re = { 0 };
		if (alu_ops_rpmdb_sync(ctx, NULL, s, &re))
			alu_warn("%s", re.msg);
	}
	for (size_t i = 0; i < log.lines.n; i++)
		if (!strncmp(log.lines.v[i], "installed ", 10) || !strncmp(log.lines.v[i], "upgraded ", 9) ||
		    !strncmp(log.lines.v[i], "erased ", 7))
			alu_msg("  %s", log.lines.v[i]);
	alu_strv_free(&log.lines);
	if (r) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
		return 1;
	}
	alu_msg("\nComplete!");
	return 0;
}
