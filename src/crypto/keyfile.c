/* SPDX-License-Identifier: MIT */
/*
 * Where a gpgkey=file:// key is read from: the one rule for both package
 * signatures (gpgcheck) and repomd.xml signatures (repo_gpgcheck), so the
 * two checks can never trust different keys for one repository. See
 * alu_pgp_key_file_read() in pgp.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/pgp.h"

#define KEYFILE_MAX (16 << 20)

/* A regular file only: a FIFO or a device named as a key is an error, not a hang. */
static int read_regular(const char *path, char **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc = 0;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st))
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if (st.st_size > KEYFILE_MAX)
		rc = -EFBIG;
	if (rc) {
		close(fd);
		return rc;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	(*buf)[got] = 0;
	*len = got;
	return 0;
}

int alu_pgp_key_file_path(const char *url)
{
	return !strncmp(url, "file://", 7) || *url == '/';
}

int alu_pgp_key_file_read(const char *root, const char *url, char **buf, size_t *len,
			  char *from, size_t fromlen)
{
	const char *p = !strncmp(url, "file://", 7) ? url + 7 : url;
	char inroot[8192];
	int rc;

	*buf = NULL;
	*len = 0;
	if (!strncmp(p, "localhost/", 10))
		p += 9;
	if (*p != '/')
		return -EINVAL;
	root = root && strcmp(root, "/") ? root : "";
	if ((size_t)snprintf(inroot, sizeof(inroot), "%s%s", root, p) >= sizeof(inroot))
		return -ENAMETOOLONG;
	rc = read_regular(inroot, buf, len);
	if (rc == -ENOENT && *root) {
		snprintf(inroot, sizeof(inroot), "%s", p);
		rc = read_regular(inroot, buf, len);
	}
	if (from && fromlen)
		snprintf(from, fromlen, "%s", inroot);
	return rc;
}
