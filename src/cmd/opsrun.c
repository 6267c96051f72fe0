/* SPDX-License-Identifier: MIT */
/* The flow of a repository transaction, as the commands see it; see opsrun.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fmt.h"
#include "cmd/opsrun.h"
#include "conf/conf.h"
#include "ops/release.h"
#include "util/out.h"

struct ui { const struct alu_ctx *ctx; size_t i, n; };

static void on_key(void *arg, const struct alu_pgp_keyinfo *k, const char *from)
{
	struct ui *u = arg;
	char fpr[64];

	if (u->ctx->json)
		return;
	alu_msg("Importing GPG key 0x%08llX:\n Userid     : \"%s\"\n Fingerprint: %s\n From       : %s",
		(unsigned long long)(k->keyid & 0xffffffffu), k->uid,
		alu_pgp_fpr_format(k->fpr, k->fpr_len, fpr), from);
}

static void on_dl(void *arg, const struct alu_plan_op *op, const char *path, int cached, int done)
{
	struct ui *u = arg;
	char sz[32];
	const char *b = strrchr(path, '/');
	size_t h;

	if (!done || u->ctx->json)
		return;
	/* the cache's "<checksum>-" prefix (ops/fetch.c) is not the package's name */
	b = b ? b + 1 : path;
	h = strspn(b, "0123456789abcdef");
	if (h >= 32 && b[h] == '-')
		b += h + 1;
	alu_fmt_size(op->dlsize, sz, sizeof(sz));
	alu_msg("(%zu/%zu): %-50s | %6s%s", ++u->i, u->n, b, sz,
		cached ? " (cached)" : "");
}

/* y, n, or d (download only), as yum asks. */
static int ask(const struct alu_ctx *ctx, int *download_only)
{
	char ans[32];

	if (ctx->assumeyes)
		return 1;
	if (ctx->assumeno) {
		if (!ctx->json)
			alu_msg("Operation aborted.");
		return 0;
	}
	if (!isatty(STDIN_FILENO) || ctx->json) {
		alu_error("the transaction needs confirmation but stdin is not a terminal: "
			  "run with -y to proceed (or --assumeno to only look)");
		return -1;
	}
	printf("Is this ok [y/d/N]: ");
	fflush(stdout);
	if (!fgets(ans, sizeof(ans), stdin))
		ans[0] = 0;
	if (ans[0] == 'd' || ans[0] == 'D') {
		*download_only = 1;
		return 1;
	}
	if (ans[0] == 'y' || ans[0] == 'Y')
		return 1;
	alu_msg("Exiting on user Command");
	return 0;
}

static void cmdline(const char *cmdname, enum alu_ops_kind kind, char **specs, int n,
		    const struct alu_ctx *ctx, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%s", cmdname);

	if (ctx->filter.types & ALU_ADV_SECURITY && o < len)
		o += (size_t)snprintf(buf + o, len - o, " --security");
	for (size_t i = 0; i < ctx->filter.severities.n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " --sec-severity=%s", ctx->filter.severities.v[i]);
	for (size_t i = 0; i < ctx->filter.advisories.n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " --advisory=%s", ctx->filter.advisories.v[i]);
	for (size_t i = 0; i < ctx->filter.cves.n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " --cve=%s", ctx->filter.cves.v[i]);
	/* history undo/rollback: the command says it ("history undo 3"), not its targets */
	for (int i = 0; kind != ALU_OPS_TARGET && i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, " %s", specs[i]);
	if (ctx->assumeyes && o < len)
		snprintf(buf + o, len - o, " -y");
}

static const char *nothing_msg(enum alu_ops_kind kind, const struct alu_ctx *ctx)
{
	if (kind == ALU_OPS_UPDATE_MINIMAL)
		return "No Packages marked for minimal Update";
	if (kind == ALU_OPS_UPDATE)
		return alu_filter_active(&ctx->filter) ? "No packages needed for security; "
			"no packages marked for update\nNothing to do." : "No packages marked for update\nNothing to do.";
	if (kind == ALU_OPS_REMOVE)
		return "No Packages marked for removal";
	return "Nothing to do.";
}

int alu_cmd_ops_run(struct alu_ctx *ctx, const char *cmdname, enum alu_ops_kind kind,
		    char **specs, int nspecs)
{
	struct alu_ops o;
	struct alu_err e = { 0 };
	struct alu_txn_log log = { 0 };
	struct ui u = { ctx, 0, 0 };
	unsigned flags = 0;
	const char *result = "error";
	char cmd[2048], *release = NULL;   /* system-release's before the transaction */
	int rc, dlonly = ctx->downloadonly, yes;

	if (kind == ALU_OPS_REMOVE || kind == ALU_OPS_AUTOREMOVE || kind == ALU_OPS_DUPLICATES ||
	    kind == ALU_OPS_OLDINSTALLONLY)
		flags |= ALU_OPSF_NOSYNC;
	if (kind == ALU_OPS_TARGET || kind == ALU_OPS_DISTSYNC)
		flags |= ALU_OPSF_DOWNGRADE;
	rc = alu_ops_open(ctx, flags, &o, &e);
	if (!rc && o.recovered[0])
		alu_warn("recovered an interrupted transaction: %s", o.recovered);
	if (!rc)
		rc = alu_ops_request(&o, kind, specs, nspecs, &e);
	if (!rc && !dlonly)
		rc = alu_release_lock_check(&o.repos.conf, ctx->releasever, &e);
	if (o.solve)
		alu_verbose("solver: %zu repository packages in the pool", alu_solve_repo_npkgs(o.solve));
	for (size_t i = 0; !ctx->json && i < o.missing.n; i++)
		alu_msg("%s", o.missing.v[i]);
	if (!ctx->json && o.skipped.n) {
		alu_msg("Packages skipped because of dependency problems:");
		for (size_t i = 0; i < o.skipped.n; i++)
			alu_msg("    %s", o.skipped.v[i]);
	}
	if (rc)
		goto fail;
	if (!o.plan.n) {
		/* install of an installed dependency: now the user's */
		if (!ctx->assumeno && (rc = alu_ops_mark_user(&o, &e)))
			goto fail;
		if (ctx->json)
			alu_cmd_ops_json(&o, cmdname, "nothing", NULL, NULL);
		else
			alu_msg("%s", nothing_msg(kind, ctx));
		alu_ops_close(&o);
		return 0;
	}
	if (!ctx->json && alu_out_level() >= ALU_NORMAL)
		alu_cmd_ops_table(&o);
	yes = ask(ctx, &dlonly);
	if (yes <= 0) {
		if (ctx->json)
			alu_cmd_ops_json(&o, cmdname, "aborted", NULL, NULL);
		alu_ops_close(&o);
		return 1;
	}
	for (size_t i = 0; i < o.plan.n; i++)
		u.n += o.plan.ops[i].type != ALU_OP_ERASE && !(o.plan.ops[i].key & ALU_OPS_LOCAL_KEY);
	if (u.n && !ctx->json)
		alu_msg("Downloading packages:");
	rc = alu_ops_download(&o, ctx->downloaddir, on_dl, &u, &e);
	if (!rc && dlonly) {
		if (ctx->json)
			alu_cmd_ops_json(&o, cmdname, "downloaded", NULL, NULL);
		else
			alu_msg("exiting because \"Download Only\" specified");
		/* the user asked for the files: keep them whatever keepcache says */
		alu_strv_free(&o.created);
		alu_ops_close(&o);
		return 0;
	}
	if (!rc && ctx->nogpgcheck)
		alu_warn("--nogpgcheck: package signatures are not checked");
	if (!rc)
		rc = alu_ops_verify(&o, on_key, &u, &e);
	if (!rc)
		rc = alu_ops_space(&o, &e);
	if (rc)
		goto fail;
	/* yum's tsflags=test: everything but the change itself */
	if (alu_strv_has(&o.repos.conf.tsflags, "test")) {
		if (ctx->json)
			alu_cmd_ops_json(&o, cmdname, "test", NULL, NULL);
		else
			alu_msg("Transaction test succeeded (tsflags=test: nothing was changed)");
		alu_ops_close(&o);
		return 0;
	}
	cmdline(cmdname, kind, specs, nspecs, ctx, cmd, sizeof(cmd));
	if (!ctx->json)
		alu_msg("Running transaction");
	if (ctx->releasever)
		release = alu_conf_system_release(&o.repos.conf);
	rc = alu_ops_apply(&o, cmd, &log, &e);
	if (!ctx->json)
		for (size_t i = 0; i < log.lines.n; i++)
			alu_msg("  %s", log.lines.v[i]);
	if (rc)
		goto fail;
	/* AL2023: a lock file naming the old release follows the move (ops/release.h) */
	rc = alu_release_lock_follow(&o.repos.conf, ctx->releasever, release, cmd, sizeof(cmd), &e);
	free(release);
	release = NULL;
	if (rc)
		goto fail;
	if (*cmd && !ctx->json)
		alu_msg("%s", cmd);
	if (ctx->json)
		alu_cmd_ops_json(&o, cmdname, "ok", NULL, &log);
	else
		alu_cmd_ops_done(&o);
	alu_strv_free(&log.lines);
	alu_ops_close(&o);
	return 0;
fail:
	free(release);
	if (ctx->json)
		alu_cmd_ops_json(&o, cmdname, result, &e, log.lines.n ? &log : NULL);
	alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
	alu_strv_free(&log.lines);
	alu_ops_close(&o);
	return 1;
}
