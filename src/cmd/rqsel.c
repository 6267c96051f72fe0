/* SPDX-License-Identifier: MIT */
/* Package selection and views for repoquery and friends (cmd/rqsel.h). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/rqsel.h"
#include "db/cache.h"
#include "repo/filelists.h"

void rq_dep_str(const struct alu_dep *d, char *b, size_t n)
{
	const char *op = "";
	uint32_t f = d->flags & (ALU_DEP_LESS | ALU_DEP_GREATER | ALU_DEP_EQUAL);

	if (f == ALU_DEP_EQUAL) op = "=";
	else if (f == (ALU_DEP_LESS | ALU_DEP_EQUAL)) op = "<=";
	else if (f == (ALU_DEP_GREATER | ALU_DEP_EQUAL)) op = ">=";
	else if (f == ALU_DEP_LESS) op = "<";
	else if (f == ALU_DEP_GREATER) op = ">";
	if (*op && *d->evr)
		snprintf(b, n, "%s %s %s", d->name, op, d->evr);
	else
		snprintf(b, n, "%s", d->name);
}

int rq_cap_match(const char *want, const struct alu_dep *d)
{
	char name[1024], evr[256];
	struct alu_dep w = { name, 0, evr };
	struct alu_evr ev;
	const char *op = strpbrk(want, " <>=");
	size_t nl = op ? (size_t)(op - want) : strlen(want);

	snprintf(name, sizeof(name), "%.*s", (int)nl, want);
	if (fnmatch(name, d->name, 0))
		return 0;
	if (!op)
		return 1;
	while (*op == ' ')
		op++;
	for (; *op == '<' || *op == '>' || *op == '='; op++)
		w.flags |= *op == '<' ? ALU_DEP_LESS : *op == '>' ? ALU_DEP_GREATER : ALU_DEP_EQUAL;
	while (*op == ' ')
		op++;
	snprintf(evr, sizeof(evr), "%s", op);
	if (!*d->evr)
		return 1;   /* an unversioned provide satisfies any range */
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", d->evr);
	return !alu_evr_parse(buf, &ev) && pkgq_dep_match(&w, ev.epoch, ev.version, ev.release);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walk {
	struct rq_src *src;
	const struct rq_query *q;
	struct pkgq_rows *out;
	struct alu_strv pathids;   /* "repoid/pkgid" of packages owning a wanted path */
	struct alu_strv reqnames;  /* capabilities whatrequires looks for */
	struct alu_err *e;
};

static int has_path_want(const struct rq_query *q)
{
	for (size_t i = 0; i < q->whatprovides.n; i++)
		if (q->whatprovides.v[i][0] == '/' || q->whatprovides.v[i][0] == '*')
			return 1;
	return 0;
}

static int path_cb(void *ud, const char *repoid, const char *pkgid, const char *path)
{
	struct walk *w = ud;
	char key[512];

	for (size_t i = 0; i < w->q->whatprovides.n; i++) {
		const char *p = w->q->whatprovides.v[i];
		if ((p[0] == '/' || p[0] == '*') && !fnmatch(p, path, 0)) {
			snprintf(key, sizeof(key), "%s/%s", repoid, pkgid);
			/* sorted once the walk is over (rq_select), then searched */
			if (alu_strv_push(&w->pathids, key))
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

/* the common test; @p files NULL: repository package (use pathids) */
static int keep(struct walk *w, const struct rq_view *v, const char *const *files, size_t nfiles)
{
	const struct rq_query *q = w->q;
	const struct rq_pkg *p = &v->pkg;
	int ok = 0;

	if (q->nspecs) {
		for (int i = 0; i < q->nspecs && !ok; i++)
			ok = alu_pkg_spec_match(q->specs[i], p->name, p->epoch, p->version, p->release, p->arch);
		if (!ok)
			return 0;
	}
	if (q->whatprovides.n) {
		char key[512];
		ok = 0;
		const char *kp = key;
		snprintf(key, sizeof(key), "%s/%s", p->repoid, p->pkgid);
		for (size_t i = 0; i < q->whatprovides.n && !ok; i++) {
			const char *want = q->whatprovides.v[i];
			if (want[0] == '/' || want[0] == '*') {
				ok = files ? 0 : w->pathids.n &&
				     bsearch(&kp, w->pathids.v, w->pathids.n, sizeof(char *), cmp_strp) != NULL;
				for (size_t k = 0; files && k < nfiles && !ok; k++)
					ok = !fnmatch(want, files[k], 0);
			} else {
				for (size_t k = 0; k < v->ndeps[ALU_PROVIDES] && !ok; k++)
					ok = rq_cap_match(want, &v->deps[ALU_PROVIDES][k]);
			}
		}
		if (!ok)
			return 0;
	}
	if (q->whatrequires.n) {
		ok = 0;
		for (size_t k = 0; k < v->ndeps[ALU_REQUIRES] && !ok; k++)
			for (size_t i = 0; i < w->reqnames.n && !ok; i++)
				ok = !fnmatch(w->reqnames.v[i], v->deps[ALU_REQUIRES][k].name, 0);
		if (!ok)
			return 0;
	}
	return 1;
}

static void fill_repo(struct rq_view *v, const struct alu_cpkg *c)
{
	const struct alu_pkgrec *r = &c->r;

	memset(v, 0, sizeof(*v));
	v->pkg = (struct rq_pkg){ r->name, r->version, r->release, r->arch, c->repoid, r->epoch,
		r->summary, r->description, r->url, r->license, r->vendor, r->group, r->buildhost,
		r->sourcerpm, r->packager, r->location, r->pkgid, r->size_package, r->size_installed,
		r->size_package, r->size_archive, r->time_build, 0 };
}

static void free_deps(struct rq_view *v)
{
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		free(v->deps[t]);
}

static int repo_cb(void *ud, const struct alu_cpkg *c)
{
	struct walk *w = ud;
	struct rq_view v;
	int rc = 0;

	fill_repo(&v, c);
	for (int t = 0; !rc && t < ALU_DEPTYPE_N; t++)
		rc = alu_cache_pkg_deps(c, t, &v.deps[t], &v.ndeps[t]);
	if (!rc && keep(w, &v, NULL, 0))
		rc = pkgq_add(w->out, c->r.name, c->r.epoch, c->r.version, c->r.release, c->r.arch,
			      c->repoid, c->r.summary, c->id);
	free_deps(&v);
	return rc;
}

/* an installed package's view from its header; @p files filled when asked */
static int inst_view(struct alu_state *s, uint64_t id, struct alu_hdr **h, struct rq_view *v,
		     struct alu_strv *files, struct alu_err *e)
{
	struct alu_pkginfo pi;
	struct alu_file f;
	int rc;

	memset(v, 0, sizeof(*v));
	if ((rc = alu_state_header(s, id, h, e)) || (rc = alu_hdr_info(*h, &pi)))
		return rc;
	v->pkg = (struct rq_pkg){ pi.name, pi.version, pi.release, pi.arch, "installed", pi.epoch,
		pi.summary, pi.description, pi.url, pi.license, pi.vendor, pi.group, "", pi.sourcerpm,
		pi.packager, "", "", pi.size, pi.size, 0, 0, pi.buildtime, 1 };
	for (int t = 0; !rc && t < ALU_DEPTYPE_N; t++)
		rc = alu_hdr_deps(*h, t, &v->deps[t], &v->ndeps[t]);
	for (size_t i = 0, n = alu_hdr_nfiles(*h); !rc && files && i < n; i++)
		if (!(rc = alu_hdr_file(*h, i, &f)))
			rc = alu_strv_push(files, f.path);
	return rc;
}

static int inst_cb(void *ud, const struct alu_instpkg *ip)
{
	struct walk *w = ud;
	struct alu_hdr *h = NULL;
	struct alu_strv files = { 0 };
	struct rq_view v;
	int rc;

	if (!strcmp(ip->name, "gpg-pubkey"))
		return 0;
	rc = inst_view(w->src->s, ip->id, &h, &v, has_path_want(w->q) ? &files : NULL, w->e);
	if (!rc && keep(w, &v, (const char *const *)files.v, files.n)) {
		rc = pkgq_add(w->out, ip->name, ip->epoch, ip->version, ip->release, ip->arch, ip->repo,
			      v.pkg.summary, ip->id);
		if (!rc)
			w->out->v[w->out->n - 1].installed = 1;
	}
	free_deps(&v);
	alu_strv_free(&files);
	alu_hdr_free(h);
	return rc;
}

/* whatrequires NAME: NAME itself and what packages named NAME provide */
static int req_cb(void *ud, const struct alu_cpkg *c)
{
	struct walk *w = ud;
	struct alu_dep *d = NULL;
	size_t n = 0;
	int rc = alu_cache_pkg_deps(c, ALU_PROVIDES, &d, &n);

	for (size_t i = 0; !rc && i < n; i++)
		if (!alu_strv_has(&w->reqnames, d[i].name))
			rc = alu_strv_push(&w->reqnames, d[i].name);
	free(d);
	return rc;
}

static void apply_latest(struct pkgq_rows *r, int latest)
{
	size_t o = 0;

	for (size_t i = 0; i < r->n;) {
		size_t j = i;
		while (j < r->n && !strcmp(r->v[j].name, r->v[i].name) && !strcmp(r->v[j].arch, r->v[i].arch))
			j++;
		/* rows i..j-1 are one name.arch, oldest first */
		for (size_t k = i; k < j; k++) {
			size_t from_top = j - k;   /* 1 = newest */
			int take = latest > 0 ? from_top <= (size_t)latest : from_top > (size_t)-latest;
			if (take) {
				r->v[o++] = r->v[k];
			} else {
				struct pkgq_row *x = &r->v[k];
				free(x->name); free(x->arch); free(x->version); free(x->release);
				free(x->repo); free(x->summary);
			}
		}
		i = j;
	}
	r->n = o;
}

int rq_select(struct rq_src *src, const struct rq_query *q, struct pkgq_rows *out, struct alu_err *e)
{
	struct walk w = { .src = src, .q = q, .out = out, .e = e };
	int rc = 0;

	for (size_t i = 0; !rc && i < q->whatrequires.n; i++) {
		rc = alu_strv_push(&w.reqnames, q->whatrequires.v[i]);
		if (!rc && src->rp)
			rc = alu_cache_by_name(src->rp->cache, q->whatrequires.v[i], req_cb, &w, e);
	}
	if (!rc && !q->installed && has_path_want(q))
		rc = alu_filelists_each(src->rp, src->cacheonly, path_cb, &w, e);
	if (!rc && w.pathids.n)
		qsort(w.pathids.v, w.pathids.n, sizeof(char *), cmp_strp);
	if (!rc)
		rc = q->installed ? alu_state_foreach(src->s, inst_cb, &w) :
				    alu_cache_foreach_pkg(src->rp->cache, repo_cb, &w, e);
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	pkgq_sort(out);
	if (!rc && q->latest)
		apply_latest(out, q->latest);
	alu_strv_free(&w.pathids);
	alu_strv_free(&w.reqnames);
	return rc;
}

struct vctx {
	int (*cb)(void *ud, const struct rq_view *v);
	void *ud;
	int rc;
};

static int view_cb(void *ud, const struct alu_cpkg *c)
{
	struct vctx *x = ud;
	struct rq_view v;
	int rc = 0;

	fill_repo(&v, c);
	for (int t = 0; !rc && t < ALU_DEPTYPE_N; t++)
		rc = alu_cache_pkg_deps(c, t, &v.deps[t], &v.ndeps[t]);
	if (!rc)
		rc = x->cb(x->ud, &v);
	free_deps(&v);
	return rc;
}

int rq_view(struct rq_src *src, const struct pkgq_row *row,
	    int (*cb)(void *ud, const struct rq_view *v), void *ud, struct alu_err *e)
{
	struct vctx x = { cb, ud, 0 };
	struct alu_hdr *h = NULL;
	struct rq_view v;
	int rc;

	if (!row->installed)
		return alu_cache_pkg_get(src->rp->cache, row->id, view_cb, &x, e);
	rc = inst_view(src->s, row->id, &h, &v, NULL, e);
	if (!rc)
		rc = cb(ud, &v);
	free_deps(&v);
	alu_hdr_free(h);
	return rc;
}

struct fkey {
	char key[320];       /* "repoid/pkgid" */
	size_t row;
};

struct fctx {
	struct fkey *keys;
	size_t n;
	struct alu_strv *files;   /* one per row */
	struct rq_src *src;
	const struct pkgq_rows *rows;
	size_t cur;
};

static int fkey_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fkey *)a)->key, ((const struct fkey *)b)->key);
}

static int flist_cb(void *ud, const char *repoid, const char *pkgid, const char *path)
{
	struct fctx *f = ud;
	struct fkey k, *hit;

	snprintf(k.key, sizeof(k.key), "%s/%s", repoid, pkgid);
	hit = bsearch(&k, f->keys, f->n, sizeof(*f->keys), fkey_cmp);
	/* a package twice in one repository (same pkgid): both rows get the files */
	for (; hit && hit > f->keys && !strcmp(hit[-1].key, k.key); hit--)
		;
	for (; hit && hit < f->keys + f->n && !strcmp(hit->key, k.key); hit++)
		if (alu_strv_push(&f->files[hit->row], path))
			return -ENOMEM;
	return 0;
}

static int pkgid_cb(void *ud, const struct rq_view *v)
{
	struct fctx *f = ud;

	snprintf(f->keys[f->n].key, sizeof(f->keys[f->n].key), "%s/%s", v->pkg.repoid, v->pkg.pkgid);
	f->keys[f->n++].row = f->cur;
	return 0;
}

int rq_files(struct rq_src *src, const struct pkgq_rows *rows, struct alu_strv *files,
	     struct alu_err *e)
{
	struct fctx f = { calloc(rows->n + 1, sizeof(struct fkey)), 0, files, src, rows, 0 };
	int rc = f.keys ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < rows->n; i++) {
		struct alu_hdr *h = NULL;
		struct rq_view v;
		f.cur = i;
		if (!rows->v[i].installed) {
			rc = rq_view(src, &rows->v[i], pkgid_cb, &f, e);
			continue;
		}
		rc = inst_view(src->s, rows->v[i].id, &h, &v, &files[i], e);
		free_deps(&v);
		alu_hdr_free(h);
	}
	if (f.n)
		qsort(f.keys, f.n, sizeof(*f.keys), fkey_cmp);
	if (!rc && f.n)
		rc = alu_filelists_each(src->rp, src->cacheonly, flist_cb, &f, e);
	free(f.keys);
	return rc;
}
