/* SPDX-License-Identifier: MIT */
/*
 * Why a package is installed, as yum's yumdb reason: a package the user
 * names in install is the user's from then on, also when it was already
 * installed as a dependency (then autoremove leaves it alone).
 */
#include <errno.h>
#include <stdlib.h>

#include "ops/ops_int.h"

static int reason_cb(void *arg, const struct alu_instpkg *p)
{
	*(int *)arg = p->reason;
	return 0;
}

int alu_ops_mark_user(struct alu_ops *o, struct alu_err *e)
{
	struct alu_state_txn *t = NULL;
	uint64_t *keys = NULL;
	size_t n = 0;
	int rc;

	if (!o->solve)
		return 0;
	rc = alu_solve_named_installed(o->solve, &keys, &n);
	if (rc)
		return alu_err_set(e, rc, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		int reason = -1, gone = 0;
		/* a package the plan replaced or erased has a new record (or none) */
		for (size_t k = 0; k < o->plan.n; k++)
			gone |= o->plan.ops[k].old_key == keys[i] ||
				(o->plan.ops[k].type == ALU_OP_ERASE && o->plan.ops[k].key == keys[i]);
		if (gone || alu_state_get(o->state, keys[i], reason_cb, &reason) < 0 ||
		    reason != ALU_REASON_DEP)
			continue;
		if (!t)
			rc = alu_state_txn_begin(o->state, &t, e);
		if (!rc)
			rc = alu_state_set_reason(t, keys[i], ALU_REASON_USER, e);
	}
	free(keys);
	if (t && !rc)
		return alu_state_txn_commit(t, e);
	if (t)
		alu_state_txn_abort(t);
	return rc;
}
