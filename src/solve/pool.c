/* SPDX-License-Identifier: MIT */
/* Filling the libsolv pool: repositories, packages, excludes and locks. */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "solve/solve_int.h"
#include <solv/pool_parserpmrichdep.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/solvable.h>
#include <solv/solver.h>


/* AL2's kernels and livepatches, and dnf's list (its installonly provides
 * are what kernel-core and kernel-modules carry on AL2023 and Fedora) */
static const char *const default_installonly[] = { "kernel", "kernel-livepatch-*", "kernel-PAE",
	"installonlypkg(kernel)", "installonlypkg(kernel-module)", "installonlypkg(vm)",
	"multiversion(kernel)", NULL };

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
	queue_init(&s->named_inst);
	*out = s;
	return 0;
}

void alu_solve_free(struct alu_solve *s)
{
	if (!s)
		return;
	if (s->lazy.free)
		s->lazy.free(s->lazy.ud);
	queue_free(&s->jobs);
	queue_free(&s->multiversion_names);
	queue_free(&s->named_inst);
	map_free(&s->named);
	free(s->keyidx);
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
	if (!rc)
		rc = add_deps(r, &sv->recommends, p->deps[ALU_RECOMMENDS], p->ndeps[ALU_RECOMMENDS], 0, nevra, e);
	if (!rc)
		rc = add_deps(r, &sv->suggests, p->deps[ALU_SUGGESTS], p->ndeps[ALU_SUGGESTS], 0, nevra, e);
	if (!rc)
		rc = add_deps(r, &sv->supplements, p->deps[ALU_SUPPLEMENTS], p->ndeps[ALU_SUPPLEMENTS], 0, nevra, e);
	if (!rc)
		rc = add_deps(r, &sv->enhances, p->deps[ALU_ENHANCES], p->ndeps[ALU_ENHANCES], 0, nevra, e);
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

static int match_forms(Pool *pool, Id p, const char *pat, int versioned)
{
	Solvable *sv = pool_id2solvable(pool, p);
	const char *name = pool_id2str(pool, sv->name);
	const char *evr = pool_id2str(pool, sv->evr);
	const char *arch = pool_id2str(pool, sv->arch);
	const char *colon = strchr(evr, ':');
	char e[16] = "0", v[512], buf[1400];
	const char *ver = colon ? colon + 1 : evr, *dash = strrchr(ver, '-');

	if (colon)
		snprintf(e, sizeof(e), "%.*s", (int)(colon - evr), evr);
	snprintf(v, sizeof(v), "%.*s", dash ? (int)(dash - ver) : (int)strlen(ver), ver);
	if (!versioned) {
		if (!fnmatch(pat, name, 0))
			return 1;
		snprintf(buf, sizeof(buf), "%s.%s", name, arch);
		return !fnmatch(pat, buf, 0);
	}
	/* name-v, name-v-r, name-v-r.a, then the same with the epoch, then e:name-v-r.a */
	snprintf(buf, sizeof(buf), "%s-%s", name, v);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s", name, ver);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s.%s", name, ver, arch);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s:%s", name, e, v);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s:%s", name, e, ver);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s-%s:%s.%s", name, e, ver, arch);
	if (!fnmatch(pat, buf, 0))
		return 1;
	snprintf(buf, sizeof(buf), "%s:%s-%s.%s", e, name, ver, arch);
	return !fnmatch(pat, buf, 0);
}

int alu_solve_nevra_match(Pool *pool, Id p, const char *pat)
{
	return match_forms(pool, p, pat, 0) || match_forms(pool, p, pat, 1);
}

int alu_solve_nevra_match_versioned(Pool *pool, Id p, const char *pat)
{
	return match_forms(pool, p, pat, 1);
}

int alu_solve_is_installonly_pkg(const struct alu_solve *s, Id p)
{
	Pool *pool = s->pool;
	Solvable *sv = pool_id2solvable(pool, p);
	const char *const *dflt = default_installonly;
	size_t n = s->o.installonly ? s->o.installonly->n : 0;

	if (!s->o.installonly)
		while (dflt[n])
			n++;
	for (size_t i = 0; i < n; i++) {
		const char *ent = s->o.installonly ? s->o.installonly->v[i] : dflt[i];
		Id want;
		if (!fnmatch(ent, pool_id2str(pool, sv->name), 0))
			return 1;
		want = pool_str2id(pool, ent, 0);
		if (want && sv->provides) {
			for (Id *pp = sv->repo->idarraydata + sv->provides; *pp; pp++) {
				Id d = *pp;
				while (ISRELDEP(d))
					d = GETRELDEP(pool, d)->name;
				if (d == want)
					return 1;
			}
		}
	}
	return 0;
}

/* One-of jobs name solvables through pool_queuetowhatprovides() offsets,
 * which a rebuilt provides index drops (the pool grew: a package file, a
 * reduced load taking more in): their lists are kept across it. */
static void oneof_save(struct alu_solve *s, Queue *saved)
{
	Pool *pool = s->pool;

	for (int i = 0; pool->whatprovides && i + 1 < s->jobs.count; i += 2)
		if ((s->jobs.elements[i] & SOLVER_SELECTMASK) == SOLVER_SOLVABLE_ONE_OF) {
			for (Id *pp = pool->whatprovidesdata + s->jobs.elements[i + 1]; *pp; pp++)
				queue_push(saved, *pp);
			queue_push(saved, 0);
		}
}

static void oneof_restore(struct alu_solve *s, const Queue *saved)
{
	Queue q;
	int k = 0;

	queue_init(&q);
	for (int i = 0; saved->count && i + 1 < s->jobs.count; i += 2)
		if ((s->jobs.elements[i] & SOLVER_SELECTMASK) == SOLVER_SOLVABLE_ONE_OF) {
			queue_empty(&q);
			while (saved->elements[k])
				queue_push(&q, saved->elements[k++]);
			k++;
			s->jobs.elements[i + 1] = pool_queuetowhatprovides(s->pool, &q);
		}
	queue_free(&q);
}

void alu_solve_ready(struct alu_solve *s)
{
	Pool *pool = s->pool;
	Solvable *sv;
	Queue oneof;
	Id p;

	queue_init(&oneof);
	oneof_save(s, &oneof);
	if (!s->installed)
		alu_solve_repo(s, "@System", 0, 0, 1);
	for (size_t i = 0; i < s->nrepos; i++)
		repo_internalize(s->repos[i]);
	/* called again after packages were added (@commandline, a reduced load
	 * taking more in): libsolv leaves what the old map does not cover out
	 * of whatprovides, so the hiding goes first and comes back after */
	if (pool->considered) {
		map_free(pool->considered);
		pool->considered = solv_free(pool->considered);
	}
	pool_addfileprovides(pool);
	pool_createwhatprovides(pool);
	oneof_restore(s, &oneof);
	queue_free(&oneof);
	/* what earlier requests named stays named */
	if (s->named.size)
		map_grow(&s->named, pool->nsolvables);
	else
		map_init(&s->named, pool->nsolvables);
	alu_solve_hide(s);
	/* installonly packages are installed beside their older versions */
	FOR_POOL_SOLVABLES(p) {
		sv = pool_id2solvable(pool, p);
		if (alu_solve_is_installonly_pkg(s, p)) {
			int seen = 0;
			for (int i = 0; i < s->multiversion_names.count; i++)
				seen |= s->multiversion_names.elements[i] == sv->name;
			if (!seen)
				queue_push(&s->multiversion_names, sv->name);
		}
	}
	/* called again after the pool grew: only the new names */
	for (int i = s->nmvjobs; i < s->multiversion_names.count; i++)
		queue_push2(&s->jobs, SOLVER_MULTIVERSION | SOLVER_SOLVABLE_NAME,
			    s->multiversion_names.elements[i]);
	s->nmvjobs = s->multiversion_names.count;
	s->ready = 1;
}
