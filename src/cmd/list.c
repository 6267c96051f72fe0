/* SPDX-License-Identifier: MIT */
/*
 * `alupdate list installed [GLOB...]`: installed packages in yum's columns
 * (name.arch, [epoch:]version-release, @repo) under "Installed Packages",
 * or as JSON with --json. Globs match as yum's do: name, name.arch,
 * name-version, name-version-release, name-version-release.arch,
 * name-epoch:version-release.arch, epoch:name-version-release.arch.
 * The available/updates forms need repository metadata and belong to the
 * metadata layer; until it is wired in they fail with a clear message.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "db/state.h"
#include "util/out.h"

struct row {
	char *na, *evr, *repo;
	struct alu_instpkg p;   /* strings point into na/evr/owned copies */
	char *name, *version, *release, *arch, *reason;
};

struct listing {
	char **globs;
	int nglobs;
	struct row *rows;
	size_t n, cap;
	int oom;
};

static int matches(const struct listing *l, const struct alu_instpkg *p)
{
	char forms[7][1024];
	size_t nf = 0;

	if (!l->nglobs)
		return 1;
	snprintf(forms[nf++], 1024, "%s", p->name);
	snprintf(forms[nf++], 1024, "%s.%s", p->name, p->arch);
	snprintf(forms[nf++], 1024, "%s-%s", p->name, p->version);
	snprintf(forms[nf++], 1024, "%s-%s-%s", p->name, p->version, p->release);
	snprintf(forms[nf++], 1024, "%s-%s-%s.%s", p->name, p->version, p->release, p->arch);
	snprintf(forms[nf++], 1024, "%s-%u:%s-%s.%s", p->name, p->epoch, p->version, p->release, p->arch);
	snprintf(forms[nf++], 1024, "%u:%s-%s-%s.%s", p->epoch, p->name, p->version, p->release, p->arch);
	for (int g = 0; g < l->nglobs; g++)
		for (size_t f = 0; f < nf; f++)
			if (!fnmatch(l->globs[g], forms[f], 0))
				return 1;
	return 0;
}

static int collect(void *arg, const struct alu_instpkg *p)
{
	struct listing *l = arg;
	struct row *r;
	char buf[1024];

	if (!matches(l, p))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct row *n = realloc(l->rows, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		l->rows = n;
		l->cap = cap;
	}
	r = &l->rows[l->n];
	memset(r, 0, sizeof(*r));
	r->p = *p;
	snprintf(buf, sizeof(buf), "%s.%s", p->name, p->arch);
	r->na = strdup(buf);
	if (p->epoch)
		snprintf(buf, sizeof(buf), "%u:%s-%s", p->epoch, p->version, p->release);
	else
		snprintf(buf, sizeof(buf), "%s-%s", p->version, p->release);
	r->evr = strdup(buf);
	/* yum shows "installed" when it does not know where a package came from */
	if (*p->repo)
		snprintf(buf, sizeof(buf), "@%s", p->repo);
	else
		snprintf(buf, sizeof(buf), "installed");
	r->repo = strdup(buf);
	r->name = strdup(p->name);
	r->version = strdup(p->version);
	r->release = strdup(p->release);
	r->arch = strdup(p->arch);
	r->reason = strdup(p->repo);   /* the origin repo, raw, for JSON */
	l->n++;
	if (!r->na || !r->evr || !r->repo || !r->name || !r->version || !r->release || !r->arch || !r->reason)
		return -ENOMEM;
	return 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct listing *l)
{
	printf("{\"installed\":[");
	for (size_t i = 0; i < l->n; i++) {
		const struct row *r = &l->rows[i];
		printf("%s{\"name\":", i ? "," : "");
		json_str(r->name);
		printf(",\"epoch\":%u,\"version\":", r->p.epoch);
		json_str(r->version);
		printf(",\"release\":");
		json_str(r->release);
		printf(",\"arch\":");
		json_str(r->arch);
		printf(",\"repo\":");
		json_str(r->reason);
		printf(",\"reason\":\"%s\",\"installtime\":%u,\"size\":%llu}",
		       alu_state_reason_str(r->p.reason), r->p.installtime,
		       (unsigned long long)r->p.size);
	}
	printf("]}\n");
}

static void print_table(const struct listing *l)
{
	int w1 = 0, w2 = 0;

	for (size_t i = 0; i < l->n; i++) {
		int a = (int)strlen(l->rows[i].na), b = (int)strlen(l->rows[i].evr);
		w1 = a > w1 ? a : w1;
		w2 = b > w2 ? b : w2;
	}
	printf("Installed Packages\n");
	for (size_t i = 0; i < l->n; i++)
		printf("%-*s  %-*s  %s\n", w1, l->rows[i].na, w2, l->rows[i].evr, l->rows[i].repo);
}

static int list_installed(struct alu_ctx *ctx, char **globs, int nglobs)
{
	struct listing l = { .globs = globs, .nglobs = nglobs };
	const struct alu_state_info *info;
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	int r, rc = 1;

	r = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e);
	if (r) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
		return 1;
	}
	info = alu_state_info(s);
	if (info->adopted_now && !ctx->json)
		alu_msg("Adopted %zu packages from %s", info->adopted_count, info->adopted_from);
	else if (info->rpmdb_changed)
		alu_warn("%s changed since it was adopted; 'alupdate adopt' re-imports it",
			 info->adopted_from);
	r = alu_state_foreach(s, collect, &l);
	if (r) {
		alu_error("reading installed packages: %s", alu_strerror(r));
		goto out;
	}
	if (nglobs && l.n == 0) {
		alu_error("No matching Packages to list");
		goto out;
	}
	if (ctx->json)
		print_json(&l);
	else if (l.n)
		print_table(&l);
	rc = 0;
out:
	for (size_t i = 0; i < l.n; i++) {
		struct row *w = &l.rows[i];
		free(w->na); free(w->evr); free(w->repo); free(w->name);
		free(w->version); free(w->release); free(w->arch); free(w->reason);
	}
	free(l.rows);
	alu_state_close(s);
	return rc;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	if (argc >= 1 && !strcmp(argv[0], "installed"))
		return list_installed(ctx, argv + 1, argc - 1);
	alu_error("list %s: only 'list installed' is available so far (repository listings "
		  "need the metadata layer)", argc ? argv[0] : "");
	return 1;
}

const struct alu_cmd alu_cmd_list = {
	.name = "list",
	.summary = "list packages (installed [GLOB...])",
	.usage = "installed [GLOB...]",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
