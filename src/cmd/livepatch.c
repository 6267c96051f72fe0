/* SPDX-License-Identifier: MIT */
/*
 * `alupdate kernel-livepatch supported|enable|disable|list` (the verbs of
 * AL2's yum plugin): live patches of the running kernel come from the
 * `livepatch` extras topic, as packages kernel-livepatch-VERSION-RELEASE
 * (the kernel's, without the dist tag). enable = the topic enabled
 * (cmd/extras.c) and that package installed; its ALASLIVEPATCH advisories
 * then come with `update --security` because the topic's repository does,
 * and stop with disable (packages removed, topic disabled). The running
 * kernel is `uname -r`, or --setopt=kernel_version=V-R[.ARCH] (for
 * --installroot roots, whose kernel is not the host's). Loading the patch
 * module is kpatch's job: alupdate installs, and says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/cmd.h"
#include "cmd/extras_repo.h"
#include "cmd/opsrun.h"
#include "conf/conf.h"
#include "db/cache.h"
#include "db/state.h"
#include "net/net.h"
#include "repo/extras_catalog.h"
#include "repo/repo.h"
#include "util/out.h"

extern const struct alu_cmd alu_cmd_extras;

/* the last --setopt=kernel_version= (the solver reads it too: the running
 * kernel installonly rules keep), else uname for the running system */
static int kernel(const struct alu_ctx *ctx, char *pkg, size_t pn, char *arch, size_t an)
{
	static const char *const arches[] = { "x86_64", "aarch64", "i686", "armv7hl", "ppc64le", "s390x" };
	char kv[256] = "";
	struct utsname u;
	int have_u = !uname(&u);
	char *dot, *dist;

	arch[0] = 0;
	for (size_t i = 0; i < ctx->setopts.n; i++)
		if (!strncmp(ctx->setopts.v[i], "kernel_version=", 15))
			snprintf(kv, sizeof(kv), "%s", ctx->setopts.v[i] + 15);
	if (!kv[0] && have_u && !strcmp(ctx->root, "/"))
		snprintf(kv, sizeof(kv), "%s", u.release);
	if (!kv[0])
		return -1;
	if ((dot = strrchr(kv, '.')))
		for (size_t i = 0; i < sizeof(arches) / sizeof(*arches); i++)
			if (!strcmp(dot + 1, arches[i])) {
				snprintf(arch, an, "%s", dot + 1);
				*dot = 0;
			}
	if (!arch[0])
		snprintf(arch, an, "%s", have_u ? u.machine : "unknown");
	if ((dist = strstr(kv, ".amzn")))
		*dist = 0;
	snprintf(pkg, pn, "kernel-livepatch-%s", kv);
	return 0;
}

static int count_cpkg(void *ud, const struct alu_cpkg *p)
{
	(void)p;
	++*(int *)ud;
	return 0;
}

/* Does the livepatch topic's repository have @p pkg? Asked of that
 * repository alone, added for this run (--repofrompath), so that asking
 * changes nothing in the root. */
static int probe(struct alu_ctx *ctx, const char *pkg, struct alu_err *e)
{
	struct alu_conf c = { 0 };
	struct alu_extras_src src;
	struct alu_extras_catalog cat = { 0 };
	struct alu_ctx pc = *ctx;
	struct alu_repos rs = { 0 };
	struct alu_net *net = NULL;
	char *ml = NULL, *list = NULL, spec[4096];
	size_t ll;
	int n = 0, rc = alu_conf_load(ctx, &c, e);

	if (!rc)
		rc = alu_extras_fetch(&c, &src, &cat, e);
	if (!rc && !alu_extras_catalog_find(&cat, "livepatch"))
		rc = alu_err_set(e, -ALUE_NOTFOUND, "the extras catalog has no livepatch topic");
	snprintf(spec, sizeof(spec), "%s/extras/livepatch/latest/$basearch/mirror.list", src.base);
	if (!rc && alu_conf_subst(&c, spec, &ml))
		rc = -ENOMEM;
	struct alu_net_opts no;
	alu_extras_net_opts(&c, &no);
	if (!rc && !(rc = alu_net_new(&net) ? -ENOMEM : 0))
		rc = alu_net_get_mem(net, ml, &no, 1u << 20, &list, &ll, e);
	alu_net_free(net);
	memset(&pc.repo_ops, 0, sizeof(pc.repo_ops));
	memset(&pc.repofrompath, 0, sizeof(pc.repofrompath));
	if (!rc) {
		snprintf(spec, sizeof(spec), "livepatch-probe,%.*s", (int)strcspn(list, "\r\n"), list);
		rc = alu_strv_push(&pc.repo_ops, "-*") || alu_strv_push(&pc.repofrompath, spec) ? -ENOMEM : 0;
	}
	if (!rc && !(rc = alu_repos_open(&pc, 0, &rs, e)))
		rc = alu_cache_by_name(rs.cache, pkg, count_cpkg, &n, e);
	alu_repos_close(&rs);
	alu_strv_free(&pc.repo_ops);
	alu_strv_free(&pc.repofrompath);
	alu_extras_catalog_free(&cat);
	alu_conf_free(&c);
	free(ml);
	free(list);
	return rc ? rc : n ? 0 : alu_err_set(e, -ALUE_NOTFOUND, "no live patches for this kernel (%s)", pkg);
}

static int count_lp(void *arg, const struct alu_instpkg *p)
{
	*(int *)arg += !strncmp(p->name, "kernel-livepatch-", 17);
	return 0;
}

static int installed_cb(void *arg, const struct alu_instpkg *p)
{
	if (!strncmp(p->name, "kernel-livepatch-", 17)) {
		printf("%s-%s-%s.%s\n", p->name, p->version, p->release, p->arch);
		++*(int *)arg;
	}
	return 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	char pkg[320], arch[64], *xargv[3] = { NULL, "livepatch", NULL };
	struct alu_err e = { 0 };
	const char *verb = argc ? argv[0] : "";
	int rc;

	(void)priv;
	if (strcmp(verb, "supported") && strcmp(verb, "enable") && strcmp(verb, "disable") && strcmp(verb, "list")) {
		alu_error("kernel-livepatch: say supported, enable, disable or list");
		return 1;
	}
	if (kernel(ctx, pkg, sizeof(pkg), arch, sizeof(arch))) {
		alu_error("kernel-livepatch: the running kernel of %s is not known: give "
			  "--setopt=kernel_version=VERSION-RELEASE.ARCH", ctx->root);
		return 1;
	}
	if (!strcmp(verb, "list")) {
		struct alu_state *s = NULL;
		int n = 0;
		if (!alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e)) {
			alu_state_foreach(s, installed_cb, &n);
			alu_state_close(s);
		}
		if (!n)
			alu_msg("no kernel live patches installed");
		return 0;
	}
	if (!strcmp(verb, "disable")) {
		char *spec = "kernel-livepatch-*";
		struct alu_state *s = NULL;
		int n = 0;
		if (!alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e)) {
			alu_state_foreach(s, count_lp, &n);
			alu_state_close(s);
		}
		if (n && (rc = alu_cmd_ops_run(ctx, "remove", ALU_OPS_REMOVE, &spec, 1)))
			return rc;
		xargv[0] = "disable";
		return alu_cmd_extras.run(NULL, ctx, 2, xargv);
	}
	if (strcmp(arch, "x86_64") && strcmp(arch, "aarch64")) {
		alu_error("kernel-livepatch: not supported: live patches exist for x86_64 and aarch64 kernels only, not %s", arch);
		return 1;
	}
	if ((rc = probe(ctx, pkg, &e))) {
		alu_error("kernel-livepatch: not supported: %s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	if (!strcmp(verb, "supported")) {
		printf("supported: %s is available for this kernel\n", pkg);
		return 0;
	}
	xargv[0] = "enable";
	if ((rc = alu_cmd_extras.run(NULL, ctx, 2, xargv)))
		return rc;
	char *spec = pkg;
	rc = alu_cmd_ops_run(ctx, "install", ALU_OPS_INSTALL, &spec, 1);
	if (!rc)
		alu_msg("%s installed; loading the patch module is kpatch's job (kpatch.service)", pkg);
	return rc;
}

const struct alu_cmd alu_cmd_kernel_livepatch = {
	.name = "kernel-livepatch",
	.summary = "kernel live patches: supported, enable, disable, list",
	.usage = "supported|enable|disable|list [--setopt=kernel_version=V-R.ARCH]",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
