/* SPDX-License-Identifier: MIT */
/*
 * `alupdate group[s] list|info|install|remove|summary ...` and yum 3's
 * spellings `grouplist`, `groupinfo`, `groupinstall`, `groupupdate` (also
 * updates the installed members), `groupremove` (also `grouperase`): one command, so its descriptors live
 * together here. Groups come from the repositories' comps (repo/comps.h);
 * install and remove hand package names to the ordinary transaction.
 *
 *   list [hidden] [ids] [PATTERN...]   "Installed Groups:" / "Available Groups:"
 *                                      then "   NAME" (" (ID)" with ids); hidden
 *                                      adds groups with uservisible=false
 *   summary                            "Installed Groups: N" / "Available Groups: N"
 *   info GROUP...                      yum's block: markers "=" installed,
 *                                      "+" what groupinstall would install
 *   install GROUP...                   group_package_types (default mandatory,
 *                                      default) that are available and not installed
 *   remove GROUP...                    every installed package the group lists
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "cmd/groupsel.h"
#include "cmd/opsrun.h"
#include "util/json.h"
#include "util/out.h"

static int matches(const struct alu_group *grp, char **pats, int n)
{
	if (!n)
		return 1;
	for (int i = 0; i < n; i++)
		if (!strcasecmp(grp->id, pats[i]) || !strcasecmp(grp->name, pats[i]) ||
		    !fnmatch(pats[i], grp->id, FNM_CASEFOLD) || !fnmatch(pats[i], grp->name, FNM_CASEFOLD))
			return 1;
	return 0;
}

static int do_list(struct alu_ctx *ctx, struct alu_groupsel *g, int summary, char **argv, int argc)
{
	/* -v shows the ids too, as yum's and dnf's verbose grouplist */
	int hidden = 0, ids = alu_out_level() >= ALU_VERBOSE, cnt[2] = { 0, 0 };

	for (; argc > 0; argv++, argc--) {
		if (!strcmp(argv[0], "hidden"))
			hidden = 1;
		else if (!strcmp(argv[0], "ids"))
			ids = 1;
		else
			break;
	}
	if (ctx->json)
		printf("{\"groups\":[");
	for (int inst = 1; inst >= 0; inst--) {
		int shown = 0;
		for (size_t i = 0; i < g->comps.n; i++) {
			const struct alu_group *grp = &g->comps.v[i];
			if ((!grp->uservisible && !hidden) || !matches(grp, argv, argc) ||
			    alu_groupsel_group_installed(g, grp) != inst)
				continue;
			cnt[inst]++;
			if (ctx->json) {
				printf("%s{\"id\":", cnt[0] + cnt[1] > 1 ? "," : "");
				alu_json_str(grp->id);
				printf(",\"name\":");
				alu_json_str(grp->name);
				printf(",\"installed\":%s,\"uservisible\":%s}", inst ? "true" : "false",
				       grp->uservisible ? "true" : "false");
				continue;
			}
			if (summary)
				continue;
			if (!shown++)
				printf("%s Groups:\n", inst ? "Installed" : "Available");
			printf("   %s", grp->name);
			if (ids)
				printf(" (%s)", grp->id);
			printf("\n");
		}
	}
	if (ctx->json) {
		printf("]}\n");
		return 0;
	}
	if (summary) {
		if (cnt[1])
			printf("Installed Groups: %d\n", cnt[1]);
		if (cnt[0])
			printf("Available Groups: %d\n", cnt[0]);
	}
	if (!cnt[0] && !cnt[1] && argc) {
		alu_warn("no groups match: %s", argv[0]);
		return 1;
	}
	alu_msg("Done");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void info_one(struct alu_ctx *ctx, struct alu_groupsel *g, const struct alu_group *grp,
		     int first)
{
	static const char *const sect[ALU_GREQ_N] = { "Mandatory", "Default", "Optional", "Conditional" };

	if (ctx->json) {
		printf("%s{\"id\":", first ? "" : ",");
		alu_json_str(grp->id);
		printf(",\"name\":");
		alu_json_str(grp->name);
		printf(",\"description\":");
		alu_json_str(grp->description);
		printf(",\"installed\":%s", alu_groupsel_group_installed(g, grp) ? "true" : "false");
		for (int t = 0; t < ALU_GREQ_N; t++) {
			printf(",\"%c%s\":[", sect[t][0] + 32, sect[t] + 1);
			for (size_t i = 0; i < grp->pkgs[t].n; i++) {
				printf("%s", i ? "," : "");
				alu_json_str(grp->pkgs[t].v[i]);
			}
			printf("]");
		}
		printf("}");
		return;
	}
	printf("\nGroup: %s\n Group-Id: %s\n", grp->name, grp->id);
	if (*grp->description)
		printf(" Description: %s\n", grp->description);
	for (int t = 0; t < ALU_GREQ_N; t++) {
		if (!grp->pkgs[t].n)
			continue;
		printf(" %s Packages:\n", sect[t]);
		/* yum and dnf list each section sorted by name */
		qsort(grp->pkgs[t].v, grp->pkgs[t].n, sizeof(char *), cmp_str);
		for (size_t i = 0; i < grp->pkgs[t].n; i++) {
			const char *n = grp->pkgs[t].v[i];
			const char *mark = "";
			if (alu_groupsel_installed(g, n))
				mark = "=";
			else if ((g->types & ALU_GREQ_BIT(t)) && alu_groupsel_available(g, n))
				mark = "+";
			printf("   %s%s\n", mark, n);
		}
	}
}

static int do_info(struct alu_ctx *ctx, struct alu_groupsel *g, char **argv, int argc)
{
	int shown = 0, rc = 0;

	if (ctx->json)
		printf("{\"groups\":[");
	for (int i = 0; i < argc; i++) {
		const struct alu_group *grp = NULL;
		int hit = 0;
		while ((grp = alu_comps_find(&g->comps, argv[i], grp))) {
			info_one(ctx, g, grp, !shown++);
			hit = 1;
		}
		if (!hit) {
			alu_warn("group %s does not exist.", argv[i]);
			rc = 1;
		}
	}
	if (ctx->json)
		printf("]}\n");
	return shown ? 0 : rc;
}

static int do_change(struct alu_ctx *ctx, struct alu_groupsel *g, const char *cmdname, int remove,
		     int update, char **argv, int argc)
{
	struct alu_strv names = { 0 };
	int rc = alu_groupsel_names(g, argv, argc, remove ? 1 : update ? 2 : 0, &names);

	/* the transaction opens its own view of the repositories and state */
	alu_groupsel_close(g);
	if (rc < 0) {
		alu_error("out of memory");
		rc = 1;
	} else if (!names.n && remove) {
		alu_msg("No packages to remove from groups");
		rc = 0;
	} else if (!names.n) {
		alu_error("No packages in any requested group available to install or update");
		rc = 1;
	} else {
		rc = alu_cmd_ops_run(ctx, cmdname, remove ? ALU_OPS_REMOVE : ALU_OPS_INSTALL, names.v,
				     (int)names.n);
	}
	alu_strv_free(&names);
	return rc;
}

/* @p verb is one of list, summary, info, install, remove (yum's group verbs) */
static int group_run(struct alu_ctx *ctx, const char *cmdname, const char *verb, char **argv, int argc)
{
	struct alu_groupsel g;
	struct alu_err e = { 0 };
	int install = !strcmp(verb, "install") || !strcmp(verb, "update") || !strcmp(verb, "upgrade");
	int remove = !strcmp(verb, "remove") || !strcmp(verb, "erase");
	int rc;

	if (!install && !remove && strcmp(verb, "list") && strcmp(verb, "summary") && strcmp(verb, "info")) {
		alu_error("group: unknown command '%s' (list, summary, info, install, remove)", verb);
		return 1;
	}
	if ((install || remove || !strcmp(verb, "info")) && !argc) {
		alu_error("%s needs a group: alupdate %s GROUP...", cmdname, cmdname);
		return 1;
	}
	if ((rc = alu_groupsel_open(ctx, &g, &e))) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		alu_groupsel_close(&g);
		return 1;
	}
	if (install || remove)
		return do_change(ctx, &g, cmdname, remove, strcmp(verb, "install") != 0, argv, argc);
	if (!strcmp(verb, "info"))
		rc = do_info(ctx, &g, argv, argc);
	else
		rc = do_list(ctx, &g, !strcmp(verb, "summary"), argv, argc);
	alu_groupsel_close(&g);
	return rc;
}

static int run_group(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	/* yum 3: `yum groups` alone is `yum groups summary` */
	if (!argc)
		return group_run(ctx, "group summary", "summary", NULL, 0);
	if (!strcmp(argv[0], "install") || !strcmp(argv[0], "remove") || !strcmp(argv[0], "update") ||
	    !strcmp(argv[0], "upgrade")) {
		char name[32];
		snprintf(name, sizeof(name), "group %s", argv[0]);
		return group_run(ctx, name, argv[0], argv + 1, argc - 1);
	}
	return group_run(ctx, "group", argv[0], argv + 1, argc - 1);
}

static int run_list(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return group_run(ctx, "grouplist", "list", argv, argc);
}

static int run_info(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return group_run(ctx, "groupinfo", "info", argv, argc);
}

static int run_install(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return group_run(ctx, "groupinstall", "install", argv, argc);
}

static int run_update(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return group_run(ctx, "groupupdate", "update", argv, argc);
}

static int run_remove(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	return group_run(ctx, "groupremove", "remove", argv, argc);
}

static const char *const group_aliases[] = { "groups", NULL };
static const char *const remove_aliases[] = { "grouperase", NULL };

const struct alu_cmd alu_cmd_group = {
	.name = "group",
	.aliases = group_aliases,
	.summary = "package groups of the repositories (list, summary, info, install, remove)",
	.usage = "[list [hidden] [ids] | summary | info GROUP... | install GROUP... | remove GROUP...]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN,
	.run = run_group,
};

const struct alu_cmd alu_cmd_grouplist = {
	.name = "grouplist",
	.summary = "list the repositories' package groups (group list)",
	.usage = "[hidden] [ids] [PATTERN...]",
	.run = run_list,
};

const struct alu_cmd alu_cmd_groupinfo = {
	.name = "groupinfo",
	.summary = "show a package group's packages (group info)",
	.usage = "GROUP...",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run_info,
};

const struct alu_cmd alu_cmd_groupinstall = {
	.name = "groupinstall",
	.summary = "install a package group (group install)",
	.usage = "GROUP...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run_install,
};

const struct alu_cmd alu_cmd_groupupdate = {
	.name = "groupupdate",
	.summary = "install a package group's missing packages and update the others (group update)",
	.usage = "GROUP...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run_update,
};

const struct alu_cmd alu_cmd_groupremove = {
	.name = "groupremove",
	.aliases = remove_aliases,
	.summary = "remove the installed packages of a package group (group remove)",
	.usage = "GROUP...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run_remove,
};
