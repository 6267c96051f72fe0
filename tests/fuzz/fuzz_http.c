/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/net/http.c: a response head followed by a
 * chunked body, fed in pieces whose sizes come from the input itself (the
 * first byte), so that every split point of the parsers is exercised.
 */
#include "net/http.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_http_head h = { 0 };
	struct alu_http_chunked c = { 0 };
	size_t step, off = 0, used, out;
	char *buf;
	int r = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	while (off < size && r == 0) {
		size_t k = size - off < step ? size - off : step;
		r = alu_http_head_feed(&h, (const char *)data + off, k, &used);
		if (used > k)
			abort();
		off += used;
	}
	if (r == 1) {
		/* status, length and range must be within what the grammar allows */
		if (h.status < 100 || h.status > 999 || h.length < -1)
			abort();
		if (h.range_start >= 0 && h.range_total >= 0 && h.range_total <= h.range_start)
			abort();
	}
	alu_http_head_free(&h);
	/* the rest as a chunked body; payload never exceeds input */
	buf = malloc(step);
	if (!buf)
		return 0;
	while (off < size && !c.done) {
		size_t k = size - off < step ? size - off : step;
		memcpy(buf, data + off, k);
		if (alu_http_chunked_feed(&c, buf, k, &used, &out))
			break;
		if (used > k || out > used)
			abort();
		if (used == 0 && !c.done)
			abort(); /* no progress */
		off += used;
	}
	free(buf);
	return 0;
}
