/* SPDX-License-Identifier: MIT */
/* Solving, installonly pruning, protection, and the ordered plan. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve_int.h"
#include <solv/evr.h>
#include <solv/problems.h>
#include <solv/solver.h>
#include <solv/transaction.h>


static int problems(struct alu_solve *s, Solver *solv, const Queue *locked, struct alu_err *e)
{
	char buf[sizeof(e->msg)];
	size_t off = 0;
	int n = solver_problem_count(solv);

	buf[0] = 0;
	for (Id pr = 1; pr <= n; pr++) {
		const char *txt = solver_problem2str(solv, pr);
		size_t tl = strlen(txt);
		/* libsolv calls hidden packages "disabled": say why they are */
		int hidden = tl > 12 && !strcmp(txt + tl - 12, " is disabled");
		off += (size_t)snprintf(buf + off, off < sizeof(buf) ? sizeof(buf) - off : 0,
				       "%s  Problem %d: %.*s%s", pr > 1 ? "\n" : "", pr,
				       (int)(hidden ? tl - 12 : tl), txt,
				       hidden ? " is excluded (exclude=, versionlock, or a repository of better"
				       " priority carries that name)" : "");
		/* an excluded installed package stays: say that is why */
		for (int k = 0; locked && k < locked->count && off < sizeof(buf); k++) {
			const char *nv = pool_solvid2str(s->pool, locked->elements[k]);
			if (strstr(txt, nv))
				off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"; %s is excluded (--exclude or exclude=), so it is not removed", nv);
		}
		if (off >= sizeof(buf))
			break;
	}
	(void)s;
	return alu_err_set(e, -ALUE_DEPSOLVE, "%s", buf);
}

/* Installed + incoming versions of each installonly name beyond the limit:
 * erase the oldest installed ones, never the running kernel. */
static int prune_installonly(struct alu_solve *s, Solver *solv, Queue *extra_jobs)
{
	Pool *pool = s->pool;
	int added = 0;

	if (s->o.installonly_limit < 2)
		return 0;
	for (int k = 0; k < s->multiversion_names.count; k++) {
		Id name = s->multiversion_names.elements[k];
		Queue keep;
		Id p;
		Solvable *sv;

		queue_init(&keep);
		FOR_POOL_SOLVABLES(p) {
			sv = pool_id2solvable(pool, p);
			if (sv->name == name && solver_get_decisionlevel(solv, p) > 0)
				queue_push(&keep, p);
		}
		while (keep.count > s->o.installonly_limit) {
			/* the oldest installed, not running, not already erased */
			Id victim = 0;
			for (int i = 0; i < keep.count; i++) {
				Solvable *c = pool_id2solvable(pool, keep.elements[i]);
				if (c->repo != s->installed)
					continue;
				if (s->o.running_kernel && alu_solve_nevra_match(pool, keep.elements[i], s->o.running_kernel))
					continue;
				if (!victim || pool_evrcmp(pool, c->evr, pool_id2solvable(pool, victim)->evr,
							   EVRCMP_COMPARE) < 0)
					victim = keep.elements[i];
			}
			if (!victim)
				break;
			queue_push2(extra_jobs, SOLVER_ERASE | SOLVER_SOLVABLE, victim);
			for (int i = 0; i < keep.count; i++)
				if (keep.elements[i] == victim) {
					queue_delete(&keep, i);
					break;
				}
			added++;
		}
		queue_free(&keep);
	}
	return added;
}

static int in_strv(const struct alu_strv *v, const char *name)
{
	for (size_t k = 0; v && k < v->n; k++)
		if (!strcmp(v->v[k], name))
			return 1;
	return 0;
}

/*
 * dnf's protected_packages: no transaction erases one (a removal, the
 * dependents of one, an autoremove, a conflict with allowed uninstall).
 * The package of the running alupdate is not replaced by another name
 * either (an obsoletes): the tool would remove itself.
 */
static int protected_erase(struct alu_solve *s, Transaction *trans, struct alu_err *e)
{
	Pool *pool = s->pool;

	for (int i = 0; i < trans->steps.count; i++) {
		Id p = trans->steps.elements[i];
		Solvable *sv = pool_id2solvable(pool, p);
		const char *name = pool_id2str(pool, sv->name);
		int self, type;
		if (sv->repo != s->installed)
			continue;
		type = transaction_type(trans, p, SOLVER_TRANSACTION_SHOW_OBSOLETES);
		self = in_strv(s->o.protect_self, name);
		if (self && type == SOLVER_TRANSACTION_OBSOLETED) {
			Id by = transaction_obs_pkg(trans, p);
			if (by && pool_id2solvable(pool, by)->name != sv->name)
				return alu_err_set(e, -ALUE_DEPSOLVE,
					"The operation would replace %s, alupdate's own package, "
					"by %s (it obsoletes %s): alupdate never removes itself",
					pool_solvid2str(pool, p), pool_solvid2str(pool, by), name);
		}
		if (transaction_type(trans, p, SOLVER_TRANSACTION_SHOW_ACTIVE) != SOLVER_TRANSACTION_ERASE)
			continue;
		if (s->o.running_kernel && alu_solve_nevra_match(pool, p, s->o.running_kernel))
			return alu_err_set(e, -ALUE_DEPSOLVE,
				"The operation would remove the running kernel %s", pool_solvid2str(pool, p));
		if (self)
			return alu_err_set(e, -ALUE_DEPSOLVE,
				"The operation would remove %s, alupdate's own package: "
				"alupdate never removes itself", pool_solvid2str(pool, p));
		if (in_strv(s->o.protect, name))
			return alu_err_set(e, -ALUE_DEPSOLVE,
				"The operation would remove the protected package %s (protected_packages)",
				pool_solvid2str(pool, p));
	}
	return 0;
}

static char *xstrdup(const char *s) { return s ? strdup(s) : NULL; }

static int push_op(struct alu_solve *s, Solver *solv, struct alu_plan *plan, enum alu_op_type t,
		   Id p, Id old)
{
	Pool *pool = s->pool;
	Solvable *sv = pool_id2solvable(pool, p);
	struct alu_plan_op *op, *ops = realloc(plan->ops, (plan->n + 1) * sizeof(*ops));
	Id info;

	if (!ops)
		return -ENOMEM;
	plan->ops = ops;
	op = &ops[plan->n++];
	memset(op, 0, sizeof(*op));
	op->type = t;
	op->nevra = xstrdup(pool_solvid2str(pool, p));
	op->name = xstrdup(pool_id2str(pool, sv->name));
	op->evr = xstrdup(pool_id2str(pool, sv->evr));
	op->arch = xstrdup(pool_id2str(pool, sv->arch));
	op->repo = xstrdup(sv->repo->name);
	if ((size_t)p < s->nextra) {
		op->key = s->extra[p].key;
		op->size = s->extra[p].size;
		op->dlsize = s->extra[p].dlsize;
	}
	if (old) {
		op->old_nevra = xstrdup(pool_solvid2str(pool, old));
		op->old_key = (size_t)old < s->nextra ? s->extra[old].key : 0;
	}
	op->named = MAPTST(&s->named, p) != 0;
	if (t != ALU_OP_ERASE)
		op->is_dep = !op->named &&
			solver_describe_decision(solv, p, &info) != SOLVER_REASON_RESOLVE_JOB;
	if (!op->nevra || !op->name || !op->evr || !op->arch || !op->repo)
		return -ENOMEM;
	return 0;
}

static int make_plan(struct alu_solve *s, Solver *solv, Transaction *trans, struct alu_plan *plan)
{
	Pool *pool = s->pool;
	int r = 0;

	transaction_order(trans, 0);
	/* installs and replacements in dependency order, plain erasures last */
	for (int pass = 0; pass < 2 && !r; pass++) {
		for (int i = 0; i < trans->steps.count && !r; i++) {
			Id p = trans->steps.elements[i];
			Id type = transaction_type(trans, p, SOLVER_TRANSACTION_SHOW_ACTIVE |
				SOLVER_TRANSACTION_SHOW_OBSOLETES | SOLVER_TRANSACTION_SHOW_MULTIINSTALL);
			Solvable *sv = pool_id2solvable(pool, p);
			Id old = sv->repo != s->installed ? transaction_obs_pkg(trans, p) : 0;

			if (pass == 1) {
				if (sv->repo == s->installed && type == SOLVER_TRANSACTION_ERASE)
					r = push_op(s, solv, plan, ALU_OP_ERASE, p, 0);
				continue;
			}
			switch (type) {
			case SOLVER_TRANSACTION_INSTALL:
			case SOLVER_TRANSACTION_MULTIINSTALL:
				r = push_op(s, solv, plan, ALU_OP_INSTALL, p, 0);
				break;
			case SOLVER_TRANSACTION_UPGRADE:
				r = push_op(s, solv, plan, ALU_OP_UPGRADE, p, old);
				break;
			case SOLVER_TRANSACTION_DOWNGRADE:
				r = push_op(s, solv, plan, ALU_OP_DOWNGRADE, p, old);
				break;
			case SOLVER_TRANSACTION_REINSTALL:
			case SOLVER_TRANSACTION_MULTIREINSTALL:
				r = push_op(s, solv, plan, ALU_OP_REINSTALL, p, old);
				break;
			case SOLVER_TRANSACTION_OBSOLETES:
			case SOLVER_TRANSACTION_CHANGE:
				r = push_op(s, solv, plan, old && pool_id2solvable(pool, old)->name == sv->name ?
					ALU_OP_UPGRADE : ALU_OP_OBSOLETE, p, old);
				break;
			default:
				break;
			}
		}
	}
	return r;
}

/* --skip-broken, as dnf does it: requests become weak jobs, which libsolv
 * drops when they cannot be met. */
static int weak_kind(Id how)
{
	Id j = how & SOLVER_JOBMASK;

	return (j == SOLVER_INSTALL || j == SOLVER_UPDATE || j == SOLVER_DISTUPGRADE) &&
	       (how & SOLVER_SELECTMASK) != SOLVER_SOLVABLE_ALL;
}

static void weaken(struct alu_solve *s, Queue *jobs)
{
	(void)s;
	for (int i = 0; i + 1 < jobs->count; i += 2)
		if (weak_kind(jobs->elements[i]))
			jobs->elements[i] |= SOLVER_WEAK;
}

/* A weak install job none of whose candidates ends up installed was dropped. */
static int note_skipped(struct alu_solve *s, Solver *solv, Queue *jobs)
{
	Pool *pool = s->pool;
	Queue q;
	int rc = 0;

	queue_init(&q);
	for (int i = 0; !rc && i + 1 < jobs->count; i += 2) {
		Id how = jobs->elements[i], what = jobs->elements[i + 1];
		int met = 0;
		if (!(how & SOLVER_WEAK) || (how & SOLVER_JOBMASK) != SOLVER_INSTALL)
			continue;
		queue_empty(&q);
		pool_job2solvables(pool, &q, how, what);
		for (int k = 0; k < q.count; k++)
			met |= solver_get_decisionlevel(solv, q.elements[k]) > 0;
		if (!met && s->o.skipped &&
		    alu_strv_push(s->o.skipped, solver_select2str(pool, how & SOLVER_SELECTMASK, what)))
			rc = -ENOMEM;
	}
	queue_free(&q);
	return rc;
}

int alu_solve_run(struct alu_solve *s, struct alu_plan *plan, struct alu_err *e)
{
	Solver *solv = NULL;
	Transaction *trans = NULL;
	Queue jobs, victims, locked;
	int r;

	memset(plan, 0, sizeof(*plan));
	r = alu_solve_fill(s, NULL, 0, e);
	if (r)
		return r;
	if (!s->ready)
		alu_solve_ready(s);
	queue_init_clone(&jobs, &s->jobs);
	queue_init(&victims);
	queue_init(&locked);
	for (int i = 0; s->o.best && i + 1 < jobs.count; i += 2) {
		Id how = jobs.elements[i] & SOLVER_JOBMASK;
		if (how == SOLVER_INSTALL || how == SOLVER_UPDATE || how == SOLVER_DISTUPGRADE)
			jobs.elements[i] |= SOLVER_FORCEBEST;
	}
	/* yum applies --exclude to remove too: an excluded installed package
	 * stays, and a removal that needs it to go fails on the lock */
	if (s->has_erase && s->o.excludes && s->o.excludes->n) {
		Solvable *is;
		Id ip;
		FOR_REPO_SOLVABLES(s->installed, ip, is)
			for (size_t i = 0; i < s->o.excludes->n; i++)
				if (alu_solve_nevra_match(s->pool, ip, s->o.excludes->v[i])) {
					queue_push2(&jobs, SOLVER_LOCK | SOLVER_SOLVABLE, ip);
					queue_push(&locked, ip);
					break;
				}
	}
	solv = solver_create(s->pool);
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_VENDORCHANGE, 1);
	solver_set_flag(solv, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
	/* dnf's install_weak_deps: recommended packages of what comes in */
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, s->o.no_weak_deps);
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_DOWNGRADE, s->o.allow_downgrade || s->has_downgrade);
	/* yum's remove takes the packages that need the removed one with it */
	solver_set_flag(solv, SOLVER_FLAG_ALLOW_UNINSTALL, s->has_erase);
	if (s->o.skip_broken)
		weaken(s, &jobs);
	if (solver_solve(solv, &jobs)) {
		r = problems(s, solv, &locked, e);
		goto out;
	}
	if (s->o.skip_broken && (r = note_skipped(s, solv, &jobs)))
		goto out;
	trans = solver_create_transaction(solv);
	r = protected_erase(s, trans, e);
	if (!r)
		r = make_plan(s, solv, trans, plan);
	/* As yum does, installonly pruning is added after solving: old kernels
	 * are leaves nothing requires by version. */
	if (!r)
		prune_installonly(s, solv, &victims);
	for (int i = 0; !r && i + 1 < victims.count; i += 2)
		r = push_op(s, solv, plan, ALU_OP_ERASE, victims.elements[i + 1], 0);
	if (r && r != -ALUE_DEPSOLVE)
		alu_plan_free(plan);
out:
	if (trans)
		transaction_free(trans);
	if (solv)
		solver_free(solv);
	queue_free(&jobs);
	queue_free(&victims);
	queue_free(&locked);
	return r;
}

void alu_plan_free(struct alu_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct alu_plan_op *op = &plan->ops[i];
		free(op->nevra);
		free(op->name);
		free(op->evr);
		free(op->arch);
		free(op->repo);
		free(op->old_nevra);
	}
	free(plan->ops);
	memset(plan, 0, sizeof(*plan));
}

const char *alu_op_heading(enum alu_op_type t)
{
	switch (t) {
	case ALU_OP_INSTALL: return "Installing";
	case ALU_OP_UPGRADE: return "Updating";
	case ALU_OP_DOWNGRADE: return "Downgrading";
	case ALU_OP_REINSTALL: return "Reinstalling";
	case ALU_OP_ERASE: return "Removing";
	case ALU_OP_OBSOLETE: return "Installing (replacing)";
	}
	return "";
}
