/* SPDX-License-Identifier: MIT */
/*
 * `alupdate updateinfo [list|info|summary] [FILTER] [available|installed|updates|all]
 * [FILTER] [ID-or-PKG-GLOB...]` (FILTER: yum's words security/sec, bugfix,
 * enhancement, newpackage, cves, bugzillas ...) with the advisory filters (--security, --sec-severity,
 * --advisory, --cve ...). An advisory line applies when an installed package
 * of its name and arch (noarch matches any) is older than the fixed version
 * ("available", the default); "installed" lists fixes already installed;
 * "updates" those whose fix the repositories carry; "all" both. Output shapes
 * are yum's: `ALAS2-2026-0001 critical/Sec. hello-2.10-2.amzn2.x86_64`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "cmd/uirows.h"
#include "db/cache.h"
#include "db/state.h"
#include "ops/ops.h"
#include "ops/rootarch.h"
#include "repo/repo.h"
#include "util/out.h"

enum { V_LIST, V_INFO, V_SUMMARY };
enum { REFS_CVE = 1, REFS_BZ = 2 };   /* list references instead of advisory ids */

static const char *const sevs[] = { "Critical", "Important", "Medium", "Moderate", "Low" };

/* In collection order (by advisory id) an advisory's rows, one per package,
 * stand together. @return whether row @p i is the first of its advisory. */
static int first_of_advisory(const struct uirows *u, size_t i)
{
	return i == 0 || strcmp(u->v[i - 1].id, u->v[i].id);
}

static void summary(const struct uirows *u, const char *mode, int json)
{
	size_t nsec = 0, nbug = 0, nenh = 0, nnew = 0, nsev[5] = { 0 };

	for (size_t i = 0; i < u->n; i++) {
		const struct uirow *r = &u->v[i];
		if (!first_of_advisory(u, i))
			continue;
		switch (r->typebit) {
		case ALU_ADV_SECURITY:
			nsec++;
			for (size_t s = 0; s < 5; s++)
				nsev[s] += !strcasecmp(r->severity, sevs[s]);
			break;
		case ALU_ADV_BUGFIX: nbug++; break;
		case ALU_ADV_ENHANCEMENT: nenh++; break;
		case ALU_ADV_NEWPACKAGE: nnew++; break;
		}
	}
	if (json) {
		printf("{\"mode\":\"%s\",\"security\":%zu,\"critical\":%zu,\"important\":%zu,"
		       "\"medium\":%zu,\"moderate\":%zu,\"low\":%zu,\"bugfix\":%zu,\"enhancement\":%zu,"
		       "\"newpackage\":%zu}\n", mode, nsec, nsev[0], nsev[1], nsev[2], nsev[3], nsev[4],
		       nbug, nenh, nnew);
		return;
	}
	if (!nsec && !nbug && !nenh && !nnew)
		return;
	printf("Updates Information Summary: %s\n", mode);
	if (nsec)
		printf("    %zu Security notice(s)\n", nsec);
	for (size_t s = 0; s < 5; s++)
		if (nsev[s])
			printf("        %zu %s Security notice(s)\n", nsev[s], sevs[s]);
	if (nbug)
		printf("    %zu Bugfix notice(s)\n", nbug);
	if (nenh)
		printf("    %zu Enhancement notice(s)\n", nenh);
	if (nnew)
		printf("    %zu New Package notice(s)\n", nnew);
	printf("updateinfo summary done\n");
}

static const struct alu_strv *refs_of(const struct uirow *r, int refs)
{
	return refs == REFS_BZ ? &r->bzs : &r->cves;
}

static void list(const struct uirows *u, int refs, int json)
{
	int w1 = 0, w2 = 0;

	if (json) {
		printf("[");
		for (size_t i = 0; i < u->n; i++) {
			const struct uirow *r = &u->v[i];
			printf("%s{\"id\":", i ? "," : "");
			alu_json_str(r->id);
			printf(",\"type\":");
			alu_json_str(r->type);
			printf(",\"severity\":");
			alu_json_str(r->severity);
			printf(",\"nevra\":");
			alu_json_str(r->nevra);
			printf(",\"installed\":%s,\"cves\":[", r->status == ALU_ADVST_INSTALLED ? "true" : "false");
			for (size_t c = 0; c < r->cves.n; c++) {
				printf(c ? "," : "");
				alu_json_str(r->cves.v[c]);
			}
			printf("]}");
		}
		printf("]\n");
		return;
	}
	for (size_t i = 0; i < u->n; i++) {
		const struct uirow *r = &u->v[i];
		int a = (int)strlen(r->id), b = (int)strlen(r->label);
		const struct alu_strv *rv = refs_of(r, refs);
		for (size_t c = 0; refs && c < rv->n; c++)
			a = (int)strlen(rv->v[c]) > a ? (int)strlen(rv->v[c]) : a;
		w1 = a > w1 ? a : w1;
		w2 = b > w2 ? b : w2;
	}
	for (size_t i = 0; i < u->n; i++) {
		const struct uirow *r = &u->v[i];
		const char *mark = u->all ? (r->status == ALU_ADVST_INSTALLED ? "i " : "  ") : "";
		const struct alu_strv *rv = refs_of(r, refs);
		if (!refs) {
			printf("%s%-*s %-*s %s\n", mark, w1, r->id, w2, r->label, r->nevra);
			continue;
		}
		for (size_t c = 0; c < rv->n; c++)
			printf("%s%-*s %-*s %s\n", mark, w1, rv->v[c], w2, r->label, r->nevra);
	}
}

/* yum's layout: continuation lines of a value start with "            : " */
static void field(const char *key, const char *v)
{
	printf("%11s : ", key);
	for (; *v; v++) {
		putchar(*v);
		if (*v == '\n' && v[1])
			printf("%11s : ", "");
	}
	putchar('\n');
}

static void info(const struct uirows *u)
{
	for (size_t i = 0; i < u->n; i++) {
		const struct uirow *r = &u->v[i];
		if (!first_of_advisory(u, i))
			continue;
		printf("===============================================================================\n"
		       "  %s\n"
		       "===============================================================================\n",
		       r->title);
		printf("  Update ID : %s\n", r->id);
		printf("       Type : %s\n", r->type);
		printf("     Status : %s\n", r->adv_status);
		printf("     Issued : %s\n", r->issued);
		if (*r->updated)
			printf("    Updated : %s\n", r->updated);
		for (size_t c = 0; c < r->cves.n; c++)
			printf("%s : %s\n", c ? "           " : "       CVEs", r->cves.v[c]);
		field("Description", r->description);
		if (*r->severity)
			printf("   Severity : %s\n", r->severity);
		printf("\n");
	}
}

/* dnf's spellings: updateinfo --list|--info|--summary, --available|--installed|--updates|--all */
#define OPTS(X) X(OPT_LIST, "list", 0, 0) X(OPT_INFO, "info", 0, 0) X(OPT_SUMMARY, "summary", 0, 0) \
	X(OPT_AVAIL, "available", 0, 0) X(OPT_INST, "installed", 0, 0) X(OPT_UPD, "updates", 0, 0) \
	X(OPT_ALL, "all", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv { int view; const char *mode; };

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	static const char *const modes[] = { "available", "installed", "updates", "all" };
	struct priv *pv = p;

	(void)ctx;
	(void)arg;
	if (id >= OPT_LIST && id <= OPT_SUMMARY)
		pv->view = id == OPT_LIST ? V_LIST : id == OPT_INFO ? V_INFO : V_SUMMARY;
	else if (id >= OPT_AVAIL && id <= OPT_ALL)
		pv->mode = modes[id - OPT_AVAIL];
	else
		return -ENOTSUP;
	return 0;
}

/* yum's positional filter words (yumcommands.py _cmd2filt): a type, or
 * which references to list instead of advisory ids. */
static const struct { const char *word; unsigned type; int refs; } filt_words[] = {
	{ "security", ALU_ADV_SECURITY, 0 }, { "sec", ALU_ADV_SECURITY, 0 },
	{ "bugfix", ALU_ADV_BUGFIX, 0 }, { "enhancement", ALU_ADV_ENHANCEMENT, 0 },
	{ "newpackage", ALU_ADV_NEWPACKAGE, 0 }, { "newpackages", ALU_ADV_NEWPACKAGE, 0 },
	{ "new-package", ALU_ADV_NEWPACKAGE, 0 }, { "new-packages", ALU_ADV_NEWPACKAGE, 0 },
	{ "new", ALU_ADV_NEWPACKAGE, 0 },
	{ "cves", 0, REFS_CVE }, { "cve", 0, REFS_CVE },
	{ "bugzillas", 0, REFS_BZ }, { "bugzilla", 0, REFS_BZ }, { "bzs", 0, REFS_BZ },
	{ "bz", 0, REFS_BZ },
};

/* @return whether argv[0] was a filter word (taken into @p types / @p refs). */
static int filter_word(int *argc, char ***argv, unsigned *types, int *refs)
{
	for (size_t i = 0; *argc && i < sizeof(filt_words) / sizeof(*filt_words); i++)
		if (!strcmp((*argv)[0], filt_words[i].word)) {
			*types |= filt_words[i].type;
			*refs = filt_words[i].refs ? filt_words[i].refs : *refs;
			(*argc)--, (*argv)++;
			return 1;
		}
	return 0;
}

static int is_mode(const char *w)
{
	return !strcmp(w, "available") || !strcmp(w, "installed") || !strcmp(w, "updates") ||
	       !strcmp(w, "all");
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *pv = priv;
	struct alu_repos rp;
	struct alu_state *st = NULL;
	struct alu_err e = { 0 };
	struct uirows u = { 0 };
	int view = V_LIST, refs = 0, rc, had_filter = 0;
	unsigned types = 0;
	const char *mode = "available";
	struct alu_filter f = ctx->filter;

	if (pv->view)
		view = pv->view;
	if (pv->mode)
		mode = pv->mode;
	if (argc && (!strcmp(argv[0], "list") || !strcmp(argv[0], "info") || !strcmp(argv[0], "summary"))) {
		view = argv[0][0] == 'l' ? V_LIST : argv[0][0] == 'i' ? V_INFO : V_SUMMARY;
		argc--, argv++;
	}
	/* yum's order: [filter] [available|installed|updates|all] [filter] [ID|PKG...] */
	had_filter = filter_word(&argc, &argv, &types, &refs);
	if (argc && is_mode(argv[0]))
		mode = argv[0], argc--, argv++;
	if (!had_filter)
		filter_word(&argc, &argv, &types, &refs);
	if (view != V_LIST)
		refs = 0;
	/* a positional type narrows as --security etc. do, with them */
	f.types |= types;
	rc = alu_repos_open(ctx, 0, &rp, &e);
	if (!rc)
		rc = alu_ops_state_open_ro(ctx, &st, &e);
	/* a foreign root's updates are another architecture's packages */
	if (!rc)
		rc = alu_rootarch_check(ctx, rp.conf.basearch, st, &e);
	if (!rc)
		rc = uirows_collect(&u, rp.cache, st, &f, mode, argv, argc, &e);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		rc = 1;
	} else if (view == V_SUMMARY) {
		summary(&u, mode, ctx->json);
	} else if (view == V_INFO && !ctx->json) {
		info(&u);
	} else {
		uirows_sort_by_pkg(&u);
		list(&u, refs, ctx->json);
	}
	if (!rc && !ctx->json && view != V_SUMMARY && alu_out_level() >= ALU_NORMAL)
		printf("updateinfo %s done\n", view == V_INFO ? "info" : "list");
	uirows_free(&u);
	alu_state_close(st);
	alu_repos_close(&rp);
	return rc;
}

const struct alu_cmd alu_cmd_updateinfo = {
	.name = "updateinfo",
	.summary = "show advisories (list, info, summary; cves)",
	.usage = "[list|info|summary] [security|bugfix|enhancement|newpackage|cves|bugzillas] "
		 "[available|installed|updates|all] [ID|PKG...]",
	.groups = ALU_OPTG_FILTER,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
