/* SPDX-License-Identifier: MIT */
/*
 * Applying a layer on the private root. libarchive only reads the tar; the
 * filesystem side is our own openat() walk, one component at a time with
 * O_NOFOLLOW, so no symlink an earlier entry planted (absolute or relative)
 * can redirect a later write, and names with `..` or a leading `/` are
 * refused rather than cleaned (a layer that needs that is hostile or broken).
 * Owners, modes, device numbers, hard links and extended attributes are
 * kept (xattr.c). Whiteouts follow the OCI image spec: `.wh.NAME` removes
 * NAME from the layers below, `.wh..wh..opq` empties its directory.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/image.h"
#include "txn/txn_int.h"

#define WH ".wh."
#define OPQ ".wh..wh..opq"

/* Clean an entry name: drop leading "./" and trailing '/', then refuse what
 * alu_path_check refuses ('..', '.', empty components). */
static int clean_name(const char *raw, char *out, size_t n, const char *what, struct alu_err *e)
{
	const char *s = raw;
	size_t len;

	if (raw[0] == '/')
		return alu_err_set(e, -ALUE_PATH, "layer %s: entry '%s' is an absolute path", what, raw);
	while (s[0] == '.' && s[1] == '/')
		s += 2;
	len = strlen(s);
	while (len && s[len - 1] == '/')
		len--;
	if (len + 2 > n)
		return alu_err_set(e, -ALUE_PATH, "layer %s: entry '%.64s...' is too long", what, raw);
	out[0] = '/';
	memcpy(out + 1, s, len);
	out[len + 1] = 0;
	if (!len || alu_path_check(out, e)) {
		alu_err_clear(e);
		return alu_err_set(e, -ALUE_PATH, "layer %s: entry '%s' escapes the root or is not a clean path",
				   what, raw);
	}
	memmove(out, out + 1, len + 1);
	return 0;
}

/* Open the parent directory of @p rel under @p rootfd, creating missing
 * directories (0755) and refusing any component that is not a directory
 * (a symlink above all). Sets *base to the last component. */
static int open_parent(int rootfd, char *rel, const char **base, int *out, const char *what,
		       struct alu_err *e)
{
	int fd = dup(rootfd), nfd;
	char *p = rel, *slash;

	if (fd < 0)
		return alu_err_set(e, -errno, "dup: %s", strerror(errno));
	while ((slash = strchr(p, '/'))) {
		*slash = 0;
		nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && !mkdirat(fd, p, 0755))
			nfd = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			int err = errno;
			*slash = '/';
			close(fd);
			if (err == ELOOP || err == ENOTDIR)
				return alu_err_set(e, -ALUE_PATH, "layer %s: entry '%s' goes through '%.*s', which is not a directory (a symlink is never followed)",
						   what, rel, (int)(slash - rel), rel);
			return alu_err_set(e, -err, "layer %s: '%s': %s", what, rel, strerror(err));
		}
		*slash = '/';
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*base = p;
	*out = fd;
	return 0;
}

int alu_image_remove_at(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d;
		struct dirent *de;
		if (fd < 0 || !(d = fdopendir(fd))) {
			if (fd >= 0)
				close(fd);
			return -errno;
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && alu_image_remove_at(dirfd(d), de->d_name))
				break;
		closedir(d);
		return unlinkat(dfd, name, AT_REMOVEDIR) ? -errno : 0;
	}
	return unlinkat(dfd, name, 0) ? -errno : 0;
}

static int empty_dir(int dfd)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && !r)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = alu_image_remove_at(dirfd(d), de->d_name);
	closedir(d);
	return r;
}

static int copy_data(struct archive *a, int fd)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (lseek(fd, off, SEEK_SET) < 0)
			return -errno;
		for (size_t done = 0; done < len;) {
			ssize_t k = write(fd, (const char *)buf + done, len - done);
			if (k < 0)
				return -errno;
			done += k;
		}
	}
	if (r != ARCHIVE_EOF)
		return -ALUE_CORRUPT;
	/* a sparse tail: give the file its full size */
	return 0;
}

static int is_root(const char *s)
{
	while (s[0] == '.' && (s[1] == '/' || !s[1]))
		s += s[1] ? 2 : 1;
	while (*s == '/' && s[1] == 0)
		s++;
	return !*s;
}

static int one_entry(int rootfd, struct archive *a, struct archive_entry *ent, const char *what,
		     struct alu_err *e)
{
	char rel[4096], lrel[4096];
	const char *base, *lbase, *hl = archive_entry_hardlink(ent);
	mode_t type = archive_entry_filetype(ent), perm = archive_entry_perm(ent);
	int dfd = -1, ldfd = -1, fd, r = 0;
	struct stat st;

	if (is_root(archive_entry_pathname(ent))) {
		/* "./": the root itself, whose owner and mode a layer may set */
		if (type != AE_IFDIR || hl)
			return alu_err_set(e, -ALUE_PATH, "layer %s: the root entry is not a directory", what);
		if ((fchown(rootfd, archive_entry_uid(ent), archive_entry_gid(ent)) && errno != EPERM) ||
		    fchmod(rootfd, perm))
			return alu_err_set(e, -errno, "layer %s: the root entry: %s", what, strerror(errno));
		return 0;
	}
	if ((r = clean_name(archive_entry_pathname(ent), rel, sizeof(rel), what, e)))
		return r;
	if ((r = open_parent(rootfd, rel, &base, &dfd, what, e)))
		return r;
	if (!strcmp(base, OPQ)) {
		if ((r = empty_dir(dfd)))
			alu_err_set(e, r, "layer %s: opaque whiteout '%s': %s", what, rel, strerror(-r));
		goto out;
	}
	if (!strncmp(base, WH, strlen(WH))) {
		const char *victim = base + strlen(WH);
		if (!*victim || !strcmp(victim, ".") || !strcmp(victim, "..") || strchr(victim, '/')) {
			r = alu_err_set(e, -ALUE_PATH, "layer %s: whiteout '%s' names no entry of its directory", what, rel);
			goto out;
		}
		if ((r = alu_image_remove_at(dfd, victim)))
			alu_err_set(e, r, "layer %s: whiteout '%s': %s", what, rel, strerror(-r));
		goto out;
	}
	/* an entry replaces what was there, except a directory over a directory */
	if (!fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) && !(S_ISDIR(st.st_mode) && type == AE_IFDIR && !hl)) {
		if ((r = alu_image_remove_at(dfd, base))) {
			alu_err_set(e, r, "layer %s: replacing '%s': %s", what, rel, strerror(-r));
			goto out;
		}
	}
	if (hl) {
		if ((r = clean_name(hl, lrel, sizeof(lrel), what, e)) ||
		    (r = open_parent(rootfd, lrel, &lbase, &ldfd, what, e)))
			goto out;
		if (linkat(ldfd, lbase, dfd, base, 0))
			r = alu_err_set(e, -errno, "layer %s: hard link '%s' to '%s': %s", what, rel, hl, strerror(errno));
		goto out;
	}
	switch (type) {
	case AE_IFDIR:
		if (mkdirat(dfd, base, 0700) && errno != EEXIST)
			r = -errno;
		break;
	case AE_IFREG:
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			r = -errno;
			break;
		}
		r = copy_data(a, fd);
		if (!r && ftruncate(fd, archive_entry_size(ent)))
			r = -errno;
		close(fd);
		if (r == -ALUE_CORRUPT) {
			r = alu_err_set(e, r, "layer %s: '%s': %s", what, rel, archive_error_string(a));
			goto out;
		}
		break;
	case AE_IFLNK:
		if (symlinkat(archive_entry_symlink(ent) ?: "", dfd, base))
			r = -errno;
		break;
	case AE_IFCHR: case AE_IFBLK: case AE_IFIFO:
		if (mknodat(dfd, base, type | perm, archive_entry_rdev(ent)))
			r = -errno;
		break;
	default:
		r = alu_err_set(e, -ALUE_UNSUPPORTED, "layer %s: entry '%s' has an unknown type", what, rel);
		goto out;
	}
	if (r) {
		alu_err_set(e, r, "layer %s: creating '%s': %s", what, rel, strerror(-r));
		goto out;
	}
	/* owner before mode: chown clears set-id bits */
	if (fchownat(dfd, base, archive_entry_uid(ent), archive_entry_gid(ent), AT_SYMLINK_NOFOLLOW) &&
	    errno != EPERM) {
		r = alu_err_set(e, -errno, "layer %s: chown '%s': %s", what, rel, strerror(errno));
		goto out;
	}
	if (type != AE_IFLNK && fchmodat(dfd, base, perm, 0)) {
		r = alu_err_set(e, -errno, "layer %s: chmod '%s': %s", what, rel, strerror(errno));
		goto out;
	}
	if ((r = alu_image_xattr_apply(dfd, base, ent, what, rel, e)))
		goto out;
	{
		struct timespec ts[2] = { { archive_entry_mtime(ent), 0 }, { archive_entry_mtime(ent), 0 } };
		utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW);
	}
out:
	if (ldfd >= 0)
		close(ldfd);
	close(dfd);
	return r;
}

int alu_image_unpack(int rootfd, const char *blob, const char *what, struct alu_err *e)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	int r = 0, ar;

	if (!a)
		return alu_err_set(e, -ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_filename(a, blob, 65536) != ARCHIVE_OK) {
		r = alu_err_set(e, -ALUE_CORRUPT, "layer %s is not a tar layer (plain, gzip, zstd or xz): %s",
				what, archive_error_string(a));
		goto out;
	}
	while ((ar = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		if ((r = one_entry(rootfd, a, ent, what, e)))
			goto out;
	}
	if (ar != ARCHIVE_EOF)
		r = alu_err_set(e, -ALUE_CORRUPT, "layer %s is not a tar layer: %s", what,
				archive_error_string(a));
out:
	archive_read_free(a);
	return r;
}
