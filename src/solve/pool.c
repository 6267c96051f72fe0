/* SPDX-License-Identifier: MIT */
/* Filling the libsolv pool: repositories, packages, excludes and locks. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "solve/solve_int.h"
#include <solv/bitmap.h>
#include <solv/pool_parserpmrichdep.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/solvable.h>
#include <solv/solver.h>


static const char *const default_installonly[] = { "kernel", "kernel-livepatch-*", NULL };

int alu_solve_new(const struct alu_solve_opts *o, struct alu_solve **out)
{
	struct alu_solve *s = calloc(1, sizeof(*s));
	struct utsname u;

	if (!s)
		return -ENOMEM;
	if (o)
		s->o = *o;
	if (!s->o.arch) {
		uname(&u);
		s->o.arch = strcmp(u.machine, "i686") ? strdup(u.machine) : strdup("i686");
	} else {
		s->o.arch = strdup(s->o.arch);
	}
	if (!s->o.installonly_limit)
		s->o.installonly_limit = 3;
	s->pool = pool_create();
	if (!s->pool || !s->o.arch) {
		free((char *)s->o.arch);
		free(s);
		return -ENOMEM;
	}
	pool_setdisttype(s->pool, DISTTYPE_RPM);
	/* rpm multilib: glibc.i686 installs beside glibc.x86_64, not over it */
	pool_set_flag(s->pool, POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1);
	pool_setarch(s->pool, s->o.arch);
	queue_init(&s->jobs);
	queue_init(&s->multiversion_names);
	*out = s;
	return 0;
}

void alu_solve_free(struct alu_solve *s)
{
	if (!s)
		return;
	queue_free(&s->jobs);
	queue_free(&s->multiversion_names);
	if (s->pool->considered) {
		map_free(s->pool->considered);
		s->pool->considered = solv_free(s->pool->considered);
	}
	pool_free(s->pool);
	free(s->repos);
	free(s->extra);
	free((char *)s->o.arch);
	free(s);
}

int alu_solve_repo(struct alu_solve *s, const char *id, int priority, int cost, int installed)
{
	Repo **rs = realloc(s->repos, (s->nrepos + 1) * sizeof(*rs));
	Repo *r;

	if (!rs)
		return -ENOMEM;
	s->repos = rs;
	r = repo_create(s->pool, id);
	/* yum: a lower priority number wins; libsolv: a higher one. */
	r->priority = -priority;
	r->subpriority = -cost;
	if (installed) {
		pool_set_installed(s->pool, r);
		s->installed = r;
	}
	s->repos[s->nrepos] = r;
	return (int)s->nrepos++;
}

static Id dep_id(Pool *pool, const struct alu_dep *d)
{
	Id name, rel = 0;

	if (d->name[0] == '(')
		return pool_parserpmrichdep(pool, d->name);
	name = pool_str2id(pool, d->name, 1);
	if (!d->evr || !d->evr[0])
		return name;
	if (d->flags & ALU_DEP_LESS)
		rel |= REL_LT;
	if (d->flags & ALU_DEP_GREATER)
		rel |= REL_GT;
	if (d->flags & ALU_DEP_EQUAL)
		rel |= REL_EQ;
	if (!rel)
		return name;
	return pool_rel2id(pool, name, pool_str2id(pool, d->evr, 1), rel, 1);
}

static int add_deps(Repo *repo, Offset *where, const struct alu_dep *d, size_t n, int isreq,
		    const char *nevra, struct alu_err *e)
{
	for (size_t i = 0; i < n; i++) {
		Id id, marker = 0;
		/* rpmlib() requirements are rpm's own feature flags; nothing provides them. */
		if (isreq && !strncmp(d[i].name, "rpmlib(", 7))
			continue;
		id = dep_id(repo->pool, &d[i]);
		if (!id)
			return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: cannot parse dependency '%s'",
					   nevra, d[i].name);
		if (isreq)
			marker = (d[i].flags & ALU_DEP_PREREQ) ? SOLVABLE_PREREQMARKER : -SOLVABLE_PREREQMARKER;
		*where = repo_addid_dep(repo, *where, id, marker);
	}
	return 0;
}

static char *evr_string(const struct alu_solve_pkg *p, char *buf, size_t n)
{
	if (p->epoch)
		snprintf(buf, n, "%u:%s-%s", p->epoch, p->version, p->release);
	else
		snprintf(buf, n, "%s-%s", p->version, p->release);
	return buf;
}

int alu_solve_add(struct alu_solve *s, int repo, const struct alu_solve_pkg *p, struct alu_err *e)
{
	char evr[512], nevra[1024];
	Repo *r;
	Solvable *sv;
	Id id;
	int rc;

	if (repo < 0 || (size_t)repo >= s->nrepos)
		return -EINVAL;
	r = s->repos[repo];
	id = repo_add_solvable(r);
	sv = pool_id2solvable(s->pool, id);
	sv->name = pool_str2id(s->pool, p->name, 1);
	sv->evr = pool_str2id(s->pool, evr_string(p, evr, sizeof(evr)), 1);
	sv->arch = pool_str2id(s->pool, p->arch, 1);
	snprintf(nevra, sizeof(nevra), "%s-%s.%s", p->name, evr, p->arch);
	rc = add_deps(r, &sv->requires, p->deps[ALU_REQUIRES], p->ndeps[ALU_REQUIRES], 1, nevra, e);
	if (!rc)
		rc = add_deps(r, &sv->provides, p->deps[ALU_PROVIDES], p->ndeps[ALU_PROVIDES], 0, nevra, e);
	if (!rc)
		rc = add_deps(r, &sv->conflicts, p->deps[ALU_CONFLICTS], p->ndeps[ALU_CONFLICTS], 0, nevra, e);
	if (!rc)
		rc = add_deps(r, &sv->obsoletes, p->deps[ALU_OBSOLETES], p->ndeps[ALU_OBSOLETES], 0, nevra, e);
	if (rc)
		return rc;
	for (size_t i = 0; i < p->nfiles; i++)
		sv->provides = repo_addid_dep(r, sv->provides, pool_str2id(s->pool, p->files[i], 1), 0);
	/* Every package provides itself at its own version, as rpm does. */
	sv->provides = repo_addid_dep(r, sv->provides,
		pool_rel2id(s->pool, sv->name, sv->evr, REL_EQ, 1), 0);
	if ((size_t)id >= s->nextra) {
		size_t n = s->nextra ? s->nextra : 256;
		struct alu_sextra *x;
		while (n <= (size_t)id)
			n *= 2;
		x = realloc(s->extra, n * sizeof(*x));
		if (!x)
			return -ENOMEM;
		memset(x + s->nextra, 0, (n - s->nextra) * sizeof(*x));
		s->extra = x;
		s->nextra = n;
	}
	s->extra[id] = (struct alu_sextra){ p->key, p->size, p->dlsize, p->installtime };
	/* libsolv's solvable_identical() falls back to comparing requires,
	 * which differ between a header (rpmlib(), scriptlet deps) and
	 * primary.xml: distro-sync would then "upgrade" to the same NEVRA */
	if (p->buildtime)
		repo_set_num(r, id, SOLVABLE_BUILDTIME, p->buildtime);
	if (p->user && r == s->installed)
		queue_push2(&s->jobs, SOLVER_USERINSTALLED | SOLVER_SOLVABLE, id);
	return 0;
}

int alu_solve_is_installonly(const struct alu_solve *s, const char *name)
{
	if (s->o.installonly) {
		for (size_t i = 0; i < s->o.installonly->n; i++)
			if (!fnmatch(s->o.installonly->v[i], name, 0))
				return 1;
		return 0;
	}
	for (size_t i = 0; default_installonly[i]; i++)
		if (!fnmatch(default_installonly[i], name, 0))
			return 1;
	return 0;
}

int alu_solve_nevra_match(Pool *pool, Id p, const char *pat)
{
	Solvable *sv = pool_id2solvable(pool, p);
	const char *name = pool_id2str(pool, sv->name);
	const char *evr = pool_id2str(pool, sv->evr);
	const char *arch = pool_id2str(pool, sv->arch);
	char buf[1024];

	if (!fnmatch(pat, name, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s.%s", name, evr, arch);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s", name, evr);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s.%s", name, arch);
	if (!fnmatch(pat, buf, 0))
		return 1;
	/* "name-0:1.0-1.x86_64" also matches a package whose epoch is 0. */
	if (!strchr(evr, ':')) {
		snprintf(buf, sizeof(buf), "%s-0:%s.%s", name, evr, arch);
		if (!fnmatch(pat, buf, 0))
			return 1;
	}
	return 0;
}

/* A versionlock entry names a package: its other versions are hidden. */
static int locked_out(struct alu_solve *s, Id p)
{
	Solvable *sv = pool_id2solvable(s->pool, p);
	const char *name = pool_id2str(s->pool, sv->name);
	int named = 0;

	for (size_t i = 0; i < s->o.locks->n; i++) {
		const char *l = s->o.locks->v[i];
		size_t nl = strlen(name);
		if (strncmp(l, name, nl) || (l[nl] && l[nl] != '-'))
			continue;
		named = 1;
		if (l[nl] && alu_solve_nevra_match(s->pool, p, l))
			return 0;
		if (!l[nl]) {
			/* a bare name locks the installed version */
			Id q;
			Solvable *is;
			FOR_REPO_SOLVABLES(s->installed, q, is)
				if (is->name == sv->name && is->evr == sv->evr)
					return 0;
		}
	}
	return named;
}

void alu_solve_ready(struct alu_solve *s)
{
	Pool *pool = s->pool;
	Solvable *sv;
	Id p;

	if (!s->installed)
		alu_solve_repo(s, "@System", 0, 0, 1);
	for (size_t i = 0; i < s->nrepos; i++)
		repo_internalize(s->repos[i]);
	pool_addfileprovides(pool);
	pool_createwhatprovides(pool);
	if (pool->considered) {   /* called again after packages were added */
		map_free(pool->considered);
		pool->considered = solv_free(pool->considered);
	}
	if ((s->o.excludes && s->o.excludes->n) || (s->o.locks && s->o.locks->n)) {
		pool->considered = solv_calloc(1, sizeof(Map));
		map_init(pool->considered, pool->nsolvables);
		map_setall(pool->considered);
		FOR_POOL_SOLVABLES(p) {
			sv = pool_id2solvable(pool, p);
			if (sv->repo == s->installed)
				continue;
			for (size_t i = 0; s->o.excludes && i < s->o.excludes->n; i++)
				if (alu_solve_nevra_match(pool, p, s->o.excludes->v[i]))
					MAPCLR(pool->considered, p);
			if (s->o.locks && s->o.locks->n && locked_out(s, p))
				MAPCLR(pool->considered, p);
		}
	}
	/* installonly packages are installed beside their older versions */
	FOR_POOL_SOLVABLES(p) {
		sv = pool_id2solvable(pool, p);
		if (alu_solve_is_installonly(s, pool_id2str(pool, sv->name))) {
			int seen = 0;
			for (int i = 0; i < s->multiversion_names.count; i++)
				seen |= s->multiversion_names.elements[i] == sv->name;
			if (!seen)
				queue_push(&s->multiversion_names, sv->name);
		}
	}
	for (int i = 0; i < s->multiversion_names.count; i++)
		queue_push2(&s->jobs, SOLVER_MULTIVERSION | SOLVER_SOLVABLE_NAME,
			    s->multiversion_names.elements[i]);
	s->ready = 1;
}
