/* SPDX-License-Identifier: MIT */
/*
 * Reading a container-manifest-2 line back (the writer is manifest.c): the
 * file comes from an image nobody here built, so every field is bounded and
 * every number checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb/rpmdb_out.h"

/* A decimal number that fits in 32 bits. */
static int u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v = 0;

	if (!n || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (!n || n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = 0;
	return 0;
}

int alu_rpmdb_manifest_parse(const char *line, struct alu_rpmdb_mline *m)
{
	const char *f[10];
	size_t len[10], n = 0;
	const char *p = line, *dash;

	memset(m, 0, sizeof(*m));
	/* 1. split on tabs: exactly ten fields (empty ones count) */
	for (;;) {
		const char *t = strchr(p, '\t');
		if (n == 10)
			return -ALUE_CORRUPT;
		f[n] = p;
		len[n] = t ? (size_t)(t - p) : strlen(p);
		n++;
		if (!t)
			break;
		p = t + 1;
	}
	if (n != 10)
		return -ALUE_CORRUPT;
	/* 2. VERSION-RELEASE: the release is after the last '-' */
	for (dash = f[1] + len[1]; dash > f[1] && dash[-1] != '-'; dash--)
		;
	if (dash == f[1])
		return -ALUE_CORRUPT;
	if (copy(m->name, sizeof(m->name), f[0], len[0]) ||
	    copy(m->ver, sizeof(m->ver), f[1], (size_t)(dash - 1 - f[1])) ||
	    copy(m->rel, sizeof(m->rel), dash, (size_t)(f[1] + len[1] - dash)) ||
	    copy(m->arch, sizeof(m->arch), f[7], len[7]))
		return -ALUE_CORRUPT;
	/* 3. numbers: EPOCH "(none)" is 0 */
	if (len[5] == 6 && !memcmp(f[5], "(none)", 6))
		m->epoch = 0;
	else if (u32(f[5], len[5], &m->epoch))
		return -ALUE_CORRUPT;
	if (u32(f[2], len[2], &m->itime))
		return -ALUE_CORRUPT;
	return 0;
}
