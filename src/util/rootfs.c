/* SPDX-License-Identifier: MIT */
/* alupdate's own files under the root, reached without symlinks; see rootfs.h. */
#include "util/rootfs.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

/* from <linux/magic.h>, which the musl toolchain does not ship */
#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572

static char g_root[PATH_MAX];

int alu_root_set(const char *root)
{
	size_t n = root ? strlen(root) : 0;

	while (n && root[n - 1] == '/')
		n--;
	if (n >= sizeof(g_root))
		return -ENAMETOOLONG;
	memcpy(g_root, root ? root : "", n);
	g_root[n] = 0;
	return 0;
}

const char *alu_root_get(void)
{
	return g_root;
}

int alu_root_norm(const char *abs, char *out, size_t n)
{
	size_t o = 0;
	const char *p = abs;

	if (n < 2)
		return -ENAMETOOLONG;
	while (*p) {
		const char *c;
		size_t len;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			/* as in a chroot: ".." of the top is the top */
			while (o && out[o - 1] != '/')
				o--;
			if (o)
				o--;
			continue;
		}
		if (o + 1 + len + 1 > n)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memcpy(out + o, c, len);
		o += len;
	}
	if (!o)
		out[o++] = '/';
	out[o] = 0;
	return 0;
}

char *alu_root_join(const char *root, const char *abs)
{
	char norm[PATH_MAX], *p;
	size_t rl = root ? strlen(root) : 0;

	while (rl && root[rl - 1] == '/')
		rl--;
	if (alu_root_norm(abs, norm, sizeof(norm)))
		return NULL;
	/* "<root>" for "/" inside a root, "/" for the host */
	if (rl && !strcmp(norm, "/"))
		norm[0] = 0;
	if (!(p = malloc(rl + strlen(norm) + 1)))
		return NULL;
	memcpy(p, root, rl);
	strcpy(p + rl, norm);
	return p;
}

/* The part of @p path below the root, or NULL when @p path is not under it. */
static const char *below_root(const char *path)
{
	size_t rl = strlen(g_root);

	if (path[0] != '/' && !rl)
		return NULL;   /* relative to the cwd: the caller's own */
	if (strncmp(path, g_root, rl) || (path[rl] && path[rl] != '/'))
		return NULL;
	return path + rl;
}

int alu_root_inside(const char *path)
{
	return *g_root && below_root(path) != NULL;
}

static int open_rootdir(const char *path, struct alu_err *e)
{
	const char *root = *g_root ? g_root : "/";
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return alu_err_set(e, -errno, "%s: the root %s: %s", path, root, strerror(errno));
	return fd;
}

/* Why openat(O_NOFOLLOW | O_DIRECTORY) of @p comp failed, as a message. */
static int walk_fail(int dfd, const char *comp, const char *path, size_t upto, int err,
		     struct alu_err *e)
{
	struct stat st;

	if (err == ENOENT)
		return alu_err_set(e, -ENOENT, "%.*s: %s", (int)upto, path, strerror(err));
	if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return alu_err_set(e, -ALUE_PATH, "%.*s is a symlink: alupdate does not follow "
			"symlinks for its own files under the root (remove it, or make it a directory)",
			(int)upto, path);
	if (err == ENOTDIR || err == ELOOP)
		return alu_err_set(e, -ALUE_PATH, "%.*s is not a directory", (int)upto, path);
	return alu_err_set(e, -err, "%.*s: %s", (int)upto, path, strerror(err));
}

/* Walk @p rel (below the root) from @p cur, which is consumed. */
static int walk(int cur, const char *path, const char *rel, unsigned flags, int *dfd,
		struct alu_err *e)
{
	char comp[NAME_MAX + 1];
	const char *p = rel;

	while (*p) {
		const char *c;
		size_t len;
		int nfd;

		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len > NAME_MAX) {
			close(cur);
			return alu_err_set(e, -ENAMETOOLONG, "%s: name too long", path);
		}
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			close(cur);
			return alu_err_set(e, -ALUE_PATH, "%s: '..' is not allowed here", path);
		}
		memcpy(comp, c, len);
		comp[len] = 0;
		nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && (flags & ALU_ROOTF_CREATE)) {
			if (mkdirat(cur, comp, 0755) && errno != EEXIST) {
				int err = errno;
				close(cur);
				return alu_err_set(e, -err, "%.*s: cannot create: %s",
					(int)(p - path), path, strerror(err));
			}
			nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (nfd < 0) {
			int r = walk_fail(cur, comp, path, (size_t)(p - path), errno, e);
			close(cur);
			return r;
		}
		close(cur);
		cur = nfd;
	}
	*dfd = cur;
	return 0;
}

int alu_root_opendir(const char *path, unsigned flags, int *dfd, struct alu_err *e)
{
	const char *rel = below_root(path);
	int cur;

	if (!rel) {
		/* the caller's own host path: the kernel resolves it */
		if ((flags & ALU_ROOTF_CREATE) && (cur = alu_mkdir_p(path)))
			return alu_err_set(e, cur, "%s: cannot create: %s", path, strerror(-cur));
		*dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*dfd < 0)
			return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
		return 0;
	}
	cur = open_rootdir(path, e);
	if (cur < 0)
		return cur;
	return walk(cur, path, rel, flags, dfd, e);
}

int alu_root_parent(const char *path, unsigned flags, int *dfd, const char **base,
		    struct alu_err *e)
{
	char dir[PATH_MAX];
	const char *s = strrchr(path, '/');
	size_t len;

	if (!s) {
		*base = path;
		*dfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return *dfd < 0 ? alu_err_set(e, -errno, ".: %s", strerror(errno)) : 0;
	}
	if (!s[1] || !strcmp(s + 1, ".") || !strcmp(s + 1, ".."))
		return alu_err_set(e, -ALUE_PATH, "%s: not a file name", path);
	len = (size_t)(s - path);
	if (len >= sizeof(dir))
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path);
	memcpy(dir, path, len);
	dir[len] = 0;
	*base = s + 1;
	return alu_root_opendir(len ? dir : "/", flags, dfd, e);
}

static int leaf_fail(int dfd, const char *base, const char *path, int err, struct alu_err *e)
{
	struct stat st;

	if (err == ELOOP || (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)))
		return alu_err_set(e, -ALUE_PATH, "%s is a symlink: alupdate does not follow symlinks "
			"for its own files under the root (remove it)", path);
	return alu_err_set(e, -err, "%s: %s", path, strerror(err));
}

int alu_root_open(const char *path, int oflags, mode_t mode, unsigned flags, int *fd,
		  struct alu_err *e)
{
	const char *base;
	int dfd, r = alu_root_parent(path, flags, &dfd, &base, e);

	if (r)
		return r;
	*fd = openat(dfd, base, oflags | O_NOFOLLOW | O_CLOEXEC, mode);
	if (*fd < 0)
		r = leaf_fail(dfd, base, path, errno, e);
	close(dfd);
	return r;
}

/*
 * Only a regular file, and not one of procfs or sysfs (/proc/kmsg is
 * S_ISREG and blocks). O_NONBLOCK stays set: a regular file ignores it, and
 * whatever slips past the checks fails with EAGAIN instead of hanging.
 */
static int check_regular(int f, const char *shown, off_t *size, struct alu_err *e)
{
	struct statfs sf;
	struct stat st;

	if (fstat(f, &st) || !S_ISREG(st.st_mode))
		return alu_err_set(e, -ALUE_PATH, "%s: not a regular file (a FIFO, device or "
			"socket is refused)", shown);
	if (fstatfs(f, &sf) == 0 && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC))
		return alu_err_set(e, -ALUE_PATH, "%s: a file of /proc or /sys is refused", shown);
	if (size)
		*size = st.st_size;
	return 0;
}

int alu_root_openat_read(int dfd, const char *name, const char *shown, int *fd, off_t *size,
			 struct alu_err *e)
{
	int r, f = openat(dfd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (f < 0) {
		if (errno == ENOENT)
			return alu_err_set(e, -ENOENT, "%s: %s", shown, strerror(errno));
		if (errno == ELOOP)
			return alu_err_set(e, -ALUE_PATH, "%s is a symlink, not a regular file", shown);
		return alu_err_set(e, -errno, "%s: %s", shown, strerror(errno));
	}
	if ((r = check_regular(f, shown, size, e))) {
		close(f);
		return r;
	}
	*fd = f;
	return 0;
}

#define MAX_LINKS 40
#define MAX_DEPTH 128

enum { IN_ROOT_FILE, IN_ROOT_DIR, IN_ROOT_RESOLVE };

/* The in-root path of the directories walked: one entry per depth. */
struct canon {
	char p[PATH_MAX];
	size_t len[MAX_DEPTH];
};

static int canon_push(struct canon *c, int depth, const char *comp)
{
	size_t l = c->len[depth], n = strlen(comp);

	if (l + 1 + n >= sizeof(c->p))
		return -ENAMETOOLONG;
	c->p[l] = '/';
	memcpy(c->p + l + 1, comp, n + 1);
	c->len[depth + 1] = l + 1 + n;
	return 0;
}

/*
 * Resolve @p rel inside the root as a chroot would: a symlink is followed,
 * but an absolute target restarts at the root and ".." stops at it, so the
 * result is always inside. IN_ROOT_FILE opens the last component for
 * reading, IN_ROOT_DIR the directory @p rel names ("/." at its end);
 * IN_ROOT_RESOLVE opens nothing and leaves in @p cn the in-root path with
 * every symlink resolved (a missing last component is kept as named).
 */
static int read_in_root(int rootfd, const char *path, const char *rel, int mode, int *fd,
			off_t *size, struct canon *cn, struct alu_err *e)
{
	static __thread char rest[PATH_MAX * 2], target[PATH_MAX];
	char comp[NAME_MAX + 1];
	int fds[MAX_DEPTH], depth = 0, links = 0, r, want_dir = mode == IN_ROOT_DIR;

	fds[0] = rootfd;
	if (cn) {
		cn->len[0] = 0;
		cn->p[0] = 0;
	}
	if (strlen(rel) >= sizeof(rest) / 2)
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path);
	strcpy(rest, rel);
	for (;;) {
		char *p = rest, *q;
		size_t len;
		struct stat st;

		while (*p == '/')
			p++;
		if (!*p) {
			/* the root itself (or a symlink to "/") */
			if (mode == IN_ROOT_RESOLVE)
				r = 0;
			else if (want_dir && (*fd = openat(fds[depth], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
				r = 0;
			else
				r = alu_err_set(e, -ALUE_PATH, "%s: not a regular file", path);
			break;
		}
		q = strchr(p, '/');
		len = q ? (size_t)(q - p) : strlen(p);
		if (len > NAME_MAX) {
			r = alu_err_set(e, -ENAMETOOLONG, "%s: name too long", path);
			break;
		}
		memcpy(comp, p, len);
		comp[len] = 0;
		memmove(rest, p + len, strlen(p + len) + 1);
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth)
				close(fds[depth--]);
			if (cn)
				cn->p[cn->len[depth]] = 0;
			continue;
		}
		if (fstatat(fds[depth], comp, &st, AT_SYMLINK_NOFOLLOW)) {
			int err = errno;
			/* a directory being switched in may be missing for a moment */
			if (mode == IN_ROOT_RESOLVE && err == ENOENT && !rest[strspn(rest, "/")]) {
				r = canon_push(cn, depth, comp) ?
					alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path) : 0;
				break;
			}
			r = alu_err_set(e, -err, "%s: %s", path, strerror(err));
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t tl;

			if (++links > MAX_LINKS) {
				r = alu_err_set(e, -ALUE_PATH, "%s: too many levels of symlinks", path);
				break;
			}
			tl = readlinkat(fds[depth], comp, target, sizeof(target) - 1);
			if (tl <= 0 || strlen(rest) + (size_t)tl + 2 > sizeof(rest)) {
				r = alu_err_set(e, -ALUE_PATH, "%s: bad symlink %s", path, comp);
				break;
			}
			/* rest still starts with the '/' before the next component */
			memmove(rest + tl, rest, strlen(rest) + 1);
			memcpy(rest, target, (size_t)tl);
			if (target[0] == '/')
				while (depth)
					close(fds[depth--]);
			if (cn)
				cn->p[cn->len[depth]] = 0;
			continue;
		}
		if (!rest[strspn(rest, "/")] && mode == IN_ROOT_RESOLVE) {
			r = canon_push(cn, depth, comp) ?
				alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path) : 0;
			break;
		}
		if (!rest[strspn(rest, "/")] && !want_dir) {
			/* the last component */
			r = alu_root_openat_read(fds[depth], comp, path, fd, size, e);
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			r = alu_err_set(e, -ENOTDIR, "%s: %s is not a directory", path, comp);
			break;
		}
		if (depth + 1 >= MAX_DEPTH) {
			r = alu_err_set(e, -ALUE_PATH, "%s: too deep", path);
			break;
		}
		if (cn && canon_push(cn, depth, comp)) {
			r = alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path);
			break;
		}
		fds[depth + 1] = openat(fds[depth], comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fds[depth + 1] < 0) {
			r = alu_err_set(e, -errno, "%s: %s: %s", path, comp, strerror(errno));
			break;
		}
		depth++;
	}
	while (depth)
		close(fds[depth--]);
	return r;
}

int alu_root_open_read(const char *path, int *fd, off_t *size, struct alu_err *e)
{
	const char *rel = below_root(path), *base;
	int dfd, r;

	if (rel && *g_root) {
		if ((dfd = open_rootdir(path, e)) < 0)
			return dfd;
		r = read_in_root(dfd, path, rel, IN_ROOT_FILE, fd, size, NULL, e);
		close(dfd);
		return r;
	}
	/* the host's own file (or the host is the root): the kernel resolves
	 * it, symlinks too (yum.conf -> dnf/dnf.conf); what it names must
	 * still be a regular file */
	(void)base;
	dfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (dfd < 0)
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if ((r = check_regular(dfd, path, size, e))) {
		close(dfd);
		return r;
	}
	*fd = dfd;
	return 0;
}

int alu_root_opendir_read(const char *path, int *dfd, struct alu_err *e)
{
	const char *rel = below_root(path);
	int rfd, r;

	if (rel && *g_root) {
		if ((rfd = open_rootdir(path, e)) < 0)
			return rfd;
		/* a trailing "/." makes the last directory one more step of the walk */
		char buf[PATH_MAX];
		if ((size_t)snprintf(buf, sizeof(buf), "%s/.", rel) >= sizeof(buf))
			r = alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path);
		else
			r = read_in_root(rfd, path, buf, IN_ROOT_DIR, dfd, NULL, NULL, e);
		close(rfd);
		return r;
	}
	*dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *dfd < 0 ? alu_err_set(e, -errno, "%s: %s", path, strerror(errno)) : 0;
}

int alu_root_resolve(const char *root, const char *abs, char *out, size_t n, struct alu_err *e)
{
	char host[PATH_MAX], shown[PATH_MAX];
	struct canon *cn;
	size_t rl = root ? strlen(root) : 0;
	int rfd, r;

	while (rl && root[rl - 1] == '/')
		rl--;
	snprintf(shown, sizeof(shown), "%.*s%s", (int)rl, root ? root : "", abs);
	if (!rl) {
		/* the host is the root: the kernel's resolution is the chroot's */
		if (!realpath(abs, host))
			return alu_err_set(e, -errno, "%s: %s", abs, strerror(errno));
		if (strlen(host) >= n)
			return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", abs);
		strcpy(out, host);
		return 0;
	}
	snprintf(host, sizeof(host), "%.*s", (int)rl, root);
	if ((rfd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return alu_err_set(e, -errno, "%s: the root %s: %s", shown, host, strerror(errno));
	if (!(cn = malloc(sizeof(*cn)))) {
		close(rfd);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	r = read_in_root(rfd, shown, abs, IN_ROOT_RESOLVE, NULL, NULL, cn, e);
	close(rfd);
	if (!r && rl + strlen(cn->p) + 2 > n)
		r = alu_err_set(e, -ENAMETOOLONG, "%s: path too long", shown);
	if (!r)
		snprintf(out, n, "%.*s%s", (int)rl, root, cn->p);
	free(cn);
	return r;
}

int alu_root_scandir(const char *dir, struct dirent ***out, int (*filter)(const struct dirent *),
		     int (*cmp)(const struct dirent **, const struct dirent **))
{
	struct dirent *de, **v = NULL;
	size_t n = 0, cap = 0;
	DIR *d;
	int dfd, r = alu_root_opendir_read(dir, &dfd, NULL);

	*out = NULL;
	if (r) {
		errno = r == -ALUE_PATH ? ENOTDIR : -r;
		return -1;
	}
	if (!(d = fdopendir(dfd))) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d))) {
		struct dirent *c;
		size_t len;

		if (filter && !filter(de))
			continue;
		if (n == cap) {
			struct dirent **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*nv));
			if (!nv)
				goto nomem;
			v = nv;
		}
		len = offsetof(struct dirent, d_name) + strlen(de->d_name) + 1;
		if (!(c = malloc(len > sizeof(*de) ? len : sizeof(*de))))
			goto nomem;
		memcpy(c, de, len);
		v[n++] = c;
	}
	closedir(d);
	if (cmp && n)
		qsort(v, n, sizeof(*v), (int (*)(const void *, const void *))cmp);
	*out = v;
	return (int)n;
nomem:
	closedir(d);
	while (n)
		free(v[--n]);
	free(v);
	errno = ENOMEM;
	return -1;
}

FILE *alu_root_fopen(const char *path)
{
	FILE *f;
	int fd, r = alu_root_open_read(path, &fd, NULL, NULL);

	if (r) {
		errno = r == -ALUE_PATH ? EINVAL : -r;
		return NULL;
	}
	if (!(f = fdopen(fd, "r")))
		close(fd);
	return f;
}

/* unlinkat(@p how) of @p path through its verified parent; a missing file or
 * directory on the way is not an error */
static int remove_at(const char *path, int how, struct alu_err *e)
{
	struct alu_err le = { 0 };
	const char *base;
	int dfd, r = alu_root_parent(path, 0, &dfd, &base, &le);

	if (r == -ENOENT)
		return 0;
	if (r)
		return alu_err_set(e, r, "%s", le.msg);
	if (unlinkat(dfd, base, how) && errno != ENOENT)
		r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	close(dfd);
	return r;
}

int alu_root_unlink(const char *path, struct alu_err *e)
{
	return remove_at(path, 0, e);
}

int alu_root_rmdir(const char *path, struct alu_err *e)
{
	return remove_at(path, AT_REMOVEDIR, e);
}

int alu_root_rename(const char *from, const char *to, struct alu_err *e)
{
	const char *fb, *tb;
	int fd1, fd2, r = alu_root_parent(from, 0, &fd1, &fb, e);

	if (r)
		return r;
	r = alu_root_parent(to, 0, &fd2, &tb, e);
	if (r) {
		close(fd1);
		return r;
	}
	if (renameat(fd1, fb, fd2, tb))
		r = alu_err_set(e, -errno, "%s: rename to %s: %s", from, to, strerror(errno));
	close(fd1);
	close(fd2);
	return r;
}

int alu_root_mkdirs(const char *path, struct alu_err *e)
{
	int dfd, r = alu_root_opendir(path, ALU_ROOTF_CREATE, &dfd, e);

	if (!r)
		close(dfd);
	return r;
}

int alu_root_rm_files(const char *dir, const char *suffix, size_t *count, struct alu_err *e)
{
	size_t sl = suffix ? strlen(suffix) : 0;
	struct dirent *de;
	DIR *d;
	struct alu_err le = { 0 };
	int dfd, r = alu_root_opendir(dir, 0, &dfd, &le);

	if (r == -ENOENT)
		return 0;
	if (r)
		return alu_err_set(e, r, "%s", le.msg);
	if (!(d = fdopendir(dfd))) {
		r = alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
		close(dfd);
		return r;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' || (suffix && (n < sl || strcmp(de->d_name + n - sl, suffix))))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || S_ISDIR(st.st_mode))
			continue;
		if (!unlinkat(dirfd(d), de->d_name, 0))
			(*count)++;
	}
	closedir(d);
	return 0;
}
