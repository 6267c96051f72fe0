/* SPDX-License-Identifier: MIT */
/*
 * alu_rpmdb_bdb_write(): the Packages hash and rpm 4.11's index B-trees, one
 * file at a time: created exclusively, written page by page, fsynced; on any
 * failure the files made so far are removed, so the directory is left as
 * empty as it came.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpm/rpm.h"
#include "rpmdb/bdb_index.h"
#include "rpmdb/bdb_int.h"
#include "rpmdb/bdb_write.h"

/* Files this call created (open until all are written: then each is
 * fsynced, having been sent to disk as it was finished), or removed again. */
struct made {
	const char *name[16];
	int fd[16];
	int n;
};

static int write_file(int dirfd, const char *name, int hash, struct bdb_kv *kv, size_t n,
		      struct made *m, struct alu_err *e)
{
	struct bdb_file f = { .name = name, .pagesize = BDB_PAGESIZE, .e = e };
	int r;

	f.fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (f.fd < 0)
		return alu_err_set(e, -errno, "%s: %s", name, strerror(errno));
	m->name[m->n] = name;
	m->fd[m->n++] = f.fd;
	f.page = malloc(f.pagesize);
	if (!f.page)
		r = -ENOMEM;
	else
		r = hash ? bdb_hash_write(&f, kv, n) : bdb_btree_write(&f, kv, n);
	if (!r)
		sync_file_range(f.fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	free(f.page);
	return r;
}

/* fsync and close every file made; the first failure is the result. */
static int sync_all(struct made *m, int r, struct alu_err *e)
{
	for (int i = 0; i < m->n; i++) {
		if (!r && fsync(m->fd[i]))
			r = alu_err_set(e, -errno, "%s: fsync: %s", m->name[i], strerror(errno));
		if (close(m->fd[i]) && !r)
			r = alu_err_set(e, -errno, "%s: close: %s", m->name[i], strerror(errno));
	}
	return r;
}

static int write_packages(int dirfd, const struct alu_rpmdb_hdr *h, size_t n, struct made *m,
			  struct alu_err *e)
{
	uint32_t *keys = malloc((n + 2) * sizeof(*keys));
	struct bdb_kv *kv = malloc((n + 1) * sizeof(*kv));
	int r = -ENOMEM;

	if (keys && kv) {
		/* key 0: the highest instance in use; rpm's pkgInstance() counts on from it */
		keys[0] = 0;
		keys[n + 1] = n ? h[n - 1].hnum : 0;
		kv[0] = (struct bdb_kv){ .k = (void *)&keys[0], .klen = 4,
					 .v = (void *)&keys[n + 1], .vlen = 4 };
		for (size_t i = 0; i < n; i++) {
			keys[i + 1] = h[i].hnum;
			kv[i + 1] = (struct bdb_kv){ .k = (void *)&keys[i + 1], .klen = 4,
						     .v = h[i].blob, .vlen = (uint32_t)h[i].len };
		}
		r = write_file(dirfd, "Packages", 1, kv, n + 1, m, e);
	}
	free(keys);
	free(kv);
	return r;
}

static int write_index(int dirfd, const struct bdb_index *ix, struct alu_hdr **hdrs,
		       const struct alu_rpmdb_hdr *h, size_t n, struct made *m, struct alu_err *e)
{
	struct bdb_ixset s = { 0 };
	struct bdb_kv *kv = NULL;
	unsigned char *vals = NULL;
	size_t nkv = 0;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++)
		r = bdb_index_collect(&s, ix->tag, hdrs[i], h[i].hnum, e);
	if (!r)
		r = bdb_index_records(&s, &kv, &nkv, &vals);
	if (!r)
		r = write_file(dirfd, ix->file, 0, kv, nkv, m, e);
	free(kv);
	free(vals);
	free(s.v);
	return r;
}

int alu_rpmdb_bdb_write(int dirfd, const struct alu_rpmdb_hdr *h, size_t n, struct alu_err *e)
{
	struct alu_hdr **hdrs = calloc(n ? n : 1, sizeof(*hdrs));
	struct made m = { .n = 0 };
	int r = 0;

	if (!hdrs)
		return -ENOMEM;
	/* 1. the headers: numbered as rpm needs them, and parseable */
	for (size_t i = 0; i < n && !r; i++) {
		char what[48];

		if (h[i].hnum == 0 || (i && h[i].hnum <= h[i - 1].hnum))
			r = alu_err_set(e, -EINVAL, "rpm database: header #%u %s", h[i].hnum,
					h[i].hnum ? "out of order" : "has instance 0 (rpm's counter)");
		else if (h[i].len > UINT32_MAX)
			r = alu_err_set(e, -EFBIG, "rpm database: header #%u too large", h[i].hnum);
		else {
			snprintf(what, sizeof(what), "rpm database header #%u", h[i].hnum);
			r = alu_hdr_parse(h[i].blob, h[i].len, what, &hdrs[i], e);
		}
	}
	if (r)
		goto out;
	/* 2. Packages, then each index in rpm's order */
	r = write_packages(dirfd, h, n, &m, e);
	for (const struct bdb_index *ix = bdb_indexes; ix->file && !r; ix++)
		r = write_index(dirfd, ix, hdrs, h, n, &m, e);
	r = sync_all(&m, r, e);
	if (!r && fsync(dirfd))
		r = alu_err_set(e, -errno, "rpm database directory: fsync: %s", strerror(errno));
out:
	/* 3. nothing half-written: remove what this call made, and the one it was making */
	for (int i = 0; r && i < m.n; i++)
		unlinkat(dirfd, m.name[i], 0);
	for (size_t i = 0; i < n; i++)
		alu_hdr_free(hdrs[i]);
	free(hdrs);
	return r;
}
