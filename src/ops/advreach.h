/* SPDX-License-Identifier: MIT */
/* Internal to src/ops: the advisories that can apply to the root. */
#ifndef ALU_OPS_ADVREACH_H
#define ALU_OPS_ADVREACH_H

#include "db/cache.h"
#include "ops/ops.h"

/**
 * @brief alu_cache_foreach_adv() of the advisories that can apply to the
 *        root (naming an installed package or a package that obsoletes one),
 *        in its order.
 * @return as alu_cache_foreach_adv(); -ENOMEM.
 */
int alu_ops_adv_reach(struct alu_ops *o, alu_cadv_cb cb, void *ud, struct alu_err *e);

#endif
