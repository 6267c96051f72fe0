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
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "crypto/digest.h"
#include "repo/repo.h"
#include "repo/repo_int.h"
#include "util/rootfs.h"

#define DECOMP_BLOCK 65536

struct alu_decomp {
	struct archive *a;
	struct alu_err err;   /* first error, latched */
	int eof;
	uint64_t out, max;    /* decoded so far; most allowed */
	uint64_t exact;       /* open-size, 0: unknown */
	int algo;             /* open-checksum, 0: none */
	char hex[ALU_DIGEST_HEX_MAX];
	struct alu_digest h;
	char what[512];
};

/* The one filter a file name allows; ARCHIVE_FILTER_NONE: any one of the four. */
static int named_filter(const char *path)
{
	static const struct { const char *sfx; int f; } t[] = {
		{ ".gz", ARCHIVE_FILTER_GZIP }, { ".xz", ARCHIVE_FILTER_XZ },
		{ ".zst", ARCHIVE_FILTER_ZSTD }, { ".bz2", ARCHIVE_FILTER_BZIP2 },
	};
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t k = strlen(t[i].sfx);
		if (n > k && !strcmp(path + n - k, t[i].sfx))
			return t[i].f;
	}
	return ARCHIVE_FILTER_NONE;
}

/* Only what repositories use, and only in-process decoders: libarchive's
 * "all" would also run external programs (lrzip, lzop ...) on a mirror's say. */
static void support(struct archive *a, int f)
{
	if (f == ARCHIVE_FILTER_NONE || f == ARCHIVE_FILTER_GZIP)
		archive_read_support_filter_gzip(a);
	if (f == ARCHIVE_FILTER_NONE || f == ARCHIVE_FILTER_XZ)
		archive_read_support_filter_xz(a);
	if (f == ARCHIVE_FILTER_NONE || f == ARCHIVE_FILTER_ZSTD)
		archive_read_support_filter_zstd(a);
	if (f == ARCHIVE_FILTER_NONE || f == ARCHIVE_FILTER_BZIP2)
		archive_read_support_filter_bzip2(a);
}

static const char *filter_word(int f)
{
	return f == ARCHIVE_FILTER_GZIP ? "gzip" : f == ARCHIVE_FILTER_XZ ? "xz" :
	       f == ARCHIVE_FILTER_ZSTD ? "zstd" : f == ARCHIVE_FILTER_BZIP2 ? "bzip2" : "?";
}

static int limits(struct alu_decomp *d, const char *path, const struct alu_decomp_expect *x,
		  struct alu_err *e)
{
	struct stat st;
	uint64_t in = stat(path, &st) ? 0 : (uint64_t)st.st_size;

	d->max = in * ALU_DECOMP_CAP_RATIO > ALU_DECOMP_CAP_MIN ? in * ALU_DECOMP_CAP_RATIO :
		 ALU_DECOMP_CAP_MIN;
	if (!x)
		return 0;
	if (x->open_size)
		d->max = d->exact = x->open_size;
	if (x->open_algo && x->open_hex && *x->open_hex) {
		if (alu_digest_init(&d->h, x->open_algo) ||
		    strlen(x->open_hex) != 2 * alu_digest_len(x->open_algo))
			return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: unusable open-checksum", path);
		d->algo = x->open_algo;
		snprintf(d->hex, sizeof(d->hex), "%s", x->open_hex);
	}
	return 0;
}

static ssize_t fail(struct alu_decomp *d, int code, const char *why)
{
	alu_err_set(&d->err, code, "%s: %s", d->what, why);
	return d->err.code;
}

int alu_decomp_open(const char *path, struct alu_decomp **out, struct alu_err *e)
{
	return alu_decomp_open_x(path, NULL, out, e);
}

int alu_decomp_open_x(const char *path, const struct alu_decomp_expect *x,
		      struct alu_decomp **out, struct alu_err *e)
{
	struct alu_decomp *d = calloc(1, sizeof(*d));
	struct archive_entry *ent;
	int rc, named = named_filter(path), nf;

	if (!d)
		return alu_err_set(e, -ENOMEM, "out of memory");
	snprintf(d->what, sizeof(d->what), "%s", path);
	if ((rc = limits(d, path, x, e))) {
		free(d);
		return rc;
	}
	d->a = archive_read_new();
	if (!d->a) {
		free(d);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	support(d->a, named);
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
	/* filter 0 is the innermost decoder, the last the plain file: a count
	 * of 2 is one compression layer */
	nf = archive_filter_count(d->a);
	d->eof = rc == ARCHIVE_EOF;   /* an empty file is an empty stream */
	if (rc == ARCHIVE_EOF && named == ARCHIVE_FILTER_NONE) {
		rc = 0;
	} else if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN && rc != ARCHIVE_EOF) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s: %s", path,
				 archive_error_string(d->a) ? archive_error_string(d->a) : "unreadable");
	} else if (nf > 2) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s: compressed more than once (%s inside %s): refused",
				 path, filter_word(archive_filter_code(d->a, 0)),
				 filter_word(archive_filter_code(d->a, 1)));
	} else if (named != ARCHIVE_FILTER_NONE && (nf < 2 || archive_filter_code(d->a, 0) != named)) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s: the name says %s but the file is not %s data",
				 path, filter_word(named), filter_word(named));
	} else {
		rc = 0;
	}
	if (rc) {
		archive_read_free(d->a);
		free(d);
		return rc;
	}
	if (d->eof && (d->exact || d->algo) && (rc = (int)alu_decomp_read(d, NULL, 1)) < 0) {
		alu_decomp_finish(d, e);
		return rc;
	}
	*out = d;
	return 0;
}

/* At the end: what open-size and open-checksum promised. */
static ssize_t at_end(struct alu_decomp *d)
{
	unsigned char md[ALU_DIGEST_MAX];
	char hex[ALU_DIGEST_HEX_MAX], why[300];

	if (d->exact && d->out != d->exact) {
		snprintf(why, sizeof(why), "decodes to %llu bytes, repomd.xml says %llu (open-size)",
			 (unsigned long long)d->out, (unsigned long long)d->exact);
		return fail(d, -ALUE_CORRUPT, why);
	}
	if (d->algo) {
		alu_hex(md, alu_digest_final(&d->h, md), hex);
		if (strcmp(hex, d->hex)) {
			snprintf(why, sizeof(why), "decoded %s %s, repomd.xml says %s (open-checksum)",
				 alu_digest_name(d->algo), hex, d->hex);
			return fail(d, -ALUE_CHECKSUM, why);
		}
	}
	return 0;
}

ssize_t alu_decomp_read(struct alu_decomp *d, void *buf, size_t n)
{
	la_ssize_t r;

	if (d->err.code)
		return d->err.code;
	if (d->eof && !buf)
		return at_end(d);
	if (d->eof || n == 0)
		return 0;
	/* never more than one byte past what may come: a bomb stops here */
	if (n > d->max - d->out + 1)
		n = (size_t)(d->max - d->out + 1);
	r = archive_read_data(d->a, buf, n);
	if (r < 0)
		return fail(d, -ALUE_CORRUPT, archive_error_string(d->a) ?
			    archive_error_string(d->a) : "decompression failed");
	if (r == 0) {
		d->eof = 1;
		return at_end(d);
	}
	d->out += (uint64_t)r;
	if (d->out > d->max) {
		char why[200];
		snprintf(why, sizeof(why), d->exact ? "decodes to more than %llu bytes (repomd.xml's open-size): refused" :
			 "decodes to more than %llu bytes: refused", (unsigned long long)d->max);
		return fail(d, -ALUE_CORRUPT, why);
	}
	if (d->algo)
		alu_digest_update(&d->h, buf, (size_t)r);
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
	return alu_decomp_to_file_x(src, NULL, dst, e);
}

/* The decoded file against open-size and open-checksum (bz2par wrote it). */
static int check_file(const char *src, const struct alu_decomp_expect *x, int fd,
		      struct alu_err *e)
{
	unsigned char md[ALU_DIGEST_MAX];
	char hex[ALU_DIGEST_HEX_MAX];
	uint64_t size;
	size_t dl;
	int rc;

	if (!x || (!x->open_size && !x->open_algo))
		return 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return alu_err_set(e, -errno, "%s: %s", src, strerror(errno));
	rc = alu_digest_fd(fd, x->open_algo ? x->open_algo : ALU_HASH_SHA256, md, &dl, &size);
	if (rc)
		return alu_err_set(e, rc, "%s: reading the decoded data: %s", src, alu_strerror(rc));
	if (x->open_size && size != x->open_size)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: decodes to %llu bytes, repomd.xml says %llu (open-size)",
				   src, (unsigned long long)size, (unsigned long long)x->open_size);
	if (x->open_algo && x->open_hex && *x->open_hex && strcmp(alu_hex(md, dl, hex), x->open_hex))
		return alu_err_set(e, -ALUE_CHECKSUM, "%s: decoded %s %s, repomd.xml says %s (open-checksum)",
				   src, alu_digest_name(x->open_algo), hex, x->open_hex);
	return 0;
}

int alu_decomp_to_file_x(const char *src, const struct alu_decomp_expect *x, const char *dst,
			 struct alu_err *e)
{
	struct to_fd t = { .dst = dst, .e = e };
	struct stat st;
	uint64_t max;
	int rc;

	/* the temporary lives in the root's cache: never written through a symlink */
	rc = alu_root_open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644, 0, &t.fd, e);
	if (rc)
		return rc;
	/* the same bound as alu_decomp_open_x() sets */
	max = stat(src, &st) ? 0 : (uint64_t)st.st_size * ALU_DECOMP_CAP_RATIO;
	if (max < ALU_DECOMP_CAP_MIN)
		max = ALU_DECOMP_CAP_MIN;
	if (x && x->open_size)
		max = x->open_size;
	/* bzip2 (primary_db) first on two cores, only when the name says bzip2;
	 * anything else, or any doubt, here */
	rc = named_filter(src) == ARCHIVE_FILTER_BZIP2 ? alu_bz2_par_to_fd_max(src, t.fd, max, e) : 1;
	if (rc == 0)
		rc = check_file(src, x, t.fd, e);
	else if (rc == 1) {
		alu_err_clear(e);
		rc = ftruncate(t.fd, 0) || lseek(t.fd, 0, SEEK_SET) ?
		     alu_err_set(e, -errno, "%s: %s", dst, strerror(errno)) :
		     alu_decomp_each_x(src, x, write_all, &t, e);
	}
	if (close(t.fd) && !rc)
		rc = alu_err_set(e, -errno, "%s: %s", dst, strerror(errno));
	if (rc)
		alu_root_unlink(dst, NULL);
	return rc;
}
