/* SPDX-License-Identifier: MIT */
/*
 * reposync --extras TOPIC,...|all (cmd/reposync.h): amazon-linux-extras on
 * the air-gapped side. A client finds extras beside its core repository's
 * mirror (cmd/extras_fetch.c): the catalog at <base>/extras-catalog.json
 * and topic T at version V through <base>/extras/T/V/$basearch/mirror.list,
 * <base> being amzn2-core's mirrorlist up to "/core/". So the copy holds,
 * for each region R of --mirrorlist-for R=URL (the layout in which the core
 * repository's mirror.list is written too):
 *   R/<rel>/extras-catalog.json (and -<basearch>.json when published), the
 *     catalog byte for byte (v1 or v2), parsed before it is written;
 *   R/<rel>/extras/T/V/<basearch>/mirror.list naming URL/extras/T/V0/<basearch>/;
 *   extras/T/V0/<basearch>/ the topic's repository, copied as reposync copies
 *     any (metadata as published, every package checked against it and
 *     signed by the core repository's key, as the topic's section says
 *     gpgcheck = 1; resumable).
 * V runs over "latest" and the catalog's versions; versions whose mirror
 * lists name the same mirrors share one copy V0 (on Amazon Linux 2 "latest"
 * is one of the versions). The catalogs come last, once every topic asked
 * for is whole: an interrupted or failed run leaves the previous catalog,
 * whose topics are all there.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/extras_repo.h"
#include "cmd/reposync.h"
#include "repo/extras_catalog.h"
#include "repo/repo.h"
#include "util/out.h"

/* One version directory of a topic already copied: versions whose mirrors
 * are the same share it. */
struct seen { char *mirrors; char ver[256]; };

static char *mirrors_key(const struct alu_mirrors *m)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		fprintf(f, "%s\n", m->v[i].url);
	fclose(f);
	return s;
}

static int wanted(const struct alu_strv *pats, const char *topic)
{
	for (size_t i = 0; i < pats->n; i++)
		if (!strcmp(pats->v[i], "all") || !fnmatch(pats->v[i], topic, 0))
			return 1;
	return 0;
}

struct xrun {
	const struct alu_reposync *pv;
	const struct alu_ctx *ctx;
	const struct alu_conf *c;
	struct alu_net *net;
	const struct alu_repo *core;
	char base[4096];          /* substituted extras base (.../us-east-1/2) */
	const char *region;       /* $awsregion */
};

/* Topic @p t at version @p ver for @p sub (basearch or SRPMS). *copied set
 * when a repository was copied (else it shared an earlier version's). */
static int one_version(struct xrun *x, const struct alu_extras_topic *t, const char *ver,
		       const char *sub, struct seen *sv, size_t *nsv, struct alu_err *e)
{
	struct alu_repo r = *x->core;
	struct alu_mirrors m = { 0 };
	struct alu_mcopy_stats st;
	struct alu_net_opts no;
	char id[320], ml[4096], rel[1024], dest[4096], *key = NULL;
	const char *v0 = ver;
	int rc;

	snprintf(id, sizeof(id), "amzn2extra-%s%s", t->name, strcmp(sub, "SRPMS") ? "" : "-source");
	snprintf(ml, sizeof(ml), "%s/extras/%s/%s/%s/mirror.list", x->base, t->name, ver, sub);
	/* the topic's section as amazon-linux-extras writes it: the core's key and
	 * network settings, gpgcheck = 1, its own mirror list */
	r.id = id;
	r.mirrorlist = ml;
	r.baseurls = (struct alu_strv){ 0 };
	r.gpgcheck = 1;
	alu_repo_net_opts(&r, &no);
	if ((rc = alu_reposync_mirrors(x->c, x->net, &r, &no, &m, e)))
		goto out;
	if (!(key = mirrors_key(&m))) {
		rc = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < *nsv; i++)
		if (!strcmp(sv[i].mirrors, key))
			v0 = sv[i].ver;
	snprintf(rel, sizeof(rel), "extras/%s/%s/%s", t->name, v0, sub);
	if (v0 == ver) {
		snprintf(dest, sizeof(dest), "%s/%s", x->pv->path, rel);
		rc = alu_reposync_copy(x->pv, x->ctx, x->c, x->net, &r, &m, dest, ALU_MCOPYF_METADATA,
				       &st, e);
		if (rc)
			goto out;
		alu_msg("%s: %zu packages (%zu downloaded), revision %s (extras topic %s=%s)", id,
			st.pkgs, st.fetched, *st.revision ? st.revision : "(none)", t->name, ver);
		sv[*nsv].mirrors = key;
		snprintf(sv[*nsv].ver, sizeof(sv[*nsv].ver), "%s", ver);
		++*nsv;
		key = NULL;
	} else {
		alu_verbose("%s: %s=%s is the copy of %s=%s", id, t->name, ver, t->name, v0);
	}
	rc = alu_mcopy_mirrorlists(x->pv->path, rel, ml, x->region, &x->pv->mirrorlists, e);
out:
	if (rc) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		alu_err_clear(e);
		alu_err_set(e, rc, "extras topic %s=%s: %s", t->name, ver, msg);
	}
	free(key);
	alu_mirrors_free(&m);
	return rc;
}

/* Every version of topic @p t: 0, or the number of versions that failed. */
static int one_topic(struct xrun *x, const struct alu_extras_topic *t)
{
	const char *subs[] = { x->c->basearch, "SRPMS" };
	size_t nsubs = (x->pv->flags & ALU_MCOPYF_SOURCE) ? 2 : 1, nsv = 0;
	struct seen *sv = calloc(t->versions.n + 1, sizeof(*sv));
	int failed = 0;

	if (!sv) {
		alu_error("out of memory");
		return 1;
	}
	for (size_t s = 0; s < nsubs; s++) {
		for (size_t i = 0; i <= t->versions.n; i++) {
			const char *v = i ? t->versions.v[i - 1] : "latest";
			struct alu_err e = { 0 };
			if (i && !strcmp(v, "latest"))
				continue;
			if (one_version(x, t, v, subs[s], sv, &nsv, &e)) {
				alu_error("%s", e.msg);
				failed++;
			}
		}
		for (size_t i = 0; i < nsv; i++)
			free(sv[i].mirrors);
		nsv = 0;
	}
	free(sv);
	return failed;
}

/* The catalog (and its per-arch twin when published, checked by the
 * parser) into each region's place. */
static int put_catalogs(struct xrun *x, const char *buf, size_t len, struct alu_err *e)
{
	char aurl[4096], dst[4096], *abuf = NULL;
	struct alu_extras_catalog cat = { 0 };
	struct alu_net_opts no;
	struct alu_err le = { 0 };
	size_t alen = 0;
	int rc;

	snprintf(dst, sizeof(dst), "%s/extras-catalog.json", x->base);
	rc = alu_mcopy_region_file(x->pv->path, dst, x->region, &x->pv->mirrorlists, buf, len, e);
	if (rc)
		return rc;
	/* extras-catalog-<arch>.json: optional upstream; what is published must parse */
	snprintf(aurl, sizeof(aurl), "%s/extras-catalog-%s.json", x->base, x->c->basearch);
	alu_extras_net_opts(x->c, &no);
	if (alu_net_get_mem(x->net, aurl, &no, ALU_EXTRAS_CATALOG_MAX, &abuf, &alen, &le)) {
		alu_verbose("extras: no per-arch catalog (%s)", le.msg);
		return 0;
	}
	rc = alu_extras_catalog_parse(abuf, alen, aurl, &cat, e);
	alu_extras_catalog_free(&cat);
	if (!rc)
		rc = alu_mcopy_region_file(x->pv->path, aurl, x->region, &x->pv->mirrorlists, abuf, alen, e);
	free(abuf);
	return rc;
}

int alu_reposync_extras(const struct alu_reposync *pv, const struct alu_ctx *ctx,
			const struct alu_conf *c, struct alu_net *net, struct alu_err *e)
{
	struct xrun x = { pv, ctx, c, net, alu_conf_repo(c, "amzn2-core"), "",
			  alu_conf_var(c, "awsregion") };
	struct alu_extras_catalog cat = { 0 };
	struct alu_extras_src src;
	struct alu_strv skipped = { 0 };
	char url[4096], *buf = NULL, *base = NULL;
	size_t len = 0, ncopied = 0;
	int rc, failed = 0;

	if (!pv->mirrorlists.n)
		return alu_err_set(e, -ALUE_USAGE, "--extras needs --mirrorlist-for REGION=URL: the topics' "
				   "mirror lists name the URL the copy is served at");
	if (!x.core)
		return alu_err_set(e, -ALUE_CONFIG, "--extras: no amzn2-core repository (extras are found "
				   "beside its mirror)");
	if ((rc = alu_extras_fetch_raw(c, net, &src, url, sizeof(url), &buf, &len, e)))
		return rc;
	if ((rc = alu_extras_catalog_parse(buf, len, url, &cat, e)))
		goto out;
	if (alu_conf_subst(c, src.base, &base)) {
		rc = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	snprintf(x.base, sizeof(x.base), "%s", base);
	for (size_t i = 0; i < pv->extras.n; i++) {
		int any = !strcmp(pv->extras.v[i], "all");
		for (size_t k = 0; !any && k < cat.ntopics; k++)
			any = !fnmatch(pv->extras.v[i], cat.topics[k].name, 0);
		if (!any) {
			rc = alu_err_set(e, -ALUE_NOTFOUND, "--extras %s: no such topic in %s", pv->extras.v[i],
					 url);
			goto out;
		}
	}
	for (size_t k = 0; k < cat.ntopics; k++) {
		const struct alu_extras_topic *t = &cat.topics[k];
		if (!wanted(&pv->extras, t->name)) {
			if (alu_strv_push(&skipped, t->name)) {
				rc = alu_err_set(e, -ENOMEM, "out of memory");
				goto out;
			}
			continue;
		}
		failed += one_topic(&x, t);
		ncopied++;
	}
	if (failed) {
		alu_error("extras: %d topic version(s) failed; the catalog was not written (the copy "
			  "keeps its previous one)", failed);
		goto out;
	}
	if ((rc = put_catalogs(&x, buf, len, e)))
		goto out;
	alu_msg("extras: catalog v%d from %s, %zu of %zu topics copied", cat.version, url, ncopied,
		cat.ntopics);
	if (skipped.n) {
		char list[512] = "";
		for (size_t i = 0, o = 0; i < skipped.n && o < sizeof(list); i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", skipped.v[i]);
		alu_warn("extras: the catalog also lists %s, not copied: clients enabling %s find no "
			 "repository on this mirror", list, skipped.n > 1 ? "them" : "it");
	}
out:
	alu_strv_free(&skipped);
	alu_extras_catalog_free(&cat);
	free(base);
	free(buf);
	return rc ? rc : failed;
}
