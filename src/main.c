/* SPDX-License-Identifier: MIT */
/*
 * Argument parsing and dispatch. Global options may stand before or after the
 * command word, as yum allows; the command's own and its shared groups' are
 * parsed in the same getopt_long pass.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "cmd/yumopts.h"
#include "cmd/help.h"
#include "ops/container.h"
#include "util/err.h"
#include "util/out.h"
#include "util/rootfs.h"

#define GLOBAL_OPTS(X) \
	X(G_ROOT, "installroot", 0, 1) \
	X(G_CONFIG, "config", 'c', 1) \
	X(G_QUIET, "quiet", 'q', 0) \
	X(G_VERBOSE, "verbose", 'v', 0) \
	X(G_YES, "assumeyes", 'y', 0) \
	X(G_NO, "assumeno", 0, 0) \
	X(G_JSON, "json", 0, 0) \
	X(G_CACHEONLY, "cacheonly", 'C', 0) \
	X(G_NOGPG, "nogpgcheck", 0, 0) \
	X(G_RELEASEVER, "releasever", 0, 1) \
	X(G_SETOPT, "setopt", 0, 1) \
	X(G_ENABLEREPO, "enablerepo", 0, 1) \
	X(G_DISABLEREPO, "disablerepo", 0, 1) \
	X(G_REPOFROMPATH, "repofrompath", 0, 1) \
	X(G_EXCLUDE, "exclude", 'x', 1) \
	X(G_SKIPBROKEN, "skip-broken", 0, 0) \
	X(G_SHOWDUPS, "showduplicates", 0, 0) \
	X(G_HELP, "help", 'h', 0) \
	X(G_VERSION, "version", 0, 0) \
	X(G_FORCEARCH, "forcearch", 0, 1) \
	YUM_ONLY_OPTS(X)

/* yum's options that scripts pass and alupdate has no use for (cmd/yumopts.c). */
#define YUM_ONLY_OPTS(X) \
	X(G_DEBUGLEVEL, "debuglevel", 'd', 1) \
	X(G_ERRORLEVEL, "errorlevel", 'e', 1) \
	X(G_DISABLEPLUGIN, "disableplugin", 0, 1) \
	X(G_ENABLEPLUGIN, "enableplugin", 0, 1) \
	X(G_NOPLUGINS, "noplugins", 0, 0) \
	X(G_COLOR, "color", 0, 1) \
	X(G_RPMVERBOSITY, "rpmverbosity", 0, 1) \
	X(G_TOLERANT, "tolerant", 't', 0) \
	X(G_OBSOLETES, "obsoletes", 0, 0)

#define TXN_OPTS(X) \
	X(T_DOWNLOADONLY, "downloadonly", 0, 0) \
	X(T_DOWNLOADDIR, "downloaddir", 0, 1) \
	X(T_NOSCRIPTS, "noscripts", 0, 0) \
	X(T_NODOCS, "nodocs", 0, 0) \
	X(T_BEST, "best", 0, 0) \
	X(T_NOBEST, "nobest", 0, 0) \
	X(T_REPLACEFILES, "replacefiles", 0, 0) \
	X(T_NOWAIT, "nowait", 0, 0)

#define FILTER_OPTS(X) \
	X(F_SECURITY, "security", 0, 0) \
	X(F_BUGFIX, "bugfix", 0, 0) \
	X(F_ENHANCEMENT, "enhancement", 0, 0) \
	X(F_NEWPACKAGE, "newpackage", 0, 0) \
	X(F_SEVERITY, "sec-severity", 0, 1) \
	X(F_SEVERITY2, "secseverity", 0, 1) \
	X(F_SEVERITY3, "advisory-severities", 0, 1) \
	X(F_ADVISORY, "advisory", 0, 1) \
	X(F_ADVISORIES, "advisories", 0, 1) \
	X(F_CVE, "cve", 0, 1) \
	X(F_CVES, "cves", 0, 1) \
	X(F_BZ, "bz", 0, 1) \
	X(F_BZS, "bzs", 0, 1)

#define ENUM_ITEM(id, name, s, a) id,
enum { G_FIRST = 0x100, GLOBAL_OPTS(ENUM_ITEM) TXN_OPTS(ENUM_ITEM) FILTER_OPTS(ENUM_ITEM) G_END };

static const struct alu_opt global_opts[] = { GLOBAL_OPTS(ALU_OPT_ENTRY) { 0 } };
static const struct alu_opt txn_opts[] = { TXN_OPTS(ALU_OPT_ENTRY) { 0 } };
static const struct alu_opt filter_opts[] = { FILTER_OPTS(ALU_OPT_ENTRY) { 0 } };
const struct alu_opt *const alu_main_opt_groups[3] = { global_opts, txn_opts, filter_opts };

#define MAX_OPTS 128

struct table {
	struct option lo[MAX_OPTS];
	char shorts[MAX_OPTS * 2 + 2];
	size_t n, ns;
};

static void add_opts(struct table *t, const struct alu_opt *o)
{
	for (; o && o->name; o++) {
		if (t->n + 1 >= MAX_OPTS)
			break;
		t->lo[t->n++] = (struct option){ o->name, o->has_arg ? required_argument : no_argument, NULL, o->id };
		if (o->short_opt) {
			t->shorts[t->ns++] = (char)o->short_opt;
			if (o->has_arg)
				t->shorts[t->ns++] = ':';
		}
	}
	t->lo[t->n] = (struct option){ 0 };
	t->shorts[t->ns] = 0;
}

static int short_to_id(const struct table *t, int c, const struct alu_opt *cmdopts)
{
	static const struct alu_opt *const all[] = { global_opts, txn_opts, filter_opts };
	(void)t;
	for (size_t g = 0; g < 3; g++)
		for (const struct alu_opt *o = all[g]; o->name; o++)
			if (o->short_opt == c)
				return o->id;
	/* a command's own short options (reposync's -p -n -r ...) */
	for (const struct alu_opt *o = cmdopts; o && o->name; o++)
		if (o->short_opt == c)
			return o->id;
	return c;
}

static void usage(FILE *f)
{
	/* the generated page (doc/alupdate.8.src); the table is the fallback */
	if (alu_help_text(NULL)) {
		fputs(alu_help_text(NULL), f);
		return;
	}
	fprintf(f, "usage: alupdate [options] COMMAND [args]\n\nCommands:\n");
	for (size_t i = 0; alu_cmds[i]; i++)
		fprintf(f, "  %-16s %s\n", alu_cmds[i]->name, alu_cmds[i]->summary);
	fprintf(f, "\nGlobal options:\n"
		"  --installroot ROOT  -c/--config FILE  -q  -v  -y  --assumeno  --json  -C\n"
		"  --nogpgcheck  --releasever V  --setopt K=V  --enablerepo R  --disablerepo R\n"
		"  --repofrompath ID,URL  -x/--exclude PKG  --skip-broken  --showduplicates  --version\n");
}

static int has_arg_global(const char *a)
{
	static const struct alu_opt *const all[] = { global_opts, txn_opts, filter_opts };
	if (a[1] != '-') {
		/* a letter that takes an argument takes the rest of the word, or
		 * the next word when it is the last: -yx PKG */
		for (const char *p = a + 1; *p; p++)
			for (size_t g = 0; g < 3; g++)
				for (const struct alu_opt *o = all[g]; o->name; o++)
					if (o->has_arg && o->short_opt == *p)
						return p[1] == 0;
		return 0;
	}
	if (strchr(a, '='))
		return 0;
	for (size_t g = 0; g < 3; g++)
		for (const struct alu_opt *o = all[g]; o->name; o++)
			if (o->has_arg && !strcmp(a + 2, o->name))
				return 1;
	return 0;
}

static int find_cmd_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? i + 1 : -1;
		if (argv[i][0] != '-' || !argv[i][1])
			return i;
		if (has_arg_global(argv[i]))
			i++;
	}
	return -1;
}

static int global_opt(struct alu_ctx *ctx, int id, const char *arg)
{
	struct alu_filter *f = &ctx->filter;

	switch (id) {
	case G_ROOT: ctx->root = arg; return 0;
	case G_CONFIG: ctx->config = arg; return 0;
	case G_QUIET: alu_out_set_level(ALU_QUIET); return 0;
	case G_VERBOSE: alu_out_set_level(alu_out_level() + 1); return 0;
	case G_YES: ctx->assumeyes = 1; return 0;
	case G_NO: ctx->assumeno = 1; return 0;
	case G_JSON: ctx->json = 1; return 0;
	case G_CACHEONLY: ctx->cacheonly = 1; return 0;
	case G_NOGPG: ctx->nogpgcheck = 1; return 0;
	case G_RELEASEVER: ctx->releasever = arg; return 0;
	case G_FORCEARCH:
		if (!alu_conf_arch_known(arg))
			return -EINVAL;
		ctx->forcearch = arg;
		return 0;
	case G_SETOPT: return alu_strv_push(&ctx->setopts, arg);
	case G_ENABLEREPO:
	case G_DISABLEREPO: {
		struct alu_strv tmp = { 0 };
		int r = alu_strv_push_split(&tmp, arg);
		for (size_t i = 0; !r && i < tmp.n; i++) {
			char buf[512];
			snprintf(buf, sizeof(buf), "%c%s", id == G_ENABLEREPO ? '+' : '-', tmp.v[i]);
			r = alu_strv_push(&ctx->repo_ops, buf);
		}
		alu_strv_free(&tmp);
		return r;
	}
	case G_REPOFROMPATH: return alu_strv_push(&ctx->repofrompath, arg);
	case G_EXCLUDE: return alu_strv_push_split(&ctx->excludes, arg);
	case G_SKIPBROKEN: ctx->skip_broken = 1; return 0;
	case G_SHOWDUPS: ctx->showduplicates = 1; return 0;
	case G_DEBUGLEVEL:
	case G_ERRORLEVEL:
	case G_DISABLEPLUGIN:
	case G_ENABLEPLUGIN:
	case G_NOPLUGINS:
	case G_COLOR:
	case G_RPMVERBOSITY:
	case G_TOLERANT:
	case G_OBSOLETES: return alu_yumopt_apply(id - G_DEBUGLEVEL, arg);
	case T_DOWNLOADONLY: ctx->downloadonly = 1; return 0;
	case T_DOWNLOADDIR: ctx->downloaddir = arg; return 0;
	case T_NOSCRIPTS: ctx->noscripts = 1; return 0;
	case T_NODOCS: ctx->nodocs = 1; return 0;
	case T_REPLACEFILES: ctx->replacefiles = 1; return 0;
	case T_NOWAIT: ctx->nowait = 1; return 0;
	case T_BEST: ctx->best = 1; return 0;
	case T_NOBEST: ctx->best = -1; return 0;
	case F_SECURITY: f->types |= ALU_ADV_SECURITY; return 0;
	case F_BUGFIX: f->types |= ALU_ADV_BUGFIX; return 0;
	case F_ENHANCEMENT: f->types |= ALU_ADV_ENHANCEMENT; return 0;
	case F_NEWPACKAGE: f->types |= ALU_ADV_NEWPACKAGE; return 0;
	case F_SEVERITY:
	case F_SEVERITY2:
	case F_SEVERITY3: {
		int r = alu_strv_push_split(&f->severities, arg);
		for (size_t i = 0; i < f->severities.n; i++)
			for (char *p = f->severities.v[i]; *p; p++)
				*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		return r;
	}
	case F_ADVISORY:
	case F_ADVISORIES: return alu_strv_push_split(&f->advisories, arg);
	case F_CVE:
	case F_CVES: return alu_strv_push_split(&f->cves, arg);
	case F_BZ:
	case F_BZS: return alu_strv_push_split(&f->bzs, arg);
	}
	return -ENOTSUP;
}

/* yum-utils' tools are run under their own names (a link to alupdate) */
static const char *const argv0_cmds[][2] = {
	{ "yum-config-manager", "config-manager" }, { "repoquery", "repoquery" },
	{ "package-cleanup", "package-cleanup" }, { "reposync", "reposync" },
	{ "yumdownloader", "download" }, { "amazon-linux-extras", "extras" },
};

int main(int argc, char **argv)
{
	struct alu_ctx ctx = { .root = "/" };
	const struct alu_cmd *cmd = NULL;
	struct table t = { .n = 0 };
	void *priv = NULL;
	char **args = NULL;
	int nargs = 0;
	struct stat st;
	int ci, c, r = 1;
	const char *a0 = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char **av0 = NULL;

	for (size_t i = 0; i < sizeof(argv0_cmds) / sizeof(*argv0_cmds) && !av0; i++)
		if (!strcmp(a0, argv0_cmds[i][0]) && (av0 = calloc((size_t)argc + 2, sizeof(*av0)))) {
			av0[0] = argv[0];
			av0[1] = (char *)argv0_cmds[i][1];
			memcpy(av0 + 2, argv + 1, (size_t)argc * sizeof(*argv));
			argv = av0;
			argc++;
		}
	ci = find_cmd_word(argc, argv);
	if (ci > 0) {
		cmd = alu_cmd_find(argv[ci]);
		if (!cmd) {
			alu_error("unknown command '%s' (see 'alupdate --help')", argv[ci]);
			return 1;
		}
		/* Drop the command word so getopt sees options and arguments only. */
		memmove(&argv[ci], &argv[ci + 1], (size_t)(argc - ci) * sizeof(*argv));
		argc--;
	}
	/* '-': arguments come back in order as 1; ':': a missing argument is ':'. */
	/* '-': arguments come back in order as 1; ':': a missing argument is ':'. */
	t.shorts[t.ns++] = '-';
	t.shorts[t.ns++] = ':';
	add_opts(&t, global_opts);
	add_opts(&t, txn_opts);
	add_opts(&t, filter_opts);
	if (cmd)
		add_opts(&t, cmd->opts);
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!args || (cmd && cmd->priv_size && !(priv = calloc(1, cmd->priv_size)))) {
		alu_error("out of memory");
		goto out;
	}
	opterr = 0;
	optind = 1;
	for (int prev = optind; (c = getopt_long(argc, argv, t.shorts, t.lo, NULL)) != -1; prev = optind) {
		if (c == 1) {
			args[nargs++] = optarg;
			continue;
		}
		if (c == '?' || c == ':') {
			char name[256];
			alu_yumopt_typed(argc, argv, prev, optind, c, optopt, name, sizeof(name));
			if (c == ':')
				alu_error("option %s needs an argument", name);
			else
				alu_error("unknown option %s%s%s", name,
					  cmd ? " for command " : "", cmd ? cmd->name : "");
			r = 1;
			goto out;
		}
		for (const struct alu_opt *o = cmd && c < 0x100 ? cmd->opts : NULL; o && o->name; o++)
			if (o->short_opt == c) {   /* a command's own short option */
				c = o->id;
				break;
			}
		if (c < 0x100)
			c = short_to_id(&t, c, cmd ? cmd->opts : NULL);
		if (c == G_HELP) {
			if (cmd && alu_help_text(cmd))   /* alupdate COMMAND --help */
				fputs(alu_help_text(cmd), stdout);
			else
				usage(stdout);
			r = 0;
			goto out;
		}
		if (c == G_VERSION) {
			cmd = alu_cmd_find("version");
			continue;
		}
		if (c >= ALU_OPT_CMD_BASE) {
			r = cmd && cmd->parse ? cmd->parse(priv, &ctx, c, optarg) : -ENOTSUP;
		} else if ((c >= T_DOWNLOADONLY && c <= T_NOWAIT && !(cmd && (cmd->groups & ALU_OPTG_TXN))) ||
			   (c >= F_SECURITY && c <= F_BZS && !(cmd && (cmd->groups & ALU_OPTG_FILTER)))) {
			alu_error("option '%s' does not apply to %s", argv[prev],
				cmd ? cmd->name : "no command");
			r = 1;
			goto out;
		} else {
			r = global_opt(&ctx, c, optarg);
		}
		if (r == -ENOTSUP) {
			alu_error("unknown option '%s' for command %s", argv[prev], cmd ? cmd->name : "");
			r = 1;
			goto out;
		}
		if (r) {
			/* the option as typed (argv[prev]), not its argument */
			if (optarg)
				alu_error("option '%.*s': bad value '%s' (%s)", (int)strcspn(argv[prev], "="),
					  argv[prev], optarg, alu_strerror(r));
			else
				alu_error("option '%s': %s", argv[prev], alu_strerror(r));
			r = 1;
			goto out;
		}
	}
	while (optind < argc)
		args[nargs++] = argv[optind++];
	r = 1;
	if (!cmd) {
		usage(stderr);
		goto out;
	}
	if ((cmd->flags & ALU_CMDF_NEEDS_ARGS) && nargs == 0) {
		alu_error("%s needs an argument: alupdate %s %s", cmd->name, cmd->name,
			cmd->usage ? cmd->usage : "");
		goto out;
	}
	if (strcmp(ctx.root, "/") && stat(ctx.root, &st) != 0) {
		alu_error("--installroot %s: %s", ctx.root, strerror(errno));
		goto out;
	}
	if (strcmp(ctx.root, "/") && !S_ISDIR(st.st_mode)) {
		alu_error("--installroot %s: not a directory", ctx.root);
		goto out;
	}
	/* alupdate's own files under the root are reached from it without symlinks */
	if (alu_root_set(ctx.root)) {
		alu_error("--installroot %.64s...: too long", ctx.root);
		goto out;
	}
	if (ctx.assumeyes && ctx.assumeno) {
		alu_error("-y and --assumeno cannot be given together");
		goto out;
	}
	r = cmd->run(priv, &ctx, nargs, args);
	/* a container build step: no cache or lock left in the layer (ops/container.h) */
	{
		struct alu_err te = { 0 };
		if (alu_container_tidy(&ctx, cmd->name, &te)) {
			alu_error("%s", te.msg);
			r = r ? r : 1;
		}
	}
out:
	free(args);
	free(priv);
	free(av0);
	alu_strv_free(&ctx.setopts);
	alu_strv_free(&ctx.repo_ops);
	alu_strv_free(&ctx.repofrompath);
	alu_strv_free(&ctx.excludes);
	alu_strv_free(&ctx.filter.severities);
	alu_strv_free(&ctx.filter.advisories);
	alu_strv_free(&ctx.filter.cves);
	alu_strv_free(&ctx.filter.bzs);
	return r;
}
