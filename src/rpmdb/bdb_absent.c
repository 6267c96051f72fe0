/* SPDX-License-Identifier: MIT */
/*
 * Built only when bdb_write.c is not in the tree (see meson.build): a
 * Berkeley DB root's database is then left as it is, and the sync says why.
 */
#include <errno.h>

#include "rpmdb/rpmdb_out.h"

int alu_rpmdb_bdb_write(int dirfd, const struct alu_rpmdb_hdr *h, size_t n, struct alu_err *e)
{
	(void)dirfd; (void)h; (void)n;
	return alu_err_set(e, -ALUE_UNSUPPORTED,
			   "writing Berkeley DB rpm databases is not in this build of alupdate");
}
