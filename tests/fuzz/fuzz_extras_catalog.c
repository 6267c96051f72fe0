/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for extras-catalog.json (repo/extras_catalog.h): any
 * bytes either parse into a catalog whose every topic has a name and whose
 * whitelist indices are in range, or give one error naming the catalog.
 * A parsed catalog is also put through the conflict/whitelist check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "repo/extras_catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_extras_catalog c;
	struct alu_err e = { 0 };
	struct alu_strv all = { 0 };
	int rc = alu_extras_catalog_parse((const char *)data, size, "fuzz.json", &c, &e);

	if (rc) {
		if (strncmp(e.msg, "fuzz.json", 9) && rc != -12)
			abort();
		return 0;
	}
	if (c.version != 1 && c.version != 2)
		abort();
	for (size_t i = 0; i < c.ntopics; i++) {
		if (!c.topics[i].name || !c.topics[i].name[0])
			abort();
		if (alu_extras_catalog_find(&c, c.topics[i].name) != &c.topics[i])
			abort();
		alu_strv_push(&all, c.topics[i].name);
	}
	for (size_t w = 0; w < c.nwl; w++)
		for (size_t j = 0; j < c.wln[w]; j++)
			if (c.wl[w][j] >= c.ntopics)
				abort();
	alu_extras_catalog_check(&c, &all, &e);
	alu_strv_free(&all);
	alu_extras_catalog_free(&c);
	return 0;
}
