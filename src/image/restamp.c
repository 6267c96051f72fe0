/* SPDX-License-Identifier: MIT */
/*
 * The private root's state, made the image's own before it becomes a layer.
 */
#include <string.h>

#include "db/rpmdb.h"
#include "db/state.h"
#include "image/image.h"

/* The state names the rpm database it adopted by its path: the image's
 * own, not the private root's, so that alupdate run in a container of the
 * result finds it unchanged. */
int alu_image_restamp(const char *root, struct alu_err *e)
{
	struct alu_state *s = NULL;
	struct alu_state_txn *t = NULL;
	enum alu_rpmdb_kind kind;
	char path[4096];
	size_t n = strlen(root);
	int r;

	if (alu_rpmdb_find(root, path, sizeof(path), &kind, e)) {
		alu_err_clear(e);
		return 0;   /* a root with a manifest only: nothing to name */
	}
	if (strncmp(path, root, n) || path[n] != '/')
		return alu_err_set(e, -ALUE_PATH, "%s is not under %s", path, root);
	if ((r = alu_state_open(root, 0, &s, e)))
		return r;
	if (!(r = alu_state_txn_begin(s, &t, e))) {
		r = alu_state_meta_put(t, "adopted_from", path + n, strlen(path + n), e);
		r = r ? (alu_state_txn_abort(t), r) : alu_state_txn_commit(t, e);
	}
	alu_state_close(s);
	return r;
}
