/* SPDX-License-Identifier: MIT */
/*
 * `alupdate deplist SPEC...`: yum's dependency list. For the newest package
 * of each name.arch SPEC matches (every version with --showduplicates):
 *
 *   package: greet.x86_64 1.2-1.amzn2
 *     dependency: libgreet >= 1.1
 *      provider: libgreet.x86_64 1.1-1.amzn2
 *     dependency: /bin/sh
 *      Unsatisfied dependency
 *
 * Requirements sorted by name, rpmlib() ones left out (as yum); providers
 * from the repositories and the installed packages, the newest of each
 * name.arch, sorted. No package matched: "No package X available.", exit 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/rqsel.h"
#include "db/cache.h"
#include "util/out.h"

struct prov {
	const struct alu_dep *req;     /* the requirement being resolved */
	struct pkgq_rows found;
	struct alu_state *s;
	int rc;
};

/* a provide of a candidate meets the requirement's range */
static int meets(const struct alu_dep *req, const struct alu_dep *prov, size_t n, const char *const *files,
		 size_t nfiles)
{
	char want[1200], buf[1024];

	if (req->name[0] == '/') {
		for (size_t i = 0; i < nfiles; i++)
			if (!strcmp(files[i], req->name))
				return 1;
	}
	/* rq_cap_match reads "NAME OP EVR"; the names are compared exactly first */
	rq_dep_str(req, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s", buf);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(prov[i].name, req->name) && rq_cap_match(want, &prov[i]))
			return 1;
	return 0;
}

static int repo_prov_cb(void *ud, const struct alu_cpkg *c)
{
	struct prov *p = ud;
	struct alu_dep *d = NULL;
	const char **f = NULL;
	size_t n = 0, nf = 0;
	int rc = alu_cache_pkg_deps(c, ALU_PROVIDES, &d, &n);

	if (!rc && p->req->name[0] == '/')
		rc = alu_cache_pkg_files(c, &f, &nf);
	if (!rc && meets(p->req, d, n, f, nf))
		rc = pkgq_add(&p->found, c->r.name, c->r.epoch, c->r.version, c->r.release, c->r.arch,
			      c->repoid, "", c->id);
	free(d);
	free(f);
	return rc;
}

static int inst_prov_cb(void *ud, uint64_t id)
{
	struct prov *p = ud;
	struct alu_hdr *h = NULL;
	struct alu_pkginfo pi;
	struct alu_dep *d = NULL;
	size_t n = 0;
	int rc;

	if (alu_state_header(p->s, id, &h, NULL))
		return 0;
	rc = alu_hdr_info(h, &pi);
	if (!rc)
		rc = alu_hdr_deps(h, ALU_PROVIDES, &d, &n);
	/* a file requirement: the state index already matched the path */
	if (!rc && (p->req->name[0] == '/' || meets(p->req, d, n, NULL, 0)))
		rc = pkgq_add(&p->found, pi.name, pi.epoch, pi.version, pi.release, pi.arch, "", "", id);
	free(d);
	alu_hdr_free(h);
	return rc;
}

struct dctx {
	struct rq_src *src;
	struct alu_err *e;
};

static int cmp_dep(const void *a, const void *b)
{
	const struct alu_dep *x = a, *y = b;
	int r = strcmp(x->name, y->name);

	return r ? r : strcmp(x->evr, y->evr);
}

static int show_cb(void *ud, const struct rq_view *v)
{
	struct dctx *x = ud;
	struct alu_dep *req = v->deps[ALU_REQUIRES];
	size_t n = v->ndeps[ALU_REQUIRES], shown = 0;
	char buf[1024];
	int rc = 0;

	printf("package: %s.%s ", v->pkg.name, v->pkg.arch);
	if (v->pkg.epoch)
		printf("%u:", v->pkg.epoch);
	printf("%s-%s\n", v->pkg.version, v->pkg.release);
	if (n)
		qsort(req, n, sizeof(*req), cmp_dep);
	for (size_t i = 0; !rc && i < n; i++) {
		struct prov p = { &req[i], { 0 }, x->src->s, 0 };
		if (!strncmp(req[i].name, "rpmlib(", 7) || (i && !cmp_dep(&req[i], &req[i - 1])))
			continue;
		shown++;
		rq_dep_str(&req[i], buf, sizeof(buf));
		printf("  dependency: %s\n", buf);
		rc = req[i].name[0] == '/' ? alu_cache_by_file(x->src->rp->cache, req[i].name, repo_prov_cb, &p, x->e) :
		     alu_cache_by_provide(x->src->rp->cache, req[i].name, repo_prov_cb, &p, x->e);
		if (!rc)
			rc = req[i].name[0] == '/' ? alu_state_file_owners(x->src->s, req[i].name, inst_prov_cb, &p) :
			     alu_state_what_provides(x->src->s, req[i].name, inst_prov_cb, &p);
		pkgq_sort(&p.found);
		if (!rc && !p.found.n)
			printf("   Unsatisfied dependency\n");
		for (size_t k = 0; !rc && k < p.found.n; k++) {
			const struct pkgq_row *r = &p.found.v[k];
			/* the newest of each name.arch */
			if (k + 1 < p.found.n && !strcmp(p.found.v[k + 1].name, r->name) &&
			    !strcmp(p.found.v[k + 1].arch, r->arch))
				continue;
			printf("   provider: %s.%s ", r->name, r->arch);
			if (r->epoch)
				printf("%u:", r->epoch);
			printf("%s-%s\n", r->version, r->release);
		}
		pkgq_free(&p.found);
	}
	if (!rc && !shown)
		printf("  No dependencies for this package\n");
	return rc;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_repos rp;
	struct alu_err e = { 0 };
	struct pkgq_rows rows = { 0 };
	struct rq_query q = { .specs = argv, .nspecs = argc, .latest = ctx->showduplicates ? 0 : 1 };
	struct rq_src src = { &rp, NULL, ctx->cacheonly };
	struct dctx x = { &src, &e };
	int rc;

	(void)priv;
	rc = alu_repos_open(ctx, 0, &rp, &e);
	if (!rc)
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &src.s, &e);
	if (!rc)
		rc = rq_select(&src, &q, &rows, &e);
	for (int i = 0; !rc && i < argc; i++) {
		int hit = 0;
		for (size_t k = 0; k < rows.n && !hit; k++)
			hit = alu_pkg_spec_match(argv[i], rows.v[k].name, rows.v[k].epoch, rows.v[k].version,
						 rows.v[k].release, rows.v[k].arch);
		if (!hit)
			rc = alu_err_set(&e, -ALUE_NOTFOUND, "No package %s available.", argv[i]);
	}
	for (size_t i = 0; !rc && i < rows.n; i++)
		rc = rq_view(&src, &rows.v[i], show_cb, &x, &e);
	pkgq_free(&rows);
	alu_state_close(src.s);
	alu_repos_close(&rp);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	return 0;
}

const struct alu_cmd alu_cmd_deplist = {
	.name = "deplist",
	.summary = "list the dependencies of packages and what provides each",
	.usage = "SPEC...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
