/* SPDX-License-Identifier: MIT */
/* Small file system steps shared by planning, applying and verifying. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "txn/txn_int.h"
#include "util/rootfs.h"

int alu_fs_parent(int rootfd, const char *canon, int *dfd, const char **base, struct alu_err *e)
{
	char dir[ALU_PATH_MAX];
	int r;

	*base = alu_path_base(canon, dir, sizeof(dir));
	r = alu_path_opendir(rootfd, dir, dfd);
	if (r)
		return alu_err_set(e, r, "/%s: %s", dir, r == -ALUE_PATH ?
				   "a symlink appeared on the way" : alu_strerror(r));
	return 0;
}

int alu_fs_backup(const struct alu_journal *j, int ji, int dfd, const char *base, struct alu_err *e)
{
	char name[64];

	if (ji < 0 || j->v[ji].kind != 'B')
		return 0;
	alu_journal_tmpname(j, (size_t)ji, 1, name, sizeof(name));
	if (linkat(dfd, base, dfd, name, 0) < 0 && errno != EEXIST && errno != ENOENT)
		return alu_err_set(e, -errno, "/%s: keeping a copy: %s", j->v[ji].canon, strerror(errno));
	return 0;
}

int alu_fs_digest(int rootfd, const char *canon, int algo, char *hex, size_t n)
{
	unsigned char md[ALU_DIGEST_MAX];
	const char *base;
	size_t len = 0;
	int dfd, fd, r;

	r = alu_fs_parent(rootfd, canon, &dfd, &base, NULL);
	if (r)
		return r;
	/* only a regular file has a digest: a FIFO or device in its place is
	 * "not the packaged file", never a read that does not return */
	r = alu_root_openat_read(dfd, base, canon, &fd, NULL, NULL);
	close(dfd);
	if (r)
		return r;
	r = alu_digest_fd(fd, algo, md, &len, NULL);
	close(fd);
	if (r)
		return r;
	if (n < 2 * len + 1)
		return -ERANGE;
	alu_hex(md, len, hex);
	return 0;
}
