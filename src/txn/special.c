/* SPDX-License-Identifier: MIT */
/*
 * Device nodes, FIFOs and sockets of a payload, made as rpm's fsm makes
 * them: mknod(2) with the header's type, permissions and device number
 * (rpm keeps the old 16-bit encoding, major << 8 | minor, which mknod takes
 * as it is), then owner, mode (mknod's is cut by the umask) and mtime.
 *
 * Making a device node needs CAP_MKNOD, which an unprivileged container
 * lacks: a package with one is refused at planning, with the reason, after
 * a probe node in the nearest existing directory of its path shows the
 * filesystem and the process cannot hold it (rpm fails the same package
 * with "mknod failed - Operation not permitted", but halfway through).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "txn/txn_int.h"

const char *alu_special_kind(uint32_t mode)
{
	return S_ISCHR(mode) ? "character device" : S_ISBLK(mode) ? "block device" :
	       S_ISFIFO(mode) ? "FIFO" : S_ISSOCK(mode) ? "socket" : "special file";
}

int alu_fs_mknod(int dfd, const char *name, uint32_t mode, uint32_t rdev)
{
	dev_t dev = S_ISCHR(mode) || S_ISBLK(mode) ? (dev_t)rdev : 0;

	if (mknodat(dfd, name, (mode_t)(mode & (S_IFMT | 07777)), dev) < 0)
		return -errno;
	return 0;
}

int alu_special_probe(int rootfd, const struct alu_pent *pe, const char *token, struct alu_err *e)
{
	char dir[ALU_PATH_MAX], name[64];
	int dfd = -1, r;

	/* the deepest directory of the path that exists now */
	snprintf(dir, sizeof(dir), "%s", pe->canon);
	for (;;) {
		char *s = strrchr(dir, '/');
		if (s)
			*s = 0;
		else
			dir[0] = 0;
		if (alu_path_opendir(rootfd, dir, &dfd) == 0 || !dir[0])
			break;
	}
	if (dfd < 0 && alu_path_opendir(rootfd, "", &dfd))
		return 0;   /* nothing to probe in: apply reports what mknod says */
	snprintf(name, sizeof(name), ".alu-probe-%s", token);
	unlinkat(dfd, name, 0);
	r = alu_fs_mknod(dfd, name, pe->mode, pe->rdev);
	if (r == 0)
		unlinkat(dfd, name, 0);
	close(dfd);
	if (r)
		return alu_err_set(e, r, "%s: cannot create the %s (mknod: %s): %s", pe->hpath,
				   alu_special_kind(pe->mode), strerror(-r), r == -EPERM ?
				   "this process may not make device nodes (not root, or an"
				   " unprivileged container without CAP_MKNOD)" :
				   "the root's filesystem cannot hold it");
	return 0;
}
