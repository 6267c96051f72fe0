/* SPDX-License-Identifier: MIT */
/* alupdate's own packages (selfpkg.h). */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "ops/selfpkg.h"
#include "util/rootfs.h"

struct owners {
	struct alu_state *s;
	struct alu_strv *out;
	int rc;
};

static int push_name(void *arg, const struct alu_instpkg *p)
{
	struct owners *o = arg;

	for (size_t i = 0; i < o->out->n; i++)
		if (!strcmp(o->out->v[i], p->name))
			return 0;
	if (alu_strv_push(o->out, p->name))
		o->rc = -ENOMEM;
	return o->rc;
}

static int owner_cb(void *arg, uint64_t id)
{
	struct owners *o = arg;

	alu_state_get(o->s, id, push_name, o);
	return o->rc;
}

int alu_ops_self_names(const struct alu_ctx *ctx, struct alu_state *s, struct alu_strv *out)
{
	struct owners o = { s, out, 0 };
	char exe[PATH_MAX];
	const char *in_root = NULL, *root = alu_root_get();
	ssize_t n;

	if (alu_strv_push(out, "alupdate"))
		return -ENOMEM;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = 0;
	if (!strcmp(ctx->root, "/"))
		in_root = exe;
	else if (alu_root_inside(exe))
		in_root = exe + strlen(root);
	if (in_root && *in_root == '/')
		alu_state_file_owners(s, in_root, owner_cb, &o);
	return o.rc;
}
