/* SPDX-License-Identifier: MIT */
/*
 * `alupdate search [all] TERM...`: packages whose name or summary (with
 * `all` also description and URL) contains a term, case-insensitively, as
 * yum prints them: sections "N/S matched: a, b" (packages matching more terms
 * first), lines "name.arch : summary". The newest package of each name.arch
 * of the repositories is searched, and installed packages no repository
 * carries. No match: "No matches found", exit 1. --json gives
 * {"search":[{name, arch, evr, repo, summary, matched:[terms]}]}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "cmd/cmd.h"
#include "cmd/pkgq.h"
#include "db/cache.h"
#include "db/state.h"
#include "repo/repo.h"
#include "util/out.h"

struct swalk {
	struct pkgq_rows rows;    /* tag bit i: term i matched */
	char **terms;
	int nterms, all;
};

static unsigned match(const struct swalk *w, const char *name, const char *summary,
		      const char *desc, const char *url)
{
	unsigned m = 0;

	for (int i = 0; i < w->nterms && i < 32; i++)
		if (strcasestr(name, w->terms[i]) || strcasestr(summary, w->terms[i]) ||
		    (w->all && (strcasestr(desc, w->terms[i]) || strcasestr(url, w->terms[i]))))
			m |= 1u << i;
	return m;
}

static int keep(struct swalk *w, unsigned m)
{
	w->rows.v[w->rows.n - 1].tag = m;
	return 0;
}

static int repo_cb(void *ud, const struct alu_cpkg *p)
{
	struct swalk *w = ud;
	const struct alu_pkgrec *r = &p->r;
	unsigned m;

	if (!strcmp(r->arch, "src") || !strcmp(r->arch, "nosrc"))
		return 0;
	m = match(w, r->name, r->summary, r->description, r->url);
	if (!m)
		return 0;
	if (pkgq_add(&w->rows, r->name, r->epoch, r->version, r->release, r->arch, p->repoid,
		     r->summary, p->id))
		return -ENOMEM;
	return keep(w, m);
}

/* installed packages no repository carries (by name.arch) */
static int add_installed(struct swalk *w, struct alu_state *s)
{
	struct pkgq_rows inst = { 0 };
	size_t nrepo;
	int rc = pkgq_installed(s, NULL, 0, &inst);

	pkgq_sort(&w->rows);
	nrepo = w->rows.n;
	for (size_t i = 0; !rc && i < inst.n; i++) {
		const struct pkgq_row *p = &inst.v[i];
		struct alu_hdr *h = NULL;
		struct alu_pkginfo pi;
		unsigned m;

		/* a view of the sorted repository rows (taken anew: adding may move them) */
		struct pkgq_rows repo = { w->rows.v, nrepo, nrepo };

		if (pkgq_inst_find(&repo, p->name, p->arch) || alu_state_header(s, p->id, &h, NULL))
			continue;
		if (!alu_hdr_info(h, &pi) && (m = match(w, pi.name, pi.summary, pi.description, pi.url))) {
			rc = pkgq_add(&w->rows, p->name, p->epoch, p->version, p->release, p->arch,
				      p->repo, pi.summary, p->id);
			if (!rc) {
				w->rows.v[w->rows.n - 1].installed = 1;
				rc = keep(w, m);
			}
		}
		alu_hdr_free(h);
	}
	pkgq_free(&inst);
	return rc;
}

static int popcount(unsigned m)
{
	int n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

static void print_section(const struct swalk *w, unsigned m, const int *newest)
{
	char head[1024];
	size_t o;
	int first = 1;

	o = (size_t)snprintf(head, sizeof(head), "%s: ", w->all ? "Matched" : "N/S matched");
	for (int i = 0; i < w->nterms && i < 32 && o < sizeof(head); i++)
		if (m & (1u << i))
			o += (size_t)snprintf(head + o, sizeof(head) - o, "%s%s", first ? "" : ", ",
					      w->terms[i]), first = 0;
	pkgq_section(head);
	for (size_t k = 0; k < w->rows.n; k++)
		if (newest[k] && w->rows.v[k].tag == m)
			printf("%s.%s : %s\n", w->rows.v[k].name, w->rows.v[k].arch, w->rows.v[k].summary);
}

static void print_json(const struct swalk *w, const int *newest)
{
	char ev[512];
	int n = 0;

	printf("{\"search\":[");
	for (size_t k = 0; k < w->rows.n; k++) {
		const struct pkgq_row *p = &w->rows.v[k];
		if (!newest[k])
			continue;
		pkgq_evr(ev, sizeof(ev), p->epoch, p->version, p->release);
		printf("%s{\"name\":", n++ ? "," : "");
		alu_json_str(p->name);
		printf(",\"arch\":");
		alu_json_str(p->arch);
		printf(",\"evr\":");
		alu_json_str(ev);
		printf(",\"repo\":");
		alu_json_str(p->installed ? (*p->repo ? p->repo : "installed") : p->repo);
		printf(",\"summary\":");
		alu_json_str(p->summary);
		printf(",\"matched\":[");
		for (int i = 0, c = 0; i < w->nterms && i < 32; i++)
			if (w->rows.v[k].tag & (1u << i)) {
				printf(c++ ? "," : "");
				alu_json_str(w->terms[i]);
			}
		printf("]}");
	}
	printf("]}\n");
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct swalk w = { 0 };
	struct alu_repos rp;
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	int *newest = NULL, rc, found = 0;

	(void)priv;
	if (argc > 1 && !strcmp(argv[0], "all"))
		w.all = 1, argc--, argv++;
	w.terms = argv;
	w.nterms = argc > 32 ? 32 : argc;
	rc = alu_repos_open(ctx, 0, &rp, &e);
	if (!rc)
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e);
	if (!rc)
		rc = alu_cache_foreach_pkg(rp.cache, repo_cb, &w, &e);
	if (!rc)
		rc = add_installed(&w, s);
	if (!rc && w.rows.n && !(newest = calloc(w.rows.n, sizeof(*newest))))
		rc = -ENOMEM;
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
		goto out;
	}
	/* one line per name.arch: the newest */
	pkgq_sort(&w.rows);
	for (size_t k = 0; k < w.rows.n; k++) {
		const struct pkgq_row *a = &w.rows.v[k], *b = k + 1 < w.rows.n ? a + 1 : NULL;
		newest[k] = !b || strcmp(a->name, b->name) || strcmp(a->arch, b->arch);
		found += newest[k];
	}
	if (ctx->json) {
		print_json(&w, newest);
		rc = 0;
	} else if (!found) {
		alu_error("No matches found");
		rc = 1;
	} else {
		/* sections with more matched terms first, as yum orders them */
		for (int n = w.nterms; n > 0; n--) {
			for (size_t k = 0; k < w.rows.n; k++) {
				unsigned m = w.rows.v[k].tag;
				size_t j;
				if (!newest[k] || popcount(m) != n)
					continue;
				for (j = 0; j < k && !(newest[j] && w.rows.v[j].tag == m); j++)
					;
				if (j < k)
					continue;
				print_section(&w, m, newest);
			}
		}
		if (!w.all)
			alu_msg("  Name and summary matches only, use \"search all\" for everything.");
		rc = 0;
	}
out:
	free(newest);
	pkgq_free(&w.rows);
	alu_state_close(s);
	alu_repos_close(&rp);
	return rc;
}

const struct alu_cmd alu_cmd_search = {
	.name = "search",
	.summary = "find packages whose name or summary contains a term",
	.usage = "[all] TERM...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
