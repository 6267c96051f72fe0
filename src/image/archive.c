/* SPDX-License-Identifier: MIT */
/*
 * oci-archive: an OCI layout in one tar file, as skopeo writes it. Read by
 * the same guarded unpack as a layer (nothing lands outside the directory),
 * written reproducibly: the layout's few fixed names and its blobs in sorted
 * order, one mtime, owner 0, no compression (what skopeo expects).
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

#include "image/image.h"

int alu_image_archive_read(const char *file, const char *dir, struct alu_err *e)
{
	int fd, r;

	if (access(file, R_OK))
		return alu_err_set(e, -errno, "%s: %s", file, strerror(errno));
	if (mkdir(dir, 0700))
		return alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
	r = alu_image_unpack(fd, file, file, e);
	close(fd);
	return r;
}

static int add(struct archive *a, const char *dir, const char *rel, int64_t epoch, struct alu_err *e)
{
	char path[4300], buf[65536];
	struct archive_entry *ent = archive_entry_new();
	struct stat st;
	ssize_t k;
	int fd = -1, r = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (!ent || lstat(path, &st)) {
		r = alu_err_set(e, ent ? -errno : -ENOMEM, "%s: %s", path, strerror(ent ? errno : ENOMEM));
		goto out;
	}
	archive_entry_set_pathname(ent, rel);
	archive_entry_set_mtime(ent, epoch, 0);
	archive_entry_set_filetype(ent, S_ISDIR(st.st_mode) ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(ent, S_ISDIR(st.st_mode) ? 0755 : 0644);
	if (!S_ISDIR(st.st_mode))
		archive_entry_set_size(ent, st.st_size);
	if (archive_write_header(a, ent) != ARCHIVE_OK) {
		r = alu_err_set(e, -EIO, "writing the archive: %s", archive_error_string(a));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
			goto out;
		}
		while ((k = read(fd, buf, sizeof(buf))) > 0)
			if (archive_write_data(a, buf, k) != k) {
				r = alu_err_set(e, -EIO, "writing the archive: %s", archive_error_string(a));
				goto out;
			}
	}
out:
	if (fd >= 0)
		close(fd);
	archive_entry_free(ent);
	return r;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alu_image_archive_write(const char *dir, const char *file, int64_t epoch, struct alu_err *e)
{
	char tmp[4200], sub[4200], rel[300], *names[4096];
	struct archive *a = archive_write_new();
	struct dirent *de;
	size_t n = 0;
	DIR *d = NULL;
	int r = 0;

	snprintf(tmp, sizeof(tmp), "%s.alupdate-tmp", file);
	snprintf(sub, sizeof(sub), "%s/blobs/sha256", dir);
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, tmp) != ARCHIVE_OK) {
		r = alu_err_set(e, -EIO, "%s: %s", tmp, a ? archive_error_string(a) : "out of memory");
		goto out;
	}
	if (!(d = opendir(sub))) {
		r = alu_err_set(e, -errno, "%s: %s", sub, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) && n < sizeof(names) / sizeof(*names))
		if (de->d_name[0] != '.' && !(names[n++] = strdup(de->d_name))) {
			r = alu_err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
	qsort(names, n, sizeof(*names), cmp_name);
	if ((r = add(a, dir, "blobs", epoch, e)) || (r = add(a, dir, "blobs/sha256", epoch, e)))
		goto out;
	for (size_t i = 0; i < n && !r; i++) {
		snprintf(rel, sizeof(rel), "blobs/sha256/%s", names[i]);
		r = add(a, dir, rel, epoch, e);
	}
	if (!r && !(r = add(a, dir, "index.json", epoch, e)))
		r = add(a, dir, "oci-layout", epoch, e);
	if (!r && archive_write_close(a) != ARCHIVE_OK)
		r = alu_err_set(e, -EIO, "%s: %s", tmp, archive_error_string(a));
	if (!r && rename(tmp, file))
		r = alu_err_set(e, -errno, "%s: %s", file, strerror(errno));
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	if (d)
		closedir(d);
	if (a)
		archive_write_free(a);
	if (r)
		unlink(tmp);
	return r;
}
