/* SPDX-License-Identifier: MIT */
/*
 * The keys of the root's key store (ALU_KEYS_DIR: `keys import` and the
 * repositories' gpgkey= keys) as gpg-pubkey entries of alupdate's state,
 * hence of the rpm database the write-back writes: one per armored block,
 * as `rpm --import` adds it, unless a gpg-pubkey of the same
 * version-release is there already (rpm imported it, or a previous run).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "ops/pubkeys.h"
#include "rpmdb/rpmdb_out.h"
#include "txn/rootfile.h"

#define KEY_MAX (1u << 20)

struct have {
	const char *ver, *rel;
	int found;
};

static int have_cb(void *arg, const struct alu_instpkg *p)
{
	struct have *h = arg;

	if (!strcmp(p->version, h->ver) && !strcmp(p->release, h->rel))
		h->found = 1;
	return 0;
}

static int key_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && d->d_name[0] != '.' && !strcmp(d->d_name + n - 4, ".key");
}

/* Each armored key block of @p buf not yet in the state, into the state. */
static int add_file(struct alu_state *s, const char *path, const char *buf, size_t len,
		    size_t *added, struct alu_err *e)
{
	size_t pos = 0, rawlen, cap = len * 3 / 4 + 3;
	uint8_t *raw = malloc(cap);
	int r = raw ? 0 : alu_err_set(e, -ENOMEM, "out of memory");

	while (!r) {
		struct alu_pgp_keyring ring;
		struct alu_pgp_keyinfo ki;
		struct alu_hdr *h = NULL;
		struct alu_state_txn *t = NULL;
		char kind[32], ver[16], rel[16];
		struct have hv = { ver, rel, 0 };

		r = alu_pgp_dearmor(path, buf, len, &pos, raw, cap, &rawlen, kind, sizeof(kind), e);
		if (r == -ALUE_NOTFOUND)
			return free(raw), 0;
		if (r || strcmp(kind, "PUBLIC KEY BLOCK"))
			continue;
		alu_pgp_keyring_init(&ring);
		if ((r = alu_pgp_keyring_add(&ring, raw, rawlen, path, e)) > 0)
			r = alu_pgp_keyring_get(&ring, 0, &ki);
		if (!r) {
			snprintf(ver, sizeof(ver), "%08x", (unsigned)(ki.keyid & 0xffffffffu));
			snprintf(rel, sizeof(rel), "%08x", (unsigned)ki.created);
			r = alu_state_find_name(s, "gpg-pubkey", have_cb, &hv);
		}
		if (!r && !hv.found)
			r = alu_rpmdb_pubkey_hdr(raw, rawlen, &ki, 0, &h, e);
		alu_pgp_keyring_free(&ring);
		if (!r && h && !(r = alu_state_txn_begin(s, &t, e))) {
			r = alu_state_add(t, h, ALU_REASON_USER, "", 0, NULL, e);
			r = r ? (alu_state_txn_abort(t), r) : alu_state_txn_commit(t, e);
			if (!r)
				(*added)++;
		}
		alu_hdr_free(h);
	}
	free(raw);
	return r;
}

int alu_ops_pubkeys_add(const char *root, struct alu_state *s, size_t *added, struct alu_err *e)
{
	struct dirent **ents = NULL;
	char dir[4096], path[4400];
	int n, r = 0;

	*added = 0;
	snprintf(dir, sizeof(dir), "%s" ALU_KEYS_DIR, strcmp(root, "/") ? root : "");
	n = scandir(dir, &ents, key_name, alphasort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char *buf = NULL;
		size_t len = 0;
		snprintf(path, sizeof(path), ALU_KEYS_DIR "/%s", ents[i]->d_name);
		if (!r && !alu_root_file_read(root, path, KEY_MAX, &buf, &len, NULL))
			r = add_file(s, path, buf, len, added, e);
		free(buf);
		free(ents[i]);
	}
	free(ents);
	return r;
}
