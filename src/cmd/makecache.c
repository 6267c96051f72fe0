/* SPDX-License-Identifier: MIT */
/*
 * `alupdate makecache [fast|timer]`: check every enabled repository now and
 * ingest what changed ("fast" and "timer" honour metadata_expire, as dnf's
 * timer does). "Metadata Cache Created" as yum says.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/cache.h"
#include "repo/repo.h"
#include "util/out.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_repos rp;
	struct alu_err e = { 0 };
	unsigned flags = ALU_REPOSF_FORCE;
	int rc;

	(void)priv;
	if (argc && (!strcmp(argv[0], "fast") || !strcmp(argv[0], "timer")))
		flags = 0;
	rc = alu_repos_open(ctx, flags, &rp, &e);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		alu_repos_close(&rp);
		return 1;
	}
	if (ctx->json) {
		printf("{\"repos\":[");
		for (size_t i = 0; i < rp.enabled.n; i++) {
			struct alu_cache_repo r;
			if (alu_cache_repo_get(rp.cache, rp.enabled.v[i], &r, &e))
				continue;
			printf("%s{\"id\":\"%s\",\"packages\":%llu,\"advisories\":%llu,\"revision\":\"%s\"}",
			       i ? "," : "", r.id, (unsigned long long)r.npkgs,
			       (unsigned long long)r.nadvs, r.revision);
		}
		printf("],\"refreshed\":%zu}\n", rp.nchanged);
	} else {
		for (size_t i = 0; i < rp.enabled.n; i++) {
			struct alu_cache_repo r;
			if (!alu_cache_repo_get(rp.cache, rp.enabled.v[i], &r, &e))
				alu_verbose("%s: %llu packages, %llu advisories", r.id,
					    (unsigned long long)r.npkgs, (unsigned long long)r.nadvs);
		}
		alu_msg("Metadata Cache Created");
	}
	alu_repos_close(&rp);
	return 0;
}

const struct alu_cmd alu_cmd_makecache = {
	.name = "makecache",
	.summary = "download and cache the metadata of the enabled repositories",
	.usage = "[fast|timer]",
	.run = run,
};
