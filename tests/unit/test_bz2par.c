/* SPDX-License-Identifier: MIT */
/*
 * src/repo/bz2par.c: a file of many blocks decodes to exactly what libbz2
 * decodes it to, at every block size, with blocks that expand far beyond
 * their input (runs); a file it cannot split safely (one block, a damaged
 * block, bytes after the end, two streams, not bzip2) is left to the
 * ordinary decoder (return 1), whatever it wrote before.
 */
#include <bzlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repo/repo_int.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

static char dir[] = "/tmp/alu-bz2par-XXXXXX";

/* Pseudo-text: words from a small vocabulary, compressible as metadata is. */
static char *sample(size_t n, unsigned seed, int runs)
{
	static const char *const words[] = { "package", "x86_64", "noarch", "1.2.3-4.amzn2",
		"libssl.so.10()(64bit)", "/usr/bin/", "Amazon Linux", "<entry name=\"", "\"/>\n" };
	char *d = malloc(n);
	size_t i = 0;

	while (i < n) {
		seed = seed * 1103515245u + 12345u;
		if (runs && seed % 7 == 0) {
			/* a run: bzip2's first stage turns it into a few bytes */
			size_t k = 1000 + seed % 200000;
			for (; k-- && i < n; i++)
				d[i] = (char)(seed >> 24);
			continue;
		}
		const char *w = words[(seed >> 16) % (sizeof(words) / sizeof(words[0]))];
		for (size_t j = 0; w[j] && i < n; j++)
			d[i++] = w[j];
		if (i < n)
			d[i++] = (char)('a' + (seed >> 8) % 26);
	}
	return d;
}

static char *compress(const char *d, size_t n, int level, unsigned *out_n)
{
	unsigned cap = (unsigned)(n + n / 100 + 600);
	char *z = malloc(cap);

	*out_n = cap;
	if (BZ2_bzBuffToBuffCompress(z, out_n, (char *)d, (unsigned)n, level, 0, 0) != BZ_OK)
		abort();
	return z;
}

static void put_file(const char *path, const char *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n || fclose(f))
		abort();
}

/* Run bz2par on @p z; the decoded bytes in *out (malloc'd), its return value. */
static int run(const char *z, size_t zn, char **out, size_t *outn)
{
	char src[64], dst[64];
	struct alu_err e = { 0 };
	FILE *f;
	long sz;
	int rc, fd;

	snprintf(src, sizeof(src), "%s/in.bz2", dir);
	snprintf(dst, sizeof(dst), "%s/out", dir);
	put_file(src, z, zn);
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = alu_bz2_par_to_fd(src, fd, &e);
	close(fd);
	f = fopen(dst, "rb");
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	*out = malloc((size_t)sz + 1);
	*outn = fread(*out, 1, (size_t)sz, f);
	fclose(f);
	return rc;
}

static void round_trip(size_t n, int level, unsigned seed, int runs)
{
	char *d = sample(n, seed, runs), *out;
	unsigned zn;
	char *z = compress(d, n, level, &zn);
	size_t on;
	int rc = run(z, zn, &out, &on);

	CHECK(rc == 0);
	CHECK(on == n && !memcmp(out, d, n));
	if (rc || on != n || memcmp(out, d, n))
		fprintf(stderr, "  round trip of %zu bytes at level %d (seed %u): rc %d, %zu bytes\n",
			n, level, seed, rc, on);
	free(out);
	free(z);
	free(d);
}

/* @p z (edited by the caller) must be left to the ordinary decoder. */
static void refused(const char *why, const char *z, size_t zn)
{
	char *out;
	size_t on;
	int rc = run(z, zn, &out, &on);

	CHECK(rc == 1);
	if (rc != 1)
		fprintf(stderr, "  %s: rc %d\n", why, rc);
	free(out);
}

int main(void)
{
	char *d, *z, *two;
	unsigned zn;

	if (!mkdtemp(dir))
		return 1;
	/* many blocks at the smallest block size, a few at the largest */
	round_trip(2u << 20, 1, 1, 0);
	round_trip(3u << 20, 9, 2, 0);
	round_trip((1u << 20) + 12345, 3, 3, 0);
	/* runs: blocks that decode to many times the block size */
	round_trip(24u << 20, 1, 4, 1);
	for (unsigned s = 10; s < 16; s++)
		round_trip(300000 + s * 7919, 1, s, 0);

	/* one block: nothing to share */
	d = sample(50000, 5, 0);
	z = compress(d, 50000, 9, &zn);
	refused("one block", z, zn);
	free(z);
	free(d);

	d = sample(1u << 20, 6, 0);
	z = compress(d, 1u << 20, 1, &zn);
	/* bytes after the end of the stream */
	two = malloc(2 * (size_t)zn);
	memcpy(two, z, zn);
	memcpy(two + zn, "junk", 4);
	refused("trailing bytes", two, zn + 4);
	/* two streams one after the other */
	memcpy(two + zn, z, zn);
	refused("two streams", two, 2 * (size_t)zn);
	/* a damaged block (its CRC no longer matches) */
	memcpy(two, z, zn);
	two[zn / 2] ^= 0x10;
	refused("damaged block", two, zn);
	/* not bzip2 at all, and a cut-off stream */
	refused("not bzip2", d, 4096);
	refused("cut off", z, zn - 100);
	free(two);
	free(z);
	free(d);

	{
		char p[64];
		snprintf(p, sizeof(p), "%s/in.bz2", dir);
		unlink(p);
		snprintf(p, sizeof(p), "%s/out", dir);
		unlink(p);
		rmdir(dir);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
