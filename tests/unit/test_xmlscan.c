/* SPDX-License-Identifier: MIT */
/*
 * src/repo/xmlscan.c: every case is fed whole, cut at every byte, and a
 * byte at a time, and must give expat's events (expat is the oracle, run in
 * the same process), the error expected, and the reader expected (the fast
 * path, or expat for prologs the fast path leaves to it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "repo/xmlscan.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

struct log {
	char v[65536];
	size_t n;
	int in_text, stop_at;   /* stop_at: xscan_stop() on the start tag of that name's 1st char */
	struct xscan *x;
};

static void put(struct log *l, const char *s, size_t n)
{
	if (l->n + n < sizeof(l->v)) {
		memcpy(l->v + l->n, s, n);
		l->n += n;
	}
}

static void on_start(void *ud, const char *n, const char **atts)
{
	struct log *l = ud;

	l->in_text = 0;
	put(l, "<", 1);
	put(l, n, strlen(n));
	for (; atts[0]; atts += 2) {
		put(l, " ", 1);
		put(l, atts[0], strlen(atts[0]));
		put(l, "=[", 2);
		put(l, atts[1], strlen(atts[1]));
		put(l, "]", 1);
	}
	put(l, ">", 1);
	if (l->x && l->stop_at && n[0] == l->stop_at)
		xscan_stop(l->x);
}

static void on_end(void *ud, const char *n)
{
	struct log *l = ud;

	l->in_text = 0;
	put(l, "</", 2);
	put(l, n, strlen(n));
	put(l, ">", 1);
}

static void on_text(void *ud, const char *s, int n)
{
	struct log *l = ud;

	put(l, s, (size_t)n);
}

/* Feed doc in pieces of @p step bytes (0: cut once at @p cut). */
static int run(const char *doc, size_t len, size_t cut, size_t step, struct log *l,
	       int *expat, char *err, size_t errn, unsigned long *line)
{
	struct xscan *x = xscan_new(l, on_start, on_end, on_text);
	int rc = 0;

	l->x = x;
	if (step) {
		for (size_t o = 0; !rc && o < len; o += step)
			rc = xscan_feed(x, doc + o, len - o < step ? len - o : step, 0);
		if (!rc)
			rc = xscan_feed(x, "", 0, 1);
	} else {
		rc = xscan_feed(x, doc, cut, 0);
		if (!rc)
			rc = xscan_feed(x, doc + cut, len - cut, 1);
	}
	*expat = xscan_used_expat(x);
	snprintf(err, errn, "%s", rc ? xscan_error(x) : "");
	*line = rc ? xscan_line(x) : 0;
	xscan_free(x);
	return rc;
}

/*
 * want_err: "" for a well-formed document (then the events must be
 * expat's), else the message expected; want_expat: which reader runs.
 */
static void check_doc(const char *name, const char *doc, const char *want_err, int want_expat,
		      unsigned long want_line)
{
	size_t len = strlen(doc);
	static struct log ref, got;
	XML_Parser p = XML_ParserCreate(NULL);
	int ok_e, bad = 0;

	memset(&ref, 0, sizeof(ref));
	XML_SetUserData(p, &ref);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	ok_e = XML_Parse(p, doc, (int)len, 1) == XML_STATUS_OK;
	XML_ParserFree(p);
	CHECK(ok_e == !*want_err);
	for (size_t k = 0; k <= len + 1; k++) {
		int expat, rc;
		char err[128];
		unsigned long line;
		size_t cut = k <= len ? k : 0, step = k == len + 1 ? 1 : 0;
		memset(&got, 0, sizeof(got));
		rc = run(doc, len, cut, step, &got, &expat, err, sizeof(err), &line);
		if (!!rc != !!*want_err || (rc && strcmp(err, want_err)) || expat != want_expat ||
		    (!rc && (got.n != ref.n || memcmp(got.v, ref.v, ref.n))) ||
		    (want_line && line != want_line)) {
			fprintf(stderr, "%s: cut %zu step %zu: rc %d err '%s' line %lu expat %d\n"
				"  got  %.*s\n  want %.*s\n", name, cut, step, rc, err, line, expat,
				(int)got.n, got.v, (int)ref.n, ref.v);
			bad = 1;
			break;
		}
	}
	CHECK(!bad);
}

static void test_stop(void)
{
	static const char doc[] = "<r><a/><b>x</b><c/></r>";
	struct log l = { .stop_at = 'b' };
	struct xscan *x = xscan_new(&l, on_start, on_end, on_text);

	l.x = x;
	CHECK(xscan_feed(x, doc, sizeof(doc) - 1, 1) == -1);
	CHECK(!strcmp(xscan_error(x), "parsing aborted"));
	CHECK(l.n == strlen("<r><a></a><b>") && !memcmp(l.v, "<r><a></a><b>", l.n));
	xscan_free(x);
}

/* A value far bigger than the pieces it comes in is still read whole. */
static void test_big_token(void)
{
	size_t n = 3u << 20;
	char *doc = malloc(n + 32);
	struct log *l = calloc(1, sizeof(*l));
	struct xscan *x = xscan_new(l, on_start, on_end, on_text);
	int rc = 0;

	memcpy(doc, "<r a=\"", 6);
	memset(doc + 6, 'v', n);
	strcpy(doc + 6 + n, "\"/>");
	for (size_t o = 0; !rc && o < n + 9; o += 4096)
		rc = xscan_feed(x, doc + o, n + 9 - o < 4096 ? n + 9 - o : 4096, 0);
	CHECK(!rc && !xscan_feed(x, "", 0, 1));
	/* the log has no room for the value itself: only the tags show */
	CHECK(l->n == strlen("<r a=[]></r>") && !memcmp(l->v, "<r a=[]></r>", l->n));
	xscan_free(x);
	free(l);
	free(doc);
}

int main(void)
{
	check_doc("plain", "<r a=\"1\" b='2'><x>t</x><y/></r>", "", 0, 0);
	check_doc("decl+bom", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<r/>\n", "", 0, 0);
	check_doc("misc", "<?xml version='1.0' standalone='yes'?><!-- c --><?pi x?>\n<r><!--in--><?p?>"
		  "a<![CDATA[<b>&amp;]]]]>c</r><!--after-->\n", "", 0, 0);
	check_doc("refs", "<r a=\"x&amp;y&#10;z\tq\r\nw&#x1F600;\">&lt;&gt;&quot;&apos;&#233;\r\r\n</r>",
		  "", 0, 0);
	check_doc("utf8", "<r \xc3\xa9=\"\xe2\x82\xac\">\xf0\x9f\x98\x80</r>", "", 0, 0);
	check_doc("spaces", "<r  a = \"1\"\n b\t=\t'2' ></r >", "", 0, 0);
	check_doc("doctype", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e \"ent\">]>\n<r>&e;</r>",
		  "", 1, 0);
	check_doc("latin1", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>\xe9</r>", "", 1, 0);
	check_doc("mismatch", "<r>\n\n<a></b></r>", "mismatched tag", 0, 3);
	check_doc("undef", "<r>&nbsp;</r>", "undefined entity", 0, 1);
	check_doc("dup", "<r a='1' a='2'/>", "duplicate attribute", 0, 1);
	check_doc("junk", "<r/><s/>", "junk after document element", 0, 1);
	check_doc("junk-text", "<r/>x", "junk after document element", 0, 1);
	check_doc("rsqb", "<r>]]></r>", "not well-formed (invalid token)", 0, 1);
	check_doc("bad-utf8", "<r>\xc3\x28</r>", "not well-formed (invalid token)", 0, 1);
	check_doc("surrogate", "<r>\xed\xa0\x80</r>", "not well-formed (invalid token)", 0, 1);
	check_doc("ctrl", "<r>\x01</r>", "not well-formed (invalid token)", 0, 1);
	check_doc("charref", "<r>&#0;</r>", "reference to invalid character number", 0, 1);
	check_doc("lt-in-attr", "<r a='<'/>", "not well-formed (invalid token)", 0, 1);
	check_doc("no-space", "<r a='1'b='2'/>", "not well-formed (invalid token)", 0, 1);
	check_doc("unclosed", "<r><a", "unclosed token", 0, 0);
	check_doc("open-root", "<r><a/>", "no element found", 0, 0);
	check_doc("comment", "<r><!-- a -- b --></r>", "not well-formed (invalid token)", 0, 1);
	check_doc("xml-pi", "<r><?xml version='1.0'?></r>",
		  "XML or text declaration not at start of entity", 0, 1);
	check_doc("empty", "", "no element found", 1, 0);
	check_doc("prolog-text", "hello<r/>", "not well-formed (invalid token)", 1, 0);
	test_stop();
	test_big_token();
	printf("xmlscan: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
