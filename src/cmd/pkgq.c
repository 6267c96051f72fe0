/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "cmd/pkgq.h"
#include "db/cache.h"
#include "db/state.h"
#include "repo/repo.h"

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

int pkgq_add(struct pkgq_rows *r, const char *name, uint32_t epoch, const char *v,
	     const char *rel, const char *arch, const char *repo, const char *summary, uint64_t id)
{
	struct pkgq_row *p;

	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 128;
		struct pkgq_row *nv = realloc(r->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		r->v = nv;
		r->cap = nc;
	}
	p = &r->v[r->n++];
	memset(p, 0, sizeof(*p));
	p->name = dup0(name);
	p->arch = dup0(arch);
	p->version = dup0(v);
	p->release = dup0(rel);
	p->repo = dup0(repo);
	p->summary = dup0(summary);
	p->epoch = epoch;
	p->id = id;
	if (!p->name || !p->arch || !p->version || !p->release || !p->repo || !p->summary)
		return -ENOMEM;
	return 0;
}

static void row_free(struct pkgq_row *p)
{
	free(p->name); free(p->arch); free(p->version); free(p->release);
	free(p->repo); free(p->summary);
}

void pkgq_free(struct pkgq_rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		row_free(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int evr_cmp(const struct pkgq_row *a, const struct pkgq_row *b)
{
	struct alu_evr x = { a->epoch, a->version, a->release };
	struct alu_evr y = { b->epoch, b->version, b->release };

	return alu_evr_cmp(&x, &y);
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct pkgq_row *a = pa, *b = pb;
	int c = strcmp(a->name, b->name);

	if (!c)
		c = strcmp(a->arch, b->arch);
	if (!c)
		c = evr_cmp(a, b);
	if (!c)
		c = strcmp(a->repo, b->repo);
	return c;
}

void pkgq_sort(struct pkgq_rows *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), row_cmp);
}

void pkgq_evr(char *buf, size_t n, uint32_t e, const char *v, const char *r)
{
	if (e)
		snprintf(buf, n, "%u:%s-%s", e, v, r);
	else
		snprintf(buf, n, "%s-%s", v, r);
}

int pkgq_wanted(char **specs, int nspecs, const struct pkgq_row *p)
{
	if (!nspecs)
		return 1;
	for (int i = 0; i < nspecs; i++)
		if (alu_pkg_spec_match(specs[i], p->name, p->epoch, p->version, p->release, p->arch))
			return 1;
	return 0;
}

struct iwalk {
	struct pkgq_rows *out;
	char **specs;
	int nspecs;
};

static int inst_cb(void *ud, const struct alu_instpkg *p)
{
	struct iwalk *w = ud;
	struct pkgq_row *r;

	/* imported OpenPGP keys live in rpmdb as headers; yum never lists them */
	if (!strcmp(p->name, "gpg-pubkey"))
		return 0;
	if (w->nspecs && !pkgq_wanted(w->specs, w->nspecs, &(struct pkgq_row){
		    .name = (char *)p->name, .epoch = p->epoch, .version = (char *)p->version,
		    .release = (char *)p->release, .arch = (char *)p->arch }))
		return 0;
	if (pkgq_add(w->out, p->name, p->epoch, p->version, p->release, p->arch, p->repo, "", p->id))
		return -ENOMEM;
	r = &w->out->v[w->out->n - 1];
	r->installed = 1;
	r->reason = p->reason;
	r->installtime = p->installtime;
	r->size = p->size;
	return 0;
}

int pkgq_installed(struct alu_state *s, char **specs, int nspecs, struct pkgq_rows *out)
{
	struct iwalk w = { out, specs, nspecs };
	int rc = alu_state_foreach(s, inst_cb, &w);

	pkgq_sort(out);
	return rc;
}

const struct pkgq_row *pkgq_inst_find(const struct pkgq_rows *inst, const char *name,
				      const char *arch)
{
	size_t lo = 0, hi = inst->n;

	/* the last row of name.arch is the newest: find the first row past it */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(inst->v[mid].name, name);
		if (!c)
			c = strcmp(inst->v[mid].arch, arch);
		if (c <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && !strcmp(inst->v[lo - 1].name, name) && !strcmp(inst->v[lo - 1].arch, arch))
		return &inst->v[lo - 1];
	return NULL;
}

static int is_installed(const struct pkgq_rows *inst, const struct pkgq_row *p)
{
	const struct pkgq_row *last = pkgq_inst_find(inst, p->name, p->arch);

	/* the instances of a name.arch sit together, the found one last; an index,
	 * not a pointer, walks back (no pointer below the array) */
	for (size_t i = last ? (size_t)(last - inst->v) + 1 : 0; i-- > 0;) {
		const struct pkgq_row *r = &inst->v[i];
		if (strcmp(r->name, p->name) || strcmp(r->arch, p->arch))
			break;
		if (!evr_cmp(r, p))
			return 1;
	}
	return 0;
}

struct awalk {
	struct pkgq_rows *all;
	char **specs;
	int nspecs;
};

static int avail_cb(void *ud, const struct alu_cpkg *p)
{
	struct awalk *w = ud;
	const struct alu_pkgrec *r = &p->r;

	if (!strcmp(r->arch, "src") || !strcmp(r->arch, "nosrc"))
		return 0;
	if (w->nspecs && !pkgq_wanted(w->specs, w->nspecs, &(struct pkgq_row){
		    .name = (char *)r->name, .epoch = r->epoch, .version = (char *)r->version,
		    .release = (char *)r->release, .arch = (char *)r->arch }))
		return 0;
	return pkgq_add(w->all, r->name, r->epoch, r->version, r->release, r->arch, p->repoid,
			r->summary, p->id) ? -ENOMEM : 0;
}

/* take @p p over into @p out (p is left empty) */
static int move_row(struct pkgq_rows *out, struct pkgq_row *p)
{
	if (out->n == out->cap) {
		size_t nc = out->cap ? out->cap * 2 : 128;
		struct pkgq_row *nv = realloc(out->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		out->v = nv;
		out->cap = nc;
	}
	out->v[out->n++] = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

/*
 * Every yum form of a spec but "epoch:name-..." begins with the name: the
 * names index, not a walk of every package, finds the candidates. They are
 * the names that start with the spec's literal prefix, and the prefixes of
 * it that end before a '-' or '.' (name-ver..., name.arch). avail_cb still
 * matches each whole spec. 0: the spec starts with a glob or an epoch, or
 * its prefix is longer than an index key; the caller walks everything.
 */
static int spec_narrows(const char *spec)
{
	size_t l = strcspn(spec, "*?[\\");

	return l && l <= ALU_CACHE_KEYMAX && !strchr(spec, ':');
}

static int by_spec(struct alu_cache *c, const char *spec, struct awalk *w, struct alu_err *e)
{
	size_t l = strcspn(spec, "*?[\\");
	char name[ALU_CACHE_KEYMAX + 2];
	int rc;

	memcpy(name, spec, l);
	name[l] = '*';
	name[l + 1] = 0;
	rc = alu_cache_by_name(c, name, avail_cb, w, e);
	for (size_t k = 1; !rc && k < l; k++)
		if (spec[k] == '-' || spec[k] == '.') {
			name[k] = 0;
			rc = alu_cache_by_name(c, name, avail_cb, w, e);
			memcpy(name, spec, l);
		}
	return rc;
}

int pkgq_available(struct alu_cache *c, const struct pkgq_rows *inst, char **specs, int nspecs,
		   int dups, struct pkgq_rows *out, struct alu_err *e)
{
	struct pkgq_rows all = { 0 };
	struct awalk w = { &all, specs, nspecs };
	int narrow = nspecs > 0, rc = 0;

	for (int i = 0; narrow && i < nspecs; i++)
		narrow = spec_narrows(specs[i]);
	if (!narrow)
		rc = alu_cache_foreach_pkg(c, avail_cb, &w, e);
	/* a package two specs reach is added twice; the newest-of-name.arch pass keeps one */
	for (int i = 0; narrow && !rc && i < nspecs; i++)
		rc = by_spec(c, specs[i], &w, e);

	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	else if (rc && !e->code)
		alu_err_set(e, rc, "reading the metadata cache: %s", alu_strerror(rc));
	pkgq_sort(&all);
	for (size_t i = 0; !rc && i < all.n; i++) {
		struct pkgq_row *p = &all.v[i];
		const struct pkgq_row *ni;

		/* yum's returnNewestByNameArch: only the last of each name.arch */
		if (!dups && i + 1 < all.n && !strcmp(all.v[i + 1].name, p->name) &&
		    !strcmp(all.v[i + 1].arch, p->arch))
			continue;
		/* --showduplicates lists every version, the installed one too (as
		 * yum and dnf do) */
		if (!dups && is_installed(inst, p))
			continue;
		ni = pkgq_inst_find(inst, p->name, p->arch);
		if (!dups && ni && evr_cmp(p, ni) <= 0)
			continue;
		if ((rc = move_row(out, p)))
			alu_err_set(e, rc, "out of memory");
	}
	pkgq_free(&all);
	return rc;
}

void pkgq_widths(const struct pkgq_rows *r, int *w1, int *w2)
{
	char b[1024];

	for (size_t i = 0; i < r->n; i++) {
		const struct pkgq_row *p = &r->v[i];
		int a = snprintf(b, sizeof(b), "%s.%s", p->name, p->arch);
		pkgq_evr(b, sizeof(b), p->epoch, p->version, p->release);
		*w1 = a > *w1 ? a : *w1;
		*w2 = (int)strlen(b) > *w2 ? (int)strlen(b) : *w2;
	}
}

void pkgq_print(const char *heading, const struct pkgq_rows *r, int w1, int w2)
{
	char na[1024], ev[1024], repo[1024];

	if (!r->n)
		return;
	printf("%s\n", heading);
	for (size_t i = 0; i < r->n; i++) {
		const struct pkgq_row *p = &r->v[i];
		snprintf(na, sizeof(na), "%s.%s", p->name, p->arch);
		pkgq_evr(ev, sizeof(ev), p->epoch, p->version, p->release);
		/* yum shows "installed" when it does not know where a package came from */
		if (p->installed)
			snprintf(repo, sizeof(repo), *p->repo ? "@%s" : "installed", p->repo);
		else
			snprintf(repo, sizeof(repo), "%s", p->repo);
		printf("%-*s  %-*s  %s\n", w1, na, w2, ev, repo);
	}
}

void pkgq_print_obsoletes(const struct pkgq_rows *by, const struct pkgq_rows *old, int w1, int w2)
{
	char na[1024], ev[1024];

	if (!by->n)
		return;
	printf("Obsoleting Packages\n");
	for (size_t i = 0; i < by->n; i++) {
		const struct pkgq_row *b = &by->v[i], *o = &old->v[i];
		snprintf(na, sizeof(na), "%s.%s", b->name, b->arch);
		pkgq_evr(ev, sizeof(ev), b->epoch, b->version, b->release);
		printf("%-*s  %-*s  %s\n", w1, na, w2, ev, b->repo);
		snprintf(na, sizeof(na), "%s.%s", o->name, o->arch);
		pkgq_evr(ev, sizeof(ev), o->epoch, o->version, o->release);
		printf("    %-*s  %-*s  %s%s\n", w1 > 4 ? w1 - 4 : w1, na, w2, ev,
		       *o->repo ? "@" : "installed", o->repo);
	}
}

void pkgq_json(const char *key, const struct pkgq_rows *r)
{
	printf("\"%s\":[", key);
	for (size_t i = 0; i < r->n; i++) {
		const struct pkgq_row *p = &r->v[i];
		printf("%s{\"name\":", i ? "," : "");
		alu_json_str(p->name);
		printf(",\"epoch\":%u,\"version\":", p->epoch);
		alu_json_str(p->version);
		printf(",\"release\":");
		alu_json_str(p->release);
		printf(",\"arch\":");
		alu_json_str(p->arch);
		printf(",\"repo\":");
		alu_json_str(p->repo);
		if (p->installed)
			printf(",\"reason\":\"%s\",\"installtime\":%u,\"size\":%llu",
			       alu_state_reason_str(p->reason), p->installtime,
			       (unsigned long long)p->size);
		printf("}");
	}
	printf("]");
}

void pkgq_section(const char *text)
{
	/* yum's fmtSection for an 80-column terminal */
	int cols = 78, len = (int)strlen(text), beg, end;

	if (len >= cols - 4) {
		beg = end = 2;
	} else {
		beg = (cols - len) / 2;
		end = cols - len - beg;
	}
	printf("%.*s %s %.*s\n", beg, "==============================================",
	       text, end, "==============================================");
}

int pkgq_dep_match(const struct alu_dep *d, uint32_t e, const char *v, const char *r)
{
	struct alu_evr pe = { e, v, r }, de;
	char buf[512];
	int c;

	if (!(d->flags & (ALU_DEP_LESS | ALU_DEP_GREATER | ALU_DEP_EQUAL)) || !*d->evr)
		return 1;
	snprintf(buf, sizeof(buf), "%s", d->evr);
	if (alu_evr_parse(buf, &de))
		return 0;
	c = alu_evr_cmp(&pe, &de);
	return (c < 0 && (d->flags & ALU_DEP_LESS)) || (c == 0 && (d->flags & ALU_DEP_EQUAL)) ||
	       (c > 0 && (d->flags & ALU_DEP_GREATER));
}

struct owalk {
	struct alu_state *s;
	struct pkgq_rows *by, *old;
	const struct alu_cpkg *cur;
	const struct alu_dep *dep;
};

static int obs_inst_cb(void *ud, const struct alu_instpkg *p)
{
	struct owalk *w = ud;
	const struct alu_pkgrec *r = &w->cur->r;
	struct pkgq_row *o;

	/* a package "obsoleting" older versions of its own name is an update */
	if (!strcmp(p->name, r->name) || !pkgq_dep_match(w->dep, p->epoch, p->version, p->release) ||
	    !alu_arch_compat(p->arch, r->arch))
		return 0;
	if (pkgq_add(w->by, r->name, r->epoch, r->version, r->release, r->arch, w->cur->repoid,
		     r->summary, w->cur->id) ||
	    pkgq_add(w->old, p->name, p->epoch, p->version, p->release, p->arch, p->repo, "", p->id))
		return -ENOMEM;
	o = &w->old->v[w->old->n - 1];
	o->installed = 1;
	o->reason = p->reason;
	o->installtime = p->installtime;
	o->size = p->size;
	return 0;
}

static int obs_pkg_cb(void *ud, const struct alu_cpkg *p)
{
	struct owalk *w = ud;
	struct alu_dep *d = NULL;
	size_t nd = 0;
	int rc = alu_cache_pkg_deps(p, ALU_OBSOLETES, &d, &nd);

	w->cur = p;
	for (size_t j = 0; !rc && j < nd; j++) {
		w->dep = &d[j];
		rc = alu_state_find_name(w->s, d[j].name, obs_inst_cb, w);
	}
	free(d);
	return rc;
}

/* The names of packages that obsolete an installed name, from the cache's
 * revdeps index (which also holds what supplements a name: harmless, the
 * obsoletes of each are read below). */
static int obs_name_cb(void *ud, const struct alu_cpkg *p)
{
	struct alu_strv *names = ud;

	return alu_strv_has(names, p->r.name) || !alu_strv_push(names, p->r.name) ? 0 : -ENOMEM;
}

int pkgq_obsoletes(struct alu_cache *c, struct alu_state *s, char **specs, int nspecs,
		   struct pkgq_rows *by, struct pkgq_rows *old, struct alu_err *e)
{
	struct pkgq_rows inst = { 0 }, av = { 0 };
	struct owalk w = { s, by, old, NULL, NULL };
	struct alu_strv names = { 0 };
	int rc = pkgq_installed(s, NULL, 0, &inst), fast = !nspecs;

	/* without specs, not a walk of every package: only the names that
	 * obsolete something installed can, and only their newest of each
	 * name.arch counts (with specs, the newest of those passing them) */
	for (size_t i = 0; !rc && fast && i < inst.n; i++)
		if (!i || strcmp(inst.v[i].name, inst.v[i - 1].name))
			rc = alu_cache_lookup(c, ALU_CACHE_IX_REVDEP, inst.v[i].name, obs_name_cb, &names, e);
	for (size_t i = 0; !rc && fast && i < names.n; i++)
		fast = !strpbrk(names.v[i], "*?[\\");   /* a name pkgq_available would take as a glob */
	if (!rc && !fast)
		rc = pkgq_available(c, &inst, specs, nspecs, 0, &av, e);
	else if (!rc && names.n)
		rc = pkgq_available(c, &inst, names.v, (int)names.n, 0, &av, e);
	for (size_t i = 0; !rc && i < av.n; i++)
		rc = alu_cache_pkg_get(c, av.v[i].id, obs_pkg_cb, &w, e);
	alu_strv_free(&names);
	pkgq_free(&inst);
	pkgq_free(&av);
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	else if (rc && !e->code)
		alu_err_set(e, rc, "reading packages: %s", alu_strerror(rc));
	return rc;
}
