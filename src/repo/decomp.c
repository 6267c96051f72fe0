/* SPDX-License-Identifier: MIT */
/*
 * Streaming decompression of repository metadata. libarchive's "raw" format
 * behind every filter it knows gives one decoder that recognises gzip, xz,
 * zstd, bzip2 and plain data by their magic, so the file name's suffix does
 * not have to be trusted (mirrors do mislabel files).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "repo/repo.h"
#include "repo/repo_int.h"
#include "util/rootfs.h"

#define DECOMP_BLOCK 65536

struct alu_decomp {
	struct archive *a;
	struct alu_err err;   /* first error, latched */
	int eof;
	char what[512];
};

static ssize_t fail(struct alu_decomp *d, int code, const char *why)
{
	alu_err_set(&d->err, code, "%s: %s", d->what, why);
	return d->err.code;
}

int alu_decomp_open(const char *path, struct alu_decomp **out, struct alu_err *e)
{
	struct alu_decomp *d = calloc(1, sizeof(*d));
	struct archive_entry *ent;
	int rc;

	if (!d)
		return alu_err_set(e, -ENOMEM, "out of memory");
	snprintf(d->what, sizeof(d->what), "%s", path);
	d->a = archive_read_new();
	if (!d->a) {
		free(d);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	archive_read_support_filter_all(d->a);
	archive_read_support_format_raw(d->a);
	if (archive_read_open_filename(d->a, path, DECOMP_BLOCK) != ARCHIVE_OK) {
		int en = archive_errno(d->a);
		rc = alu_err_set(e, en == ENOENT ? -ENOENT : -ALUE_CORRUPT, "%s: %s", path,
				 archive_error_string(d->a) ? archive_error_string(d->a) : "cannot open");
		archive_read_free(d->a);
		free(d);
		return rc;
	}
	rc = archive_read_next_header(d->a, &ent);
	if (rc == ARCHIVE_EOF) {
		d->eof = 1;   /* an empty file is an empty stream */
	} else if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s: %s", path,
				 archive_error_string(d->a) ? archive_error_string(d->a) : "unreadable");
		archive_read_free(d->a);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

ssize_t alu_decomp_read(struct alu_decomp *d, void *buf, size_t n)
{
	la_ssize_t r;

	if (d->err.code)
		return d->err.code;
	if (d->eof || n == 0)
		return 0;
	r = archive_read_data(d->a, buf, n);
	if (r < 0)
		return fail(d, -ALUE_CORRUPT, archive_error_string(d->a) ?
			    archive_error_string(d->a) : "decompression failed");
	if (r == 0)
		d->eof = 1;
	return r;
}

int alu_decomp_finish(struct alu_decomp *d, struct alu_err *e)
{
	int rc;

	if (!d)
		return 0;
	rc = d->err.code;
	if (rc)
		alu_err_set(e, rc, "%s", d->err.msg);
	archive_read_free(d->a);
	free(d);
	return rc;
}

struct to_fd { int fd; const char *dst; struct alu_err *e; };

static int write_all(void *ud, const char *buf, size_t n)
{
	struct to_fd *t = ud;

	while (n) {
		ssize_t w = write(t->fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return alu_err_set(t->e, -errno, "%s: %s", t->dst, strerror(errno));
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

int alu_decomp_to_file(const char *src, const char *dst, struct alu_err *e)
{
	struct to_fd t = { .dst = dst, .e = e };
	int rc;

	/* the temporary lives in the root's cache: never written through a symlink */
	rc = alu_root_open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, &t.fd, e);
	if (rc)
		return rc;
	/* bzip2 (primary_db) first on two cores; anything else, or any doubt, here */
	rc = alu_bz2_par_to_fd(src, t.fd, e);
	if (rc == 1) {
		alu_err_clear(e);
		rc = ftruncate(t.fd, 0) || lseek(t.fd, 0, SEEK_SET) ?
		     alu_err_set(e, -errno, "%s: %s", dst, strerror(errno)) :
		     alu_decomp_each(src, write_all, &t, e);
	}
	if (close(t.fd) && !rc)
		rc = alu_err_set(e, -errno, "%s: %s", dst, strerror(errno));
	if (rc)
		alu_root_unlink(dst, NULL);
	return rc;
}
