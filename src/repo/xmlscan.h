/* SPDX-License-Identifier: MIT */
/*
 * A streaming XML reader with expat's handler signatures, for the two big
 * metadata files (primary.xml, updateinfo.xml). expat spends about 110
 * instructions a byte on them, which alone is most of the 5x-dnf budget of
 * a cold ingest; this reader checks the same well-formedness rules in one
 * table-driven pass. Documents whose prolog it does not handle (a DOCTYPE,
 * an encoding other than UTF-8, a BOM other than UTF-8's, an unusual XML
 * declaration) are handed to expat whole before any handler has run, so
 * the result never depends on which reader ran. tests/fuzz/fuzz_xmlscan.c
 * holds it to expat: same events, and nothing accepted that expat refuses.
 *
 * Names are not namespace-expanded (like expat's XML_ParserCreate(NULL)):
 * handlers see "rpm:entry", "xml:base".
 */
#ifndef ALU_REPO_XMLSCAN_H
#define ALU_REPO_XMLSCAN_H

#include <stddef.h>

typedef void (*xscan_start_fn)(void *ud, const char *name, const char **atts);
typedef void (*xscan_end_fn)(void *ud, const char *name);
/* Text may arrive in several pieces between two tags; handlers append. */
typedef void (*xscan_text_fn)(void *ud, const char *s, int n);

struct xscan;

struct xscan *xscan_new(void *ud, xscan_start_fn start, xscan_end_fn end, xscan_text_fn text);
/* 0, or -1 with xscan_error()/xscan_line() saying what and where. */
int xscan_feed(struct xscan *x, const char *buf, size_t n, int final);
/* From a handler: stop; the running xscan_feed() returns -1. */
void xscan_stop(struct xscan *x);
/* The line of the token being reported, or of the error. */
unsigned long xscan_line(const struct xscan *x);
const char *xscan_error(const struct xscan *x);
/* 1 when the document went to expat (tests and fuzzing want to know). */
int xscan_used_expat(const struct xscan *x);
void xscan_free(struct xscan *x);

#endif
