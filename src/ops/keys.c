/* SPDX-License-Identifier: MIT */
/*
 * The root's OpenPGP key store: <root>/var/lib/alupdate/keys/<KEYID>.key,
 * one file per imported key file, holding a "# from: URL" line and the key
 * data as fetched. yum imports a repository's gpgkey= keys into the rpm
 * database the first time a package of that repository is checked; this is
 * the same moment here. Files rather than a state-db table so that a key can
 * be inspected and removed with ordinary tools.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/net.h"
#include "ops/ops_int.h"
#include "util/rootfs.h"

static void store_dir(const char *root, char *buf, size_t n)
{
	snprintf(buf, n, "%s" ALU_KEYS_DIR, strcmp(root, "/") ? root : "");
}

static int read_all(const char *path, char **buf, size_t *len)
{
	off_t size;
	int fd, rc;
	ssize_t r;

	/* inside the root: symlinks resolve inside it, and only a regular file
	 * is read (no FIFO or device to hang on), util/rootfs.h */
	if ((rc = alu_root_open_read(path, &fd, &size, NULL)))
		return rc == -ALUE_PATH ? -EINVAL : rc;
	if (size > (16 << 20)) {
		close(fd);
		return -EFBIG;
	}
	*buf = malloc((size_t)size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	r = read(fd, *buf, (size_t)size);
	if (r != size)
		rc = r < 0 ? -errno : -EIO;
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	(*buf)[r] = 0;
	*len = (size_t)r;
	return 0;
}

static const char *tmp_of(const char *path, char *buf, size_t n)
{
	snprintf(buf, n, "%s.tmp", path);
	return buf;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int key_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 4 && !strcmp(d->d_name + n - 4, ".key");
}

int alu_keys_foreach(const char *root,
		     int (*cb)(void *arg, const struct alu_pgp_keyinfo *k, const char *from),
		     void *arg, struct alu_err *e)
{
	struct dirent **ents = NULL;
	char dir[4096];
	int n, rc = 0;

	store_dir(root, dir, sizeof(dir));
	/* the store is the root's: a symlink in its place is refused, not listed */
	{
		struct alu_err le = { 0 };
		if ((rc = alu_root_opendir(dir, 0, &n, &le)) == -ENOENT)
			return 0;
		if (rc)
			return alu_err_set(e, rc, "%s", le.msg);
		close(n);
	}
	n = scandir(dir, &ents, key_file, by_name);
	if (n < 0)
		return errno == ENOENT ? 0 : alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
	for (int i = 0; i < n; i++) {
		struct alu_pgp_keyring ring;
		struct alu_pgp_keyinfo ki;
		char path[8192], from[2048] = "", *buf = NULL;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (!rc && (rc = read_all(path, &buf, &len)))
			alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
		if (!rc && !strncmp(buf, "# from: ", 8))
			sscanf(buf + 8, "%2047[^\n]", from);
		alu_pgp_keyring_init(&ring);
		if (!rc && (rc = alu_pgp_keyring_add(&ring, buf, len, path, e)) > 0)
			rc = 0;
		/* primary keys only: subkeys are shown by their primary */
		for (size_t k = 0; !rc && k < alu_pgp_keyring_count(&ring); k++)
			if (!alu_pgp_keyring_get(&ring, k, &ki) && !ki.is_subkey)
				rc = cb(arg, &ki, from);
		alu_pgp_keyring_free(&ring);
		free(buf);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

static int fetch_key(struct alu_ops *o, const struct alu_repo *r, const char *url, char **buf,
		     size_t *len, struct alu_err *e)
{
	struct alu_net_opts no;
	int rc;

	if (alu_pgp_key_file_path(url)) {
		/* the one rule repo_gpgcheck follows too (crypto/pgp.h) */
		rc = alu_pgp_key_file_read(o->ctx->root, url, buf, len, NULL, 0);
		return rc ? alu_err_set(e, rc, "repository %s: gpgkey %s: %s", r->id, url,
					strerror(-rc)) : 0;
	}
	if (!o->repos.net && alu_net_new(&o->repos.net))
		return alu_err_set(e, -ENOMEM, "out of memory");
	alu_repo_net_opts(r, &no);
	return alu_net_get_mem(o->repos.net, url, &no, 1 << 20, buf, len, e);
}

/* Keep the key file in the store unless a file for its primary key is there. */
static int import(struct alu_ops *o, const struct alu_pgp_keyring *ring, size_t first,
		  const char *url, const char *data, size_t len, alu_ops_key_cb cb, void *arg,
		  struct alu_err *e)
{
	struct alu_pgp_keyinfo ki;
	char dir[4096], path[4200], tmp[4300];
	int fd, rc;
	FILE *f;

	if (alu_pgp_keyring_get(ring, first, &ki))
		return 0;
	store_dir(o->ctx->root, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%016llX.key", dir, (unsigned long long)ki.primary_keyid);
	if (!alu_root_open(path, O_RDONLY, 0, 0, &fd, NULL)) {
		close(fd);
		return 0;
	}
	/* the store and its temporary are reached without symlinks (util/rootfs.h) */
	if ((rc = alu_root_open(tmp_of(path, tmp, sizeof(tmp)), O_WRONLY | O_CREAT | O_TRUNC, 0644,
				ALU_ROOTF_CREATE, &fd, e)))
		return rc;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		alu_root_unlink(tmp, NULL);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	fprintf(f, "# from: %s\n", url);
	fwrite(data, 1, len, f);
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		int err = errno;
		alu_root_unlink(tmp, NULL);
		return alu_err_set(e, -err, "%s: %s", path, strerror(err));
	}
	if ((rc = alu_root_rename(tmp, path, e))) {
		alu_root_unlink(tmp, NULL);
		return rc;
	}
	if (cb)
		cb(arg, &ki, url);
	return 0;
}

int alu_keys_for_repo(struct alu_ops *o, const struct alu_repo *r, struct alu_pgp_keyring *ring,
		      alu_ops_key_cb cb, void *arg, struct alu_err *e)
{
	int rc = 0;

	if (!r->gpgkeys.n)
		return alu_err_set(e, -ALUE_NOKEY, "repository %s has gpgcheck=1 but no gpgkey", r->id);
	for (size_t i = 0; !rc && i < r->gpgkeys.n; i++) {
		size_t first = alu_pgp_keyring_count(ring), len = 0;
		char *buf = NULL;

		rc = fetch_key(o, r, r->gpgkeys.v[i], &buf, &len, e);
		if (!rc && (rc = alu_pgp_keyring_add(ring, buf, len, r->gpgkeys.v[i], e)) > 0)
			rc = 0;
		if (!rc)
			rc = import(o, ring, first, r->gpgkeys.v[i], buf, len, cb, arg, e);
		free(buf);
	}
	return rc;
}
