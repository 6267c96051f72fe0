/* SPDX-License-Identifier: MIT */
/*
 * The rpm database beside every writing run (src/rpmdb/rpmdb_out.h): at
 * the start, after recovery, what rpm or yum changed is adopted (said out
 * loud: the user should know the two disagreed) and a database a cut run
 * left behind is written; after the run, the database is written.
 * rpmdb_writeback=0 ([main] or alupdate.yaml) keeps the detection and the
 * adoption and skips the writing.
 *
 * A failed write is a warning, not a failure of the command: the state is
 * the truth and the next run writes again. A failed adoption stops the
 * command: going on would work from a false installed set.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "ops/ops.h"
#include "ops/pubkeys.h"
#include "rpmdb/rpmdb_out.h"
#include "util/out.h"

static int writeback_on(const struct alu_ctx *ctx, const struct alu_conf *c)
{
	struct alu_conf own;
	struct alu_err e = { 0 };
	int on = 1, level = alu_out_level();

	if (c && c->cachedir)
		return c->rpmdb_writeback;
	/* read again only for this switch: its warnings were said (or will be)
	 * by the command's own read; a root without configuration has the default */
	alu_out_set_level(ALU_QUIET);
	if (alu_conf_load(ctx, &own, &e) == 0)
		on = own.rpmdb_writeback;
	alu_out_set_level(level);
	alu_conf_free(&own);
	return on;
}

static int sync_once(const struct alu_ctx *ctx, const struct alu_conf *c, struct alu_state *s,
		     struct alu_err *e)
{
	struct alu_rpmdb_report rep;
	struct alu_err le = { 0 };
	unsigned flags = writeback_on(ctx, c) ? 0 : ALU_RPMDBF_NOWRITE;
	int r = alu_rpmdb_sync(s, ctx->root, flags, &rep, &le);

	if (rep.recovered[0])
		alu_warn("%s", rep.recovered);
	if (rep.readopted) {
		char list[2048] = "";
		size_t o = 0;
		for (size_t i = 0; i < rep.changes.n && o + 2 < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? " " : "",
					      rep.changes.v[i]);
		alu_warn("%s was changed outside alupdate (rpm or yum?): adopted %zu added, "
			 "%zu removed package(s)%s%s", rep.path, rep.added, rep.removed,
			 o ? ": " : "", list);
	}
	if (r && !rep.write_failed) {
		alu_rpmdb_report_free(&rep);
		return alu_err_set(e, r, "%s", le.msg);
	}
	if (r)
		alu_warn("the rpm database was not written back: %s", le.msg[0] ? le.msg : alu_strerror(r));
	alu_rpmdb_report_free(&rep);
	return 0;
}

int alu_ops_rpmdb_sync(const struct alu_ctx *ctx, const struct alu_conf *c, struct alu_state *s,
		       struct alu_err *e)
{
	struct alu_err ke = { 0 };
	enum alu_rpmdb_kind kind;
	char path[4096];
	size_t added = 0;
	int r = sync_once(ctx, c, s, e), k;

	/* after the adoption, so that a key rpm --import added is not added
	 * twice; only where rpm keeps a database (a manifest lists no keys) */
	if (r || !writeback_on(ctx, c) || alu_rpmdb_find(ctx->root, path, sizeof(path), &kind, &ke))
		return r;
	if ((k = alu_ops_pubkeys_add(ctx->root, s, &added, &ke)))
		alu_warn("the key store's keys were not all added to the rpm database: %s",
			 ke.msg[0] ? ke.msg : alu_strerror(k));
	return added ? sync_once(ctx, c, s, e) : 0;
}

int alu_ops_state_open_ro(const struct alu_ctx *ctx, struct alu_state **s, struct alu_err *e)
{
	struct alu_ctx nowait = *ctx;
	struct alu_state *w = NULL;
	struct alu_err le = { 0 };
	char what[512];
	int lockfd = -1, r = alu_state_open(ctx->root, ALU_STATEF_RDONLY, s, e);

	if (r || !alu_state_info(*s)->rpmdb_changed || alu_state_info(*s)->temporary)
		return r;
	/* rpm or yum changed the database: adopt the difference now, as the next
	 * writing command would, unless a writer runs (then its own start does) */
	nowait.nowait = 1;
	if (alu_ops_writer_open(&nowait, &lockfd, &w, what, sizeof(what), &le))
		return 0;   /* the caller's view stays the state's, and says so */
	if (what[0])
		alu_warn("recovered an interrupted transaction: %s", what);
	alu_state_close(w);
	alu_txn_unlock(lockfd);
	alu_state_close(*s);
	*s = NULL;
	return alu_state_open(ctx->root, ALU_STATEF_RDONLY, s, e);
}
