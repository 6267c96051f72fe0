/* SPDX-License-Identifier: MIT */
/* Private: rpm 4.11's index keys from headers (bdb_index.c). */
#ifndef ALU_RPMDB_BDB_INDEX_H
#define ALU_RPMDB_BDB_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "rpm/rpm.h"
#include "rpmdb/bdb_int.h"
#include "util/err.h"

/** An index file and the tag whose elements are its keys. */
struct bdb_index {
	const char *file;
	uint32_t tag;
};

/** rpm 4.11's index files in its own order, {NULL, 0}-terminated. */
extern const struct bdb_index bdb_indexes[];

/** One (key, instance, element) of an index; key points into the header. */
struct bdb_ixent {
	const void *k;
	uint32_t klen, hnum, idx;
};

struct bdb_ixset {
	struct bdb_ixent *v;
	size_t n, cap;
};

/**
 * @brief Append the entries of @p tag in header @p h (instance @p hnum).
 * @note keys point into @p h (its array caches): keep it until written.
 * @return 0, -ENOMEM, -ALUE_CORRUPT (the tag has a type rpm does not index).
 */
int bdb_index_collect(struct bdb_ixset *s, uint32_t tag, const struct alu_hdr *h, uint32_t hnum,
		      struct alu_err *e);

/**
 * @brief Sort @p s and group it into B-tree records: one per key, its value
 *        the (instance, index) pairs. @p kv and @p vals are malloc'd (free
 *        both); keys point where the entries' keys did.
 * @return 0 or -ENOMEM.
 */
int bdb_index_records(struct bdb_ixset *s, struct bdb_kv **kv, size_t *nkv, unsigned char **vals);

#endif
