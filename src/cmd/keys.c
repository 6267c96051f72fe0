/* SPDX-License-Identifier: MIT */
/*
 * `alupdate keys`: the OpenPGP keys imported into the root's key store
 * (src/ops/keys.c) when packages of a gpgcheck=1 repository were first
 * checked: key id, fingerprint, user id and the gpgkey= it came from.
 * `alupdate keys import FILE|URL...` is `rpm --import`'s job: the key is
 * trusted for the packages of every repository (ops/trust.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "net/net.h"
#include "ops/trust.h"
#include "txn/rootfile.h"
#include "util/out.h"

struct kl { const struct alu_ctx *ctx; int n; };

static int key_cb(void *arg, const struct alu_pgp_keyinfo *k, const char *from)
{
	struct kl *l = arg;
	char fpr[64], id[32];

	alu_pgp_fpr_format(k->fpr, k->fpr_len, fpr);
	snprintf(id, sizeof(id), "%016llX", (unsigned long long)k->keyid);
	if (l->ctx->json) {
		printf("%s{\"keyid\":\"%s\",\"short\":\"%08llX\",\"fingerprint\":", l->n ? "," : "", id,
		       (unsigned long long)(k->keyid & 0xffffffffu));
		alu_json_str(fpr);
		printf(",\"uid\":");
		alu_json_str(k->uid);
		printf(",\"created\":%u,\"from\":", k->created);
		alu_json_str(from);
		printf("}");
	} else {
		printf("%s0x%08llX  %s\n  Fingerprint: %s\n  From       : %s\n", l->n ? "\n" : "",
		       (unsigned long long)(k->keyid & 0xffffffffu), k->uid, fpr, from);
	}
	l->n++;
	return 0;
}

/* FILE (a host path, as rpm --import reads it), file:// or http(s):// */
static int import_one(struct alu_ctx *ctx, const char *arg, struct alu_err *e)
{
	uint64_t keyid = 0;
	char *buf = NULL, uid[512] = "";
	size_t len = 0;
	int rc, already = 0;

	if (strstr(arg, "://")) {
		struct alu_net *net = NULL;
		rc = alu_net_new(&net) ? alu_err_set(e, -ENOMEM, "out of memory") :
		     alu_net_get_mem(net, arg, NULL, 1 << 20, &buf, &len, e);
		alu_net_free(net);
	} else {
		rc = alu_root_file_read("/", arg, 1 << 20, &buf, &len, e);
		if (rc == -ENOENT)
			alu_err_set(e, rc, "%s: no such file", arg);
	}
	if (!rc)
		rc = alu_keys_import_trusted(ctx->root, arg, buf, len, &keyid, uid, sizeof(uid), &already, e);
	if (!rc)
		alu_msg("%s key 0x%08llX: \"%s\" (trusted for every repository)",
			already ? "Already imported:" : "Imported", (unsigned long long)(keyid & 0xffffffffu), uid);
	free(buf);
	return rc;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_err e = { 0 };
	struct kl l = { ctx, 0 };
	int rc;

	(void)priv;
	if (argc && !strcmp(argv[0], "import")) {
		char cwdpath[4096];
		if (argc < 2) {
			alu_error("keys import needs a key file or URL");
			return 1;
		}
		for (int i = 1; i < argc; i++) {
			const char *a = argv[i];
			/* a relative path is the caller's, as for rpm --import */
			if (!strstr(a, "://") && a[0] != '/' && getcwd(cwdpath, sizeof(cwdpath) - strlen(a) - 2)) {
				strcat(cwdpath, "/");
				strcat(cwdpath, a);
				a = cwdpath;
			}
			if ((rc = import_one(ctx, a, &e))) {
				alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
				return 1;
			}
		}
		return 0;
	}
	if (argc && strcmp(argv[0], "list")) {
		alu_error("keys: unknown argument '%s' (list, import FILE|URL)", argv[0]);
		return 1;
	}
	if (ctx->json)
		printf("[");
	rc = alu_keys_foreach(ctx->root, key_cb, &l, &e);
	if (ctx->json)
		printf("]\n");
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	if (!l.n && !ctx->json)
		alu_msg("No keys imported.");
	return 0;
}

const struct alu_cmd alu_cmd_keys = {
	.name = "keys",
	.summary = "list the package signing keys imported into the root, or import one (rpm --import)",
	.usage = "[list | import FILE|URL...]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.run = run,
};
