/* SPDX-License-Identifier: MIT */
/*
 * `alupdate keys`: the OpenPGP keys imported into the root's key store
 * (src/ops/keys.c) when packages of a gpgcheck=1 repository were first
 * checked: key id, fingerprint, user id and the gpgkey= it came from.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
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

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_err e = { 0 };
	struct kl l = { ctx, 0 };
	int rc;

	(void)priv;
	(void)argv;
	if (argc) {
		alu_error("keys takes no arguments");
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
	.summary = "list the package signing keys imported into the root",
	.usage = "",
	.run = run,
};
