/* SPDX-License-Identifier: MIT */
/*
 * autoremove: packages installed as dependencies (reason dep) that no kept
 * package needs any more. A mark phase from every package installed for
 * another reason (user, adopted, unknown) over Requires, resolved through
 * the state's provide and file indexes; unversioned on purpose: a
 * requirement any installed package could satisfy keeps all of them, so the
 * result can only be too cautious, never remove something needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/net.h"
#include "ops/ops_int.h"

struct node { uint64_t id; int reason; int marked; char nevra[512]; };

struct graph {
	struct node *v;
	size_t n, cap;
	size_t *queue;
	size_t nq;
};

static int collect(void *arg, const struct alu_instpkg *p)
{
	struct graph *g = arg;
	struct node *x;

	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 256;
		struct node *v = realloc(g->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		g->v = v;
		g->cap = cap;
	}
	x = &g->v[g->n++];
	x->id = p->id;
	x->reason = p->reason;
	x->marked = 0;
	alu_nevra_fmt(x->nevra, sizeof(x->nevra), p->name, p->epoch, p->version, p->release, p->arch);
	return 0;
}

static void mark(struct graph *g, size_t i)
{
	if (g->v[i].marked)
		return;
	g->v[i].marked = 1;
	g->queue[g->nq++] = i;
}

static int provider_cb(void *arg, uint64_t id)
{
	struct graph *g = arg;

	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].id == id)
			mark(g, i);
	return 0;
}

static int visit(struct alu_ops *o, struct graph *g, size_t i, struct alu_err *e)
{
	struct alu_hdr *h = NULL;
	struct alu_dep *deps = NULL;
	size_t nd = 0;
	int rc = alu_state_header(o->state, g->v[i].id, &h, e);

	if (!rc)
		rc = alu_hdr_deps(h, ALU_REQUIRES, &deps, &nd);
	for (size_t k = 0; !rc && k < nd; k++) {
		const char *r = deps[k].name;
		if (deps[k].flags & ALU_DEP_RPMLIB || !strncmp(r, "rpmlib(", 7))
			continue;
		rc = *r == '/' ? alu_state_file_owners(o->state, r, provider_cb, g) :
			alu_state_what_provides(o->state, r, provider_cb, g);
	}
	free(deps);
	alu_hdr_free(h);
	if (rc && !e->code)
		alu_err_set(e, rc, "%s: reading its requirements: %s", g->v[i].nevra, alu_strerror(rc));
	return rc;
}

int alu_ops_autoremove_want(struct alu_ops *o, char **specs, int n, struct alu_err *e)
{
	struct graph g = { 0 };
	int rc = alu_state_foreach(o->state, collect, &g);

	if (rc)
		return alu_err_set(e, rc, "reading installed packages: %s", alu_strerror(rc));
	g.queue = calloc(g.n + 1, sizeof(*g.queue));
	if (!g.queue)
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < g.n; i++) {
		int named = 0;
		for (int k = 0; k < n; k++)
			named |= !strcmp(specs[k], g.v[i].nevra);
		if (g.v[i].reason != ALU_REASON_DEP && !named)
			mark(&g, i);
		else if (named)
			g.v[i].reason = ALU_REASON_DEP;
	}
	for (size_t q = 0; !rc && q < g.nq; q++)
		rc = visit(o, &g, g.queue[q], e);
	for (size_t i = 0; !rc && i < g.n; i++)
		if (!g.v[i].marked)
			rc = alu_solve_want(o->solve, ALU_WANT_REMOVE, g.v[i].nevra, 0, e);
	for (int k = 0; !rc && k < n; k++)
		rc = alu_solve_want(o->solve, ALU_WANT_REMOVE, specs[k], 0, e);
	free(g.queue);
	free(g.v);
	return rc;
}
