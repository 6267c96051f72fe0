/* SPDX-License-Identifier: MIT */
/*
 * Differential target: src/repo/bz2par.c against libbz2 decoding the same
 * bytes whole. The contract: when bz2par says it decoded the file (0), the
 * bytes it wrote are exactly libbz2's, and libbz2 accepts the file; any
 * doubt is its 1, left to the ordinary decoder. Seeds are small streams of
 * several blocks (tests/fuzz/seeds/bz2par).
 */
#include <bzlib.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char in[64], out[64];
	struct alu_err e = { 0 };
	unsigned cap = 64u << 20, n = cap;
	char *want, *got;
	long gn;
	FILE *f;
	int fd, rc, ok;

	if (size < 4 || memcmp(data, "BZh", 3))
		return 0;
	if (!*in) {
		snprintf(in, sizeof(in), "/tmp/fuzz_bz2par.%d.in", (int)getpid());
		snprintf(out, sizeof(out), "/tmp/fuzz_bz2par.%d.out", (int)getpid());
	}
	f = fopen(in, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = alu_bz2_par_to_fd(in, fd, &e);
	close(fd);
	if (rc != 0)
		return 0;
	want = malloc(cap);
	ok = BZ2_bzBuffToBuffDecompress(want, &n, (char *)data, (unsigned)size, 0, 0);
	if (ok == BZ_OUTBUFF_FULL) {
		free(want);   /* a bomb beyond the oracle's buffer: nothing to compare */
		return 0;
	}
	if (ok != BZ_OK)
		abort();   /* bz2par decoded what libbz2 refuses */
	f = fopen(out, "rb");
	fseek(f, 0, SEEK_END);
	gn = ftell(f);
	rewind(f);
	got = malloc((size_t)gn + 1);
	if (fread(got, 1, (size_t)gn, f) != (size_t)gn)
		abort();
	fclose(f);
	if ((size_t)gn != n || memcmp(got, want, n))
		abort();   /* different bytes */
	free(got);
	free(want);
	return 0;
}
