/* SPDX-License-Identifier: MIT */
/*
 * Paths of package files under the root. A package path is resolved against
 * the root as a chroot would see it (so /lib -> usr/lib on a merged-/usr
 * root is followed), but by our own walk with openat() and O_NOFOLLOW, one
 * component at a time, so that no symlink can take us out of the root: an
 * absolute link target restarts at the root, and a `..` that would climb
 * above it is refused rather than clamped (a package that needs that is
 * hostile or broken).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "txn/txn_int.h"

#define MAX_DEPTH 256
#define MAX_LINKS 40

int alu_path_check(const char *path, struct alu_err *e)
{
	const char *p = path, *c;

	if (path[0] != '/')
		return alu_err_set(e, -ALUE_PATH, "path '%s' is not absolute", path);
	if (strlen(path) >= ALU_PATH_MAX)
		return alu_err_set(e, -ALUE_PATH, "path '%.64s...' is too long", path);
	if (strchr(path, '\n'))
		return alu_err_set(e, -ALUE_PATH, "path '%s' contains a newline", path);
	if (!strcmp(path, "/"))
		return 0;
	while (*p == '/') {
		p++;
		c = p;
		while (*p && *p != '/')
			p++;
		if (p == c || (p - c == 1 && c[0] == '.') || (p - c == 2 && c[0] == '.' && c[1] == '.'))
			return alu_err_set(e, -ALUE_PATH, "path '%s' has an empty, '.' or '..' component", path);
	}
	return 0;
}

/* Pop the first component of @p rest (a '/'-separated string, modified) into
 * @p comp; returns 0 when none is left. */
static int next_comp(char *rest, char *comp, size_t n)
{
	char *p = rest, *q;
	size_t len;

	while (*p == '/')
		p++;
	if (!*p)
		return 0;
	q = strchr(p, '/');
	len = q ? (size_t)(q - p) : strlen(p);
	if (len >= n)
		len = n - 1;
	memcpy(comp, p, len);
	comp[len] = 0;
	memmove(rest, p + len, strlen(p + len) + 1);
	return 1;
}

static int only_slashes(const char *s)
{
	while (*s == '/')
		s++;
	return !*s;
}

int alu_path_resolve(int rootfd, const char *path, unsigned flags, char *out, size_t n,
		     struct alu_err *e)
{
	static __thread char rest[ALU_PATH_MAX * 2], target[ALU_PATH_MAX];
	int fds[MAX_DEPTH];
	size_t lens[MAX_DEPTH];
	int depth = 0, links = 0, r = 0;
	char comp[NAME_MAX + 1];
	struct stat st;

	fds[0] = rootfd;
	lens[0] = 0;
	out[0] = 0;
	r = alu_path_check(path, e);
	if (r)
		return r;
	snprintf(rest, sizeof(rest), "%s", path);
	while (next_comp(rest, comp, sizeof(comp))) {
		int last = only_slashes(rest);
		size_t ol = strlen(out);

		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			if (depth == 0) {
				r = alu_err_set(e, -ALUE_PATH, "%s: a symlink on the way leads above the root", path);
				goto out;
			}
			close(fds[depth]);
			depth--;
			out[lens[depth]] = 0;
			continue;
		}
		if (ol + strlen(comp) + 2 > n) {
			r = alu_err_set(e, -ALUE_PATH, "%s: resolved path too long", path);
			goto out;
		}
		if (last && !(flags & ALU_PATHF_FOLLOW_LAST)) {
			sprintf(out + ol, "%s%s", ol ? "/" : "", comp);
			break;
		}
		if (fstatat(fds[depth], comp, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) {
				r = alu_err_set(e, -errno, "%s: %s: %s", path, comp, strerror(errno));
				goto out;
			}
			/* The rest does not exist yet: it will be created as
			 * written, unless it would climb back out. */
			sprintf(out + ol, "%s%s", ol ? "/" : "", comp);
			while (next_comp(rest, comp, sizeof(comp))) {
				if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
					r = alu_err_set(e, -ALUE_PATH, "%s: a symlink on the way uses '..' below a missing directory", path);
					goto out;
				}
				ol = strlen(out);
				if (ol + strlen(comp) + 2 > n) {
					r = alu_err_set(e, -ALUE_PATH, "%s: resolved path too long", path);
					goto out;
				}
				sprintf(out + ol, "/%s", comp);
			}
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t tl;

			if (++links > MAX_LINKS) {
				r = alu_err_set(e, -ALUE_PATH, "%s: too many levels of symlinks", path);
				goto out;
			}
			tl = readlinkat(fds[depth], comp, target, sizeof(target) - 1);
			if (tl < 0) {
				r = alu_err_set(e, -errno, "%s: readlink %s: %s", path, comp, strerror(errno));
				goto out;
			}
			target[tl] = 0;
			if (strlen(target) + strlen(rest) + 2 > sizeof(rest)) {
				r = alu_err_set(e, -ALUE_PATH, "%s: symlink target too long", path);
				goto out;
			}
			memmove(rest + tl + 1, rest, strlen(rest) + 1);
			memcpy(rest, target, (size_t)tl);
			rest[tl] = '/';
			if (target[0] == '/') {
				while (depth > 0)
					close(fds[depth--]);
				out[0] = 0;
			}
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (last) {
				sprintf(out + ol, "%s%s", ol ? "/" : "", comp);
				break;
			}
			r = alu_err_set(e, -ALUE_PATH, "%s: /%s%s%s is not a directory", path, out, ol ? "/" : "", comp);
			goto out;
		}
		if (depth + 1 >= MAX_DEPTH) {
			r = alu_err_set(e, -ALUE_PATH, "%s: too deep", path);
			goto out;
		}
		fds[depth + 1] = openat(fds[depth], comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fds[depth + 1] < 0) {
			r = alu_err_set(e, -errno, "%s: %s: %s", path, comp, strerror(errno));
			goto out;
		}
		depth++;
		sprintf(out + ol, "%s%s", ol ? "/" : "", comp);
		lens[depth] = strlen(out);
	}
out:
	while (depth > 0)
		close(fds[depth--]);
	return r;
}

int alu_path_opendir(int rootfd, const char *canon, int *fd)
{
	char comp[NAME_MAX + 1];
	const char *p = canon;
	int cur = dup(rootfd);

	if (cur < 0)
		return -errno;
	while (*p) {
		const char *q = strchr(p, '/');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		int nfd;

		if (len == 0 || len > NAME_MAX) {
			close(cur);
			return -ALUE_PATH;
		}
		memcpy(comp, p, len);
		comp[len] = 0;
		nfd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(cur);
		if (nfd < 0)
			return errno == ELOOP || errno == ENOTDIR ? -ALUE_PATH : -errno;
		cur = nfd;
		p += len;
		if (*p == '/')
			p++;
	}
	*fd = cur;
	return 0;
}

const char *alu_path_base(const char *canon, char *dir, size_t n)
{
	const char *s = strrchr(canon, '/');
	size_t len = s ? (size_t)(s - canon) : 0;

	/* no room at all: the caller gets the base name and no directory */
	if (n) {
		if (len >= n)
			len = n - 1;
		memcpy(dir, canon, len);
		dir[len] = 0;
	}
	return s ? s + 1 : canon;
}

int alu_path_resolve_memo(struct alu_pathmemo *pm, int rootfd, const char *path, char *out,
			  size_t n, struct alu_err *e)
{
	char dir[ALU_PATH_MAX], cdir[ALU_PATH_MAX];
	const char *base, *known;
	struct stat st;
	int i, r;

	r = alu_path_check(path, e);
	if (r)
		return r;
	base = alu_path_base(path + 1, dir, sizeof(dir));
	if (!strcmp(path, "/"))
		return alu_path_resolve(rootfd, path, 0, out, n, e);
	i = alu_smap_get(&pm->map, dir);
	if (i >= 0) {
		known = pm->cdir[i];
	} else {
		char hdir[ALU_PATH_MAX + 1];
		char **nh, **nc;

		snprintf(hdir, sizeof(hdir), "/%s", dir);
		cdir[0] = 0;
		/* What the walk of the whole path would find for its directory
		 * part: an existing directory, or a missing one kept as written.
		 * Anything else (a file on the way, an error) is told by that
		 * walk itself. */
		if ((dir[0] && alu_path_resolve(rootfd, hdir, ALU_PATHF_FOLLOW_LAST, cdir, sizeof(cdir), NULL)) ||
		    (fstatat(rootfd, cdir[0] ? cdir : ".", &st, AT_SYMLINK_NOFOLLOW) == 0 ?
		     !S_ISDIR(st.st_mode) : errno != ENOENT))
			return alu_path_resolve(rootfd, path, 0, out, n, e);
		nh = realloc(pm->hdir, (pm->n + 1) * sizeof(*nh));
		if (nh)
			pm->hdir = nh;
		nc = nh ? realloc(pm->cdir, (pm->n + 1) * sizeof(*nc)) : NULL;
		if (nc)
			pm->cdir = nc;
		if (!nh || !nc || !(pm->hdir[pm->n] = strdup(dir)))
			return alu_err_set(e, -ENOMEM, "out of memory");
		if (!(pm->cdir[pm->n] = strdup(cdir))) {
			free(pm->hdir[pm->n]);
			return alu_err_set(e, -ENOMEM, "out of memory");
		}
		if (alu_smap_put(&pm->map, pm->hdir[pm->n], (int)pm->n)) {
			free(pm->hdir[pm->n]);
			free(pm->cdir[pm->n]);
			return alu_err_set(e, -ENOMEM, "out of memory");
		}
		known = pm->cdir[pm->n++];
	}
	if ((size_t)snprintf(out, n, "%s%s%s", known, known[0] ? "/" : "", base) >= n)
		return alu_err_set(e, -ALUE_PATH, "%s: resolved path too long", path);
	return 0;
}

void alu_pathmemo_free(struct alu_pathmemo *pm)
{
	for (size_t i = 0; i < pm->n; i++) {
		free(pm->hdir[i]);
		free(pm->cdir[i]);
	}
	free(pm->hdir);
	free(pm->cdir);
	alu_smap_free(&pm->map);
	memset(pm, 0, sizeof(*pm));
}
