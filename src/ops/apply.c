/* SPDX-License-Identifier: MIT */
/*
 * Applying a verified plan: solver ops become transaction ops (one each, in
 * the solver's order), alu_txn_run() applies them, and one history record
 * says who did what, when, with which result, and what the scriptlets said.
 * The record is begun before the first package and its done list grows in
 * each package's own commit, so a run killed half-way leaves a record of
 * exactly what it changed (yum's unfinished transaction).
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "ops/ops_int.h"
#include "util/out.h"

static int reason_cb(void *arg, const struct alu_instpkg *p)
{
	*(int *)arg = p->reason;
	return 0;
}

static const char *const actions[][2] = {
	[ALU_OP_INSTALL] = { "Install", NULL },
	[ALU_OP_UPGRADE] = { "Update", "Updated" },
	[ALU_OP_DOWNGRADE] = { "Downgrade", "Downgraded" },
	[ALU_OP_REINSTALL] = { "Reinstall", "Reinstalled" },
	[ALU_OP_ERASE] = { "Erase", NULL },
	[ALU_OP_OBSOLETE] = { "Obsoleting", "Obsoleted" },
};

/* Plan op @p i as history operations: "Update" and the "Updated" it replaces. */
static int plan_op(const struct alu_plan_op *op, struct alu_hist_op **v, size_t *n)
{
	const char *a = op->type == ALU_OP_INSTALL && op->is_dep ? "Dep-Install" :
		actions[op->type][0];
	int r = alu_hist_op_add(v, n, a, op->nevra, op->type == ALU_OP_ERASE ? "" : op->repo);

	if (!r && op->old_nevra && actions[op->type][1])
		r = alu_hist_op_add(v, n, actions[op->type][1], op->old_nevra, "");
	return r;
}

static int prefixed(struct alu_err *e, int r, const char *what)
{
	char msg[sizeof(e->msg)];

	snprintf(msg, sizeof(msg), "%s", e->msg[0] ? e->msg : alu_strerror(r));
	alu_err_clear(e);   /* errors are sticky */
	return alu_err_set(e, r, "%s: %s", what, msg);
}

/* The record of this run, kept in memory and rewritten as it goes. */
struct rec {
	struct alu_ops *o;
	struct alu_hist h;
};

/* done list = the first @p ndone plan ops (alu_txn_run applies them in order) */
static int set_done(struct rec *rc, size_t ndone)
{
	int r = 0;

	alu_hist_ops_free(&rc->h.ops, &rc->h.nops);
	for (size_t i = 0; !r && i < ndone && i < rc->o->plan.n; i++)
		r = plan_op(&rc->o->plan.ops[i], &rc->h.ops, &rc->h.nops);
	return r;
}

static int put(struct rec *rc, struct alu_state_txn *t, int first, struct alu_err *e)
{
	char *buf = NULL;
	size_t len;
	int r = alu_hist_encode(&rc->h, &buf, &len);

	if (r)
		return alu_err_set(e, r, "out of memory");
	r = first ? alu_state_history_append(t, buf, len, &rc->o->history_seq, e) :
		alu_state_history_put(t, rc->o->history_seq, buf, len, e);
	free(buf);
	return r;
}

/* Outside the package commits: a write transaction of its own. */
static int put_alone(struct rec *rc, int first, struct alu_err *e)
{
	struct alu_state_txn *t = NULL;
	int r = alu_state_txn_begin(rc->o->state, &t, e);

	if (!r)
		r = put(rc, t, first, e);
	if (!r)
		return alu_state_txn_commit(t, e);
	alu_state_txn_abort(t);
	return r;
}

static int begin(struct rec *rc, const char *cmdline, struct alu_err *e)
{
	struct alu_hist *h = &rc->h;
	struct passwd *pw = getpwuid(getuid());
	const char *login = getenv("SUDO_USER");
	int r = 0;

	h->begin = rc->o->begin;
	h->uid = getuid();
	h->login = strdup(login ? login : pw ? pw->pw_name : "");
	h->cmdline = strdup(cmdline);
	h->error = strdup("");
	if (!h->login || !h->cmdline || !h->error)
		r = -ENOMEM;
	for (size_t i = 0; !r && i < rc->o->plan.n; i++)
		r = plan_op(&rc->o->plan.ops[i], &h->plan, &h->nplan);
	if (r)
		return alu_err_set(e, r, "out of memory");
	return put_alone(rc, 1, e);
}

/* alu_txn_opts.on_commit: inside package @p i's own state-db commit. */
static int on_commit(void *arg, struct alu_state_txn *t, size_t i, struct alu_err *e)
{
	struct rec *rc = arg;
	int r = set_done(rc, i + 1);

	if (r)
		return alu_err_set(e, r, "out of memory");
	r = put(rc, t, 0, e);
	return r ? prefixed(e, r, "history record") : 0;
}

static int finish(struct rec *rc, int status, const char *err, struct alu_txn_log *log,
		  struct alu_err *e)
{
	struct alu_hist *h = &rc->h;
	char *copy = strdup(err);
	int r = set_done(rc, log->done);

	if (!copy)
		r = -ENOMEM;
	if (r) {
		free(copy);
		return alu_err_set(e, r, "out of memory");
	}
	free(h->error);
	h->error = copy;
	h->end = alu_now();
	if (!h->end)
		h->end = 1;
	h->rc = status;
	if (log->done >= rc->o->plan.n)
		alu_hist_ops_free(&h->plan, &h->nplan);
	h->out = log->lines;
	r = put_alone(rc, 0, e);
	h->out = (struct alu_strv){ 0 };
	return r;
}

int alu_ops_apply(struct alu_ops *o, const char *cmdline, struct alu_txn_log *log,
		  struct alu_err *e)
{
	struct alu_txn_op *ops = calloc(o->plan.n + 1, sizeof(*ops));
	uint64_t *olds = calloc(o->plan.n + 1, sizeof(*olds));
	char (*sums)[ALU_HEX_MAX] = calloc(o->plan.n + 1, sizeof(*sums));
	struct rec rec = { .o = o };
	struct alu_txn_opts to = { o->ctx->root, 0, on_commit, &rec };
	struct alu_txn_plan tp = { ops, o->plan.n };
	struct alu_err herr = { 0 };
	int rc, hr;

	if (!ops || !olds || !sums) {
		free(ops);
		free(olds);
		free(sums);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	if (o->ctx->noscripts)
		to.flags |= ALU_TXNF_NOSCRIPTS;
	/* yum.conf's tsflags (or --setopt=tsflags=...) as rpm's --nodocs/--noscripts */
	if (o->ctx->nodocs || alu_strv_has(&o->repos.conf.tsflags, "nodocs"))
		to.flags |= ALU_TXNF_NODOCS;
	/* checked when the configuration was loaded */
	to.sandbox = alu_txn_sandbox_parse(o->repos.conf.scriptlet_sandbox);
	if (to.sandbox < 0)
		to.sandbox = ALU_SANDBOX_NAMESPACES;
	if (alu_strv_has(&o->repos.conf.tsflags, "noscripts"))
		to.flags |= ALU_TXNF_NOSCRIPTS;
	if (o->ctx->replacefiles)
		to.flags |= ALU_TXNF_REPLACEFILES;
	for (size_t i = 0; i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		int reason = op->is_dep ? ALU_REASON_DEP : ALU_REASON_USER;

		ops[i].repo = op->repo;
		ops[i].old_ids = &olds[i];
		if (op->type == ALU_OP_ERASE) {
			ops[i].kind = ALU_TXN_ERASE;
			olds[i] = op->key;
			ops[i].nold = 1;
			continue;
		}
		ops[i].rpm_path = o->paths[i];
		ops[i].kind = op->old_key ? ALU_TXN_UPGRADE : ALU_TXN_INSTALL;
		if (op->old_key) {
			olds[i] = op->old_key;
			ops[i].nold = 1;
			/* an update keeps why the package was installed, unless
			 * the user named it now (then it is the user's) */
			if (!op->named)
				alu_state_get(o->state, op->old_key, reason_cb, &reason);
		}
		ops[i].reason = reason;
	}
	/* the files applied are the files checked: a cache file swapped since
	 * the download or the signature check is caught by the transaction, on
	 * the fd it applies from, and again before each package (txn/pkgfile.c) */
	rc = alu_ops_expect(o, ops, sums, e);
	if (rc)
		goto out;
	/* nothing is applied without the record that says it is being applied */
	rc = begin(&rec, cmdline, e);
	if (rc) {
		prefixed(e, rc, "writing the history record");
		goto out;
	}
	rc = alu_txn_run(o->state, &to, &tp, log, e);
	if (!rc)
		rc = alu_ops_mark_user(o, e);
	hr = finish(&rec, rc, rc ? e->msg : "", log, &herr);
	if (!rc && hr)
		rc = alu_err_set(e, hr, "the transaction was applied, but its history record was not completed: %s",
				 herr.msg);
	/* also after a failure: the packages committed before it are installed */
	if (log->done) {
		struct alu_err re = { 0 };
		if (alu_ops_rpmdb_sync(o->ctx, &o->repos.conf, o->state, &re))
			alu_warn("%s", re.msg);
	}
out:
	alu_hist_free(&rec.h);
	free(ops);
	free(olds);
	free(sums);
	return rc;
}
