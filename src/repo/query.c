/* SPDX-License-Identifier: MIT */
/*
 * What the query commands share: yum's package-spec matching, the update
 * list (installed package -> newest newer repository version), advisory
 * filters (--security, --sec-severity, --advisory, --cve, --bz) and whether
 * an advisory applies to the installed system.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db/cache.h"
#include "db/state.h"
#include "repo/repo.h"

int alu_pkg_spec_match(const char *spec, const char *name, uint32_t epoch, const char *v,
		       const char *r, const char *arch)
{
	char f[1024];

	if (!fnmatch(spec, name, 0))
		return 1;
	snprintf(f, sizeof(f), "%s.%s", name, arch);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%s", name, v);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%s-%s", name, v, r);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%s-%s.%s", name, v, r, arch);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%u:%s-%s.%s", name, epoch, v, r, arch);
	if (!fnmatch(spec, f, 0))
		return 1;
	/* name-epoch:version[-release], as yum's returnPackagesByDep forms */
	snprintf(f, sizeof(f), "%s-%u:%s-%s", name, epoch, v, r);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%s-%u:%s", name, epoch, v);
	if (!fnmatch(spec, f, 0))
		return 1;
	snprintf(f, sizeof(f), "%u:%s-%s-%s.%s", epoch, name, v, r, arch);
	return !fnmatch(spec, f, 0);
}

int alu_arch_compat(const char *a, const char *b)
{
	return !strcmp(a, b) || !strcmp(a, "noarch") || !strcmp(b, "noarch");
}

int alu_nevra_fmt(char *buf, size_t n, const char *name, uint32_t epoch, const char *v,
		  const char *r, const char *arch)
{
	if (epoch)
		return snprintf(buf, n, "%s-%u:%s-%s.%s", name, epoch, v, r, arch);
	return snprintf(buf, n, "%s-%s-%s.%s", name, v, r, arch);
}

/* ---- updates ------------------------------------------------------------ */

struct inst { char *name, *arch, *version, *release; uint32_t epoch; };

struct upd_walk {
	struct inst *v;
	size_t n, cap;
	int oom;
	struct alu_update *best;
	const struct inst *cur;
	const struct alu_conf *conf;  /* NULL: priorities not applied */
	int prio;                     /* the best priority carrying the current name */
};

static int spec_listed(const struct alu_strv *v, const struct alu_pkgrec *p)
{
	for (size_t i = 0; i < v->n; i++)
		if (alu_pkg_spec_match(v->v[i], p->name, p->epoch, p->version, p->release, p->arch))
			return 1;
	return 0;
}

/* yum's exclude= ([main] with -x, and the package's repository's) hides a
 * package from updates as from every other command */
static int excluded(const struct alu_conf *c, const struct alu_cpkg *p)
{
	const struct alu_repo *r;

	if (!c)
		return 0;
	if (spec_listed(&c->exclude, &p->r))
		return 1;
	r = alu_conf_repo(c, p->repoid);
	return r && spec_listed(&r->exclude, &p->r);
}

static int repo_prio(const struct alu_conf *conf, const char *id)
{
	for (size_t i = 0; conf && i < conf->nrepos; i++)
		if (!strcmp(conf->repos[i].id, id))
			return conf->repos[i].priority;
	return ALU_CONF_PRIORITY_DEFAULT;
}

/* yum-plugin-priorities: a name is taken only from the best-priority
 * repositories that carry it */
static int prio_cb(void *ud, const struct alu_cpkg *p)
{
	struct upd_walk *w = ud;
	int pr = repo_prio(w->conf, p->repoid);

	if (excluded(w->conf, p))
		return 0;
	if (pr < w->prio)
		w->prio = pr;
	return 0;
}

static int inst_cb(void *ud, const struct alu_instpkg *p)
{
	struct upd_walk *w = ud;
	struct inst *x;

	/* keep only the newest installed version of each name.arch */
	if (w->n) {
		x = &w->v[w->n - 1];
		if (!strcmp(x->name, p->name) && !strcmp(x->arch, p->arch)) {
			struct alu_evr a = { x->epoch, x->version, x->release };
			struct alu_evr b = { p->epoch, p->version, p->release };
			if (alu_evr_cmp(&b, &a) <= 0)
				return 0;
			free(x->version);
			free(x->release);
			x->version = strdup(p->version);
			x->release = strdup(p->release);
			x->epoch = p->epoch;
			return x->version && x->release ? 0 : -ENOMEM;
		}
	}
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 256;
		struct inst *nv = realloc(w->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		w->v = nv;
		w->cap = nc;
	}
	x = &w->v[w->n++];
	x->name = strdup(p->name);
	x->arch = strdup(p->arch);
	x->version = strdup(p->version);
	x->release = strdup(p->release);
	x->epoch = p->epoch;
	return x->name && x->arch && x->version && x->release ? 0 : -ENOMEM;
}

static int cand_cb(void *ud, const struct alu_cpkg *p)
{
	struct upd_walk *w = ud;
	const struct inst *i = w->cur;
	struct alu_evr pe = { p->r.epoch, p->r.version, p->r.release };
	struct alu_update *b = w->best;

	if (!alu_arch_compat(p->r.arch, i->arch) || !strcmp(p->r.arch, "src") || excluded(w->conf, p))
		return 0;
	if (w->conf && repo_prio(w->conf, p->repoid) > w->prio)
		return 0;
	if (b->name) {
		struct alu_evr be = { b->epoch, b->version, b->release };
		if (alu_evr_cmp(&pe, &be) <= 0)
			return 0;
		free(b->version);
		free(b->release);
		free(b->arch);
		free(b->repo);
	} else {
		struct alu_evr ie = { i->epoch, i->version, i->release };
		if (alu_evr_cmp(&pe, &ie) <= 0)
			return 0;
		b->name = strdup(p->r.name);
		b->inst_version = strdup(i->version);
		b->inst_release = strdup(i->release);
		b->inst_epoch = i->epoch;
		b->inst_arch = strdup(i->arch);
	}
	b->epoch = p->r.epoch;
	b->version = strdup(p->r.version);
	b->release = strdup(p->r.release);
	b->arch = strdup(p->r.arch);
	b->repo = strdup(p->repoid);
	b->id = p->id;
	if (!b->name || !b->version || !b->release || !b->arch || !b->repo ||
	    !b->inst_version || !b->inst_release || !b->inst_arch)
		return -ENOMEM;
	return 0;
}

void alu_updates_free(struct alu_update *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name); free(v[i].version); free(v[i].release); free(v[i].arch);
		free(v[i].repo); free(v[i].inst_version); free(v[i].inst_release); free(v[i].inst_arch);
	}
	free(v);
}

int alu_updates_find(struct alu_cache *c, struct alu_state *s, const struct alu_conf *conf,
		     struct alu_update **out, size_t *nout, struct alu_err *e)
{
	struct upd_walk w = { .conf = conf };
	struct alu_update *res = NULL;
	size_t n = 0;
	int rc = alu_state_foreach(s, inst_cb, &w);

	if (rc)
		rc = alu_err_set(e, rc, "reading installed packages: %s", alu_strerror(rc));
	if (!rc && w.n && !(res = calloc(w.n, sizeof(*res))))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < w.n; i++) {
		w.cur = &w.v[i];
		w.best = &res[n];
		w.prio = 1 << 30;
		rc = conf ? alu_cache_by_name(c, w.v[i].name, prio_cb, &w, e) : 0;
		if (!rc)
			rc = alu_cache_by_name(c, w.v[i].name, cand_cb, &w, e);
		if (rc == -ENOMEM)
			alu_err_set(e, rc, "out of memory");
		if (!rc && res[n].name)
			n++;
	}
	for (size_t i = 0; i < w.n; i++) {
		free(w.v[i].name); free(w.v[i].arch); free(w.v[i].version); free(w.v[i].release);
	}
	free(w.v);
	if (rc) {
		alu_updates_free(res, w.n);
		return rc;
	}
	*out = res;
	*nout = n;
	return 0;
}

/* ---- advisories ---------------------------------------------------------- */

unsigned alu_adv_type_bit(const char *type)
{
	if (!strcasecmp(type, "security"))
		return ALU_ADV_SECURITY;
	if (!strcasecmp(type, "bugfix"))
		return ALU_ADV_BUGFIX;
	if (!strcasecmp(type, "enhancement"))
		return ALU_ADV_ENHANCEMENT;
	if (!strcasecmp(type, "newpackage"))
		return ALU_ADV_NEWPACKAGE;
	return 0;
}

int alu_filter_active(const struct alu_filter *f)
{
	return f->types || f->severities.n || f->advisories.n || f->cves.n || f->bzs.n;
}

static int ref_match(const struct alu_advrec *a, const char *type, const char *pat)
{
	char alt[256];

	/* yum also tries a bare number as "CVE-<n>" */
	snprintf(alt, sizeof(alt), "CVE-%s", pat);
	for (size_t i = 0; i < a->nrefs; i++) {
		if (strcasecmp(a->refs[i].type, type))
			continue;
		if (!fnmatch(pat, a->refs[i].id, 0) ||
		    (!strcmp(type, "cve") && !fnmatch(alt, a->refs[i].id, 0)))
			return 1;
	}
	return 0;
}

int alu_adv_filter_match(const struct alu_filter *f, const struct alu_advrec *a)
{
	int any = 0, hit = 0;

	/* the kinds of filter are alternatives, as yum's security plugin ORs them */
	if (f->types) {
		any = 1;
		hit |= (f->types & alu_adv_type_bit(a->type)) != 0;
	}
	if (f->severities.n) {
		any = 1;
		for (size_t i = 0; i < f->severities.n; i++)
			hit |= *a->severity && !strcasecmp(f->severities.v[i], a->severity);
	}
	if (f->advisories.n) {
		any = 1;
		for (size_t i = 0; i < f->advisories.n; i++)
			hit |= !fnmatch(f->advisories.v[i], a->id, 0);
	}
	if (f->cves.n) {
		any = 1;
		for (size_t i = 0; i < f->cves.n; i++)
			hit |= ref_match(a, "cve", f->cves.v[i]);
	}
	if (f->bzs.n) {
		any = 1;
		for (size_t i = 0; i < f->bzs.n; i++)
			hit |= ref_match(a, "bugzilla", f->bzs.v[i]);
	}
	return !any || hit;
}

/* The newest installed instance decides: with installonly packages (kernel)
 * older instances stay installed beside the fixed one, and yum counts the
 * advisory as installed once the fix (or newer) is there. */
struct st_walk {
	const struct alu_advpkg *k;
	int found;
	uint32_t epoch;
	char version[256], release[256];
};

static int status_cb(void *ud, const struct alu_instpkg *p)
{
	struct st_walk *w = ud;
	struct alu_evr ie = { p->epoch, p->version, p->release };
	struct alu_evr be = { w->epoch, w->version, w->release };

	if (!alu_arch_compat(p->arch, w->k->arch))
		return 0;
	if (w->found && alu_evr_cmp(&ie, &be) <= 0)
		return 0;
	w->found = 1;
	w->epoch = p->epoch;
	snprintf(w->version, sizeof(w->version), "%s", p->version);
	snprintf(w->release, sizeof(w->release), "%s", p->release);
	return 0;
}

int alu_adv_pkg_status(struct alu_state *s, const struct alu_advpkg *k)
{
	struct st_walk w = { .k = k };
	int rc = alu_state_find_name(s, k->name, status_cb, &w);
	struct alu_evr ne = { w.epoch, w.version, w.release };
	struct alu_evr fe = { k->epoch, k->version, k->release };

	if (rc < 0)
		return rc;
	if (!w.found)
		return ALU_ADVST_NONE;
	return alu_evr_cmp(&ne, &fe) < 0 ? ALU_ADVST_NEEDED : ALU_ADVST_INSTALLED;
}

const char *alu_adv_label(const struct alu_advrec *a, char *buf, size_t n)
{
	if (alu_adv_type_bit(a->type) == ALU_ADV_SECURITY) {
		if (*a->severity)
			snprintf(buf, n, "%s/Sec.", a->severity);
		else
			snprintf(buf, n, "security");
	} else {
		snprintf(buf, n, "%s", *a->type ? a->type : "unknown");
	}
	return buf;
}
