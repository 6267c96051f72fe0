/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/json.h"
#include "cmd/uirows.h"
#include "db/cache.h"
#include "db/state.h"
#include "repo/repo.h"

struct walk {
	struct uirows *u;
	struct alu_cache *c;
	struct alu_state *s;
	const struct alu_filter *f;
	const char *mode;
	char **specs;
	int nspecs;
	const struct alu_advpkg *k;
	int found;
};

/* "updates" mode: does a selected repository carry the fix (or newer)? */
static int carried_cb(void *ud, const struct alu_cpkg *p)
{
	struct walk *w = ud;
	struct alu_evr pe = { p->r.epoch, p->r.version, p->r.release };
	struct alu_evr fe = { w->k->epoch, w->k->version, w->k->release };

	if (alu_arch_compat(p->r.arch, w->k->arch) && alu_evr_cmp(&pe, &fe) >= 0)
		w->found = 1;
	return 0;
}

static int spec_ok(const struct walk *w, const struct alu_advrec *a, const struct alu_advpkg *k)
{
	if (!w->nspecs)
		return 1;
	for (int i = 0; i < w->nspecs; i++)
		if (!fnmatch(w->specs[i], a->id, 0) ||
		    alu_pkg_spec_match(w->specs[i], k->name, k->epoch, k->version, k->release, k->arch))
			return 1;
	return 0;
}

static int dup_row(const struct uirows *u, const char *id, const char *nevra)
{
	for (size_t i = u->n; i-- > 0;) {
		if (strcmp(u->v[i].id, id))
			return 0;   /* rows of one advisory are adjacent */
		if (!strcmp(u->v[i].nevra, nevra))
			return 1;
	}
	return 0;
}

static int add_row(struct walk *w, const struct alu_advrec *a, const struct alu_advpkg *k, int status)
{
	struct uirows *u = w->u;
	struct uirow *r;
	char nevra[1024], label[128];

	alu_nevra_fmt(nevra, sizeof(nevra), k->name, k->epoch, k->version, k->release, k->arch);
	if (dup_row(u, a->id, nevra))
		return 0;
	if (u->n == u->cap) {
		size_t nc = u->cap ? u->cap * 2 : 64;
		struct uirow *nv = realloc(u->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		u->v = nv;
		u->cap = nc;
	}
	r = &u->v[u->n++];
	memset(r, 0, sizeof(*r));
	r->id = strdup(a->id);
	r->type = strdup(a->type);
	r->severity = strdup(a->severity);
	r->label = strdup(alu_adv_label(a, label, sizeof(label)));
	r->nevra = strdup(nevra);
	r->title = strdup(a->title);
	r->issued = strdup(a->issued);
	r->updated = strdup(a->updated);
	r->description = strdup(a->description);
	r->adv_status = strdup(a->status);
	r->name = strdup(k->name);
	r->arch = strdup(k->arch);
	r->version = strdup(k->version);
	r->release = strdup(k->release);
	r->epoch = k->epoch;
	r->typebit = alu_adv_type_bit(a->type);
	r->status = status;
	for (size_t i = 0; i < a->nrefs; i++)
		if (!strcasecmp(a->refs[i].type, "cve") && *a->refs[i].id &&
		    !alu_strv_has(&r->cves, a->refs[i].id) && alu_strv_push(&r->cves, a->refs[i].id))
			return -ENOMEM;
	for (size_t i = 0; i < a->nrefs; i++)
		if (!strcasecmp(a->refs[i].type, "bugzilla") && *a->refs[i].id &&
		    !alu_strv_has(&r->bzs, a->refs[i].id) && alu_strv_push(&r->bzs, a->refs[i].id))
			return -ENOMEM;
	if (!r->id || !r->type || !r->severity || !r->label || !r->nevra || !r->title ||
	    !r->issued || !r->updated || !r->description || !r->adv_status || !r->name || !r->arch ||
	    !r->version || !r->release)
		return -ENOMEM;
	return 0;
}

static int adv_cb(void *ud, const struct alu_cadv *ca)
{
	struct walk *w = ud;
	const struct alu_advrec *a = &ca->r;
	int rc;

	if (!alu_adv_filter_match(w->f, a))
		return 0;
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *k = &a->pkgs[i];
		int st, want;

		if (!spec_ok(w, a, k))
			continue;
		st = alu_adv_pkg_status(w->s, k);
		if (st < 0)
			return st;
		if (!strcmp(w->mode, "installed"))
			want = st == ALU_ADVST_INSTALLED;
		else if (!strcmp(w->mode, "all"))
			want = st != ALU_ADVST_NONE;
		else
			want = st == ALU_ADVST_NEEDED;
		if (want && !strcmp(w->mode, "updates")) {
			w->k = k;
			w->found = 0;
			rc = alu_cache_by_name(w->c, k->name, carried_cb, w, NULL);
			if (rc)
				return rc;
			want = w->found;
		}
		if (want && (rc = add_row(w, a, k, st)))
			return rc;
	}
	return 0;
}

int uirows_collect(struct uirows *u, struct alu_cache *c, struct alu_state *s,
		   const struct alu_filter *f, const char *mode, char **specs, int nspecs,
		   struct alu_err *e)
{
	struct walk w = { u, c, s, f, mode, specs, nspecs, NULL, 0 };
	int rc;

	u->all = !strcmp(mode, "all");
	rc = alu_cache_foreach_adv(c, adv_cb, &w, e);
	if (rc == -ENOMEM)
		return alu_err_set(e, rc, "out of memory");
	if (rc && !e->code)
		alu_err_set(e, rc, "reading advisories: %s", alu_strerror(rc));
	return rc;
}

void uirows_free(struct uirows *u)
{
	for (size_t i = 0; i < u->n; i++) {
		struct uirow *r = &u->v[i];
		free(r->id); free(r->type); free(r->severity); free(r->label); free(r->nevra);
		free(r->title); free(r->issued); free(r->updated); free(r->description);
		free(r->adv_status); free(r->name); free(r->arch); free(r->version); free(r->release);
		alu_strv_free(&r->cves);
		alu_strv_free(&r->bzs);
	}
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static int by_pkg(const void *pa, const void *pb)
{
	const struct uirow *a = pa, *b = pb;
	struct alu_evr ea = { a->epoch, a->version, a->release };
	struct alu_evr eb = { b->epoch, b->version, b->release };
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->arch, b->arch);
	if (!c)
		c = alu_evr_cmp(&ea, &eb);
	return c ? c : strcmp(a->id, b->id);
}

void uirows_sort_by_pkg(struct uirows *u)
{
	if (u->n > 1)
		qsort(u->v, u->n, sizeof(*u->v), by_pkg);
}
