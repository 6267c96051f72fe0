/* SPDX-License-Identifier: MIT */
/*
 * Internals of xmlscan.h, shared by its three files: xmlscan_lex.c
 * (characters, names, references, text, comments, PIs, CDATA),
 * xmlscan_tag.c (start and end tags) and xmlscan.c (the prolog, the
 * hand-over to expat, the public calls). Token functions return R_OK
 * having advanced x->pos, R_NEED when the token is cut short (nothing
 * consumed), or R_ERR with x->err set.
 */
#ifndef ALU_REPO_XMLSCAN_INT_H
#define ALU_REPO_XMLSCAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <expat.h>

#include "repo/xmlscan.h"

#define TOKEN_MAX (64u << 20)   /* one tag, comment or CDATA section */
#define PROLOG_MAX (1u << 20)   /* more before the root goes to expat */

enum { ST_PROLOG, ST_CONTENT, ST_EPILOG };
enum { R_OK, R_NEED, R_ERR };

/* byte classes of character data, attribute values, comments */
enum { C_OK, C_LT, C_AMP, C_RSQB, C_CR, C_LF, C_TAB, C_BAD, C_HI, C_QUOT, C_APOS, C_DASH, C_QM };

#define CTRL_BAD [0 ... 8] = C_BAD, ['\t'] = C_TAB, ['\n'] = C_LF, [11 ... 12] = C_BAD, \
	['\r'] = C_CR, [14 ... 31] = C_BAD, [0x80 ... 0xff] = C_HI
static const unsigned char text_cls[256] = { CTRL_BAD, ['<'] = C_LT, ['&'] = C_AMP,
	[']'] = C_RSQB };
static const unsigned char attr_cls[256] = { CTRL_BAD, ['<'] = C_LT, ['&'] = C_AMP,
	['"'] = C_QUOT, ['\''] = C_APOS };
static const unsigned char misc_cls[256] = { CTRL_BAD, ['-'] = C_DASH, ['?'] = C_QM,
	[']'] = C_RSQB };

/* 1 name start, 2 name char, 3 non-ASCII (a name char if valid UTF-8) */
static const unsigned char name_cls[256] = {
	['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['_'] = 1, [':'] = 1, [0x80 ... 0xff] = 3,
	['0' ... '9'] = 2, ['-'] = 2, ['.'] = 2,
};
static const unsigned char space_cls[256] = { [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1 };

struct span { size_t off, len; int decode; };

struct xscan {
	void *ud;
	xscan_start_fn on_start;
	xscan_end_fn on_end;
	xscan_text_fn on_text;
	char *buf;
	size_t len, pos, cap;
	size_t need;                /* bytes left at the last incomplete token */
	unsigned long line, tokline;
	int state, stopped, bom_done;
	const char *err;
	char *stack;                /* open element names, NUL-separated */
	size_t slen, scap;
	struct open { size_t off, len; } *tops;
	size_t depth, tcap;
	struct span *sp;
	size_t spcap;
	const char **atts;
	size_t attcap;
	XML_Parser xp;              /* set once the document went to expat */
};

int xs_grow_slow(void **v, size_t *cap, size_t need, size_t elem);

static inline int xs_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? 0 : xs_grow_slow(v, cap, need, elem);
}

static inline int xs_is_space(unsigned char c)
{
	return space_cls[c];
}

/* Latch the first error; always R_ERR. */
int xs_fail(struct xscan *x, const char *msg);

/* Advance *p past the UTF-8 character there (an XML Char), or say why not. */
int xs_hi_char(struct xscan *x, const char **p, const char *end, int final);
/* A Name at p: its end in *q. */
int xs_scan_name(struct xscan *x, const char *p, const char *end, int final, const char **q);
/* A reference at p ('&'): its end in *q; its replacement in out (4 bytes) unless NULL. */
int xs_scan_ref(struct xscan *x, const char *p, const char *end, int final,
		const char **q, char *out, size_t *olen);
int xs_text(struct xscan *x, int final);
int xs_comment(struct xscan *x, int final);
int xs_pi(struct xscan *x, int final);
int xs_cdata(struct xscan *x, int final);
/* Does the input at x->pos start with lit: 1 yes, 0 no, -1 too short to say. */
int xs_starts(const struct xscan *x, const char *lit, int final);
/* Any token that starts with '<' after the prolog. */
int xs_markup(struct xscan *x, int final);

#endif
