/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/repo/comps.c and src/repo/filelists.c (the XML
 * form): the input is a comps.xml and, read again, a filelists.xml, both
 * through a temporary file as the commands read them (decompression by
 * magic included). Every group string is read. Seeds: seeds/comps/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo/comps.h"
#include "repo/filelists.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static int file_cb(void *ud, const char *repoid, const char *pkgid, const char *path)
{
	(void)ud;
	sink += strlen(repoid) + strlen(pkgid) + strlen(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct alu_comps c = { 0 };
	struct alu_err e = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fuzz_comps.%ld.xml", (long)getpid());
	if (!(f = fopen(path, "wb")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (!alu_comps_file(&c, path, "fuzz", &e)) {
		for (size_t i = 0; i < c.n; i++) {
			sink += strlen(c.v[i].id) + strlen(c.v[i].name) + strlen(c.v[i].description);
			for (int t = 0; t < ALU_GREQ_N; t++)
				for (size_t k = 0; k < c.v[i].pkgs[t].n; k++)
					sink += strlen(c.v[i].pkgs[t].v[k]);
			(void)alu_comps_find(&c, "*", NULL);
		}
	}
	alu_comps_free(&c);
	alu_err_clear(&e);
	alu_filelists_file(path, 0, "/tmp", "fuzz", file_cb, NULL, &e);
	unlink(path);
	return 0;
}
