/* SPDX-License-Identifier: MIT */
/*
 * When file data must be on disk: before the state commit that says the
 * package is installed (txn.h, step f), not file by file. Until that commit
 * the journal says "applying", and recovery after a power loss puts back
 * every replaced path from its backup (an old inode, made durable by an
 * earlier commit) and removes every new one, so the content of a file not
 * yet synced never matters. One syncfs() per filesystem at the commit does
 * what one fsync() per file did, at the cost of one journal flush instead of
 * one per file (a 50,000-file package: minutes of fsync on ext4). The data
 * of a big file is sent to disk as soon as it is written (sync_file_range,
 * no wait), so the commit's sync has little left to do. rpm, for
 * comparison, syncs nothing (%_flush_io 0).
 *
 * Filesystems are told apart by st_dev: a root with /boot or /var mounted
 * apart gets each synced; past ALU_SYNC_MAX of them, files are fsync'ed one
 * by one as before.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "txn/txn_int.h"

#define ALU_DURABLE_EARLY (1 << 20)   /* bytes: sync_file_range from this size */

int alu_durable_note(struct alu_txn_ctx *c, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	/* a big file's data starts on its way now; thousands of small ones
	 * go faster in the one writeback of the commit's syncfs (a system
	 * call and a tiny write each, measured: bench/apply-bigpkg.sh) */
	if (st.st_size >= ALU_DURABLE_EARLY)
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	for (size_t i = 0; i < c->nsync; i++)
		if (c->syncdev[i] == st.st_dev)
			return 0;
	if (c->nsync < ALU_SYNC_MAX) {
		int keep = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (keep >= 0) {
			c->syncfd[c->nsync] = keep;
			c->syncdev[c->nsync++] = st.st_dev;
			return 0;
		}
	}
	return fsync(fd) < 0 ? -errno : 0;
}

int alu_durable_sync(struct alu_txn_ctx *c)
{
	struct stat st;
	int r = 0, sfd;

	/* renames, links, directories and nodes of the root's own filesystem */
	sfd = openat(c->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd >= 0) {
		if (syncfs(sfd) < 0)
			r = -errno;
		if (fstat(sfd, &st) < 0)
			st.st_dev = (dev_t)-1;
		close(sfd);
	}
	/* the others, once each */
	for (size_t i = 0; i < c->nsync; i++)
		if ((sfd < 0 || c->syncdev[i] != st.st_dev) && syncfs(c->syncfd[i]) < 0 && !r)
			r = -errno;
	return r;
}

void alu_durable_end(struct alu_txn_ctx *c)
{
	for (size_t i = 0; i < c->nsync; i++)
		close(c->syncfd[i]);
	c->nsync = 0;
}
