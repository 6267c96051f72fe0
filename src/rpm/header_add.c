/* SPDX-License-Identifier: MIT */
/*
 * Adding a tag to a header after its region, as rpm does when it installs a
 * package (INSTALLTIME, FILESTATES ... are "dribbles": index entries past the
 * region, their data after the region's). The region and its signature stay
 * byte for byte; a later entry of a tag the region has wins on lookup.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpm/rpm.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int alu_hdr_add_char(const struct alu_hdr *h, uint32_t tag, const uint8_t *v, uint32_t count,
		     struct alu_hdr **out, struct alu_err *e)
{
	size_t len, nlen;
	const uint8_t *b = alu_hdr_blob(h, &len);
	uint32_t il, dl;
	uint8_t *nb;
	int r;

	if (!b || len < 8)
		return alu_err_set(e, -ALUE_CORRUPT, "header too short");
	il = get32(b);
	dl = get32(b + 4);
	if (len < 8 + 16 * (size_t)il + dl)
		return alu_err_set(e, -ALUE_CORRUPT, "header too short");
	nlen = 8 + 16 * ((size_t)il + 1) + dl + count;
	if (!(nb = malloc(nlen)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	put32(nb, il + 1);
	put32(nb + 4, dl + count);
	memcpy(nb + 8, b + 8, 16 * (size_t)il);
	/* CHAR data needs no alignment: it goes right after the old data */
	put32(nb + 8 + 16 * (size_t)il, tag);
	put32(nb + 12 + 16 * (size_t)il, ALU_TYPE_CHAR);
	put32(nb + 16 + 16 * (size_t)il, dl);
	put32(nb + 20 + 16 * (size_t)il, count);
	memcpy(nb + 8 + 16 * ((size_t)il + 1), b + 8 + 16 * (size_t)il, dl);
	memcpy(nb + 8 + 16 * ((size_t)il + 1) + dl, v, count);
	r = alu_hdr_parse(nb, nlen, "installed header", out, e);
	free(nb);
	return r;
}
