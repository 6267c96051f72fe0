/* SPDX-License-Identifier: MIT */
/*
 * The fast path of xmlscan.h. Input is appended to one buffer and scanned a
 * token at a time; a token cut by the end of a chunk is scanned again once
 * more data came (at least twice as much, so a huge token costs linear
 * time). Tags are parsed without writing to the buffer, and only a complete
 * tag is NUL-terminated and decoded in place, so a rescan sees the bytes
 * as they came. Text is handed out where it lies, split at references and
 * carriage returns, whose replacements are handed out separately.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static int grow_slow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *p;

	while (n < need)
		n *= 2;
	p = realloc(*v, n * elem);
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

static inline int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? 0 : grow_slow(v, cap, need, elem);
}

static int fail(struct xscan *x, const char *msg)
{
	if (!x->err)
		x->err = msg;
	return R_ERR;
}

static inline int is_space(unsigned char c)
{
	return space_cls[c];
}

/* Length of the UTF-8 sequence at p if it is an XML Char, 0 when cut short, -1 when bad. */
static int utf8_char(const unsigned char *p, size_t avail)
{
	unsigned c = p[0], n, cp;

	if (c < 0xc2 || c > 0xf4)
		return -1;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	for (unsigned i = 1; i < n; i++) {
		if (i >= avail)
			return 0;
		if ((p[i] & 0xc0) != 0x80)
			return -1;
	}
	if (n == 2)
		return 2;
	if (n == 3) {
		cp = (c & 0x0f) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu);
		if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) || cp >= 0xfffe)
			return -1;
		return 3;
	}
	cp = (c & 0x07) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 | (p[3] & 0x3fu);
	return cp < 0x10000 || cp > 0x10ffff ? -1 : 4;
}

/* A byte of class C_HI at p: advance past its character, or say why not. */
static int hi_char(struct xscan *x, const char **p, const char *end, int final)
{
	int n = utf8_char((const unsigned char *)*p, (size_t)(end - *p));

	if (n < 0 || (n == 0 && final))
		return fail(x, n < 0 ? "not well-formed (invalid token)" : "unclosed token");
	if (n == 0)
		return R_NEED;
	*p += n;
	return R_OK;
}

/* A Name at p: its end in *q. Non-ASCII bytes must be valid UTF-8. */
static int scan_name(struct xscan *x, const char *p, const char *end, int final, const char **q)
{
	if (p == end)
		return final ? fail(x, "unclosed token") : R_NEED;
	if (name_cls[(unsigned char)*p] == 2 || !name_cls[(unsigned char)*p])
		return fail(x, "not well-formed (invalid token)");
	for (;;) {
		unsigned k;
		while (p < end && (k = name_cls[(unsigned char)*p]) != 0 && k != 3)
			p++;
		if (p == end || k == 0)
			break;
		int r = hi_char(x, &p, end, final);
		if (r != R_OK)
			return r;
	}
	if (p == end && !final)
		return R_NEED;
	*q = p;
	return R_OK;
}

static int char_ok(unsigned long c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

static size_t put_utf8(char *o, unsigned long c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/*
 * A reference at p ('&'): its end in *q and, when out is set, its
 * replacement there (at most 4 bytes) with the length in *olen.
 */
static int scan_ref(struct xscan *x, const char *p, const char *end, int final,
		    const char **q, char *out, size_t *olen)
{
	static const struct { const char *name; char c; } pre[] = {
		{ "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' },
	};
	const char *s = p + 1, *e;
	int r;

	if (s < end && *s == '#') {
		unsigned long v = 0;
		int hex = s + 1 < end && s[1] == 'x', digits = 0;
		for (s += 1 + hex; s < end && *s != ';'; s++, digits++) {
			unsigned d = (unsigned char)*s;
			if (d >= '0' && d <= '9')
				d -= '0';
			else if (hex && ((d | 0x20) >= 'a' && (d | 0x20) <= 'f'))
				d = (d | 0x20) - 'a' + 10;
			else
				return fail(x, "not well-formed (invalid token)");
			v = v * (hex ? 16 : 10) + d;
			if (v > 0x10ffff)
				v = 0x110000;   /* stays invalid, never overflows */
		}
		if (s == end)
			return final ? fail(x, "unclosed token") : R_NEED;
		if (!digits)
			return fail(x, "not well-formed (invalid token)");
		if (!char_ok(v))
			return fail(x, "reference to invalid character number");
		if (out)
			*olen = put_utf8(out, v);
		*q = s + 1;
		return R_OK;
	}
	r = scan_name(x, s, end, final, &e);
	if (r != R_OK)
		return r;
	if (*e != ';')
		return fail(x, "not well-formed (invalid token)");
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if ((size_t)(e - s) == strlen(pre[i].name) && !memcmp(s, pre[i].name, (size_t)(e - s))) {
			if (out) {
				out[0] = pre[i].c;
				*olen = 1;
			}
			*q = e + 1;
			return R_OK;
		}
	return fail(x, "undefined entity");
}

static void emit_text(struct xscan *x, const char *s, size_t n)
{
	while (n && !x->stopped) {
		int k = n > INT32_MAX ? INT32_MAX : (int)n;
		x->on_text(x->ud, s, k);
		s += k;
		n -= (size_t)k;
	}
}

/* Character data up to the next '<'; outside the root only white space. */
static int text(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos, *end = x->buf + x->len, *p = s, *run = s;
	int in_root = x->state == ST_CONTENT, r = R_OK;
	char out[4];
	size_t olen;

	x->tokline = x->line;
	while (p < end) {
		while (p < end && text_cls[(unsigned char)*p] == C_OK)
			p++;
		if (p == end)
			break;
		switch (text_cls[(unsigned char)*p]) {
		case C_LT:
			goto done;
		case C_LF:
			x->line++;
			/* fall through */
		case C_TAB:
			p++;
			continue;
		case C_HI:
			r = hi_char(x, &p, end, final);
			if (r != R_OK)
				goto done;
			continue;
		case C_RSQB:
			if (end - p < 3 && !final) {
				r = R_NEED;
				goto done;
			}
			if (end - p >= 3 && p[1] == ']' && p[2] == '>') {
				r = fail(x, "not well-formed (invalid token)");
				goto done;
			}
			p++;
			continue;
		case C_CR:
			if (p + 1 == end && !final) {
				r = R_NEED;
				goto done;
			}
			if (in_root) {
				emit_text(x, run, (size_t)(p - run));
				emit_text(x, "\n", 1);
			}
			p += p + 1 < end && p[1] == '\n' ? 2 : 1;
			x->line++;
			run = p;
			continue;
		case C_AMP: {
			const char *q;
			r = scan_ref(x, p, end, final, &q, out, &olen);
			if (r != R_OK)
				goto done;
			if (in_root) {
				emit_text(x, run, (size_t)(p - run));
				emit_text(x, out, olen);
			}
			p = run = q;
			continue;
		}
		default:
			r = fail(x, "not well-formed (invalid token)");
			goto done;
		}
	}
done:
	if (!in_root) {
		for (const char *c = s; c < p; c++)
			if (!is_space((unsigned char)*c)) {
				x->line = x->tokline;
				return fail(x, x->state == ST_EPILOG ? "junk after document element" :
					    "syntax error");
			}
	} else {
		emit_text(x, run, (size_t)(p - run));
	}
	x->pos = (size_t)(p - x->buf);
	return r;
}

/* Scan [p, end) of a comment, PI or CDATA body for its terminator. */
static int scan_until(struct xscan *x, const char *p, const char *end, int final, int kind,
		      unsigned long *lines, const char **q)
{
	for (;;) {
		while (p < end && misc_cls[(unsigned char)*p] == C_OK)
			p++;
		if (p == end)
			break;
		switch (misc_cls[(unsigned char)*p]) {
		case C_LF:
			(*lines)++;
			/* fall through */
		case C_TAB: case C_CR:
			p++;
			continue;
		case C_HI: {
			int r = hi_char(x, &p, end, final);
			if (r != R_OK)
				return r;
			continue;
		}
		case C_DASH:
			if (kind == '-' && end - p >= 2 && p[1] == '-') {
				if (end - p < 3)
					break;
				if (p[2] != '>')
					return fail(x, "not well-formed (invalid token)");
				*q = p;
				return R_OK;
			}
			if (kind == '-' && end - p < 2)
				break;
			p++;
			continue;
		case C_QM:
			if (kind == '?' && end - p >= 2 && p[1] == '>') {
				*q = p;
				return R_OK;
			}
			if (kind == '?' && end - p < 2)
				break;
			p++;
			continue;
		case C_RSQB:
			if (kind == '[' && end - p >= 3 && p[1] == ']' && p[2] == '>') {
				*q = p;
				return R_OK;
			}
			if (kind == '[' && end - p < 3)
				break;
			p++;
			continue;
		default:
			return fail(x, "not well-formed (invalid token)");
		}
		break;
	}
	return final ? fail(x, "unclosed token") : R_NEED;
}

static int comment(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos, *q;
	unsigned long lines = 0;
	int r = scan_until(x, s + 4, x->buf + x->len, final, '-', &lines, &q);

	if (r == R_OK) {
		x->line += lines;
		x->pos = (size_t)(q + 3 - x->buf);
	}
	return r;
}

static int pi(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos, *end = x->buf + x->len, *n, *q;
	unsigned long lines = 0;
	int r = scan_name(x, s + 2, end, final, &n);

	if (r != R_OK)
		return r;
	if (n - (s + 2) == 3 && (s[2] | 0x20) == 'x' && (s[3] | 0x20) == 'm' && (s[4] | 0x20) == 'l')
		return fail(x, "XML or text declaration not at start of entity");
	if (end - n < 2 && !final)
		return R_NEED;
	if (!(end - n >= 2 && n[0] == '?' && n[1] == '>') && (n == end || !is_space((unsigned char)*n)))
		return fail(x, "not well-formed (invalid token)");
	r = scan_until(x, n, end, final, '?', &lines, &q);
	if (r == R_OK) {
		x->line += lines;
		x->pos = (size_t)(q + 2 - x->buf);
	}
	return r;
}

static int cdata(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos + 9, *q, *run;
	unsigned long lines = 0;
	int r = scan_until(x, s, x->buf + x->len, final, '[', &lines, &q);

	if (r != R_OK)
		return r;
	x->tokline = x->line;
	x->line += lines;
	/* carriage returns are line ends here too */
	for (run = s; s < q; s++)
		if (*s == '\r') {
			emit_text(x, run, (size_t)(s - run));
			emit_text(x, "\n", 1);
			if (s + 1 < q && s[1] == '\n')
				s++;
			run = s + 1;
		}
	emit_text(x, run, (size_t)(q - run));
	x->pos = (size_t)(q + 3 - x->buf);
	return R_OK;
}

/* An attribute value at p (the quote): its span in *sp, its end in *q. */
static int attr_value(struct xscan *x, const char *p, const char *end, int final,
		      unsigned long *lines, struct span *sp, const char **q)
{
	int quote = *p == '"' ? C_QUOT : C_APOS;
	const char *s = ++p;

	sp->decode = 0;
	for (;;) {
		while (p < end && attr_cls[(unsigned char)*p] == C_OK)
			p++;
		if (p == end)
			return final ? fail(x, "unclosed token") : R_NEED;
		switch (attr_cls[(unsigned char)*p]) {
		case C_QUOT: case C_APOS:
			if (attr_cls[(unsigned char)*p] != quote) {
				p++;
				continue;
			}
			sp->off = (size_t)(s - x->buf);
			sp->len = (size_t)(p - s);
			*q = p + 1;
			return R_OK;
		case C_LF:
			(*lines)++;
			/* fall through */
		case C_TAB: case C_CR:
			sp->decode = 1;
			p++;
			continue;
		case C_AMP: {
			int r = scan_ref(x, p, end, final, &p, NULL, NULL);
			if (r != R_OK)
				return r;
			sp->decode = 1;
			continue;
		}
		case C_HI: {
			int r = hi_char(x, &p, end, final);
			if (r != R_OK)
				return r;
			continue;
		}
		default:
			return fail(x, "not well-formed (invalid token)");
		}
	}
}

/* Normalise a complete attribute value in place (XML 1.0 3.3.3, CDATA). */
static void decode_value(struct xscan *x, struct span *sp)
{
	char *p = x->buf + sp->off, *end = p + sp->len, *o = p;
	size_t olen;

	while (p < end) {
		if (*p == '&') {
			const char *q;
			scan_ref(x, p, end, 1, &q, o, &olen);
			o += olen;
			p = (char *)q;
		} else if (*p == '\r') {
			*o++ = ' ';
			p += p + 1 < end && p[1] == '\n' ? 2 : 1;
		} else {
			*o++ = *p == '\n' || *p == '\t' ? ' ' : *p;
			p++;
		}
	}
	sp->len = (size_t)(o - (x->buf + sp->off));
}

struct aname { const char *p; size_t len; };

static int aname_cmp(const void *a, const void *b)
{
	const struct aname *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->p, y->p, x->len);
}

/* Pairwise for the few attributes real tags have; sorted for hostile many. */
static int dup_attrs(struct xscan *x, size_t n)
{
	struct aname *v;
	int dup = 0;

	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (x->sp[2 * i].len == x->sp[2 * j].len &&
				    !memcmp(x->buf + x->sp[2 * i].off, x->buf + x->sp[2 * j].off,
					    x->sp[2 * i].len))
					return 1;
		return 0;
	}
	v = malloc(n * sizeof(*v));
	if (!v)
		return fail(x, "out of memory"), -1;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct aname){ x->buf + x->sp[2 * i].off, x->sp[2 * i].len };
	qsort(v, n, sizeof(*v), aname_cmp);
	for (size_t i = 1; i < n && !dup; i++)
		dup = !aname_cmp(&v[i - 1], &v[i]);
	free(v);
	return dup;
}

static int push_name(struct xscan *x, const char *name, size_t n)
{
	if (grow((void **)&x->stack, &x->scap, x->slen + n + 1, 1) ||
	    grow((void **)&x->tops, &x->tcap, x->depth + 1, sizeof(*x->tops)))
		return fail(x, "out of memory");
	x->tops[x->depth++] = (struct open){ x->slen, n };
	memcpy(x->stack + x->slen, name, n + 1);
	x->slen += n + 1;
	return R_OK;
}

/* Parse a start tag without writing; on success deliver it. */
static int start_tag(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos, *end = x->buf + x->len, *p, *n;
	unsigned long lines = 0;
	size_t na = 0, nlen;
	int r, empty;

	if (x->state == ST_EPILOG)
		return fail(x, "junk after document element");
	r = scan_name(x, s + 1, end, final, &n);
	if (r != R_OK)
		return r;
	nlen = (size_t)(n - (s + 1));
	for (p = n;;) {
		const char *an, *ws = p;
		while (p < end && is_space((unsigned char)*p))
			lines += *p++ == '\n';
		if (p == end)
			return final ? fail(x, "unclosed token") : R_NEED;
		if (*p == '>' || *p == '/') {
			if (*p == '/' && p + 1 == end)
				return final ? fail(x, "unclosed token") : R_NEED;
			if (*p == '/' && p[1] != '>')
				return fail(x, "not well-formed (invalid token)");
			empty = *p == '/';
			p += 1 + empty;
			break;
		}
		if (ws == p)
			return fail(x, "not well-formed (invalid token)");
		if (grow((void **)&x->sp, &x->spcap, 2 * na + 2, sizeof(*x->sp)))
			return fail(x, "out of memory");
		r = scan_name(x, p, end, final, &an);
		if (r != R_OK)
			return r;
		x->sp[2 * na] = (struct span){ (size_t)(p - x->buf), (size_t)(an - p), 0 };
		for (p = an; p < end && is_space((unsigned char)*p); p++)
			lines += *p == '\n';
		if (p < end && *p != '=')
			return fail(x, "not well-formed (invalid token)");
		for (p += p < end; p < end && is_space((unsigned char)*p); p++)
			lines += *p == '\n';
		if (p == end)
			return final ? fail(x, "unclosed token") : R_NEED;
		if (*p != '"' && *p != '\'')
			return fail(x, "not well-formed (invalid token)");
		r = attr_value(x, p, end, final, &lines, &x->sp[2 * na + 1], &p);
		if (r != R_OK)
			return r;
		na++;
	}
	if (na > 1 && (r = dup_attrs(x, na)) != 0)
		return r < 0 ? R_ERR : fail(x, "duplicate attribute");
	if (grow((void **)&x->atts, &x->attcap, 2 * na + 1, sizeof(*x->atts)))
		return fail(x, "out of memory");
	/* the tag is whole: terminate and decode in place */
	for (size_t i = 0; i < 2 * na; i++) {
		struct span *sp = &x->sp[i];
		if (sp->decode)
			decode_value(x, sp);
		x->buf[sp->off + sp->len] = 0;
		x->atts[i] = x->buf + sp->off;
	}
	x->atts[2 * na] = NULL;
	x->buf[x->pos + 1 + nlen] = 0;
	x->tokline = x->line;
	x->line += lines;
	x->pos = (size_t)(p - x->buf);
	x->state = ST_CONTENT;
	x->on_start(x->ud, s + 1, x->atts);
	if (empty) {
		if (!x->stopped)
			x->on_end(x->ud, s + 1);
		if (!x->depth)
			x->state = ST_EPILOG;
		return R_OK;
	}
	return push_name(x, s + 1, nlen);
}

static int same(const char *a, const char *b, size_t n)
{
	while (n && *a == *b)
		a++, b++, n--;
	return !n;
}

static int end_tag(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos, *end = x->buf + x->len, *n, *p;
	unsigned long lines = 0;
	const char *top = x->depth ? x->stack + x->tops[x->depth - 1].off : "";
	size_t tl = x->depth ? x->tops[x->depth - 1].len : 0;
	int r;

	/* the open element's name, checked when it was pushed, is the usual case */
	if (x->depth && (size_t)(end - s) > tl + 2 && same(s + 2, top, tl) &&
	    !name_cls[(unsigned char)s[2 + tl]]) {
		n = s + 2 + tl;
	} else {
		r = scan_name(x, s + 2, end, final, &n);
		if (r != R_OK)
			return r;
		if (!x->depth)
			return fail(x, x->state == ST_EPILOG ? "junk after document element" :
				    "not well-formed (invalid token)");
		if (tl != (size_t)(n - (s + 2)) || !same(top, s + 2, tl))
			return fail(x, "mismatched tag");
	}
	for (p = n; p < end && is_space((unsigned char)*p); p++)
		lines += *p == '\n';
	if (p == end)
		return final ? fail(x, "unclosed token") : R_NEED;
	if (*p != '>')
		return fail(x, "not well-formed (invalid token)");
	x->tokline = x->line;
	x->line += lines;
	x->pos = (size_t)(p + 1 - x->buf);
	x->depth--;
	x->on_end(x->ud, top);
	x->slen = x->tops[x->depth].off;
	if (!x->depth)
		x->state = ST_EPILOG;
	return R_OK;
}

/* Does the buffer start with lit, is it too short to say (R_NEED), or not? */
static int starts(const struct xscan *x, const char *lit, int final)
{
	size_t avail = x->len - x->pos, n = strlen(lit);

	if (memcmp(x->buf + x->pos, lit, avail < n ? avail : n))
		return 0;
	return avail >= n ? 1 : final ? 0 : -1;
}

static int markup(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos;
	int m;

	if (x->len - x->pos < 2)
		return final ? fail(x, "unclosed token") : R_NEED;
	x->tokline = x->line;
	if (s[1] == '/')
		return end_tag(x, final);
	if (s[1] == '?')
		return pi(x, final);
	if (s[1] != '!')
		return start_tag(x, final);
	if ((m = starts(x, "<!--", final)) != 0)
		return m < 0 ? R_NEED : comment(x, final);
	if (x->state == ST_CONTENT && (m = starts(x, "<![CDATA[", final)) != 0)
		return m < 0 ? R_NEED : cdata(x, final);
	return fail(x, x->state == ST_EPILOG ? "junk after document element" :
		    "not well-formed (invalid token)");
}

/*
 * The XML declaration this reader takes: version 1.0, encoding UTF-8 (any
 * case) or none, standalone or not, in that order. 1 taken, 0 not ours
 * (expat decides), -1 need more.
 */
static int xml_decl(struct xscan *x, int final)
{
	static const char *const keys[] = { "version", "encoding", "standalone" };
	const char *p = x->buf + x->pos + 5, *end = x->buf + x->len;
	const char *e = memchr(p, '>', (size_t)(end - p));
	int k = 0;

	if (!e)
		return final || end - p > 4096 ? 0 : -1;
	while (p < e) {
		const char *v;
		size_t n;
		if (!is_space((unsigned char)*p))
			break;
		while (p < e && is_space((unsigned char)*p))
			p++;
		if (*p == '?')
			break;
		while (k < 3 && (strncmp(p, keys[k], strlen(keys[k])) || p[strlen(keys[k])] != '='))
			k++;
		if (k == 3)
			return 0;
		p += strlen(keys[k]) + 1;
		if (*p != '"' && *p != '\'')
			return 0;
		v = p + 1;
		if (!(p = memchr(v, *p, (size_t)(e - v))))
			return 0;
		n = (size_t)(p++ - v);
		if ((k == 0 && (n != 3 || memcmp(v, "1.0", 3))) ||
		    (k == 1 && (n != 5 || strncasecmp(v, "utf-8", 5))) ||
		    (k == 2 && !(n == 3 && !memcmp(v, "yes", 3)) && !(n == 2 && !memcmp(v, "no", 2))))
			return 0;
		if (k++ == 0 && p >= e)
			return 0;
	}
	if (k == 0 || p + 2 != e + 1 || p[0] != '?')
		return 0;
	x->pos = (size_t)(e + 1 - x->buf);
	return 1;
}

/* Hand everything so far to expat; it reads the rest too. */
static int to_expat(struct xscan *x, int final)
{
	x->xp = XML_ParserCreate(NULL);
	if (!x->xp)
		return fail(x, "out of memory");
	XML_SetUserData(x->xp, x->ud);
	XML_SetElementHandler(x->xp, x->on_start, x->on_end);
	XML_SetCharacterDataHandler(x->xp, x->on_text);
	x->pos = 0;
	while (x->len > INT32_MAX) {
		if (XML_Parse(x->xp, x->buf + x->pos, INT32_MAX, 0) == XML_STATUS_ERROR)
			return R_ERR;
		x->pos += INT32_MAX;
		x->len -= INT32_MAX;
	}
	if (XML_Parse(x->xp, x->buf + x->pos, (int)x->len, final) == XML_STATUS_ERROR)
		return R_ERR;
	free(x->buf);
	x->buf = NULL;
	x->len = x->pos = x->cap = 0;
	return R_OK;
}

/* Before the root: BOM, declaration, comments, PIs, white space. */
static int prolog(struct xscan *x, int final)
{
	const unsigned char *u = (const unsigned char *)x->buf;

	if (!x->bom_done) {
		/* enough to see a BOM and "<?xml " whole */
		if (x->len < 9 && !final)
			return R_NEED;
		/* UTF-16/32 (with or without a BOM) and anything odd go to expat */
		if (x->len && (u[0] == 0 || u[0] == 0xfe || u[0] == 0xff))
			return to_expat(x, final);
		if (x->len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
			x->pos = 3;
		x->bom_done = 1;
		if (x->len - x->pos >= 5 && !memcmp(x->buf + x->pos, "<?xml", 5) &&
		    (x->len - x->pos == 5 || is_space(u[x->pos + 5]) || u[x->pos + 5] == '?')) {
			int d = xml_decl(x, final);
			if (d < 0) {
				x->bom_done = 0;
				x->pos = 0;
				return R_NEED;
			}
			if (d == 0)
				return to_expat(x, final);
		}
	}
	while (x->pos < x->len && x->state == ST_PROLOG) {
		int r;
		if (x->buf[x->pos] != '<')
			r = text(x, final);
		else if (x->len - x->pos < 2 || starts(x, "<!--", final) < 0)
			r = final ? R_ERR : R_NEED;
		else if (x->buf[x->pos + 1] == '?' || x->buf[x->pos + 1] == '!')
			r = x->buf[x->pos + 1] == '?' ? pi(x, final) :
			    starts(x, "<!--", final) > 0 ? comment(x, final) : R_ERR;
		else
			return R_OK;    /* the root element: the fast path's own */
		if (r == R_NEED)
			return x->len > PROLOG_MAX ? to_expat(x, final) : R_NEED;
		if (r == R_ERR) {
			/* a DOCTYPE, or something wrong: expat says which */
			x->err = NULL;
			return to_expat(x, final);
		}
	}
	return final && x->state == ST_PROLOG ? to_expat(x, final) : R_OK;
}

static int scan(struct xscan *x, int final)
{
	int r = R_OK;

	if (x->state == ST_PROLOG) {
		r = prolog(x, final);
		if (r != R_OK || x->xp)
			return r;
	}
	while (x->pos < x->len && !x->stopped) {
		r = x->buf[x->pos] == '<' ? markup(x, final) : text(x, final);
		if (r != R_OK)
			break;
	}
	if (x->stopped)
		return fail(x, "parsing aborted");
	if (r == R_NEED && x->len - x->pos > TOKEN_MAX)
		return fail(x, "token too long");
	if (final && r != R_ERR && x->state != ST_EPILOG)
		return fail(x, r == R_NEED ? "unclosed token" : "no element found");
	return r;
}

struct xscan *xscan_new(void *ud, xscan_start_fn start, xscan_end_fn end, xscan_text_fn text_fn)
{
	struct xscan *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->ud = ud;
	x->on_start = start;
	x->on_end = end;
	x->on_text = text_fn;
	x->line = x->tokline = 1;
	return x;
}

int xscan_feed(struct xscan *x, const char *buf, size_t n, int final)
{
	int r;

	if (x->err)
		return -1;
	if (x->xp) {
		while (n > INT32_MAX) {
			if (XML_Parse(x->xp, buf, INT32_MAX, 0) == XML_STATUS_ERROR)
				return -1;
			buf += INT32_MAX;
			n -= INT32_MAX;
		}
		return XML_Parse(x->xp, buf, (int)n, final) == XML_STATUS_ERROR ? -1 : 0;
	}
	/* the prolog is kept whole in case expat has to start from byte 0 */
	if (x->state != ST_PROLOG && x->pos) {
		memmove(x->buf, x->buf + x->pos, x->len - x->pos);
		x->len -= x->pos;
		x->pos = 0;
	}
	if (grow((void **)&x->buf, &x->cap, x->len + n + 1, 1)) {
		fail(x, "out of memory");
		return -1;
	}
	memcpy(x->buf + x->len, buf, n);
	x->len += n;
	x->buf[x->len] = 0;     /* a name that ends the input is followed by a NUL, not garbage */
	/* a token still cut short is not rescanned until it could have doubled */
	if (!final && x->need && x->len - x->pos < 2 * x->need)
		return 0;
	r = scan(x, final);
	x->need = r == R_NEED ? x->len - x->pos : 0;
	return r == R_ERR ? -1 : 0;
}

void xscan_stop(struct xscan *x)
{
	x->stopped = 1;
	if (x->xp)
		XML_StopParser(x->xp, XML_FALSE);
}

unsigned long xscan_line(const struct xscan *x)
{
	if (x->xp)
		return (unsigned long)XML_GetCurrentLineNumber(x->xp);
	return x->err ? x->line : x->tokline;
}

const char *xscan_error(const struct xscan *x)
{
	if (x->xp)
		return XML_ErrorString(XML_GetErrorCode(x->xp));
	return x->err ? x->err : "no error";
}

int xscan_used_expat(const struct xscan *x)
{
	return x->xp != NULL;
}

void xscan_free(struct xscan *x)
{
	if (!x)
		return;
	if (x->xp)
		XML_ParserFree(x->xp);
	free(x->buf);
	free(x->stack);
	free(x->tops);
	free(x->sp);
	free(x->atts);
	free(x);
}
