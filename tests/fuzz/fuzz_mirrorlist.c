/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for alu_mirrors_from_list(): the bytes are a mirror.list
 * body, parsed with and without a $basearch. Success must leave at least one
 * URL and a failure a message; nothing may leak either way.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, const char *basearch)
{
	struct alu_mirrors m = { 0 };
	struct alu_err e = { 0 };
	int r = alu_mirrors_from_list(&m, (const char *)data, size, basearch, &e);

	if (!r && (!m.n || !m.v[0].url))
		abort();
	if (r && r != -ENOMEM && !e.msg[0])
		abort();
	alu_mirrors_free(&m);
	if (m.n || m.v)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, "x86_64");
	one(data, size, NULL);
	return 0;
}
