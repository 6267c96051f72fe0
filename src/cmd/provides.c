/* SPDX-License-Identifier: MIT */
/*
 * `alupdate provides CAP|PATH|GLOB...` (alias whatprovides): the packages of
 * the repositories and the installed ones that provide a capability
 * ("libgreet.so.1()(64bit)", "greet >= 1.1") or own a file ("/usr/bin/hello",
 * globs allowed), in yum's blocks:
 *
 *   hello-2.11-1.amzn2.x86_64 : Prints a friendly greeting
 *   Repo        : amzn2-core            (installed: @repo or "installed")
 *   Matched from:
 *   Filename    : /usr/bin/hello        (or "Provides    : hello = 2.11-1.amzn2")
 *
 * A bare word that matches nothing is tried as a command in the usual bin
 * directories, as yum does. A path or a glob with a '/' ("*\/ls", "*bin/ls") is a file:
 * primary lists the files under /etc/ and in bin/ directories, so a
 * pattern whose every match lies there is answered from the cache; any
 * other reads the repositories' full file lists, fetched on demand and
 * kept (repo/filelists.h). Installed packages know all of their files.
 * No match: "No matches found", exit 1. --json: {"provides":[...]}.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "cmd/cmd.h"
#include "cmd/pkgq.h"
#include "db/cache.h"
#include "db/state.h"
#include "repo/filelists.h"
#include "ops/ops.h"
#include "repo/repo.h"
#include "util/out.h"
#include "util/strv.h"

struct pwalk {
	const char *pat;          /* capability name or path (glob) */
	struct alu_dep want;      /* the range asked for (flags 0: any) */
	int isfile, json, found, cacheonly;
	struct alu_state *s;
	struct alu_strv hits;     /* full file lists: "repoid/pkgid" then the path, in pairs */
	struct alu_strv shown;    /* primary's index: repoid, pkgid pairs already shown */
	char evrbuf[256];
};

static int has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* one package's block: every matched file (yum lists them all), or the provide */
static void show_n(struct pwalk *w, const char *nevra, const char *summary, const char *repo,
		   const char *const *what, size_t n)
{
	if (w->json) {
		printf("%s{\"nevra\":", w->found ? "," : "");
		alu_json_str(nevra);
		printf(",\"repo\":");
		alu_json_str(repo);
		printf(",\"summary\":");
		alu_json_str(summary);
		printf(",\"%s\":", w->isfile ? "file" : "provide");
		alu_json_str(what[0]);
		if (w->isfile) {
			printf(",\"files\":[");
			for (size_t i = 0; i < n; i++) {
				printf("%s", i ? "," : "");
				alu_json_str(what[i]);
			}
			printf("]");
		}
		printf("}");
	} else {
		printf("%s : %s\nRepo        : %s\nMatched from:\n", nevra, summary, repo);
		for (size_t i = 0; i < n; i++)
			printf("%s : %s\n", w->isfile ? "Filename   " : "Provides   ", what[i]);
		printf("\n");
	}
	w->found++;
}

static void show(struct pwalk *w, const char *nevra, const char *summary, const char *repo,
		 const char *what)
{
	show_n(w, nevra, summary, repo, &what, 1);
}

static void dep_str(const struct alu_dep *d, char *b, size_t n)
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

/* does provide @p d satisfy what was asked? (name glob, then the ranges overlap) */
static int prov_ok(const struct pwalk *w, const struct alu_dep *d)
{
	char buf[256];
	struct alu_evr e;

	if (fnmatch(w->pat, d->name, 0))
		return 0;
	if (!(w->want.flags & (ALU_DEP_LESS | ALU_DEP_GREATER | ALU_DEP_EQUAL)))
		return 1;
	/* an unversioned provide satisfies any range */
	if (!*d->evr)
		return 1;
	snprintf(buf, sizeof(buf), "%s", d->evr);
	return !alu_evr_parse(buf, &e) && pkgq_dep_match(&w->want, e.epoch, e.version, e.release);
}

static int repo_cb(void *ud, const struct alu_cpkg *p)
{
	struct pwalk *w = ud;
	char nevra[1024], what[1024];
	struct alu_dep *d = NULL;
	const char **f = NULL;
	size_t n = 0;
	int rc;

	alu_nevra_fmt(nevra, sizeof(nevra), p->r.name, p->r.epoch, p->r.version, p->r.release, p->r.arch);
	if (w->isfile) {
		size_t k = 0;
		/* a glob over the file index calls back once per file: one block a package */
		for (size_t i = 0; i + 1 < w->shown.n; i += 2)
			if (!strcmp(w->shown.v[i], p->repoid) && !strcmp(w->shown.v[i + 1], p->r.pkgid))
				return 0;
		if ((rc = alu_cache_pkg_files(p, &f, &n)))
			return rc;
		for (size_t i = 0; i < n; i++)
			if (!fnmatch(w->pat, f[i], 0))
				f[k++] = f[i];
		if (k)
			show_n(w, nevra, p->r.summary, p->repoid, f, k);
		free(f);
		if (k && (alu_strv_push(&w->shown, p->repoid) || alu_strv_push(&w->shown, p->r.pkgid)))
			return -ENOMEM;
		return 0;
	}
	if ((rc = alu_cache_pkg_deps(p, ALU_PROVIDES, &d, &n)))
		return rc;
	for (size_t i = 0; i < n; i++)
		if (prov_ok(w, &d[i])) {
			dep_str(&d[i], what, sizeof(what));
			show(w, nevra, p->r.summary, p->repoid, what);
			break;
		}
	free(d);
	return 0;
}

static int inst_cb(void *ud, const struct alu_instpkg *p)
{
	struct pwalk *w = ud;
	struct alu_hdr *h = NULL;
	struct alu_pkginfo pi;
	struct alu_dep *d = NULL;
	struct alu_file f;
	char nevra[1024], what[4096], repo[300];
	size_t n = 0;

	if (!strcmp(p->name, "gpg-pubkey") || alu_state_header(w->s, p->id, &h, NULL))
		return 0;
	alu_nevra_fmt(nevra, sizeof(nevra), p->name, p->epoch, p->version, p->release, p->arch);
	snprintf(repo, sizeof(repo), *p->repo ? "@%s" : "installed", p->repo);
	*what = 0;
	if (w->isfile) {
		struct alu_strv m = { 0 };
		for (size_t i = 0, nf = alu_hdr_nfiles(h); i < nf; i++)
			if (!alu_hdr_file(h, i, &f) && !fnmatch(w->pat, f.path, 0) && alu_strv_push(&m, f.path))
				break;
		if (m.n && !alu_hdr_info(h, &pi))
			show_n(w, nevra, pi.summary, repo, (const char *const *)m.v, m.n);
		alu_strv_free(&m);
	} else if (!alu_hdr_deps(h, ALU_PROVIDES, &d, &n)) {
		for (size_t i = 0; i < n && !*what; i++)
			if (prov_ok(w, &d[i]))
				dep_str(&d[i], what, sizeof(what));
		free(d);
	}
	if (*what && !alu_hdr_info(h, &pi))
		show(w, nevra, pi.summary, repo, what);
	alu_hdr_free(h);
	return 0;
}

static int inst_id_cb(void *ud, uint64_t id)
{
	struct pwalk *w = ud;
	int rc = alu_state_get(w->s, id, inst_cb, w);

	return rc == -ENOENT ? 0 : rc;
}

/* "name", or "name OP evr" in one argument ("greet >= 1.1", "greet>1.1") */
static int parse_cap(struct pwalk *w, char *arg)
{
	char *op = strpbrk(arg, " <>=");
	char *sp, *end;

	memset(&w->want, 0, sizeof(w->want));
	w->want.evr = "";
	w->pat = arg;
	/* "/usr/bin/ls", and a glob holding a slash as yum reads it: a file */
	w->isfile = arg[0] == '/' || (has_glob(arg) && strchr(arg, '/'));
	if (!op || w->isfile)
		return 0;
	end = op;   /* the name ends here; cut it once the operator is read */
	while (*op == ' ')
		op++;
	for (; *op == '<' || *op == '>' || *op == '='; op++)
		w->want.flags |= *op == '<' ? ALU_DEP_LESS : *op == '>' ? ALU_DEP_GREATER : ALU_DEP_EQUAL;
	*end = 0;
	while (*op == ' ')
		op++;
	if ((sp = strchr(op, ' ')))
		*sp = 0;
	snprintf(w->evrbuf, sizeof(w->evrbuf), "%s", op);
	w->want.evr = w->evrbuf;
	return w->want.flags && *op ? 0 : -EINVAL;
}

/* does primary carry every path @p pat can match? (createrepo's rule:
 * ^/etc/, bin/, /usr/lib/sendmail) */
static int in_primary(const char *pat)
{
	size_t lit = strcspn(pat, "*?[");
	char pre[4096];

	snprintf(pre, sizeof(pre), "%.*s", (int)lit, pat);
	return !strncmp(pre, "/etc/", 5) || strstr(pre, "bin/") || !strcmp(pat, "/usr/lib/sendmail");
}

static int flist_cb(void *ud, const char *repoid, const char *pkgid, const char *path)
{
	struct pwalk *w = ud;
	char key[512];

	if (fnmatch(w->pat, path, 0))
		return 0;
	snprintf(key, sizeof(key), "%s/%s", repoid, pkgid);
	return alu_strv_push(&w->hits, key) || alu_strv_push(&w->hits, path) ? -ENOMEM : 0;
}

struct hit { const char *key, *path; size_t seq; };

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct hit *)a)->key, ((const struct hit *)b)->key);
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	/* equal keys keep file order: a package's files come in their order */
	return r ? r : (x->seq > y->seq) - (x->seq < y->seq);
}

struct hits {
	struct pwalk *w;
	struct hit *v;
	size_t n;
};

static int flist_pkg_cb(void *ud, const struct alu_cpkg *p)
{
	struct hits *h = ud;
	struct hit k, *at;
	char key[512], nevra[1024];
	const char **paths;
	size_t n = 0;

	snprintf(key, sizeof(key), "%s/%s", p->repoid, p->r.pkgid);
	k.key = key;
	/* the first hit of the key: bsearch finds one, walk back to the first */
	if (!(at = bsearch(&k, h->v, h->n, sizeof(*h->v), key_cmp)))
		return 0;
	while (at > h->v && !strcmp(at[-1].key, key))
		at--;
	while (at + n < h->v + h->n && !strcmp(at[n].key, key))
		n++;
	if (!(paths = malloc(n * sizeof(*paths))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		paths[i] = at[i].path;
	alu_nevra_fmt(nevra, sizeof(nevra), p->r.name, p->r.epoch, p->r.version, p->r.release, p->r.arch);
	show_n(h->w, nevra, p->r.summary, p->repoid, paths, n);
	free(paths);
	return 0;
}

static int lookup(struct pwalk *w, struct alu_repos *rp, struct alu_err *e)
{
	int rc;

	if (w->isfile && !in_primary(w->pat)) {
		struct hits h = { w, NULL, 0 };
		alu_strv_free(&w->hits);
		rc = alu_filelists_each(rp, w->cacheonly, flist_cb, w, e);
		/* one sorted index of the hits, looked up once per package */
		if (!rc && w->hits.n && !(h.v = malloc(w->hits.n / 2 * sizeof(*h.v))))
			rc = -ENOMEM;
		for (size_t i = 0; !rc && i + 1 < w->hits.n; i += 2)
			h.v[h.n] = (struct hit){ w->hits.v[i], w->hits.v[i + 1], h.n }, h.n++;
		if (!rc && h.n) {
			qsort(h.v, h.n, sizeof(*h.v), hit_cmp);
			rc = alu_cache_foreach_pkg(rp->cache, flist_pkg_cb, &h, e);
		}
		free(h.v);
		alu_strv_free(&w->hits);
	} else if (w->isfile)
		rc = alu_cache_by_file(rp->cache, w->pat, repo_cb, w, e);
	else if (has_glob(w->pat))
		rc = alu_cache_foreach_pkg(rp->cache, repo_cb, w, e);
	else
		rc = alu_cache_by_provide(rp->cache, w->pat, repo_cb, w, e);
	if (rc)
		return rc;
	/* a name or path without a glob: the state's indexes, not every header */
	if (has_glob(w->pat))
		return alu_state_foreach(w->s, inst_cb, w);
	return w->isfile ? alu_state_file_owners(w->s, w->pat, inst_id_cb, w) :
			   alu_state_what_provides(w->s, w->pat, inst_id_cb, w);
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	static const char *const bins[] = { "/usr/bin", "/usr/sbin", "/bin", "/sbin",
					    "/usr/local/bin", "/usr/local/sbin" };
	struct pwalk w = { 0 };
	struct alu_repos rp;
	struct alu_err e = { 0 };
	char buf[4096];
	int rc;

	(void)priv;
	w.json = ctx->json;
	w.cacheonly = ctx->cacheonly;
	rc = alu_repos_open(ctx, 0, &rp, &e);
	if (!rc)
		rc = alu_ops_state_open_ro(ctx, &w.s, &e);
	if (w.json && !rc)
		printf("{\"provides\":[");
	for (int i = 0; !rc && i < argc; i++) {
		int before = w.found;
		snprintf(buf, sizeof(buf), "%s", argv[i]);
		if (parse_cap(&w, buf)) {
			rc = alu_err_set(&e, -EINVAL, "%s: not a capability (NAME [<|<=|=|>=|> VERSION])",
					 argv[i]);
			break;
		}
		rc = lookup(&w, &rp, &e);
		/* yum: a bare word may be a command */
		for (size_t b = 0; !rc && w.found == before && !w.isfile && !has_glob(argv[i]) &&
		     !w.want.flags && b < sizeof(bins) / sizeof(*bins); b++) {
			snprintf(buf, sizeof(buf), "%s/%s", bins[b], argv[i]);
			w.pat = buf;
			w.isfile = 1;
			rc = lookup(&w, &rp, &e);
			w.isfile = 0;
		}
	}
	if (w.json && !rc)
		printf("]}\n");
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
	} else if (!w.found && !w.json) {
		alu_error("No matches found");
		rc = 1;
	}
	alu_strv_free(&w.shown);
	alu_state_close(w.s);
	alu_repos_close(&rp);
	return rc;
}

static const char *const aliases[] = { "whatprovides", NULL };

const struct alu_cmd alu_cmd_provides = {
	.name = "provides",
	.aliases = aliases,
	.summary = "find the packages that provide a capability or own a file",
	.usage = "CAPABILITY|/PATH|GLOB...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
