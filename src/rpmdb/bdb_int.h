/* SPDX-License-Identifier: MIT */
/*
 * Private to the Berkeley DB writer (bdb_*.c). The on-disk layout is that of
 * Berkeley DB 5.3 (db_page.h, hash.h, btree.h), host byte order, no
 * checksums, no encryption, LSNs "not logged" (file 0, offset 1) as libdb
 * writes outside a logging environment:
 *
 *   every page   lsn 0-7, pgno 8, prev_pgno 12, next_pgno 16, entries (u16)
 *                20, hf_offset (u16) 22, level 24, type 25, then the u16
 *                item offsets ("inp") from 26; items grow down from the end
 *                in index order.
 *   meta page    (page 0, 512 bytes used) lsn, pgno 0, magic 12, version 16,
 *                pagesize 20, encrypt_alg 24, type 25, metaflags 26, free 28,
 *                last_pgno 32, nparts 36, key_count 40, record_count 44,
 *                flags 48, uid[20] 52; then the access method's fields.
 *   overflow     type 7, level 0, entries = 1 (reference count), hf_offset =
 *                bytes held on this page, data from 26, chained by prev/next.
 */
#ifndef ALU_RPMDB_BDB_INT_H
#define ALU_RPMDB_BDB_INT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum {
	BDB_PAGESIZE = 4096,        /* rpm's and libdb's default on 4 KiB file systems */
	BDB_PAGE_HDR = 26,
	BDB_META_SIZE = 512,
	BDB_VERSION = 9,            /* hash and btree version of libdb 4.6 .. 5.3 */
	BDB_HASH_MAGIC = 0x061561, BDB_BTREE_MAGIC = 0x053162,
	BDB_P_IBTREE = 3, BDB_P_LBTREE = 5, BDB_P_OVERFLOW = 7, BDB_P_HASHMETA = 8,
	BDB_P_BTREEMETA = 9, BDB_P_HASH = 13,
	BDB_H_KEYDATA = 1, BDB_H_OFFPAGE = 3,
	BDB_B_KEYDATA = 1, BDB_B_OVERFLOW = 3,
	BDB_OFFPAGE_SIZE = 12,      /* HOFFPAGE, BOVERFLOW: type, pad, pgno, tlen */
};

/** One record: bytes owned by the caller, valid for the write. */
struct bdb_kv {
	const unsigned char *k, *v;
	uint32_t klen, vlen;
};

/** One database file being written. */
struct bdb_file {
	int fd;
	const char *name;          /* for messages: "Packages", "Basenames" ... */
	uint32_t pagesize;
	uint32_t next_pgno;        /* next page to hand out at the end of the file */
	unsigned char *page;       /* scratch page (pagesize bytes) */
	struct alu_err *e;
};

static inline void bdb_put16(unsigned char *p, uint16_t v) { __builtin_memcpy(p, &v, 2); }
static inline void bdb_put32(unsigned char *p, uint32_t v) { __builtin_memcpy(p, &v, 4); }

/** @brief Zero @p p and fill a page header (lsn "not logged"). */
void bdb_page_init(const struct bdb_file *f, unsigned char *p, uint32_t pgno,
		   uint32_t prev, uint32_t next, uint8_t level, uint8_t type);

/** @brief pwrite page @p pgno. @return 0 or -errno (message names the file). */
int bdb_page_put(struct bdb_file *f, uint32_t pgno, const unsigned char *p);

/**
 * @brief Store @p len bytes (> 0) in a chain of fresh overflow pages taken
 *        from f->next_pgno; @p first gets the chain's first page.
 * @return 0, -EFBIG (the file would pass 2^32 pages), -errno.
 */
int bdb_overflow_put(struct bdb_file *f, const unsigned char *data, uint32_t len, uint32_t *first);

/**
 * @brief Write the generic part of the meta page into @p m (BDB_META_SIZE
 *        bytes of a zeroed page): magic, version, page size, type, last
 *        page, counts and a file id unique to this file (libdb's mpool tells
 *        files of one environment apart by it).
 */
void bdb_meta_init(struct bdb_file *f, unsigned char *m, uint32_t magic, uint8_t type,
		   uint32_t last_pgno, uint32_t nkeys);

/** @brief memcmp order, shorter first on a tie (libdb's __bam_defcmp). */
int bdb_keycmp(const unsigned char *a, uint32_t alen, const unsigned char *b, uint32_t blen);

/** @brief A hash database of @p n records, any order, keys unique. */
int bdb_hash_write(struct bdb_file *f, const struct bdb_kv *kv, size_t n);

/** @brief A B-tree of @p n records, sorted by bdb_keycmp and unique. */
int bdb_btree_write(struct bdb_file *f, const struct bdb_kv *kv, size_t n);

#endif
