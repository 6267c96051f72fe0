/* SPDX-License-Identifier: MIT */
/*
 * Switching a new database directory in place of the old one.
 *
 * For a database directory P/B (P/rpm), the new one is built in P/.B.alupdate-new
 * (the other files of P/B hard-linked in: .rpm.lock, anything a user keeps
 * there; never the database files, so no stale __db.* or -wal follows),
 * fsynced, then:
 *   1. renameat2(new, B, RENAME_EXCHANGE): one atomic step; P/B is the old
 *      or the new directory, never neither. The old one, now at the new
 *      name, is removed.
 *   2. without it (EINVAL/ENOSYS: old kernels, some file systems): rename
 *      B -> .B.alupdate-old, rename new -> B, remove old. A kill between the
 *      two renames leaves no P/B; alu_rpmdb_recover() then renames the new
 *      directory in (it is whole: the old was moved only after the new was
 *      synced), or, with no new one, the old one back.
 * P/B is where the database directory really is, resolved inside the root
 * as a chroot would resolve it (alu_root_resolve(): a root's absolute
 * symlink /var/lib/rpm -> /usr/lib/sysimage/rpm is the root's directory of
 * that name, never the host's); P is then opened by the no-symlink walk of
 * util/rootfs.h and everything below it through its fd with O_NOFOLLOW, so
 * no symlink, planted before or during the run, is ever written through.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rpmdb/rpmdb_int.h"
#include "util/rootfs.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static const char *const db_dirs[] = { "/var/lib/rpm", "/usr/lib/sysimage/rpm" };

/* Names of the database files: never carried over into a new directory. */
static int is_db_file(const char *n)
{
	static const char *const names[] = {
		"Packages", "Name", "Basenames", "Group", "Requirename", "Providename",
		"Conflictname", "Obsoletename", "Triggername", "Dirnames", "Installtid", "Sigmd5",
		"Sha1header", "Filetriggername", "Transfiletriggername", "Recommendname",
		"Suggestname", "Supplementname", "Enhancename", "Filedigests", "Pubkeys",
		"Packages.db", "Index.db",
	};

	if (!strncmp(n, "rpmdb.sqlite", 12) || !strncmp(n, "__db.", 5))
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcmp(n, names[i]))
			return 1;
	return 0;
}

/* @p hostpath (under @p root) as P and B: the directory it names resolved
 * inside the root, split at its last component. */
static int locate(const char *root, const char *hostpath, char *parent, size_t pn, char *base,
		  size_t bn, struct alu_err *e)
{
	size_t rl = strcmp(root, "/") ? strlen(root) : 0;
	char real[PATH_MAX], *slash;
	int r;

	while (rl && root[rl - 1] == '/')
		rl--;
	if (strncmp(hostpath, root, rl) || hostpath[rl] != '/')
		return alu_err_set(e, -ALUE_PATH, "%s: the rpm database directory is not inside %s",
				   hostpath, root);
	if ((r = alu_root_resolve(rl ? root : "", hostpath + rl, real, sizeof(real), e)))
		return r;
	slash = strrchr(real, '/');
	if (!slash || !slash[1] || (size_t)(slash - real) < rl || strlen(slash + 1) >= bn)
		return alu_err_set(e, -ALUE_PATH, "%s: not a database directory (it is %s)", hostpath,
				   *real ? real : "/");
	snprintf(base, bn, "%s", slash + 1);
	*slash = 0;
	snprintf(parent, pn, "%s", *real ? real : "/");
	return 0;
}

/* Remove directory @p name under @p pfd and the files in it (one level:
 * nothing we build has subdirectories). Missing is fine. */
int sw_rmtree(int pfd, const char *name)
{
	int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(fd, de->d_name, 0);
	closedir(d);
	return unlinkat(pfd, name, AT_REMOVEDIR) && errno != ENOENT ? -errno : 0;
}

/* Hard-link (symlinks: copy) the non-database entries of @p ofd into @p nfd. */
static int carry_over(int ofd, int nfd, const char *what, struct alu_err *e)
{
	int fd = dup(ofd);
	struct dirent *de;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return alu_err_set(e, -errno, "%s: %s", what, strerror(errno));
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct stat st;
		char link[PATH_MAX];
		ssize_t n;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || is_db_file(de->d_name))
			continue;
		if (fstatat(ofd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode)) {
			if (linkat(ofd, de->d_name, nfd, de->d_name, 0) && errno != EEXIST) {
				int err = errno;
				closedir(d);
				return alu_err_set(e, -err, "%s/%s: %s", what, de->d_name, strerror(err));
			}
		} else if (S_ISLNK(st.st_mode) && (n = readlinkat(ofd, de->d_name, link, sizeof(link) - 1)) > 0) {
			link[n] = 0;
			symlinkat(link, nfd, de->d_name);
		}
	}
	closedir(d);
	return 0;
}

int sw_begin(const char *root, const char *dbfile, struct sw *w, struct alu_err *e)
{
	char dir[PATH_MAX + 300], *slash;
	struct stat st;
	int r;

	memset(w, 0, sizeof(*w));
	w->pfd = w->ofd = w->nfd = -1;
	snprintf(dir, sizeof(dir), "%s", dbfile);
	slash = strrchr(dir, '/');
	if (!slash)
		return alu_err_set(e, -EINVAL, "%s: not a path", dbfile);
	*slash = 0;
	if ((r = locate(root, dir, w->parent, sizeof(w->parent), w->base, sizeof(w->base), e)))
		return r;
	snprintf(w->newname, sizeof(w->newname), ".%s.alupdate-new", w->base);
	snprintf(w->oldname, sizeof(w->oldname), ".%s.alupdate-old", w->base);
	if ((r = alu_root_opendir(w->parent, 0, &w->pfd, e)))
		return r;
	w->ofd = openat(w->pfd, w->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->ofd < 0 || fstat(w->ofd, &st)) {
		r = alu_err_set(e, -errno, "%s/%s: %s", w->parent, w->base, strerror(errno));
		sw_end(w);
		return r;
	}
	sw_rmtree(w->pfd, w->newname);   /* a cut earlier build */
	if (mkdirat(w->pfd, w->newname, 0700)) {
		r = alu_err_set(e, -errno, "%s/%s: %s", w->parent, w->newname, strerror(errno));
		sw_end(w);
		return r;
	}
	w->made = 1;
	w->nfd = openat(w->pfd, w->newname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w->nfd < 0) {
		r = alu_err_set(e, -errno, "%s/%s: %s", w->parent, w->newname, strerror(errno));
		sw_end(w);
		return r;
	}
	if (geteuid() == 0)
		fchown(w->nfd, st.st_uid, st.st_gid);
	fchmod(w->nfd, st.st_mode & 07777);
	snprintf(dir, sizeof(dir), "%s/%s", w->parent, w->base);
	r = carry_over(w->ofd, w->nfd, dir, e);
	if (r)
		sw_end(w);
	return r;
}

void sw_path(const struct sw *w, const char *file, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/%s", strcmp(w->parent, "/") ? w->parent : "", w->newname, file);
}

int sw_commit(struct sw *w, struct alu_err *e)
{
	const char *gone = w->newname;

	if (fsync(w->nfd))
		return alu_err_set(e, -errno, "%s/%s: fsync: %s", w->parent, w->newname, strerror(errno));
	alu_rpmdb_test_point("exchange");
	if (alu_rpmdb_no_exchange() ||
	    syscall(SYS_renameat2, w->pfd, w->newname, w->pfd, w->base, RENAME_EXCHANGE)) {
		if (!alu_rpmdb_no_exchange() && errno != EINVAL && errno != ENOSYS && errno != EPERM)
			return alu_err_set(e, -errno, "%s/%s: exchange: %s", w->parent, w->base, strerror(errno));
		/* step 2 of the model: two renames, recover() closes the gap */
		sw_rmtree(w->pfd, w->oldname);
		if (renameat(w->pfd, w->base, w->pfd, w->oldname))
			return alu_err_set(e, -errno, "%s/%s: %s", w->parent, w->base, strerror(errno));
		alu_rpmdb_test_point("gap");
		if (renameat(w->pfd, w->newname, w->pfd, w->base)) {
			int err = errno;
			renameat(w->pfd, w->oldname, w->pfd, w->base);
			return alu_err_set(e, -err, "%s/%s: %s", w->parent, w->base, strerror(err));
		}
		gone = w->oldname;
	}
	w->made = 0;
	fsync(w->pfd);
	sw_rmtree(w->pfd, gone);
	return 0;
}

void sw_end(struct sw *w)
{
	if (w->made && w->pfd >= 0)
		sw_rmtree(w->pfd, w->newname);
	if (w->nfd >= 0)
		close(w->nfd);
	if (w->ofd >= 0)
		close(w->ofd);
	if (w->pfd >= 0)
		close(w->pfd);
	w->pfd = w->ofd = w->nfd = -1;
	w->made = 0;
}

/* One candidate directory P/B (resolved as sw_begin() resolves it, so a
 * symlinked /var/lib/rpm is recovered where it was switched): see the model. */
static int recover_one(const char *root, const char *dbdir, char *what, size_t n, struct alu_err *e)
{
	char p[PATH_MAX], base[256], nn[300], on[300];
	struct stat st;
	int pfd, r = 0, has_b, has_n, has_o;

	snprintf(nn, sizeof(nn), "%s%s", strcmp(root, "/") ? root : "", dbdir);
	/* no such directory (or a root that cannot hold one): nothing to recover */
	if (locate(root, nn, p, sizeof(p), base, sizeof(base), NULL) ||
	    alu_root_opendir(p, 0, &pfd, NULL))
		return 0;
	snprintf(nn, sizeof(nn), ".%s.alupdate-new", base);
	snprintf(on, sizeof(on), ".%s.alupdate-old", base);
	has_b = fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0;
	has_n = fstatat(pfd, nn, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
	has_o = fstatat(pfd, on, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
	if (!has_b && (has_n || has_o)) {
		const char *from = has_n ? nn : on;
		if (renameat(pfd, from, pfd, base))
			r = alu_err_set(e, -errno, "%s/%s: %s", p, from, strerror(errno));
		else
			snprintf(what, n, "%s/%s: %s", p, base, has_n ? "switched in the new rpm database"
				 : "put the old rpm database back");
		if (has_n)
			has_n = 0;
		else
			has_o = 0;
	}
	if (!r && (has_n || has_o)) {
		sw_rmtree(pfd, nn);
		sw_rmtree(pfd, on);
		if (!*what)
			snprintf(what, n, "%s: removed an unfinished rpm database build", p);
	}
	fsync(pfd);
	close(pfd);
	return r;
}

int alu_rpmdb_recover(const char *root, char *what, size_t n, struct alu_err *e)
{
	int r = 0;

	if (n)
		*what = 0;
	for (size_t i = 0; i < sizeof(db_dirs) / sizeof(*db_dirs) && !r; i++)
		r = recover_one(root, db_dirs[i], what, n, e);
	return r;
}

int sw_rpmlock(const char *dbfile, int seconds, int *fd, struct alu_err *e)
{
	char p[PATH_MAX + 16], *slash;
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int r;

	snprintf(p, sizeof(p), "%s", dbfile);
	slash = strrchr(p, '/');
	if (!slash)
		return alu_err_set(e, -EINVAL, "%s: not a path", dbfile);
	snprintf(slash + 1, sizeof(p) - (size_t)(slash + 1 - p), ".rpm.lock");
	/* rpm makes it on its first transaction; a root where rpm never wrote has
	 * no rpm to keep out, and is left without one */
	r = alu_root_open(p, O_RDWR, 0, 0, fd, e);
	if (r) {
		*fd = -1;
		if (r == -ENOENT && e)
			alu_err_clear(e);
		return r == -ENOENT ? 0 : r;
	}
	for (int i = 0; fcntl(*fd, F_SETLK, &fl); i++) {
		if ((errno != EACCES && errno != EAGAIN) || i >= seconds * 10) {
			int err = errno;
			close(*fd);
			*fd = -1;
			return alu_err_set(e, err == EACCES || err == EAGAIN ? -ALUE_LOCKED : -err,
					   "%s: the rpm database is locked by another program (rpm or yum?)", p);
		}
		usleep(100000);
	}
	return 0;
}
