/* SPDX-License-Identifier: MIT */
/*
 * `alupdate check-release-update [--latest-only] [--version-only]`: on an
 * Amazon Linux 2023 root, the releases newer than the one the root is
 * locked to, read from the mirror's releasemd.xml (ops/release.h), in the
 * words of AL2023's dnf ("A newer release of "Amazon Linux" is available."
 * and, per release, the command that moves to it and its release notes).
 * Nothing is printed when the root is on the newest release. Exit 100 when
 * a newer release exists (as check-update does for updates), 0 when none,
 * 1 on error. --json: {"current", "newer":[{"version","release_notes"}]}.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/relnotice.h"
#include "conf/conf.h"
#include "ops/release.h"
#include "rpm/rpm.h"
#include "util/json.h"
#include "util/out.h"

#define OPTS(X) \
	X(OPT_LATEST_ONLY, "latest-only", 0, 0) \
	X(OPT_VERSION_ONLY, "version-only", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv {
	int latest_only, version_only;
};

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *d = p;

	(void)ctx;
	(void)arg;
	switch (id) {
	case OPT_LATEST_ONLY: d->latest_only = 1; return 0;
	case OPT_VERSION_ONLY: d->version_only = 1; return 0;
	}
	return -ENOTSUP;
}

/* AL2023's dnf words, on @p f, for the releases from @p first on */
static void banner(FILE *f, const struct alu_releases *rs, size_t first)
{
	fprintf(f, "WARNING:\n  A newer release of \"Amazon Linux\" is available.\n\n  Available Versions:\n\n");
	for (size_t i = first; i < rs->n; i++) {
		const char *v = rs->v[i].version;
		fprintf(f, "  Version %s:\n    Run the following command to upgrade to %s:\n\n"
			"      alupdate upgrade --releasever=%s\n\n", v, v, v);
		if (rs->v[i].notes)
			fprintf(f, "    Release notes:\n     %s\n\n", rs->v[i].notes);
	}
}

static void show(const struct priv *d, const struct alu_ctx *ctx, const char *current,
		 const struct alu_releases *rs, size_t first)
{
	if (ctx->json) {
		printf("{\"current\":");
		alu_json_str(current);
		printf(",\"newer\":[");
		for (size_t i = first; i < rs->n; i++) {
			printf("%s{\"version\":", i > first ? "," : "");
			alu_json_str(rs->v[i].version);
			printf(",\"release_notes\":");
			alu_json_str(rs->v[i].notes);
			printf("}");
		}
		printf("]}\n");
		return;
	}
	if (first >= rs->n || alu_out_level() < ALU_NORMAL)
		return;
	if (d->version_only) {
		for (size_t i = first; i < rs->n; i++)
			printf("%s\n", rs->v[i].version);
		return;
	}
	banner(stdout, rs, first);
}

/* The first release newer than the root's, or rs->n. */
static size_t newer(const struct alu_conf *c, const struct alu_releases *rs, char **installed,
		    const char **current)
{
	size_t first;

	/* a root that follows "latest" is on the release it has installed */
	*current = c->releasever;
	*installed = NULL;
	if (!strcmp(*current, "latest") && (*installed = alu_conf_system_release(c)))
		*current = *installed;
	for (first = 0; first < rs->n && alu_rpmvercmp(rs->v[first].version, *current) <= 0; first++)
		;
	return first;
}

void alu_cmd_release_notice(const struct alu_ctx *ctx, const struct alu_conf *c)
{
	struct alu_releases rs = { 0 };
	struct alu_err e = { 0 };
	char url[4200], *installed = NULL, rule[81];
	const char *current;
	size_t first;

	if (ctx->cacheonly || ctx->json || alu_out_level() < ALU_NORMAL ||
	    alu_release_list(c, &rs, url, sizeof(url), &e))
		return;
	first = newer(c, &rs, &installed, &current);
	if (first < rs.n) {
		memset(rule, '=', 80);
		rule[80] = 0;
		fprintf(stderr, "%s\n", rule);
		banner(stderr, &rs, first);
		fprintf(stderr, "%s\n", rule);
	}
	free(installed);
	alu_releases_free(&rs);
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *d = priv;
	struct alu_conf c;
	struct alu_releases rs = { 0 };
	struct alu_err e = { 0 };
	char url[4200], *installed = NULL;
	const char *current = NULL;
	size_t first;
	int rc;

	(void)argv;
	if (argc) {
		alu_error("check-release-update takes no arguments");
		return 1;
	}
	/* the releases are always the mirror's word of now: nothing is cached */
	if (ctx->cacheonly) {
		alu_error("check-release-update reads releasemd.xml from the mirror; -C (cache only) has none");
		return 1;
	}
	if ((rc = alu_conf_load(ctx, &c, &e)) || (rc = alu_release_list(&c, &rs, url, sizeof(url), &e))) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		alu_conf_free(&c);
		return 1;
	}
	first = newer(&c, &rs, &installed, &current);
	if (d->latest_only && first < rs.n)
		first = rs.n - 1;
	show(d, ctx, current, &rs, first);
	rc = first < rs.n ? 100 : 0;
	free(installed);
	alu_releases_free(&rs);
	alu_conf_free(&c);
	return rc;
}

const struct alu_cmd alu_cmd_check_release_update = {
	.name = "check-release-update",
	.summary = "say whether a newer Amazon Linux 2023 release than the root's exists",
	.usage = "[--latest-only] [--version-only]",
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
