/* SPDX-License-Identifier: MIT */
/* Pages common to the hash and B-tree writers: headers, overflow chains, meta. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "rpmdb/bdb_int.h"

void bdb_page_init(const struct bdb_file *f, unsigned char *p, uint32_t pgno,
		   uint32_t prev, uint32_t next, uint8_t level, uint8_t type)
{
	memset(p, 0, f->pagesize);
	bdb_put32(p + 4, 1);   /* LSN_NOT_LOGGED: what libdb stamps without a log */
	bdb_put32(p + 8, pgno);
	bdb_put32(p + 12, prev);
	bdb_put32(p + 16, next);
	p[24] = level;
	p[25] = type;
}

int bdb_page_put(struct bdb_file *f, uint32_t pgno, const unsigned char *p)
{
	off_t off = (off_t)pgno * f->pagesize;
	size_t done = 0;

	while (done < f->pagesize) {
		ssize_t w = pwrite(f->fd, p + done, f->pagesize - done, off + (off_t)done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return alu_err_set(f->e, -errno, "%s: write of page %u: %s", f->name, pgno,
					   strerror(errno));
		}
		done += (size_t)w;
	}
	return 0;
}

int bdb_overflow_put(struct bdb_file *f, const unsigned char *data, uint32_t len, uint32_t *first)
{
	uint32_t room = f->pagesize - BDB_PAGE_HDR;
	uint32_t npages = (len + room - 1) / room;
	uint32_t pgno = f->next_pgno;

	if (len == 0 || pgno > UINT32_MAX - npages - 1)
		return alu_err_set(f->e, -EFBIG, "%s: database too large", f->name);
	*first = pgno;
	f->next_pgno += npages;
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t n = len - i * room < room ? len - i * room : room;
		int r;

		bdb_page_init(f, f->page, pgno + i, i ? pgno + i - 1 : 0, i + 1 < npages ? pgno + i + 1 : 0,
			      0, BDB_P_OVERFLOW);
		bdb_put16(f->page + 20, 1);          /* OV_REF: one item points here */
		bdb_put16(f->page + 22, (uint16_t)n); /* OV_LEN */
		memcpy(f->page + BDB_PAGE_HDR, data + (size_t)i * room, n);
		r = bdb_page_put(f, pgno + i, f->page);
		if (r)
			return r;
	}
	return 0;
}

void bdb_meta_init(struct bdb_file *f, unsigned char *m, uint32_t magic, uint8_t type,
		   uint32_t last_pgno, uint32_t nkeys)
{
	static uint32_t serial;
	struct stat st;
	uint32_t v;

	bdb_put32(m + 4, 1);
	bdb_put32(m + 12, magic);
	bdb_put32(m + 16, BDB_VERSION);
	bdb_put32(m + 20, f->pagesize);
	m[25] = type;
	bdb_put32(m + 32, last_pgno);
	bdb_put32(m + 40, nkeys);
	bdb_put32(m + 44, nkeys);
	/* file id as libdb's __os_fileid makes it: inode, device, time, serial */
	if (fstat(f->fd, &st) == 0) {
		v = (uint32_t)st.st_ino;
		memcpy(m + 52, &v, 4);
		v = (uint32_t)st.st_dev;
		memcpy(m + 56, &v, 4);
	}
	v = (uint32_t)alu_now();
	memcpy(m + 60, &v, 4);
	v = (uint32_t)getpid() << 16 ^ ++serial;
	memcpy(m + 64, &v, 4);
}

int bdb_keycmp(const unsigned char *a, uint32_t alen, const unsigned char *b, uint32_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}
