/* SPDX-License-Identifier: MIT */
/* Configuration files of the root, read and replaced safely (txn/rootfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "txn/rootfile.h"
#include "txn/txn_int.h"

/* The directory of @p path opened O_PATH under the root, and its base name. */
static int open_parent(const char *root, const char *path, int *dfd, char *base, size_t bn,
		       struct alu_err *e)
{
	char canon[ALU_PATH_MAX], dir[ALU_PATH_MAX];
	const char *b;
	int rootfd, rc;

	rootfd = open(root && *root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return alu_err_set(e, -errno, "%s: %s", root, strerror(errno));
	rc = alu_path_resolve(rootfd, path, 0, canon, sizeof(canon), e);
	if (!rc) {
		b = alu_path_base(canon, dir, sizeof(dir));
		if (!*b || strlen(b) >= bn)
			rc = alu_err_set(e, -ALUE_PATH, "%s: not a file name", path);
		else
			snprintf(base, bn, "%s", b);
	}
	if (!rc && (rc = alu_path_opendir(rootfd, dir, dfd)))
		alu_err_set(e, rc, "%s: %s", path, rc == -ALUE_PATH ? "a directory on the way is a symlink" :
			    strerror(-rc));
	close(rootfd);
	return rc;
}

int alu_root_file_read(const char *root, const char *path, size_t max, char **buf, size_t *len,
		       struct alu_err *e)
{
	char base[256];
	struct stat st;
	int dfd, fd, rc;
	ssize_t k;

	*buf = NULL;
	*len = 0;
	if ((rc = open_parent(root, path, &dfd, base, sizeof(base), e)))
		return rc;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT :
		       alu_err_set(e, errno == ELOOP ? -ALUE_PATH : -errno, "%s: %s", path,
				   errno == ELOOP ? "is a symlink" : strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return alu_err_set(e, -ALUE_PATH, "%s: not a regular file", path);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return alu_err_set(e, -EFBIG, "%s: larger than %zu bytes", path, max);
	}
	if (!(*buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	while (*len < (size_t)st.st_size && (k = read(fd, *buf + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)k;
	close(fd);
	(*buf)[*len] = 0;
	return 0;
}

int alu_root_file_write(const char *root, const char *path, const void *buf, size_t len,
			unsigned mode, struct alu_err *e)
{
	char base[256], tmp[300];
	struct stat st;
	int dfd, fd, rc = 0;

	if ((rc = open_parent(root, path, &dfd, base, sizeof(base), e)))
		return rc;
	if (!fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW)) {
		if (!S_ISREG(st.st_mode)) {
			close(dfd);
			return alu_err_set(e, -ALUE_PATH, "%s: not a regular file", path);
		}
		mode = st.st_mode & 07777;
	}
	snprintf(tmp, sizeof(tmp), ".%s.alu-tmp", base);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		rc = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
		close(dfd);
		return rc;
	}
	for (size_t off = 0; !rc && off < len;) {
		ssize_t k = write(fd, (const char *)buf + off, len - off);
		if (k < 0)
			rc = -errno;
		else
			off += (size_t)k;
	}
	if (!rc && fchmod(fd, mode))
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, base))
		rc = -errno;
	if (rc) {
		unlinkat(dfd, tmp, 0);
		alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	close(dfd);
	return rc;
}
