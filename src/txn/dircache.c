/* SPDX-License-Identifier: MIT */
/*
 * Directories of the root opened once per step instead of once per file. A
 * package's files come sorted by path, so a 3,000-file package touches a
 * few dozen directories: walking every one of them from the root again for
 * each file (an openat per component, txn/path.c) was most of the system
 * calls of an upgrade. An fd kept here names the directory the walk found
 * (no symlink on the way); a step holds it only while nothing but this
 * transaction changes the root (no scriptlet runs inside a step).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "txn/txn_int.h"

void alu_dirs_init(struct alu_dirs *d, int rootfd)
{
	memset(d, 0, sizeof(*d));
	d->rootfd = rootfd;
	for (size_t i = 0; i < ALU_DIRS_N; i++)
		d->fd[i] = -1;
}

int alu_dirs_parent(struct alu_dirs *d, const char *canon, int *dfd, const char **base,
		    struct alu_err *e)
{
	char dir[ALU_PATH_MAX];
	size_t slot;
	int fd, r;

	*base = alu_path_base(canon, dir, sizeof(dir));
	for (size_t i = 0; i < ALU_DIRS_N; i++)
		if (d->fd[i] >= 0 && !strcmp(d->dir[i], dir)) {
			*dfd = d->fd[i];
			return 0;
		}
	r = alu_path_opendir(d->rootfd, dir, &fd);
	if (r)
		return alu_err_set(e, r, "/%s: %s", dir, r == -ALUE_PATH ?
				   "a symlink appeared on the way" : alu_strerror(r));
	slot = d->next++ % ALU_DIRS_N;
	free(d->dir[slot]);
	if (d->fd[slot] >= 0)
		close(d->fd[slot]);
	d->dir[slot] = strdup(dir);
	d->fd[slot] = d->dir[slot] ? fd : -1;
	if (!d->dir[slot]) {
		close(fd);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	*dfd = fd;
	return 0;
}

void alu_dirs_forget(struct alu_dirs *d, const char *canon)
{
	for (size_t i = 0; i < ALU_DIRS_N; i++)
		if (d->fd[i] >= 0 && !strcmp(d->dir[i], canon)) {
			close(d->fd[i]);
			d->fd[i] = -1;
		}
}

void alu_dirs_free(struct alu_dirs *d)
{
	for (size_t i = 0; i < ALU_DIRS_N; i++) {
		if (d->fd[i] >= 0)
			close(d->fd[i]);
		free(d->dir[i]);
		d->dir[i] = NULL;
		d->fd[i] = -1;
	}
}
