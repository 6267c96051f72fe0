/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/db/rpmdb_bdb.c: the whole input is a Berkeley DB
 * hash file as rpm 4.11 leaves /var/lib/rpm/Packages. The walk must end
 * (loops in bucket and overflow chains included) with 0 or a negative code,
 * never read outside the input. The callback touches every byte it is given
 * so out-of-bounds values are caught by the sanitizers. Seed:
 * tests/unit/data/bdb-ok.db.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/rpmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int touch(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	const unsigned char *p = blob;
	unsigned *sum = arg;

	for (size_t i = 0; i < len; i++)
		*sum += p[i];
	*sum += hnum;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_err e = { 0 };
	unsigned sum = 0;
	/* a private copy: the reader must not depend on the input staying mapped */
	unsigned char *buf = malloc(size ? size : 1);
	int r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = alu_rpmdb_bdb_walk(buf, size, "fuzz", touch, &sum, &e);
	if (r > 0)
		abort();
	free(buf);
	return 0;
}
