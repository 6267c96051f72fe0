/* SPDX-License-Identifier: MIT */
/*
 * xmlscan's character level: UTF-8 and XML Char checks, names, references,
 * character data (handed out where it lies, split at references and
 * carriage returns, whose replacements are handed out separately),
 * comments, processing instructions and CDATA sections.
 */
#include <stdlib.h>
#include <string.h>

#include "repo/xmlscan_int.h"

int xs_grow_slow(void **v, size_t *cap, size_t need, size_t elem)
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

int xs_fail(struct xscan *x, const char *msg)
{
	if (!x->err)
		x->err = msg;
	return R_ERR;
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
int xs_hi_char(struct xscan *x, const char **p, const char *end, int final)
{
	int n = utf8_char((const unsigned char *)*p, (size_t)(end - *p));

	if (n < 0 || (n == 0 && final))
		return xs_fail(x, n < 0 ? "not well-formed (invalid token)" : "unclosed token");
	if (n == 0)
		return R_NEED;
	*p += n;
	return R_OK;
}

/* A Name at p: its end in *q. Non-ASCII bytes must be valid UTF-8. */
int xs_scan_name(struct xscan *x, const char *p, const char *end, int final, const char **q)
{
	if (p == end)
		return final ? xs_fail(x, "unclosed token") : R_NEED;
	if (name_cls[(unsigned char)*p] == 2 || !name_cls[(unsigned char)*p])
		return xs_fail(x, "not well-formed (invalid token)");
	for (;;) {
		unsigned k;
		while (p < end && (k = name_cls[(unsigned char)*p]) != 0 && k != 3)
			p++;
		if (p == end || k == 0)
			break;
		int r = xs_hi_char(x, &p, end, final);
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
int xs_scan_ref(struct xscan *x, const char *p, const char *end, int final,
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
				return xs_fail(x, "not well-formed (invalid token)");
			v = v * (hex ? 16 : 10) + d;
			if (v > 0x10ffff)
				v = 0x110000;   /* stays invalid, never overflows */
		}
		if (s == end)
			return final ? xs_fail(x, "unclosed token") : R_NEED;
		if (!digits)
			return xs_fail(x, "not well-formed (invalid token)");
		if (!char_ok(v))
			return xs_fail(x, "reference to invalid character number");
		if (out)
			*olen = put_utf8(out, v);
		*q = s + 1;
		return R_OK;
	}
	r = xs_scan_name(x, s, end, final, &e);
	if (r != R_OK)
		return r;
	if (*e != ';')
		return xs_fail(x, "not well-formed (invalid token)");
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if ((size_t)(e - s) == strlen(pre[i].name) && !memcmp(s, pre[i].name, (size_t)(e - s))) {
			if (out) {
				out[0] = pre[i].c;
				*olen = 1;
			}
			*q = e + 1;
			return R_OK;
		}
	return xs_fail(x, "undefined entity");
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
int xs_text(struct xscan *x, int final)
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
			r = xs_hi_char(x, &p, end, final);
			if (r != R_OK)
				goto done;
			continue;
		case C_RSQB:
			if (end - p < 3 && !final) {
				r = R_NEED;
				goto done;
			}
			if (end - p >= 3 && p[1] == ']' && p[2] == '>') {
				r = xs_fail(x, "not well-formed (invalid token)");
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
			r = xs_scan_ref(x, p, end, final, &q, out, &olen);
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
			r = xs_fail(x, "not well-formed (invalid token)");
			goto done;
		}
	}
done:
	if (!in_root) {
		for (const char *c = s; c < p; c++)
			if (!xs_is_space((unsigned char)*c)) {
				x->line = x->tokline;
				return xs_fail(x, x->state == ST_EPILOG ? "junk after document element" :
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
			int r = xs_hi_char(x, &p, end, final);
			if (r != R_OK)
				return r;
			continue;
		}
		case C_DASH:
			if (kind == '-' && end - p >= 2 && p[1] == '-') {
				if (end - p < 3)
					break;
				if (p[2] != '>')
					return xs_fail(x, "not well-formed (invalid token)");
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
			return xs_fail(x, "not well-formed (invalid token)");
		}
		break;
	}
	return final ? xs_fail(x, "unclosed token") : R_NEED;
}

int xs_comment(struct xscan *x, int final)
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

int xs_pi(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos, *end = x->buf + x->len, *n, *q;
	unsigned long lines = 0;
	int r = xs_scan_name(x, s + 2, end, final, &n);

	if (r != R_OK)
		return r;
	if (n - (s + 2) == 3 && (s[2] | 0x20) == 'x' && (s[3] | 0x20) == 'm' && (s[4] | 0x20) == 'l')
		return xs_fail(x, "XML or text declaration not at start of entity");
	if (end - n < 2 && !final)
		return R_NEED;
	if (!(end - n >= 2 && n[0] == '?' && n[1] == '>') && (n == end || !xs_is_space((unsigned char)*n)))
		return xs_fail(x, "not well-formed (invalid token)");
	r = scan_until(x, n, end, final, '?', &lines, &q);
	if (r == R_OK) {
		x->line += lines;
		x->pos = (size_t)(q + 2 - x->buf);
	}
	return r;
}

int xs_cdata(struct xscan *x, int final)
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

