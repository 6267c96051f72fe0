/* SPDX-License-Identifier: MIT */
/* From a user's request to libsolv jobs. */
#include <string.h>

#include "solve/solve_int.h"
#include <solv/bitmap.h>
#include <solv/evr.h>
#include <solv/selection.h>
#include <solv/solver.h>


/* What yum accepts as a package spec: name, glob, name.arch, name-version,
 * name-version-release(.arch), a capability, a path. */
#define SPEC_FLAGS (SELECTION_NAME | SELECTION_PROVIDES | SELECTION_GLOB | \
	SELECTION_DOTARCH | SELECTION_CANON | SELECTION_REL | SELECTION_FILELIST)

static int select_spec(struct alu_solve *s, const char *spec, int extra, Queue *sel)
{
	selection_make(s->pool, sel, spec, SPEC_FLAGS | extra);
	/* A name match hides capability matches (yum: "install foo" is the package foo). */
	return sel->count;
}

/* Excluded or version-locked packages do not count as "available". */
static int visible(struct alu_solve *s, Queue *sel)
{
	Queue q;
	int n = 0;

	if (!s->pool->considered)
		return 1;
	queue_init(&q);
	selection_solvables(s->pool, sel, &q);
	for (int i = 0; i < q.count; i++)
		n += MAPTST(s->pool->considered, q.elements[i]) != 0;
	queue_free(&q);
	return n > 0;
}

static Id find_key(struct alu_solve *s, uint64_t key)
{
	Pool *pool = s->pool;
	Id p;
	Solvable *sv;

	FOR_POOL_SOLVABLES(p) {
		sv = pool_id2solvable(s->pool, p);
		if (sv->repo != s->installed && (size_t)p < s->nextra && s->extra[p].key == key)
			return p;
	}
	return 0;
}

int alu_solve_want(struct alu_solve *s, enum alu_want w, const char *spec, uint64_t spec_key,
		   struct alu_err *e)
{
	Queue sel;
	Id how = 0, p;
	int extra = 0;

	if (!s->ready)
		alu_solve_ready(s);
	switch (w) {
	case ALU_WANT_UPDATE_ALL:
		queue_push2(&s->jobs, SOLVER_UPDATE | SOLVER_SOLVABLE_ALL, 0);
		return 0;
	case ALU_WANT_DISTSYNC:
		if (!spec) {
			queue_push2(&s->jobs, SOLVER_DISTUPGRADE | SOLVER_SOLVABLE_ALL, 0);
			return 0;
		}
		how = SOLVER_DISTUPGRADE;
		extra = SELECTION_INSTALLED_ONLY;
		break;
	case ALU_WANT_AUTOREMOVE:
		if (!spec) {
			queue_push2(&s->jobs, SOLVER_ERASE | SOLVER_CLEANDEPS | SOLVER_SOLVABLE_ALL, 0);
			/* only packages installed as dependencies are candidates: the
			 * caller marks user-installed ones with SOLVER_USERINSTALLED */
			return 0;
		}
		how = SOLVER_ERASE | SOLVER_CLEANDEPS;
		extra = SELECTION_INSTALLED_ONLY;
		break;
	case ALU_WANT_EXACT:
		p = find_key(s, spec_key);
		if (!p)
			return alu_err_set(e, -ALUE_NOTFOUND, "No package with key %llu available.",
					   (unsigned long long)spec_key);
		queue_push2(&s->jobs, SOLVER_INSTALL | SOLVER_SOLVABLE, p);
		return 0;
	case ALU_WANT_INSTALL:
		how = SOLVER_INSTALL;
		break;
	case ALU_WANT_UPDATE:
		how = SOLVER_UPDATE;
		extra = SELECTION_INSTALLED_ONLY;
		break;
	case ALU_WANT_REMOVE:
		how = SOLVER_ERASE | (s->o.clean_deps ? SOLVER_CLEANDEPS : 0);
		extra = SELECTION_INSTALLED_ONLY;
		break;
	case ALU_WANT_REINSTALL:
	case ALU_WANT_DOWNGRADE:
		how = SOLVER_INSTALL;
		break;
	}
	queue_init(&sel);
	s->has_erase |= w == ALU_WANT_REMOVE || w == ALU_WANT_AUTOREMOVE;
	if (!select_spec(s, spec, extra, &sel) || !visible(s, &sel)) {
		queue_free(&sel);
		if (w == ALU_WANT_REMOVE || w == ALU_WANT_UPDATE || w == ALU_WANT_AUTOREMOVE)
			return alu_err_set(e, -ALUE_NOTFOUND, "No match for argument: %s", spec);
		return alu_err_set(e, -ALUE_NOTFOUND, "No package %s available.", spec);
	}
	if (w == ALU_WANT_REINSTALL || w == ALU_WANT_DOWNGRADE) {
		/* Reinstall: the same EVR as installed; downgrade: the best older one. */
		Queue q, cand;
		queue_init(&q);
		queue_init(&cand);
		selection_solvables(s->pool, &sel, &q);
		for (int i = 0; i < q.count; i++) {
			Solvable *sv = pool_id2solvable(s->pool, q.elements[i]);
			Solvable *is;
			Id ip;
			if (sv->repo == s->installed)
				continue;
			FOR_REPO_SOLVABLES(s->installed, ip, is) {
				int c;
				if (is->name != sv->name || is->arch != sv->arch)
					continue;
				c = pool_evrcmp(s->pool, sv->evr, is->evr, EVRCMP_COMPARE);
				if (w == ALU_WANT_REINSTALL && c == 0)
					queue_pushunique(&cand, q.elements[i]);
				/* downgrade: only the newest of the older versions */
				if (w == ALU_WANT_DOWNGRADE && c < 0) {
					if (cand.count && pool_evrcmp(s->pool, sv->evr,
						pool_id2solvable(s->pool, cand.elements[0])->evr, EVRCMP_COMPARE) <= 0)
						continue;
					queue_empty(&cand);
					queue_push(&cand, q.elements[i]);
				}
			}
		}
		queue_free(&q);
		queue_free(&sel);
		if (!cand.count) {
			queue_free(&cand);
			return alu_err_set(e, -ALUE_NOTFOUND, w == ALU_WANT_REINSTALL ?
				"Installed package %s not available for reinstall." :
				"Package %s of lowest version already installed, cannot downgrade it.", spec);
		}
		s->has_downgrade |= w == ALU_WANT_DOWNGRADE;
		queue_push2(&s->jobs, SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF,
			    pool_queuetowhatprovides(s->pool, &cand));
		queue_free(&cand);
		return 0;
	}
	for (int i = 0; i < sel.count; i += 2)
		queue_push2(&s->jobs, sel.elements[i] | how, sel.elements[i + 1]);
	if (w == ALU_WANT_INSTALL) {
		/* yum: "Package matching X already installed. Checking for update." */
		queue_empty(&sel);
		select_spec(s, spec, SELECTION_INSTALLED_ONLY, &sel);
		for (int i = 0; i < sel.count; i += 2)
			queue_push2(&s->jobs, sel.elements[i] | SOLVER_UPDATE, sel.elements[i + 1]);
	}
	queue_free(&sel);
	return 0;
}
