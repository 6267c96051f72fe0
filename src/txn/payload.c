/* SPDX-License-Identifier: MIT */
/*
 * The payload of a package: a cpio archive (newc, "070701"), compressed with
 * whatever the header says, starting at payload_off. libarchive detects the
 * compression itself, so a missing or wrong PAYLOADCOMPRESSOR tag does not
 * matter. The fd is read through callbacks with pread() so that the
 * package's own file offset is left alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "txn/txn_int.h"

#define PAYLOAD_BUF 65536

struct alu_payload {
	struct archive *a;
	int fd;
	off_t off;
	char what[256];
	char path[ALU_PATH_MAX + 2];
	unsigned char buf[PAYLOAD_BUF];
};

static la_ssize_t rd(struct archive *a, void *arg, const void **out)
{
	struct alu_payload *p = arg;
	ssize_t n;

	do
		n = pread(p->fd, p->buf, sizeof(p->buf), p->off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	p->off += n;
	*out = p->buf;
	return n;
}

int alu_payload_open(struct alu_rpm *r, struct alu_payload **out, struct alu_err *e)
{
	struct alu_payload *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->fd = r->fd;
	p->off = r->payload_off;
	snprintf(p->what, sizeof(p->what), "%s", r->what);
	p->a = archive_read_new();
	if (!p->a) {
		free(p);
		return -ENOMEM;
	}
	archive_read_support_filter_all(p->a);
	archive_read_support_format_cpio(p->a);
	if (archive_read_open(p->a, p, NULL, rd, NULL) != ARCHIVE_OK) {
		int r = alu_err_set(e, -ALUE_CORRUPT, "%s: payload: %s", p->what,
				    archive_error_string(p->a));
		alu_payload_close(p);
		return r;
	}
	*out = p;
	return 0;
}

int alu_payload_next(struct alu_payload *p, const char **path, int64_t *size,
		     struct alu_err *e)
{
	struct archive_entry *ae;
	const char *name;
	int r = archive_read_next_header(p->a, &ae);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: payload: %s", p->what,
				   archive_error_string(p->a));
	name = archive_entry_pathname(ae);
	if (!name)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: payload entry without a name", p->what);
	/* rpm writes "./usr/bin/x"; very old packages wrote "usr/bin/x". */
	if (name[0] == '.' && name[1] == '/')
		name++;
	snprintf(p->path, sizeof(p->path), "%s%s", name[0] == '/' ? "" : "/", name);
	*path = p->path;
	*size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
	return 1;
}

ssize_t alu_payload_read(struct alu_payload *p, void *buf, size_t n, struct alu_err *e)
{
	la_ssize_t r = archive_read_data(p->a, buf, n);

	if (r < 0)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: payload %s: %s", p->what, p->path,
				   archive_error_string(p->a));
	return r;
}

void alu_payload_close(struct alu_payload *p)
{
	if (!p)
		return;
	if (p->a)
		archive_read_free(p->a);
	free(p);
}
