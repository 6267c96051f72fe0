/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "solve/load_int.h"

int alu_solve_primary_file(const char *path)
{
	/* createrepo_c's rule: what file requirements usually name */
	return !strncmp(path, "/etc/", 5) || strstr(path, "bin/") ||
	       !strcmp(path, "/usr/lib/sendmail");
}

struct inst_ctx {
	struct alu_solve *s;
	struct alu_state *st;
	int repo;
	struct alu_reach *reach;    /* NULL: the whole repositories are loaded */
	struct alu_err *e;
};

static int add_installed(void *arg, const struct alu_instpkg *ip)
{
	struct inst_ctx *c = arg;
	struct alu_hdr *h = NULL;
	struct alu_solve_pkg p = { 0 };
	struct alu_dep *deps[ALU_DEPTYPE_N] = { 0 };
	const char **files = NULL;
	size_t nf = 0, total;
	int r;

	r = alu_state_header(c->st, ip->id, &h, c->e);
	if (r)
		return r;
	p.name = ip->name;
	p.version = ip->version;
	p.release = ip->release;
	p.arch = ip->arch;
	p.epoch = ip->epoch;
	p.key = ip->id;
	p.size = ip->size;
	p.installtime = ip->installtime;
	alu_hdr_u64(h, 1006, &p.buildtime);   /* RPMTAG_BUILDTIME */
	p.user = ip->reason != ALU_REASON_DEP;
	for (int t = 0; t < ALU_DEPTYPE_N && !r; t++) {
		r = alu_hdr_deps(h, (enum alu_deptype)t, &deps[t], &p.ndeps[t]);
		p.deps[t] = deps[t];
	}
	total = alu_hdr_nfiles(h);
	files = calloc(total + 1, sizeof(*files));
	char (*paths)[4096] = NULL;
	if (!r && total && !(files && (paths = malloc(sizeof(*paths) * 16))))
		r = -ENOMEM;
	/* only the few primary paths are kept: copy them out of alu_file */
	for (size_t i = 0, cap = 16; !r && i < total; i++) {
		struct alu_file f;
		if (alu_hdr_file(h, i, &f) || !alu_solve_primary_file(f.path))
			continue;
		if (nf == cap) {
			void *np = realloc(paths, sizeof(*paths) * cap * 2);
			if (!np) {
				r = -ENOMEM;
				break;
			}
			paths = np;
			cap *= 2;
		}
		memcpy(paths[nf], f.path, sizeof(f.path));
		nf++;
	}
	for (size_t i = 0; i < nf; i++)
		files[i] = paths[i];
	p.files = files;
	p.nfiles = nf;
	if (!r)
		r = alu_solve_add(c->s, c->repo, &p, c->e);
	if (!r && c->reach && alu_reach_seed(c->reach, &p))
		r = alu_err_set(c->e, -ENOMEM, "out of memory");
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		free(deps[t]);
	free(files);
	free(paths);
	alu_hdr_free(h);
	return r;
}

struct repo_ctx {
	struct alu_solve *s;
	const struct alu_repo *repo;
	int handle;
	struct alu_err *e;
};

static int listed(const struct alu_strv *globs, const char *name)
{
	for (size_t i = 0; i < globs->n; i++)
		if (!fnmatch(globs->v[i], name, 0))
			return 1;
	return 0;
}

int alu_solve_repo_skips(const struct alu_repo *rp, const char *name)
{
	return listed(&rp->exclude, name) || (rp->includepkgs.n && !listed(&rp->includepkgs, name));
}

int alu_solve_load_cpkg(struct alu_solve *s, int handle, const struct alu_repo *rp,
			const struct alu_cpkg *cp, struct alu_err *e)
{
	struct alu_solve_pkg p = { 0 };
	struct alu_dep *deps[ALU_DEPTYPE_N] = { 0 };
	const char **files = NULL;
	int r = 0;

	if (alu_solve_repo_skips(rp, cp->r.name))
		return 0;
	p.name = cp->r.name;
	p.version = cp->r.version;
	p.release = cp->r.release;
	p.arch = cp->r.arch;
	p.epoch = cp->r.epoch;
	p.key = cp->id;
	p.size = cp->r.size_installed;
	p.dlsize = cp->r.size_package;
	p.buildtime = cp->r.time_build;
	r = alu_cache_pkg_deps_all(cp, deps, p.ndeps);
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		p.deps[t] = deps[t];
	if (!r)
		r = alu_cache_pkg_files(cp, &files, &p.nfiles);
	p.files = files;
	if (!r)
		r = alu_solve_add(s, handle, &p, e);
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		free(deps[t]);
	free(files);
	return r;
}

static int add_cached(void *arg, const struct alu_cpkg *cp)
{
	struct repo_ctx *c = arg;

	if (strcmp(cp->repoid, c->repo->id))
		return 0;
	return alu_solve_load_cpkg(c->s, c->handle, c->repo, cp, c->e);
}

/* ALU_SOLVE_LOAD=all: every cached package into the pool, as before the
 * reduced load; the differential test compares the two. */
int alu_solve_load_whole(void)
{
	const char *v = getenv("ALU_SOLVE_LOAD");
	return v && !strcmp(v, "all");
}

int alu_solve_load(struct alu_solve *s, const struct alu_conf *conf, struct alu_state *st,
		   struct alu_cache *cache, struct alu_err *e)
{
	struct inst_ctx ic = { s, st, 0, NULL, e };
	int r;

	ic.repo = alu_solve_repo(s, "@System", 0, 0, 1);
	if (ic.repo < 0)
		return ic.repo;
	/* the packages a request can reach, when the solver asks (load_reach.c) */
	if (cache && !alu_solve_load_whole() && alu_reach_new(s, conf, cache, &ic.reach))
		return alu_err_set(e, -ENOMEM, "out of memory");
	r = alu_state_foreach(st, add_installed, &ic);
	if (ic.reach)
		return r;
	for (size_t i = 0; !r && cache && i < conf->nrepos; i++) {
		const struct alu_repo *rp = &conf->repos[i];
		struct repo_ctx rc = { s, rp, 0, e };
		const char *id = rp->id;
		if (!rp->enabled)
			continue;
		rc.handle = alu_solve_repo(s, rp->id, rp->priority, rp->cost, 0);
		if (rc.handle < 0)
			return rc.handle;
		r = alu_cache_select(cache, &id, 1, e);
		if (!r)
			r = alu_cache_foreach_pkg(cache, add_cached, &rc, e);
	}
	if (cache && !r)
		r = alu_cache_select(cache, NULL, 0, e);
	if (!r)
		alu_solve_ready(s);
	return r;
}
