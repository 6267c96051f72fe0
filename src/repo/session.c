/* SPDX-License-Identifier: MIT */
/*
 * What every command that reads repositories does first: load the
 * configuration, open the cache, bring each enabled repository up to date
 * (skip_if_unavailable turns a failure into a warning and leaves that
 * repository out) and restrict cache queries to the repositories in use.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "db/cache.h"
#include "net/net.h"
#include "repo/repo.h"
#include "util/out.h"

int alu_repos_open(const struct alu_ctx *ctx, unsigned flags, struct alu_repos *out,
		   struct alu_err *e)
{
	unsigned sf = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = alu_conf_load(ctx, &out->conf, e);
	if (rc)
		return rc;
	rc = alu_cache_open(out->conf.cachedir, 0, &out->cache, e);
	if (!rc && !(flags & ALU_REPOSF_NOSYNC) && !ctx->cacheonly)
		rc = alu_net_new(&out->net) ? alu_err_set(e, -ENOMEM, "out of memory") : 0;
	if (rc)
		return rc;
	if (ctx->cacheonly)
		sf |= ALU_SYNCF_CACHEONLY;
	if (flags & ALU_REPOSF_FORCE)
		sf |= ALU_SYNCF_FORCE;
	for (size_t i = 0; i < out->conf.nrepos; i++) {
		const struct alu_repo *r = &out->conf.repos[i];
		struct alu_err re = { 0 };
		int changed = 0;

		if (!r->enabled)
			continue;
		if (!(flags & ALU_REPOSF_NOSYNC)) {
			rc = alu_repo_sync(&out->conf, out->net, out->cache, r, sf, &changed, &re);
			if (rc && r->skip_if_unavailable && rc != -ALUE_NOCACHE) {
				alu_warn("repository %s skipped: %s", r->id, re.msg);
				continue;
			}
			if (rc) {
				alu_err_set(e, rc, "%s", re.msg);
				return rc;
			}
			if (changed)
				out->nchanged++;
		}
		if (alu_strv_push(&out->enabled, r->id))
			return alu_err_set(e, -ENOMEM, "out of memory");
	}
	/* no repository in use (--disablerepo=...) selects none, not every cached one */
	static const char *const none[] = { NULL };
	return alu_cache_select(out->cache, out->enabled.n ? (const char *const *)out->enabled.v : none,
				out->enabled.n, e);
}

void alu_repos_close(struct alu_repos *r)
{
	alu_cache_close(r->cache);
	alu_net_free(r->net);
	alu_strv_free(&r->enabled);
	alu_conf_free(&r->conf);
	memset(r, 0, sizeof(*r));
}
