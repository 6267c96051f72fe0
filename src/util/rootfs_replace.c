/* SPDX-License-Identifier: MIT */
/* alu_root_replace(): a small file replaced atomically under the root (util/rootfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/rootfs.h"

int alu_root_replace(const char *path, const void *buf, size_t len, mode_t mode, struct alu_err *e)
{
	char tmp[4200];
	size_t off = 0;
	int r, fd;

	if (snprintf(tmp, sizeof(tmp), "%s.alu-tmp", path) >= (int)sizeof(tmp))
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path);
	if ((r = alu_root_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode, 0, &fd, e)))
		return r;
	while (!r && off < len) {
		ssize_t k = write(fd, (const char *)buf + off, len - off);
		if (k < 0 && errno != EINTR)
			r = -errno;
		else if (k > 0)
			off += (size_t)k;
	}
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (!r && (r = alu_root_rename(tmp, path, e)))
		e = NULL;   /* the rename's own message stands */
	if (r) {
		alu_root_unlink(tmp, NULL);
		return e ? alu_err_set(e, r, "writing %s: %s", path, strerror(-r > 0 && -r < 1024 ? -r : EIO)) : r;
	}
	return 0;
}
