/* SPDX-License-Identifier: MIT */
/*
 * `alupdate repoquery` (also run as `repoquery`), yum-utils' query tool:
 *   repoquery [-a] [--installed] [SPEC...]   one line per package, in
 *       --qf/--queryformat (rpm's %{tag}; default %{name}-%{epoch}:%{version}-%{release}.%{arch})
 *   --whatprovides CAP|PATH, --whatrequires CAP   select by dependency
 *   --requires, --provides   the selected packages' dependencies (sorted, unique);
 *                            --resolve: the newest packages that provide them instead
 *   -l/--list                their files (repositories: the full file lists,
 *                            fetched on demand)
 *   --location               their download URLs
 *   --repoid R, --repo R     only repository R (repeatable)
 *   --upgrades               the available updates of the installed packages
 *                            (dnf's spelling; yum's priorities and excludes)
 *   --latest-limit N         per name.arch the newest N (negative: all but
 *                            the newest -N); yum's default is the newest
 *                            only, --show-duplicates every version
 * Exit 0 also when nothing matches (as yum-utils and dnf), 1 on errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/rqsel.h"
#include "db/cache.h"
#include "net/net.h"
#include "util/out.h"

#define OPTS(X) \
	X(O_ALL, "all", 'a', 0) \
	X(O_INSTALLED, "installed", 0, 0) \
	X(O_REQUIRES, "requires", 'R', 0) \
	X(O_PROVIDES, "provides", 0, 0) \
	X(O_WHATREQ, "whatrequires", 0, 1) \
	X(O_WHATPROV, "whatprovides", 0, 1) \
	X(O_LIST, "list", 'l', 0) \
	X(O_LOCATION, "location", 0, 0) \
	X(O_QF, "qf", 0, 1) \
	X(O_QF2, "queryformat", 0, 1) \
	X(O_LATEST, "latest-limit", 0, 1) \
	X(O_DUPS, "show-duplicates", 0, 0) \
	X(O_REPOID, "repoid", 0, 1) \
	X(O_REPO, "repo", 0, 1) \
	X(O_RESOLVE, "resolve", 0, 0) \
	X(O_UPGRADES, "upgrades", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

enum { OUT_QF, OUT_REQUIRES, OUT_PROVIDES, OUT_LIST, OUT_LOCATION };

struct priv {
	struct rq_query q;
	const char *qf;
	int out, latest_set, dups, repos_narrowed, resolve, upgrades;
};

static int parse(void *pv, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *p = pv;
	char *end;

	switch (id) {
	case O_REPOID:
	case O_REPO: {
		/* only these repositories: --disablerepo='*' --enablerepo=R */
		char buf[512];
		if (!p->repos_narrowed++ && alu_strv_push(&ctx->repo_ops, "-*"))
			return -ENOMEM;
		snprintf(buf, sizeof(buf), "+%s", arg);
		return alu_strv_push(&ctx->repo_ops, buf);
	}
	case O_ALL: p->q.all = 1; return 0;
	case O_INSTALLED: p->q.installed = 1; return 0;
	case O_REQUIRES: p->out = OUT_REQUIRES; return 0;
	case O_PROVIDES: p->out = OUT_PROVIDES; return 0;
	case O_LIST: p->out = OUT_LIST; return 0;
	case O_LOCATION: p->out = OUT_LOCATION; return 0;
	case O_WHATREQ: return alu_strv_push_split(&p->q.whatrequires, arg);
	case O_WHATPROV: return alu_strv_push(&p->q.whatprovides, arg);
	case O_QF:
	case O_QF2: p->qf = arg; return 0;
	case O_DUPS: p->dups = 1; return 0;
	case O_RESOLVE: p->resolve = 1; return 0;
	case O_UPGRADES: p->upgrades = 1; return 0;
	case O_LATEST:
		p->q.latest = (int)strtol(arg, &end, 10);
		p->latest_set = 1;
		return *end || !*arg ? -EINVAL : 0;
	}
	return -ENOTSUP;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted, each once (dnf's and yum's --requires/--list lists) */
static void print_set(struct alu_strv *v)
{
	if (v->n)
		qsort(v->v, v->n, sizeof(*v->v), cmp_str);
	for (size_t i = 0; i < v->n; i++)
		if (!i || strcmp(v->v[i], v->v[i - 1]))
			printf("%s\n", v->v[i]);
}

struct outx {
	struct priv *p;
	struct rq_src *src;
	struct alu_strv set;
	struct alu_err *e;
};

static int out_cb(void *ud, const struct rq_view *v)
{
	struct outx *x = ud;
	char buf[2048];
	int rc = 0;

	switch (x->p->out) {
	case OUT_QF:
		rq_qf_print(stdout, x->p->qf ? x->p->qf : RQ_DEFAULT_QF, &v->pkg);
		return 0;
	case OUT_REQUIRES:
	case OUT_PROVIDES: {
		enum alu_deptype t = x->p->out == OUT_REQUIRES ? ALU_REQUIRES : ALU_PROVIDES;
		for (size_t i = 0; !rc && i < v->ndeps[t]; i++) {
			/* rpmlib() requirements are rpm's own, as yum and dnf leave them out */
			if (t == ALU_REQUIRES && !strncmp(v->deps[t][i].name, "rpmlib(", 7))
				continue;
			rq_dep_str(&v->deps[t][i], buf, sizeof(buf));
			rc = alu_strv_push(&x->set, buf);
		}
		return rc;
	}
	case OUT_LOCATION: {
		struct alu_cache_repo st;
		char *url = NULL;
		if (v->pkg.installed)
			return 0;
		if ((rc = alu_cache_repo_get(x->src->rp->cache, v->pkg.repoid, &st, x->e)))
			return rc;
		if (alu_url_join(st.mirror, v->pkg.location, &url))
			return -ENOMEM;
		printf("%s\n", url);
		free(url);
		return 0;
	}
	}
	return 0;
}

/* --upgrades: what `update` would take for each installed name.arch, the
 * SPECs (if any) narrowing it */
static int select_upgrades(struct rq_src *src, const struct rq_query *q, struct pkgq_rows *out,
			   struct alu_err *e)
{
	struct alu_update *v = NULL;
	size_t n = 0;
	int rc = alu_updates_find(src->rp->cache, src->s, &src->rp->conf, &v, &n, e);

	for (size_t i = 0; !rc && i < n; i++) {
		struct pkgq_row r = { .name = v[i].name, .epoch = v[i].epoch, .version = v[i].version,
				      .release = v[i].release, .arch = v[i].arch };
		if (!pkgq_wanted(q->specs, q->nspecs, &r))
			continue;
		if (pkgq_add(out, v[i].name, v[i].epoch, v[i].version, v[i].release, v[i].arch,
			     v[i].repo, "", v[i].id))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	alu_updates_free(v, n);
	return rc;
}

static int run(void *pv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *p = pv;
	struct alu_repos rp;
	struct alu_err e = { 0 };
	struct pkgq_rows rows = { 0 };
	struct rq_src src = { NULL, NULL, ctx->cacheonly };
	struct outx x = { p, &src, { 0 }, &e };
	char bad[64];
	int rc = 0, have_rp = 0;

	p->q.specs = argv;
	p->q.nspecs = argc;
	if (!p->latest_set)
		p->q.latest = p->dups || ctx->showduplicates || p->q.installed ? 0 : 1;
	if (p->qf && rq_qf_check(p->qf, bad, sizeof(bad)))
		rc = alu_err_set(&e, -ALUE_USAGE, "--queryformat: unknown tag or bad syntax at '%s'", bad);
	else if (p->upgrades && p->q.installed)
		rc = alu_err_set(&e, -ALUE_USAGE,
				 "repoquery: --upgrades queries the repositories, not --installed");
	else if (p->upgrades && (p->q.whatprovides.n || p->q.whatrequires.n))
		rc = alu_err_set(&e, -ALUE_USAGE,
				 "repoquery: --upgrades does not combine with --whatprovides/--whatrequires");
	else if (!argc && !p->q.all && !p->upgrades && !p->q.whatprovides.n && !p->q.whatrequires.n)
		rc = alu_err_set(&e, -ALUE_USAGE,
				 "repoquery: give a package, -a, --upgrades, --whatprovides or --whatrequires");
	if (!rc && !p->q.installed) {
		rc = alu_repos_open(ctx, 0, &rp, &e);
		have_rp = 1;
		src.rp = &rp;
	}
	if (!rc)
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &src.s, &e);
	if (!rc)
		rc = p->upgrades ? select_upgrades(&src, &p->q, &rows, &e)
				 : rq_select(&src, &p->q, &rows, &e);
	if (!rc && p->out == OUT_LIST) {
		/* dnf's order: package by package, each one's files sorted */
		struct alu_strv *files = calloc(rows.n + 1, sizeof(*files));
		rc = files ? rq_files(&src, &rows, files, &e) : -ENOMEM;
		for (size_t i = 0; i < rows.n; i++) {
			if (!rc)
				print_set(&files[i]);
			alu_strv_free(&files[i]);
		}
		free(files);
	} else {
		for (size_t i = 0; !rc && i < rows.n; i++)
			rc = rq_view(&src, &rows.v[i], out_cb, &x, &e);
	}
	if (!rc && p->resolve && p->out == OUT_REQUIRES && src.rp) {
		/* the packages providing any of the requirements, newest of each name.arch */
		struct rq_query rq = { .whatprovides = x.set, .latest = 1 };
		struct pkgq_rows prov = { 0 };
		rc = rq_select(&src, &rq, &prov, &e);
		p->out = OUT_QF;
		for (size_t i = 0; !rc && i < prov.n; i++)
			rc = rq_view(&src, &prov.v[i], out_cb, &x, &e);
		pkgq_free(&prov);
		alu_strv_free(&x.set);
	}
	if (!rc)
		print_set(&x.set);
	alu_strv_free(&x.set);
	pkgq_free(&rows);
	alu_state_close(src.s);
	if (have_rp)
		alu_repos_close(&rp);
	alu_strv_free(&p->q.whatprovides);
	alu_strv_free(&p->q.whatrequires);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	return 0;
}

const struct alu_cmd alu_cmd_repoquery = {
	.name = "repoquery",
	.summary = "query the repositories' or the installed packages (yum-utils' repoquery)",
	.usage = "[-a] [--installed] [--whatprovides CAP] [--whatrequires CAP] [--requires|--provides|-l|--location] [--qf FMT] [--latest-limit N] [--upgrades] [SPEC...]",
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
