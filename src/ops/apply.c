/* SPDX-License-Identifier: MIT */
/*
 * Applying a verified plan: solver ops become transaction ops (one each, in
 * the solver's order), alu_txn_run() applies them, and one history record
 * says who did what, when, with which result, and what the scriptlets said.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops/ops_int.h"

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

static int hist_op(struct alu_hist *h, const char *action, const char *nevra, const char *repo)
{
	struct alu_hist_op *v = realloc(h->ops, (h->nops + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	h->ops = v;
	v = &h->ops[h->nops++];
	v->action = strdup(action);
	v->nevra = strdup(nevra);
	v->repo = strdup(repo ? repo : "");
	return v->action && v->nevra && v->repo ? 0 : -ENOMEM;
}

static int record(struct alu_ops *o, const char *cmdline, int rc, const char *err,
		  const struct alu_txn_log *log, struct alu_err *e)
{
	struct alu_hist h = { 0 };
	struct alu_state_txn *t = NULL;
	struct passwd *pw = getpwuid(getuid());
	const char *login = getenv("SUDO_USER");
	char *buf = NULL;
	size_t len;
	int r = 0;

	h.begin = o->begin;
	h.end = time(NULL);
	h.uid = getuid();
	h.login = (char *)(login ? login : pw ? pw->pw_name : "");
	h.cmdline = (char *)cmdline;
	h.rc = rc;
	h.error = (char *)err;
	for (size_t i = 0; !r && i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		const char *a = op->type == ALU_OP_INSTALL && op->is_dep ? "Dep-Install" :
			actions[op->type][0];
		/* operations the run did not reach are not part of what happened */
		if (i >= log->done)
			break;
		r = hist_op(&h, a, op->nevra, op->type == ALU_OP_ERASE ? "" : op->repo);
		if (!r && op->old_nevra && actions[op->type][1])
			r = hist_op(&h, actions[op->type][1], op->old_nevra, "");
	}
	h.out = log->lines;
	if (!r)
		r = alu_hist_encode(&h, &buf, &len);
	h.out = (struct alu_strv){ 0 };
	h.login = h.cmdline = h.error = NULL;
	alu_hist_free(&h);
	if (r)
		return alu_err_set(e, r, "out of memory");
	r = alu_state_txn_begin(o->state, &t, e);
	if (!r)
		r = alu_state_history_append(t, buf, len, &o->history_seq, e);
	if (!r)
		r = alu_state_txn_commit(t, e);
	else
		alu_state_txn_abort(t);
	free(buf);
	return r;
}

int alu_ops_apply(struct alu_ops *o, const char *cmdline, struct alu_txn_log *log,
		  struct alu_err *e)
{
	struct alu_txn_op *ops = calloc(o->plan.n + 1, sizeof(*ops));
	uint64_t *olds = calloc(o->plan.n + 1, sizeof(*olds));
	struct alu_txn_opts to = { o->ctx->root, 0 };
	struct alu_txn_plan tp = { ops, o->plan.n };
	struct alu_err herr = { 0 };
	int rc, hr;

	if (!ops || !olds) {
		free(ops);
		free(olds);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	if (o->ctx->noscripts)
		to.flags |= ALU_TXNF_NOSCRIPTS;
	if (o->ctx->nodocs)
		to.flags |= ALU_TXNF_NODOCS;
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
			/* an update keeps why the package was installed */
			alu_state_get(o->state, op->old_key, reason_cb, &reason);
		}
		ops[i].reason = reason;
	}
	rc = alu_txn_run(o->state, &to, &tp, log, e);
	hr = record(o, cmdline, rc, rc ? e->msg : "", log, &herr);
	free(ops);
	free(olds);
	if (!rc && hr)
		return alu_err_set(e, hr, "the transaction was applied, but its history record was not written: %s",
				   herr.msg);
	return rc;
}
