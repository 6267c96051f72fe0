/* SPDX-License-Identifier: MIT */
/*
 * xmlscan's tags. A start tag is parsed without writing to the buffer (a
 * tag cut by the end of a chunk is scanned again later and must find the
 * bytes as they came); only a whole tag is NUL-terminated and its values
 * decoded in place before the handler sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "repo/xmlscan_int.h"

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
			return final ? xs_fail(x, "unclosed token") : R_NEED;
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
			int r = xs_scan_ref(x, p, end, final, &p, NULL, NULL);
			if (r != R_OK)
				return r;
			sp->decode = 1;
			continue;
		}
		case C_HI: {
			int r = xs_hi_char(x, &p, end, final);
			if (r != R_OK)
				return r;
			continue;
		}
		default:
			return xs_fail(x, "not well-formed (invalid token)");
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
			xs_scan_ref(x, p, end, 1, &q, o, &olen);
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
		return xs_fail(x, "out of memory"), -1;
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
	if (xs_grow((void **)&x->stack, &x->scap, x->slen + n + 1, 1) ||
	    xs_grow((void **)&x->tops, &x->tcap, x->depth + 1, sizeof(*x->tops)))
		return xs_fail(x, "out of memory");
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
		return xs_fail(x, "junk after document element");
	r = xs_scan_name(x, s + 1, end, final, &n);
	if (r != R_OK)
		return r;
	nlen = (size_t)(n - (s + 1));
	for (p = n;;) {
		const char *an, *ws = p;
		while (p < end && xs_is_space((unsigned char)*p))
			lines += *p++ == '\n';
		if (p == end)
			return final ? xs_fail(x, "unclosed token") : R_NEED;
		if (*p == '>' || *p == '/') {
			if (*p == '/' && p + 1 == end)
				return final ? xs_fail(x, "unclosed token") : R_NEED;
			if (*p == '/' && p[1] != '>')
				return xs_fail(x, "not well-formed (invalid token)");
			empty = *p == '/';
			p += 1 + empty;
			break;
		}
		if (ws == p)
			return xs_fail(x, "not well-formed (invalid token)");
		if (xs_grow((void **)&x->sp, &x->spcap, 2 * na + 2, sizeof(*x->sp)))
			return xs_fail(x, "out of memory");
		r = xs_scan_name(x, p, end, final, &an);
		if (r != R_OK)
			return r;
		x->sp[2 * na] = (struct span){ (size_t)(p - x->buf), (size_t)(an - p), 0 };
		for (p = an; p < end && xs_is_space((unsigned char)*p); p++)
			lines += *p == '\n';
		if (p < end && *p != '=')
			return xs_fail(x, "not well-formed (invalid token)");
		for (p += p < end; p < end && xs_is_space((unsigned char)*p); p++)
			lines += *p == '\n';
		if (p == end)
			return final ? xs_fail(x, "unclosed token") : R_NEED;
		if (*p != '"' && *p != '\'')
			return xs_fail(x, "not well-formed (invalid token)");
		r = attr_value(x, p, end, final, &lines, &x->sp[2 * na + 1], &p);
		if (r != R_OK)
			return r;
		na++;
	}
	if (na > 1 && (r = dup_attrs(x, na)) != 0)
		return r < 0 ? R_ERR : xs_fail(x, "duplicate attribute");
	if (xs_grow((void **)&x->atts, &x->attcap, 2 * na + 1, sizeof(*x->atts)))
		return xs_fail(x, "out of memory");
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
		r = xs_scan_name(x, s + 2, end, final, &n);
		if (r != R_OK)
			return r;
		if (!x->depth)
			return xs_fail(x, x->state == ST_EPILOG ? "junk after document element" :
				    "not well-formed (invalid token)");
		if (tl != (size_t)(n - (s + 2)) || !same(top, s + 2, tl))
			return xs_fail(x, "mismatched tag");
	}
	for (p = n; p < end && xs_is_space((unsigned char)*p); p++)
		lines += *p == '\n';
	if (p == end)
		return final ? xs_fail(x, "unclosed token") : R_NEED;
	if (*p != '>')
		return xs_fail(x, "not well-formed (invalid token)");
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
int xs_starts(const struct xscan *x, const char *lit, int final)
{
	size_t avail = x->len - x->pos, n = strlen(lit);

	if (memcmp(x->buf + x->pos, lit, avail < n ? avail : n))
		return 0;
	return avail >= n ? 1 : final ? 0 : -1;
}

int xs_markup(struct xscan *x, int final)
{
	const char *s = x->buf + x->pos;
	int m;

	if (x->len - x->pos < 2)
		return final ? xs_fail(x, "unclosed token") : R_NEED;
	x->tokline = x->line;
	if (s[1] == '/')
		return end_tag(x, final);
	if (s[1] == '?')
		return xs_pi(x, final);
	if (s[1] != '!')
		return start_tag(x, final);
	if ((m = xs_starts(x, "<!--", final)) != 0)
		return m < 0 ? R_NEED : xs_comment(x, final);
	if (x->state == ST_CONTENT && (m = xs_starts(x, "<![CDATA[", final)) != 0)
		return m < 0 ? R_NEED : xs_cdata(x, final);
	return xs_fail(x, x->state == ST_EPILOG ? "junk after document element" :
		    "not well-formed (invalid token)");
}

