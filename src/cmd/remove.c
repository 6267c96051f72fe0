/* SPDX-License-Identifier: MIT */
/*
 * `alupdate remove NAME...` (alias erase): erase installed packages. A
 * package still required by another installed package that is not removed
 * too is refused, naming who needs it (the solver, when present, may offer
 * to remove dependents; without it we only check).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/txnrun.h"
#include "rpm/rpm.h"
#include "util/out.h"

#define MAXRM 1024

struct sel {
	const char *glob;
	uint64_t ids[MAXRM];
	struct alu_cmd_row rows[MAXRM];
	size_t n;
};

static int pick(void *arg, const struct alu_instpkg *p)
{
	struct sel *s = arg;
	char na[512], nvr[512];

	snprintf(na, sizeof(na), "%s.%s", p->name, p->arch);
	snprintf(nvr, sizeof(nvr), "%s-%s-%s", p->name, p->version, p->release);
	if (fnmatch(s->glob, p->name, 0) && fnmatch(s->glob, na, 0) && fnmatch(s->glob, nvr, 0))
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == p->id)
			return 0;
	if (s->n == MAXRM)
		return -E2BIG;
	struct alu_cmd_row *w = &s->rows[s->n];
	w->section = "Removing";
	snprintf(w->name, sizeof(w->name), "%s", p->name);
	snprintf(w->arch, sizeof(w->arch), "%s", p->arch);
	if (p->epoch)
		snprintf(w->evr, sizeof(w->evr), "%u:%s-%s", p->epoch, p->version, p->release);
	else
		snprintf(w->evr, sizeof(w->evr), "%s-%s", p->version, p->release);
	snprintf(w->from, sizeof(w->from), "@%s", p->repo[0] ? p->repo : "installed");
	w->size = p->size;
	s->ids[s->n++] = p->id;
	return 0;
}

struct needs {
	struct alu_state *s;
	const struct sel *sel;
	char msg[1024];
};

static int removed(const struct sel *sel, uint64_t id)
{
	for (size_t i = 0; i < sel->n; i++)
		if (sel->ids[i] == id)
			return 1;
	return 0;
}

struct prov { const struct sel *sel; int kept, gone; };

static int prov_cb(void *arg, uint64_t id)
{
	struct prov *p = arg;
	if (removed(p->sel, id))
		p->gone = 1;
	else
		p->kept = 1;
	return 0;
}

/* Does capability or file @p name stay provided once the selection is gone?
 * *was says whether the selection provided it at all. */
static int still_provided(struct alu_state *s, const struct sel *sel, const char *name, int *was)
{
	struct prov p = { sel, 0, 0 };

	if (name[0] == '/')
		alu_state_file_owners(s, name, prov_cb, &p);
	alu_state_what_provides(s, name, prov_cb, &p);
	*was = p.gone;
	return p.kept;
}

static int check_cb(void *arg, const struct alu_instpkg *p)
{
	struct needs *nd = arg;
	struct alu_hdr *h;
	struct alu_dep *d = NULL;
	size_t n = 0;
	int stop = 0;

	if (removed(nd->sel, p->id) || alu_state_header(nd->s, p->id, &h, NULL))
		return 0;
	alu_hdr_deps(h, ALU_REQUIRES, &d, &n);
	for (size_t i = 0; i < n && !stop; i++) {
		int was = 0;
		if ((d[i].flags & ALU_DEP_RPMLIB) || d[i].name[0] == '(' || !strncmp(d[i].name, "rpmlib(", 7))
			continue;
		if (!still_provided(nd->s, nd->sel, d[i].name, &was) && was) {
			char nevra[256];
			alu_hdr_nevra(h, nevra, sizeof(nevra));
			snprintf(nd->msg, sizeof(nd->msg), "%s is needed by %s (installed), which is not "
				 "being removed; remove both or neither", d[i].name, nevra);
			stop = 1;
		}
	}
	free(d);
	alu_hdr_free(h);
	return stop;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct sel *sel = calloc(1, sizeof(*sel));
	struct alu_txn_op *ops = NULL;
	struct alu_state *s = NULL;
	struct needs nd = { 0 };
	int lockfd = -1, rc = 1;

	(void)priv;
	if (!sel) {
		alu_error("out of memory");
		return 1;
	}
	if (alu_cmd_txn_open(ctx, &lockfd, &s))
		goto out;
	for (int i = 0; i < argc; i++) {
		size_t before = sel->n;
		sel->glob = argv[i];
		if (alu_state_foreach(s, pick, sel) == -E2BIG) {
			alu_error("too many packages to remove at once");
			goto out;
		}
		if (sel->n == before)
			alu_msg("No match for argument: %s", argv[i]);
	}
	if (!sel->n) {
		alu_error("No packages marked for removal.");
		goto out;
	}
	nd.s = s;
	nd.sel = sel;
	if (alu_state_foreach(s, check_cb, &nd)) {
		alu_error("%s", nd.msg);
		goto out;
	}
	ops = calloc(sel->n, sizeof(*ops));
	if (!ops) {
		alu_error("out of memory");
		goto out;
	}
	for (size_t i = 0; i < sel->n; i++)
		ops[i] = (struct alu_txn_op){ .kind = ALU_TXN_ERASE, .old_ids = &sel->ids[i], .nold = 1 };
	struct alu_txn_plan plan = { ops, sel->n };
	rc = alu_cmd_txn_apply(ctx, s, &plan, sel->rows, sel->n);
out:
	if (lockfd >= 0)
		alu_cmd_txn_close(lockfd, s);
	free(ops);
	free(sel);
	return rc;
}

static const char *const aliases[] = { "erase", NULL };

const struct alu_cmd alu_cmd_remove = {
	.name = "remove",
	.aliases = aliases,
	.summary = "remove installed packages",
	.usage = "NAME...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
