/* SPDX-License-Identifier: MIT */
/* rm -rf of one directory's contents; see fs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/rootfs.h"

/* Depth-first through directory fds: symlinks are removed, never followed. */
static int empty_dir(int dfd, size_t *count, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 64)
		return -ELOOP;
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return -errno;
	}
	while ((de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int r = sub < 0 ? -errno : empty_dir(sub, count, depth + 1);
			if (!r && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR))
				r = -errno;
			rc = rc ? rc : r;
			continue;
		}
		if (unlinkat(dirfd(d), de->d_name, 0))
			rc = rc ? rc : -errno;
		else
			(*count)++;
	}
	closedir(d);
	return rc;
}

int alu_rm_contents(const char *dir, size_t *count, struct alu_err *e)
{
	int fd, rc;

	/* under the installroot the walk to dir follows no symlink either */
	rc = alu_root_opendir(dir, 0, &fd, e);
	if (rc)
		return rc == -ENOENT ? ((e ? alu_err_clear(e) : (void)0), 0) : rc;
	return empty_dir(fd, count, 0);
}
