/* SPDX-License-Identifier: MIT */
/* Advisory rows shared by `updateinfo` and `check-update`: which advisory
 * lines apply to the installed system, already filtered. */
#ifndef ALU_CMD_UIROWS_H
#define ALU_CMD_UIROWS_H

#include <stddef.h>
#include <stdint.h>

#include "util/json.h"
#include "cmd/ctx.h"
#include "util/strv.h"

struct alu_cache;
struct alu_state;
struct alu_err;

struct uirow {
	char *id, *type, *severity, *label, *nevra, *title, *issued, *updated, *description;
	char *adv_status;
	char *name, *arch, *version, *release;   /* of the package line */
	uint32_t epoch;
	struct alu_strv cves;
	struct alu_strv bzs;       /* bugzilla references */
	unsigned typebit;
	int status;                /* ALU_ADVST_NEEDED or ALU_ADVST_INSTALLED */
};

struct uirows {
	struct uirow *v;
	size_t n, cap;
	int all;                   /* mode "all": rows carry an installed mark */
};

/**
 * @brief Collect rows for @p mode ("available", "installed", "updates",
 *        "all"), advisories passing @p f and, when @p specs are given, whose
 *        id or package matches one of them.
 * @return 0, -ENOMEM, cache or state errors (message in @p e).
 */
int uirows_collect(struct uirows *u, struct alu_cache *c, struct alu_state *s,
		   const struct alu_filter *f, const char *mode, char **specs, int nspecs,
		   struct alu_err *e);
void uirows_free(struct uirows *u);
/** @brief Sort by package (name, arch, EVR), then advisory id: the order
 *  dnf lists them in (collection order is by advisory id). */
void uirows_sort_by_pkg(struct uirows *u);

#endif
