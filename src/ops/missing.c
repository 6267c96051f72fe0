/* SPDX-License-Identifier: MIT */
/*
 * Named requests and the names that match nothing, as AL2's yum 3.4.3
 * treats them (cli.py installPkgs/updatePkgs/erasePkgs): install skips a
 * missing name when skip_missing_names_on_install is on (the default) and
 * fails "Nothing to do" only when no name matched at all; remove says
 * "No Match for argument" and goes on; update does the same unless
 * skip_missing_names_on_update is off.
 */
#include <errno.h>
#include <stdio.h>

#include "ops/ops_int.h"

static int note(struct alu_ops *o, const struct alu_err *e)
{
	return alu_strv_push(&o->missing, e->msg) ? -ENOMEM : 0;
}

int alu_ops_want_named(struct alu_ops *o, enum alu_ops_kind k, enum alu_want w, char **specs,
		       int n, struct alu_err *e)
{
	const struct alu_conf *c = &o->repos.conf;
	int matched = 0, rc;

	int files = k == ALU_OPS_INSTALL || k == ALU_OPS_UPDATE;

	if (files && (rc = alu_ops_want_local(o, specs, n, k == ALU_OPS_UPDATE, &matched, e)))
		return rc;
	for (int i = 0; i < n; i++) {
		struct alu_err me = { 0 };

		if (files && alu_ops_is_file_spec(specs[i]))
			continue;
		rc = alu_solve_want(o->solve, w, specs[i], 0, &me);

		if (!rc) {
			matched++;
			continue;
		}
		if (rc != -ALUE_NOTFOUND) {
			*e = me;
			return rc;
		}
		if (k == ALU_OPS_INSTALL && !c->skip_missing_names_on_install)
			return alu_err_set(e, rc, "%s\nNot tolerating missing names on install, stopping.",
					   me.msg);
		if (k == ALU_OPS_UPDATE && !c->skip_missing_names_on_update)
			return alu_err_set(e, rc, "%s\nNot tolerating missing names on update, stopping.",
					   me.msg);
		if (k != ALU_OPS_INSTALL && k != ALU_OPS_UPDATE && k != ALU_OPS_REMOVE) {
			*e = me;
			return rc;
		}
		if (note(o, &me))
			return alu_err_set(e, -ENOMEM, "out of memory");
	}
	if (k == ALU_OPS_INSTALL && n && !matched)
		return alu_err_set(e, -ALUE_NOTFOUND, "Nothing to do");
	return 0;
}
