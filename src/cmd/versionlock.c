/* SPDX-License-Identifier: MIT */
/*
 * `alupdate versionlock [list | add SPEC... | delete SPEC... | clear]`: the
 * yum-plugin-versionlock file, <root>/etc/yum/pluginconf.d/versionlock.list,
 * which the solver honours (a locked name keeps its locked version). `add`
 * locks the installed packages that SPEC matches, as the plugin does;
 * `versionlock SPEC...` without a verb is `add`, as EKS image scripts write
 * it. `exclude SPEC...` adds "!EPOCH:NAME-VERSION-RELEASE.ARCH" for each
 * available package SPEC matches: the solver never offers those versions.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "db/cache.h"
#include "repo/repo.h"
#include "util/out.h"

struct add { struct alu_strv *v; const char *spec; int n; };

static int add_cb(void *arg, const struct alu_instpkg *p)
{
	struct add *a = arg;
	char buf[1024];

	if (!alu_pkg_spec_match(a->spec, p->name, p->epoch, p->version, p->release, p->arch))
		return 0;
	/* the fields come from the rpm database: a lock that does not fit would lock another NEVRA */
	if (snprintf(buf, sizeof(buf), "%u:%s-%s-%s.%s", p->epoch, p->name, p->version, p->release,
		     p->arch) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	a->n++;
	if (alu_strv_has(a->v, buf))
		return 0;
	if (alu_strv_push(a->v, buf))
		return -ENOMEM;
	alu_msg("Adding versionlock on: %s", buf);
	return 0;
}

static int excl_cb(void *arg, const struct alu_cpkg *p)
{
	struct add *a = arg;
	char buf[1024];

	if (!alu_pkg_spec_match(a->spec, p->r.name, p->r.epoch, p->r.version, p->r.release, p->r.arch))
		return 0;
	if (snprintf(buf, sizeof(buf), "!%u:%s-%s-%s.%s", p->r.epoch, p->r.name, p->r.version,
		     p->r.release, p->r.arch) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	a->n++;
	if (alu_strv_has(a->v, buf))
		return 0;
	if (alu_strv_push(a->v, buf))
		return -ENOMEM;
	alu_msg("Adding exclude on: %s", buf + 1);
	return 0;
}

/* exclude: the repositories' packages, as the plugin takes them */
static int exclude(struct alu_ctx *ctx, int argc, char **argv, struct alu_strv *v, struct alu_err *e)
{
	struct alu_repos rp;
	int rc = alu_repos_open(ctx, 0, &rp, e);

	for (int i = 0; !rc && i < argc; i++) {
		struct add a = { v, argv[i], 0 };
		rc = alu_cache_foreach_pkg(rp.cache, excl_cb, &a, e);
		if (rc == -ENAMETOOLONG)
			alu_err_set(e, rc, "%s: a matching package's NEVRA is too long", argv[i]);
		if (!rc && !a.n)
			rc = alu_err_set(e, -ALUE_NOTFOUND, "No package found for: %s", argv[i]);
	}
	alu_repos_close(&rp);
	return rc;
}

static int change(struct alu_ctx *ctx, const char *what, int argc, char **argv,
		  struct alu_strv *v, struct alu_err *e)
{
	struct alu_strv keep = { 0 };
	struct alu_state *s = NULL;
	int rc = 0, n = 0;

	if (!strcmp(what, "add")) {
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, e);
		for (int i = 0; !rc && i < argc; i++) {
			struct add a = { v, argv[i], 0 };
			rc = alu_state_foreach(s, add_cb, &a);
			if (rc == -ENAMETOOLONG)
				alu_err_set(e, rc, "%s: a matching package's NEVRA is too long to lock", argv[i]);
			if (!rc && !a.n)
				rc = alu_err_set(e, -ALUE_NOTFOUND, "No package found for: %s", argv[i]);
		}
		alu_state_close(s);
		return rc;
	}
	for (size_t i = 0; i < v->n; i++) {
		int hit = !strcmp(what, "clear");
		for (int k = 0; k < argc; k++)
			hit |= alu_vlock_match(argv[k], v->v[i]);
		if (hit) {
			n++;
			if (strcmp(what, "clear"))
				alu_msg("Deleting versionlock for: %s", v->v[i]);
		} else if (alu_strv_push(&keep, v->v[i])) {
			rc = -ENOMEM;
		}
	}
	if (!rc && !n && strcmp(what, "clear"))
		rc = alu_err_set(e, -ALUE_NOTFOUND, "Error: versionlock delete: no matches");
	if (!rc && !strcmp(what, "clear"))
		alu_msg("versionlock cleared");
	alu_strv_free(v);
	*v = keep;
	return rc;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	const char *what = argc ? argv[0] : "list";
	struct alu_strv v = { 0 };
	struct alu_err e = { 0 };
	int rc = alu_vlock_read(ctx->root, &v, &e);

	(void)priv;
	if (!rc && !strcmp(what, "list")) {
		if (ctx->json)
			printf("[");
		for (size_t i = 0; i < v.n; i++) {
			if (ctx->json) {
				printf("%s", i ? "," : "");
				alu_json_str(v.v[i]);
			} else {
				printf("%s\n", v.v[i]);
			}
		}
		if (ctx->json)
			printf("]\n");
	} else if (!rc && !strcmp(what, "exclude") && argc > 1) {
		rc = exclude(ctx, argc - 1, argv + 1, &v, &e);
		if (!rc)
			rc = alu_vlock_write(ctx->root, &v, &e);
	} else if (!rc && strcmp(what, "add") && strcmp(what, "delete") && strcmp(what, "clear") &&
		   strcmp(what, "exclude")) {
		/* no verb: the arguments are packages to lock (yum's `versionlock NAME`) */
		rc = change(ctx, "add", argc, argv, &v, &e);
		if (!rc)
			rc = alu_vlock_write(ctx->root, &v, &e);
	} else if (!rc && (!strcmp(what, "add") || !strcmp(what, "delete")) && argc > 1) {
		rc = change(ctx, what, argc - 1, argv + 1, &v, &e);
		if (!rc)
			rc = alu_vlock_write(ctx->root, &v, &e);
	} else if (!rc && !strcmp(what, "clear") && argc == 1) {
		rc = change(ctx, what, 0, NULL, &v, &e);
		if (!rc)
			rc = alu_vlock_write(ctx->root, &v, &e);
	} else if (!rc) {
		rc = alu_err_set(&e, -ALUE_USAGE,
				 "usage: alupdate versionlock [list | [add] SPEC... | exclude SPEC... | delete SPEC... | clear]");
	}
	alu_strv_free(&v);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	return 0;
}

const struct alu_cmd alu_cmd_versionlock = {
	.name = "versionlock",
	.summary = "lock packages at their installed versions (yum-plugin-versionlock's list)",
	.usage = "[list | [add] SPEC... | exclude SPEC... | delete SPEC... | clear]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.run = run,
};
