/* SPDX-License-Identifier: MIT */
/*
 * Differential target: src/repo/xmlscan.c against expat. The input goes to
 * xmlscan in two chunks (split where its first byte says) and to expat
 * whole; each side's events are written to a log (start with attributes,
 * end, text with adjacent pieces joined). The contract:
 *   - what xmlscan accepts, expat accepts, with the same log;
 *   - what xmlscan refuses, expat refuses.
 * One deliberate leniency: xmlscan takes any valid UTF-8 character in a
 * name, expat only XML 1.0's name characters, so inputs where expat
 * refuses and xmlscan saw a non-ASCII name are not held to the contract.
 * Processing-instruction targets are names too, though no event reports
 * them: the input is searched for one with a non-ASCII byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "repo/xmlscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct log {
	char *v;
	size_t n, cap;
	int in_text;
	int hi_name;     /* a name with a non-ASCII byte was seen */
};

static void put(struct log *l, const char *s, size_t n)
{
	if (l->n + n + 1 > l->cap) {
		size_t cap = (l->n + n + 1) * 2;
		char *v = realloc(l->v, cap);
		if (!v)
			abort();
		l->v = v;
		l->cap = cap;
	}
	memcpy(l->v + l->n, s, n);
	l->n += n;
}

static void name(struct log *l, const char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c >= 0x80)
			l->hi_name = 1;
	put(l, s, strlen(s) + 1);
}

static void on_start(void *ud, const char *n, const char **atts)
{
	struct log *l = ud;

	l->in_text = 0;
	put(l, "S", 1);
	name(l, n);
	for (; atts[0]; atts += 2) {
		name(l, atts[0]);
		put(l, atts[1], strlen(atts[1]) + 1);
	}
	put(l, "\n", 1);
}

static void on_end(void *ud, const char *n)
{
	struct log *l = ud;

	l->in_text = 0;
	put(l, "E", 1);
	name(l, n);
}

static void on_text(void *ud, const char *s, int n)
{
	struct log *l = ud;

	if (!l->in_text)
		put(l, "T", 1);
	l->in_text = 1;
	put(l, s, (size_t)n);
}

/* Is there a "<?target" with a byte above 0x7f in its target? */
static int hi_pi_target(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 2 < n; i++) {
		if (d[i] != '<' || d[i + 1] != '?')
			continue;
		for (size_t j = i + 2; j < n && d[j] != '?' && d[j] != ' ' && d[j] != '\t' &&
		     d[j] != '\r' && d[j] != '\n'; j++)
			if (d[j] >= 0x80)
				return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log a = { 0 }, b = { 0 };
	size_t cut = size ? data[0] % (size + 1) : 0;
	struct xscan *x = xscan_new(&a, on_start, on_end, on_text);
	XML_Parser p = XML_ParserCreate(NULL);
	int ok_x, ok_e;

	if (!x || !p)
		abort();
	ok_x = !xscan_feed(x, (const char *)data, cut, 0) &&
	       !xscan_feed(x, (const char *)data + cut, size - cut, 1);
	XML_SetUserData(p, &b);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	ok_e = XML_Parse(p, (const char *)data, (int)size, 1) == XML_STATUS_OK;
	if (ok_x && !ok_e && !a.hi_name && !hi_pi_target(data, size)) {
		fprintf(stderr, "xmlscan accepted what expat refuses: %s (line %lu)\n",
			XML_ErrorString(XML_GetErrorCode(p)), (unsigned long)XML_GetCurrentLineNumber(p));
		abort();
	}
	if (!ok_x && ok_e) {
		fprintf(stderr, "xmlscan refused what expat accepts: %s (line %lu)\n",
			xscan_error(x), xscan_line(x));
		abort();
	}
	if (ok_x && ok_e && (a.n != b.n || memcmp(a.v, b.v, a.n))) {
		fprintf(stderr, "event logs differ (%zu vs %zu bytes)\n", a.n, b.n);
		abort();
	}
	xscan_free(x);
	XML_ParserFree(p);
	free(a.v);
	free(b.v);
	return 0;
}
