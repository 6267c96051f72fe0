/* SPDX-License-Identifier: MIT */
/* Internals of src/rpm shared by header.c, header_fields.c and package.c. */
#ifndef ALU_RPM_RPM_INT_H
#define ALU_RPM_RPM_INT_H

#include "rpm/rpm.h"

/* rpm's limits (lib/header.c): HEADER_TAGS_MAX, HEADER_DATA_MAX, and the
 * tighter ones hdrblobRead() applies to a package's signature header. */
#define HDR_TAGS_MAX 0xffffu
#define HDR_DATA_MAX 0x0fffffffu
#define HDR_BYTES_MAX (256u * 1024 * 1024)
#define SIG_TAGS_MAX 32u
#define SIG_DATA_MAX (64u * 1024)

#define TAG_HEADERIMAGE 61
#define TAG_HEADERSIGNATURES 62
#define TAG_OLDFILENAMES 1027

/** One index entry, checked: data lies in [off, off + len) of the store. */
struct hdr_ent {
	uint32_t tag, type, off, count, len;
	void *cache;  /* strv (NULL-terminated) or u32v copy, made on first use */
};

struct alu_hdr {
	uint8_t *blob;         /* il, dl, index, data: what alu_hdr_blob() gives */
	size_t len;
	const uint8_t *ds;     /* the data store, inside blob */
	uint32_t il, dl;
	uint32_t region;       /* 61, 62, 63 or 0 for a legacy header */
	struct hdr_ent *ents;  /* sorted by tag, one per tag (dribbles win) */
	size_t n;
};

/**
 * @brief Read a header's index count and data size (the 8 big-endian bytes at
 *        @p p) and check them against the limits, before any size taken from
 *        the file is used (hdrblobRead()).
 * @param[out] il, dl the index count and data size.
 * @return 0, or -ALUE_CORRUPT when one exceeds its limit (message in @p e,
 *         after @p what).
 */
int hdr_read_sizes(const uint8_t *p, uint32_t il_max, uint32_t dl_max, const char *what,
		   uint32_t *il, uint32_t *dl, struct alu_err *e);

/**
 * @brief alu_hdr_parse() with the checks rpm makes on a package's headers.
 * @param region_tag the region the header must carry when it has one
 *        (62 signature, 63 main), 0: any.
 * @param exact the region must cover the whole header (package files).
 */
int hdr_parse(const void *blob, size_t len, const char *what, uint32_t region_tag, int exact,
	      uint32_t il_max, uint32_t dl_max, struct alu_hdr **out, struct alu_err *e);

/** @brief The entry of @p tag, or NULL. */
const struct hdr_ent *hdr_find(const struct alu_hdr *h, uint32_t tag);

#endif
