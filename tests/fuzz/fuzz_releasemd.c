/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for AL2023's releasemd.xml (repo/releasemd.h): any bytes
 * either parse into releases sorted oldest first, each with a version made
 * of version characters, or give one error naming the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "repo/releasemd.h"
#include "rpm/rpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_releases r;
	struct alu_err e = { 0 };
	int rc = alu_releasemd_parse((const char *)data, size, "fuzz.xml", &r, &e);

	if (rc) {
		if ((strncmp(e.msg, "fuzz.xml", 8) && rc != -12) || r.n || r.v)
			abort();
		return 0;
	}
	for (size_t i = 0; i < r.n; i++) {
		if (!r.v[i].version || !r.v[i].version[0] ||
		    strspn(r.v[i].version, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._+~-") !=
			    strlen(r.v[i].version))
			abort();
		if (i && alu_rpmvercmp(r.v[i - 1].version, r.v[i].version) > 0)
			abort();
	}
	alu_releases_free(&r);
	return 0;
}
