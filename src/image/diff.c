/* SPDX-License-Identifier: MIT */
/*
 * The new layer: what differs between the untouched unpack and the updated
 * root, as one tar. Both trees are walked together by directory fds (never
 * a path string, so a symlink in one tree cannot lead the walk elsewhere),
 * names sorted bytewise. An entry is written when it is new, or its type,
 * permission bits, owner, size, content, link target or device differ; a
 * name only the original has becomes `.wh.NAME`. Directories whose only
 * change is their content are not written (the applier keeps them).
 * Extended attributes are compared and written (SCHILY.xattr records). A
 * changed file with several names is written under all of them, the first
 * whole and the others as hard links to it: a first pass finds them.
 * Reproducible by construction: mtimes clamped to one epoch, numeric owners
 * only, no atime/ctime, and gzip from zlib directly (header with mtime 0
 * and no name), so the same trees give the same bytes.
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
#include <unistd.h>
#include <zlib.h>

#include "crypto/digest.h"
#include "image/image.h"

struct out {
	int fd, err;
	z_stream z;
	struct alu_digest tar, gz;
	uint64_t size;
	unsigned char buf[65536];
};

/* A file with more than one name in the updated root: written whole under
 * the first name the layer gives it, as hard links under the others. */
struct ino {
	dev_t dev;
	ino_t ino;
	char *first;           /* the first name written, or NULL */
};

struct walk {
	struct archive *a;
	int pass;              /* 1: find the changed multi-linked files; 2: write */
	struct ino *inos;
	size_t ninos, cap;
	const char *const *skip;
	int64_t epoch;
	struct alu_image_layer *res;
	struct alu_err *e;
};

static int flush(struct out *o, int mode)
{
	int zr;

	do {
		o->z.next_out = o->buf;
		o->z.avail_out = sizeof(o->buf);
		zr = deflate(&o->z, mode);
		size_t n = sizeof(o->buf) - o->z.avail_out;
		alu_digest_update(&o->gz, o->buf, n);
		o->size += n;
		for (size_t done = 0; done < n;) {
			ssize_t k = write(o->fd, o->buf + done, n - done);
			if (k < 0)
				return -errno;
			done += k;
		}
	} while (o->z.avail_out == 0 || (mode == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static la_ssize_t wcb(struct archive *a, void *arg, const void *p, size_t n)
{
	struct out *o = arg;

	(void)a;
	if (o->err)
		return -1;
	alu_digest_update(&o->tar, p, n);
	o->z.next_in = (unsigned char *)p;
	o->z.avail_in = n;
	if ((o->err = flush(o, Z_NO_FLUSH)))
		return -1;
	return n;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of directory @p dfd (not "." or ".."); *names malloc'd. */
static int list(int dfd, char ***names, size_t *n)
{
	int fd = dfd >= 0 ? dup(dfd) : -1;
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t k = 0;

	*names = NULL;
	*n = 0;
	if (dfd < 0)
		return 0;
	if (fd < 0 || !(d = fdopendir(fd)))
		return -errno;
	rewinddir(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char **nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv || !(nv[k] = strdup(de->d_name))) {
			free(nv ? nv : v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		k++;
	}
	closedir(d);
	qsort(v, k, sizeof(*v), cmp_name);
	*names = v;
	*n = k;
	return 0;
}

static int same_content(int a, int b, const char *name)
{
	int fa = openat(a, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int fb = openat(b, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char ba[32768], bb[32768];
	ssize_t ka, kb;
	int same = fa >= 0 && fb >= 0;

	while (same) {
		ka = read(fa, ba, sizeof(ba));
		kb = read(fb, bb, sizeof(bb));
		if (ka != kb || ka < 0 || memcmp(ba, bb, ka))
			same = 0;
		if (ka <= 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

static int same_xattrs(int odfd, int cdfd, const char *name)
{
	struct alu_image_xattrs a, b;
	int ra = alu_image_xattr_list(odfd, name, &a), rb = alu_image_xattr_list(cdfd, name, &b);
	/* both lists are read (and freed) whatever the first says */
	int same = !ra && !rb && alu_image_xattr_same(&a, &b);

	alu_image_xattr_free(&a);
	alu_image_xattr_free(&b);
	return same;
}

static int changed(int odfd, int cdfd, const char *name, const struct stat *o, const struct stat *c)
{
	if ((o->st_mode & S_IFMT) != (c->st_mode & S_IFMT) || (o->st_mode & 07777) != (c->st_mode & 07777) ||
	    o->st_uid != c->st_uid || o->st_gid != c->st_gid || !same_xattrs(odfd, cdfd, name))
		return 1;
	if (S_ISREG(c->st_mode))
		return o->st_size != c->st_size || !same_content(odfd, cdfd, name);
	if (S_ISLNK(c->st_mode)) {
		char lo[4096], lc[4096];
		ssize_t a = readlinkat(odfd, name, lo, sizeof(lo)), b = readlinkat(cdfd, name, lc, sizeof(lc));
		return a != b || a < 0 || memcmp(lo, lc, a);
	}
	if (S_ISCHR(c->st_mode) || S_ISBLK(c->st_mode))
		return o->st_rdev != c->st_rdev;
	return 0;
}

static int cmp_ino(const void *a, const void *b)
{
	const struct ino *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

static struct ino *find_ino(const struct walk *w, const struct stat *st)
{
	struct ino key = { .dev = st->st_dev, .ino = st->st_ino };

	return w->ninos ? bsearch(&key, w->inos, w->ninos, sizeof(key), cmp_ino) : NULL;
}

static int note_ino(struct walk *w, const struct stat *st)
{
	if (w->ninos == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct ino *v = realloc(w->inos, cap * sizeof(*v));
		if (!v)
			return alu_err_set(w->e, -ENOMEM, "out of memory");
		w->inos = v;
		w->cap = cap;
	}
	w->inos[w->ninos++] = (struct ino){ .dev = st->st_dev, .ino = st->st_ino };
	return 0;
}

static int add_xattrs(struct walk *w, struct archive_entry *ent, int cdfd, const char *name,
		      const char *rel)
{
	struct alu_image_xattrs x;
	int r = alu_image_xattr_list(cdfd, name, &x);

	if (r)
		alu_err_set(w->e, r, "%s: reading its extended attributes: %s", rel, strerror(-r));
	for (size_t i = 0; !r && i < x.n; i++)
		archive_entry_xattr_add_entry(ent, x.key[i], x.val[i], x.len[i]);
	alu_image_xattr_free(&x);
	return r;
}

static int put(struct walk *w, int cdfd, const char *name, const char *rel, const struct stat *st)
{
	struct archive_entry *ent = archive_entry_new();
	char target[4096];
	int r = 0;

	if (!ent)
		return alu_err_set(w->e, -ENOMEM, "out of memory");
	archive_entry_set_pathname(ent, rel);
	/* clamped, not replaced: package files keep their header mtimes (rpm -V) */
	archive_entry_set_mtime(ent, st && st->st_mtime < w->epoch ? st->st_mtime : w->epoch, 0);
	if (!st) { /* a whiteout */
		archive_entry_set_filetype(ent, AE_IFREG);
		archive_entry_set_perm(ent, 0);
		archive_entry_set_size(ent, 0);
	} else {
		struct ino *in = S_ISREG(st->st_mode) && st->st_nlink > 1 ? find_ino(w, st) : NULL;
		archive_entry_set_mode(ent, st->st_mode);
		archive_entry_set_uid(ent, st->st_uid);
		archive_entry_set_gid(ent, st->st_gid);
		if (in && in->first) {
			/* a hard link carries no data, attributes or size of its own */
			archive_entry_set_hardlink(ent, in->first);
			st = NULL;
			goto header;
		}
		if (in && !(in->first = strdup(rel))) {
			r = alu_err_set(w->e, -ENOMEM, "out of memory");
			goto out;
		}
		if ((r = add_xattrs(w, ent, cdfd, name, rel)))
			goto out;
		if (S_ISREG(st->st_mode))
			archive_entry_set_size(ent, st->st_size);
		if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
			archive_entry_set_rdev(ent, st->st_rdev);
		if (S_ISLNK(st->st_mode)) {
			ssize_t k = readlinkat(cdfd, name, target, sizeof(target) - 1);
			if (k < 0) {
				r = alu_err_set(w->e, -errno, "%s: %s", rel, strerror(errno));
				goto out;
			}
			target[k] = 0;
			archive_entry_set_symlink(ent, target);
		}
	}
header:
	if (archive_write_header(w->a, ent) != ARCHIVE_OK) {
		r = alu_err_set(w->e, -EIO, "writing the layer: %s: %s", rel, archive_error_string(w->a));
		goto out;
	}
	if (st && S_ISREG(st->st_mode)) {
		int fd = openat(cdfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		char buf[65536];
		ssize_t k;
		off_t left = st->st_size;
		if (fd < 0) {
			r = alu_err_set(w->e, -errno, "%s: %s", rel, strerror(errno));
			goto out;
		}
		while (left > 0 && (k = read(fd, buf, sizeof(buf))) > 0) {
			if (k > left)
				k = left;
			if (archive_write_data(w->a, buf, k) != k) {
				r = alu_err_set(w->e, -EIO, "writing the layer: %s: %s", rel, archive_error_string(w->a));
				break;
			}
			left -= k;
		}
		close(fd);
		if (!r && left)
			r = alu_err_set(w->e, -EIO, "%s changed size while being read", rel);
	}
out:
	archive_entry_free(ent);
	return r;
}

static int skipped(const struct walk *w, const char *rel)
{
	for (const char *const *s = w->skip; s && *s; s++) {
		size_t n = strlen(*s);
		if (!strncmp(rel, *s, n) && (!rel[n] || rel[n] == '/'))
			return 1;
	}
	return 0;
}

/* One directory level: @p odfd is -1 when the original has no directory here. */
static int walk(struct walk *w, int odfd, int cdfd, const char *prefix)
{
	char **on = NULL, **cn = NULL, rel[4096];
	size_t no = 0, nc = 0, i = 0, j = 0;
	int r;

	if ((r = list(odfd, &on, &no)) || (r = list(cdfd, &cn, &nc))) {
		r = alu_err_set(w->e, r, "reading directory '%s': %s", *prefix ? prefix : "/", strerror(-r));
		goto out;
	}
	while (!r && (i < no || j < nc)) {
		int c = i >= no ? 1 : j >= nc ? -1 : strcmp(on[i], cn[j]);
		const char *name = c < 0 ? on[i] : cn[j];
		struct stat os, cs;

		snprintf(rel, sizeof(rel), "%s%s", prefix, name);
		if (skipped(w, rel))
			goto next;
		if (c < 0) { /* removed */
			if (w->pass == 1)
				goto next;
			snprintf(rel, sizeof(rel), "%s.wh.%s", prefix, name);
			r = put(w, -1, NULL, rel, NULL);
			w->res->removed++;
			goto next;
		}
		if (fstatat(cdfd, name, &cs, AT_SYMLINK_NOFOLLOW)) {
			r = alu_err_set(w->e, -errno, "%s: %s", rel, strerror(errno));
			goto next;
		}
		int have_o = c == 0 && !fstatat(odfd, name, &os, AT_SYMLINK_NOFOLLOW);
		int linked = S_ISREG(cs.st_mode) && cs.st_nlink > 1;
		if (w->pass == 1) {
			if (linked && (!have_o || changed(odfd, cdfd, name, &os, &cs)))
				r = note_ino(w, &cs);
		} else if (linked ? find_ino(w, &cs) != NULL : !have_o || changed(odfd, cdfd, name, &os, &cs)) {
			/* every name of a changed multi-linked file, so the link survives */
			r = put(w, cdfd, name, rel, &cs);
			w->res->changed++;
		}
		if (!r && S_ISDIR(cs.st_mode)) {
			int sub = openat(cdfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int osub = have_o && S_ISDIR(os.st_mode) ?
				openat(odfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
			char sp[4200];
			snprintf(sp, sizeof(sp), "%s/", rel);
			if (sub < 0)
				r = alu_err_set(w->e, -errno, "%s: %s", rel, strerror(errno));
			else
				r = walk(w, osub, sub, sp);
			if (sub >= 0)
				close(sub);
			if (osub >= 0)
				close(osub);
		}
next:
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
out:
	for (size_t k = 0; k < no; k++)
		free(on[k]);
	for (size_t k = 0; k < nc; k++)
		free(cn[k]);
	free(on);
	free(cn);
	return r;
}

static void hexof(struct alu_digest *d, char *out)
{
	unsigned char md[ALU_DIGEST_MAX];

	alu_digest_final(d, md);
	strcpy(out, "sha256:");
	for (int i = 0; i < 32; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

int alu_image_diff(const char *orig, const char *cur, const char *const *skip, int64_t epoch,
		   const char *layout, struct alu_image_layer *res, struct alu_err *e)
{
	struct out *o = calloc(1, sizeof(*o));
	struct walk w = { .skip = skip, .epoch = epoch, .res = res, .e = e };
	char tmp[4200], path[4200];
	int odfd = -1, cdfd = -1, r = 0, zinit = 0;

	memset(res, 0, sizeof(*res));
	snprintf(tmp, sizeof(tmp), "%s/blobs/sha256/layer.tmp", layout);
	if (!o)
		return alu_err_set(e, -ENOMEM, "out of memory");
	o->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	odfd = open(orig, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cdfd = open(cur, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->fd < 0 || odfd < 0 || cdfd < 0) {
		r = alu_err_set(e, -errno, "opening %s, %s or %s: %s", tmp, orig, cur, strerror(errno));
		goto out;
	}
	alu_digest_init(&o->tar, ALU_HASH_SHA256);
	alu_digest_init(&o->gz, ALU_HASH_SHA256);
	/* windowBits 16+15: a gzip wrapper whose header zlib writes with mtime 0 and no name */
	if (deflateInit2(&o->z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		r = alu_err_set(e, -ENOMEM, "zlib: deflateInit2 failed");
		goto out;
	}
	zinit = 1;
	if (!(w.a = archive_write_new()) || archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
	    archive_write_open(w.a, o, NULL, wcb, NULL) != ARCHIVE_OK) {
		r = alu_err_set(e, -ENOMEM, "libarchive: cannot start the layer");
		goto out;
	}
	w.pass = 1;
	r = walk(&w, odfd, cdfd, "");
	if (!r && w.ninos)
		qsort(w.inos, w.ninos, sizeof(*w.inos), cmp_ino);
	w.pass = 2;
	if (!r)
		r = walk(&w, odfd, cdfd, "");
	if (!r && archive_write_close(w.a) != ARCHIVE_OK)
		r = alu_err_set(e, -EIO, "writing the layer: %s", archive_error_string(w.a));
	if (!r && o->err)
		r = alu_err_set(e, o->err, "writing %s: %s", tmp, strerror(-o->err));
	o->z.avail_in = 0;
	if (!r && (r = flush(o, Z_FINISH)))
		alu_err_set(e, r, "writing %s: %s", tmp, strerror(-r));
	if (!r && fsync(o->fd))
		r = alu_err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	if (r)
		goto out;
	hexof(&o->tar, res->diff_id);
	hexof(&o->gz, res->digest);
	res->size = o->size;
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, res->digest + 7);
	if (rename(tmp, path))
		r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
out:
	if (w.a)
		archive_write_free(w.a);
	for (size_t i = 0; i < w.ninos; i++)
		free(w.inos[i].first);
	free(w.inos);
	if (zinit)
		deflateEnd(&o->z);
	if (o->fd >= 0)
		close(o->fd);
	if (r)
		unlink(tmp);
	if (odfd >= 0)
		close(odfd);
	if (cdfd >= 0)
		close(cdfd);
	free(o);
	return r;
}
