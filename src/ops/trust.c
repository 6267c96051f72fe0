/* SPDX-License-Identifier: MIT */
/* Keys trusted for every repository (ops/trust.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops/ops.h"
#include "ops/trust.h"
#include "util/rootfs.h"
#include "txn/rootfile.h"
#include "util/fs.h"

#define TRUST_LINE "# trust: all\n"
#define KEY_MAX (1u << 20)

static const char *root_or_empty(const char *root)
{
	return strcmp(root, "/") ? root : "";
}

int alu_keys_import_trusted(const char *root, const char *from, const char *data, size_t len,
			    uint64_t *keyid, char *uid, size_t uidn, int *already, struct alu_err *e)
{
	struct alu_pgp_keyring ring;
	struct alu_pgp_keyinfo kinfo, *ki = &kinfo;
	char path[512], dir[4096], *old = NULL, *buf = NULL;
	size_t oldlen = 0, n;
	int rc;

	*already = 0;
	if (!memmem(data, len, "-----BEGIN PGP PUBLIC KEY BLOCK-----", 36))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: not an ASCII-armored public key (as rpm --import takes)",
				   from);
	alu_pgp_keyring_init(&ring);
	rc = alu_pgp_keyring_add(&ring, data, len, from, e);
	if (rc > 0)
		rc = alu_pgp_keyring_get(&ring, 0, ki) ? alu_err_set(e, -ALUE_NOTFOUND, "%s: no key", from) : 0;
	if (!rc) {
		/* the key info borrows from the ring */
		*keyid = ki->keyid;
		snprintf(uid, uidn, "%s", ki->uid ? ki->uid : "");
	}
	alu_pgp_keyring_free(&ring);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), ALU_KEYS_DIR "/%016llX.key", (unsigned long long)ki->primary_keyid);
	snprintf(dir, sizeof(dir), "%s" ALU_KEYS_DIR, root_or_empty(root));
	if ((rc = alu_root_mkdirs(dir, e)))
		return rc;
	rc = alu_root_file_read(root, path, KEY_MAX, &old, &oldlen, e);
	if (!rc && strstr(old, "\n" TRUST_LINE)) {
		*already = 1;
		free(old);
		return 0;
	}
	free(old);
	if (rc && rc != -ENOENT)
		return rc;
	n = strlen(from) + len + 64;
	if (!(buf = malloc(n)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	n = (size_t)snprintf(buf, n, "# from: %s\n" TRUST_LINE, from);
	memcpy(buf + n, data, len);
	rc = alu_root_file_write(root, path, buf, n + len, 0644, e);
	free(buf);
	return rc;
}

static int key_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && d->d_name[0] != '.' && !strcmp(d->d_name + n - 4, ".key");
}

int alu_keys_add_trusted(const char *root, struct alu_pgp_keyring *ring, struct alu_err *e)
{
	struct dirent **ents = NULL;
	char dir[4096], path[4400];
	int n, rc = 0, added = 0;

	snprintf(dir, sizeof(dir), "%s" ALU_KEYS_DIR, root_or_empty(root));
	n = scandir(dir, &ents, key_name, alphasort);
	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char *buf = NULL;
		size_t len = 0;
		snprintf(path, sizeof(path), ALU_KEYS_DIR "/%s", ents[i]->d_name);
		if (!rc && !alu_root_file_read(root, path, KEY_MAX, &buf, &len, NULL) &&
		    strstr(buf, "\n" TRUST_LINE)) {
			int k = alu_pgp_keyring_add(ring, buf, len, path, e);
			if (k < 0)
				rc = k;
			else
				added += k;
		}
		free(buf);
		free(ents[i]);
	}
	free(ents);
	return rc ? rc : added;
}
