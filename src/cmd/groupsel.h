/* SPDX-License-Identifier: MIT */
/*
 * Groups as the commands see them (group.c, install @group): the comps of
 * the enabled repositories, which of them are installed, and the package
 * names a groupinstall or groupremove acts on.
 *
 * "Installed" is yum 3's compat rule (group_command=compat; alupdate keeps
 * no group objects): a group with mandatory packages is installed when all
 * of them are; one without, when any of its packages is.
 */
#ifndef ALU_CMD_GROUPSEL_H
#define ALU_CMD_GROUPSEL_H

#include "cmd/ctx.h"
#include "db/state.h"
#include "repo/comps.h"
#include "util/strv.h"

/** What a group command holds. Everything owned; alu_groupsel_close(). */
struct alu_groupsel {
	struct alu_repos rp;
	struct alu_comps comps;
	struct alu_state *s;
	unsigned types;            /* group_package_types as ALU_GREQ_BIT bits */
};

/**
 * @brief Open repositories (synced as for any query), their comps and the
 *        installed state, read-only.
 * @return 0 or an error with its message in @p e (conf, sync, comps, state;
 *         -ALUE_USAGE for a bad group_package_types).
 */
int alu_groupsel_open(struct alu_ctx *ctx, struct alu_groupsel *g, struct alu_err *e);
void alu_groupsel_close(struct alu_groupsel *g);

/** @return 1 when a package named @p name is installed. */
int alu_groupsel_installed(struct alu_groupsel *g, const char *name);
/** @return 1 when an enabled repository has a package named @p name. */
int alu_groupsel_available(struct alu_groupsel *g, const char *name);
/** @return 1 when @p grp counts as installed (the compat rule above). */
int alu_groupsel_group_installed(struct alu_groupsel *g, const struct alu_group *grp);

/**
 * @brief The names the groups @p pats (ids or names, globs) bring.
 * @param remove 0: groupinstall: packages of the group_package_types that
 *        are available and not installed; 1: groupremove: every package of
 *        the group (all types) that is installed; 2: groupupdate: those of
 *        groupinstall and the installed ones of those types (to update).
 * @param[out] names appended to, without duplicates.
 * @return the number of patterns that matched no group (each warned about
 *         as yum does: "Warning: group X does not exist."), or -ENOMEM.
 */
int alu_groupsel_names(struct alu_groupsel *g, char **pats, int npats, int remove,
		       struct alu_strv *names);

/**
 * @brief `install @group pkg...` / `remove @group pkg...`: run the
 *        transaction with every "@GROUP" argument replaced by the packages
 *        groupinstall (@p remove 0) or groupremove (1) would take.
 * @return the exit code.
 */
int alu_cmd_group_mixed(struct alu_ctx *ctx, const char *cmdname, int remove, char **argv, int argc);

#endif
