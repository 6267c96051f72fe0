/* SPDX-License-Identifier: MIT */
/*
 * Choosing what `download` fetches (see download.h). The choice is written
 * as plan ops so the transaction's download and signature check do the
 * fetching and checking.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache.h"
#include "ops/download.h"
#include "ops/ops_int.h"
#include "rpm/rpm.h"

int alu_ops_dl_source_repos(struct alu_ctx *ctx, struct alu_err *e)
{
	struct alu_conf c;
	char id[512];
	int rc = alu_conf_load(ctx, &c, e);

	for (size_t i = 0; !rc && i < c.nrepos; i++) {
		const struct alu_repo *r = &c.repos[i];
		size_t l = strlen(r->id);
		if (!r->enabled || (l > 7 && !strcmp(r->id + l - 7, "-source")))
			continue;
		snprintf(id, sizeof(id), "%s-source", r->id);
		if (!alu_conf_repo(&c, id))
			continue;
		snprintf(id, sizeof(id), "+%s-source", r->id);
		if (alu_strv_push(&ctx->repo_ops, id))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	alu_conf_free(&c);
	return rc;
}

/* One chosen package, copied out of the cache. */
struct pick {
	uint64_t id;
	char name[256], arch[64], version[128], release[128], repo[256], srpm[512];
	uint32_t epoch;
	uint64_t size;
};

struct sel {
	const char *spec;
	const struct alu_dl_opts *d;
	const char *basearch;
	const char *want_v, *want_r;   /* source lookups: exact version-release */
	struct pick *v;                /* best per name.arch for this spec */
	size_t n;
	int oom;
};

static int arch_ok(const struct sel *s, const char *arch)
{
	const struct alu_strv *al = s->d->archlist;

	if (s->want_v)
		return !strcmp(arch, "src");
	if (al && al->n) {
		for (size_t i = 0; i < al->n; i++)
			if (!strcmp(al->v[i], arch))
				return 1;
		return 0;
	}
	return !strcmp(arch, s->basearch) || !strcmp(arch, "noarch");
}

/* yum's package spec forms, each a glob. */
static int spec_matches(const char *spec, const struct alu_pkgrec *r)
{
	char f[1024];

	if (!fnmatch(spec, r->name, 0))
		return 1;
	snprintf(f, sizeof(f), "%s.%s", r->name, r->arch);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%s", r->name, r->version);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%s-%s", r->name, r->version, r->release);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%s-%s.%s", r->name, r->version, r->release, r->arch);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%u:%s-%s.%s", r->name, r->epoch, r->version, r->release, r->arch);
	return !fnmatch(spec, f, 0);
}

static int copy_cb(void *ud, const struct alu_cpkg *p);

static int pick_cb(void *ud, const struct alu_cpkg *p)
{
	struct sel *s = ud;
	const struct alu_pkgrec *r = &p->r;
	struct alu_evr a = { r->epoch, r->version, r->release };
	struct pick *q = NULL;

	if (!arch_ok(s, r->arch))
		return 0;
	if (s->want_v ? strcmp(r->version, s->want_v) || strcmp(r->release, s->want_r)
		      : !spec_matches(s->spec, r))
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, r->name) && !strcmp(s->v[i].arch, r->arch))
			q = &s->v[i];
	if (q) {
		struct alu_evr b = { q->epoch, q->version, q->release };
		if (alu_evr_cmp(&a, &b) <= 0)
			return 0;
	} else {
		struct pick *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
		if (!nv) {
			s->oom = 1;
			return 1;
		}
		s->v = nv;
		q = &s->v[s->n++];
	}
	memset(q, 0, sizeof(*q));
	return copy_cb(q, p);
}

static int copy_cb(void *ud, const struct alu_cpkg *p)
{
	struct pick *q = ud;
	const struct alu_pkgrec *r = &p->r;

	q->id = p->id;
	q->epoch = r->epoch;
	q->size = r->size_package;
	snprintf(q->name, sizeof(q->name), "%s", r->name);
	snprintf(q->arch, sizeof(q->arch), "%s", r->arch);
	snprintf(q->version, sizeof(q->version), "%s", r->version);
	snprintf(q->release, sizeof(q->release), "%s", r->release);
	snprintf(q->repo, sizeof(q->repo), "%s", p->repoid);
	snprintf(q->srpm, sizeof(q->srpm), "%s", r->sourcerpm ? r->sourcerpm : "");
	return 0;
}

/* A name (or a glob of names) is one index look-up; the other forms
 * (name-version..., name.arch) need a walk, done only when that found none. */
static int find(struct alu_ops *o, struct sel *s, const char *name, struct alu_err *e)
{
	int rc = alu_cache_by_name(o->repos.cache, name, pick_cb, s, e);

	if (!rc && !s->oom && !s->n && !s->want_v && strpbrk(name, "-."))
		rc = alu_cache_foreach_pkg(o->repos.cache, pick_cb, s, e);
	if (s->oom)
		return alu_err_set(e, -ENOMEM, "out of memory");
	return rc;
}

static int plan_add(struct alu_plan *pl, const struct pick *p, int is_dep)
{
	struct alu_plan_op *v = realloc(pl->ops, (pl->n + 1) * sizeof(*v)), *op;
	char evr[300], nevra[700];

	if (!v)
		return -ENOMEM;
	pl->ops = v;
	op = memset(&v[pl->n], 0, sizeof(*op));
	if (p->epoch)
		snprintf(evr, sizeof(evr), "%u:%s-%s", p->epoch, p->version, p->release);
	else
		snprintf(evr, sizeof(evr), "%s-%s", p->version, p->release);
	snprintf(nevra, sizeof(nevra), "%s-%s.%s", p->name, evr, p->arch);
	op->type = ALU_OP_INSTALL;
	op->key = p->id;
	op->size = op->dlsize = p->size;
	op->is_dep = is_dep;
	op->nevra = strdup(nevra);
	op->name = strdup(p->name);
	op->evr = strdup(evr);
	op->arch = strdup(p->arch);
	op->repo = strdup(p->repo);
	pl->n++;
	if (!op->nevra || !op->name || !op->evr || !op->arch || !op->repo)
		return -ENOMEM;
	return 0;
}

static int in_plan(const struct alu_plan *pl, uint64_t key)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->ops[i].key == key)
			return 1;
	return 0;
}

/* The SRPM of binary @p b: "N-V-R.src.rpm" split from the right. */
static int source_of(struct alu_ops *o, const struct alu_dl_opts *d, const struct pick *b,
		     struct pick *out, struct alu_err *e)
{
	char nvr[512], *r, *v;
	size_t l;
	struct sel s = { .d = d, .basearch = o->repos.conf.basearch };
	int rc;

	snprintf(nvr, sizeof(nvr), "%s", b->srpm);
	l = strlen(nvr);
	if (l > 8 && !strcmp(nvr + l - 8, ".src.rpm"))
		nvr[l - 8] = 0;
	else if (l > 10 && !strcmp(nvr + l - 10, ".nosrc.rpm"))
		nvr[l - 10] = 0;
	if (!*nvr || !(r = strrchr(nvr, '-')) || r == nvr)
		return alu_err_set(e, -ALUE_NOTFOUND, "No source rpm defined for %s-%s-%s.%s",
				   b->name, b->version, b->release, b->arch);
	*r++ = 0;
	if (!(v = strrchr(nvr, '-')) || v == nvr)
		return alu_err_set(e, -ALUE_NOTFOUND, "%s-%s-%s.%s: SOURCERPM '%s' is not name-version-release.src.rpm",
				   b->name, b->version, b->release, b->arch, b->srpm);
	*v++ = 0;
	s.want_v = v;
	s.want_r = r;
	rc = find(o, &s, nvr, e);
	if (!rc && !s.n)
		rc = alu_err_set(e, -ALUE_NOTFOUND,
				 "Source package %s-%s-%s not found (SOURCERPM of %s-%s-%s.%s) in the enabled repositories",
				 nvr, v, r, b->name, b->version, b->release, b->arch);
	if (!rc)
		*out = s.v[0];
	free(s.v);
	return rc;
}

struct loc { char location[1024], base[1024]; };

static int loc_cb(void *ud, const struct alu_cpkg *p)
{
	struct loc *l = ud;

	snprintf(l->location, sizeof(l->location), "%s", p->r.location);
	snprintf(l->base, sizeof(l->base), "%s", p->r.location_base ? p->r.location_base : "");
	return 0;
}

int alu_ops_dl_plan(struct alu_ops *o, char **specs, int n, const struct alu_dl_opts *d,
		    struct alu_err *e)
{
	struct alu_plan bin = { 0 }, deps = { 0 };
	int rc = 0;

	for (int i = 0; !rc && i < n; i++) {
		struct sel s = { .spec = specs[i], .d = d, .basearch = o->repos.conf.basearch };
		rc = find(o, &s, specs[i], e);
		if (!rc && !s.n)
			rc = alu_err_set(e, -ALUE_NOTFOUND, "No package %s available.", specs[i]);
		for (size_t j = 0; !rc && j < s.n; j++)
			if (!in_plan(&bin, s.v[j].id) && plan_add(&bin, &s.v[j], 0))
				rc = alu_err_set(e, -ENOMEM, "out of memory");
		free(s.v);
	}
	/* the dependencies the root lacks: what installing them exactly would pull in */
	if (!rc && d->resolve) {
		for (size_t i = 0; !rc && i < bin.n; i++)
			rc = alu_solve_want(o->solve, ALU_WANT_EXACT, NULL, bin.ops[i].key, e);
		if (!rc)
			rc = alu_solve_run(o->solve, &deps, e);
		for (size_t i = 0; !rc && i < deps.n; i++) {
			struct alu_plan_op *op = &deps.ops[i];
			struct alu_plan_op *v;
			if (op->type == ALU_OP_ERASE || in_plan(&bin, op->key))
				continue;
			if (!(v = realloc(bin.ops, (bin.n + 1) * sizeof(*v)))) {
				rc = alu_err_set(e, -ENOMEM, "out of memory");
				break;
			}
			bin.ops = v;
			bin.ops[bin.n] = *op;
			bin.ops[bin.n++].is_dep = 1;
			memset(op, 0, sizeof(*op));
		}
	}
	if (!rc && !d->source) {
		o->plan = bin;
		memset(&bin, 0, sizeof(bin));
	}
	for (size_t i = 0; !rc && d->source && i < bin.n; i++) {
		struct pick b = { 0 }, src;
		rc = alu_cache_pkg_get(o->repos.cache, bin.ops[i].key, copy_cb, &b, e);
		if (rc)
			rc = alu_err_set(e, rc, "%s: not in the metadata cache any more", bin.ops[i].nevra);
		if (!rc)
			rc = source_of(o, d, &b, &src, e);
		/* subpackages share one SRPM */
		if (!rc && !in_plan(&o->plan, src.id) && plan_add(&o->plan, &src, bin.ops[i].is_dep))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	alu_plan_free(&bin);
	alu_plan_free(&deps);
	return rc;
}

int alu_ops_dl_url(struct alu_ops *o, size_t i, char **url, struct alu_err *e)
{
	const struct alu_plan_op *op = &o->plan.ops[i];
	const struct alu_repo *r = alu_conf_repo(&o->repos.conf, op->repo);
	struct alu_mirrors m = { 0 };
	struct loc l = { 0 };
	int rc = alu_cache_pkg_get(o->repos.cache, op->key, loc_cb, &l, e);

	*url = NULL;
	if (rc)
		return alu_err_set(e, rc, "%s: not in the metadata cache any more", op->nevra);
	if (!r)
		return alu_err_set(e, -ALUE_NOTFOUND, "%s: repository %s is not configured",
				   op->nevra, op->repo);
	if (!*l.base && (rc = alu_ops_mirrors(o, r, &m, e)))
		return rc;
	if (alu_url_join(*l.base ? l.base : m.v[m.current].url, l.location, url))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	alu_mirrors_free(&m);
	return rc;
}
