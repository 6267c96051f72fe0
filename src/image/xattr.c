/* SPDX-License-Identifier: MIT */
/*
 * Extended attributes of layer entries (security.capability, user.*,
 * trusted.* as the tar's SCHILY.xattr / LIBARCHIVE.xattr records hold them).
 * The entry is reached as "/proc/self/fd/<dirfd>/<name>" with the l*xattr
 * calls: the directory fd came from the O_NOFOLLOW walk and the last
 * component is never followed, so no symlink of the layer redirects them.
 * The list is read sorted by name, so a layer written from it is the same
 * bytes whatever order the filesystem keeps them in. security.selinux is
 * neither applied nor read: it is the label this host's policy gives the
 * private root, which means nothing in an image (umoci leaves it out too).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "image/image.h"

#define SELINUX "security.selinux"

static void at_path(int dfd, const char *name, char *out, size_t n)
{
	snprintf(out, n, "/proc/self/fd/%d/%s", dfd, name);
}

int alu_image_xattr_apply(int dfd, const char *name, struct archive_entry *ent, const char *what,
			  const char *rel, struct alu_err *e)
{
	const char *key;
	const void *val;
	size_t len;
	char path[4200];

	if (!archive_entry_xattr_reset(ent))
		return 0;
	at_path(dfd, name, path, sizeof(path));
	while (archive_entry_xattr_next(ent, &key, &val, &len) == ARCHIVE_OK) {
		if (!strcmp(key, SELINUX) || lsetxattr(path, key, val, len, 0) == 0)
			continue;
		/* a filesystem or a kernel that cannot hold it (user.* on a
		 * symlink, trusted.* unprivileged) refuses the image, saying why:
		 * the patched layer would silently lose the attribute */
		if (errno == ENOTSUP || errno == EPERM)
			return alu_err_set(e, -errno, "layer %s: '%s': extended attribute %s cannot be kept here: %s",
					   what, rel, key, strerror(errno));
		return alu_err_set(e, -errno, "layer %s: '%s': setting %s: %s", what, rel, key, strerror(errno));
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alu_image_xattr_list(int dfd, const char *name, struct alu_image_xattrs *x)
{
	char path[4200], *p;
	ssize_t n;

	memset(x, 0, sizeof(*x));
	at_path(dfd, name, path, sizeof(path));
	n = llistxattr(path, NULL, 0);
	if (n <= 0)
		return n < 0 && errno != ENOTSUP ? -errno : 0;
	if (!(x->names = malloc(n + 1)))
		return -ENOMEM;
	n = llistxattr(path, x->names, n);
	if (n < 0)
		return -errno;
	for (p = x->names; p < x->names + n; p += strlen(p) + 1)
		x->n++;
	x->key = calloc(x->n ? x->n : 1, sizeof(*x->key));
	x->val = calloc(x->n ? x->n : 1, sizeof(*x->val));
	x->len = calloc(x->n ? x->n : 1, sizeof(*x->len));
	if (!x->key || !x->val || !x->len)
		return -ENOMEM;
	size_t i = 0;
	for (p = x->names; p < x->names + n; p += strlen(p) + 1)
		if (strcmp(p, SELINUX))
			x->key[i++] = p;
	x->n = i;
	qsort(x->key, x->n, sizeof(*x->key), cmp_str);
	for (i = 0; i < x->n; i++) {
		ssize_t k = lgetxattr(path, x->key[i], NULL, 0);
		if (k < 0 || !(x->val[i] = malloc(k ? k : 1)))
			return k < 0 ? -errno : -ENOMEM;
		k = lgetxattr(path, x->key[i], x->val[i], k);
		if (k < 0)
			return -errno;
		x->len[i] = k;
	}
	return 0;
}

int alu_image_xattr_same(const struct alu_image_xattrs *a, const struct alu_image_xattrs *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->key[i], b->key[i]) || a->len[i] != b->len[i] ||
		    memcmp(a->val[i], b->val[i], a->len[i]))
			return 0;
	return 1;
}

void alu_image_xattr_free(struct alu_image_xattrs *x)
{
	for (size_t i = 0; x->val && i < x->n; i++)
		free(x->val[i]);
	free(x->val);
	free(x->key);
	free(x->len);
	free(x->names);
	memset(x, 0, sizeof(*x));
}
