/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 response head and chunked body parsing (RFC 9112). Nothing here
 * touches a socket, so the fuzz target and unit tests drive it directly.
 */
#include "net/http.h"
#include "util/err.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void alu_http_head_free(struct alu_http_head *h)
{
	free(h->buf);
	free(h->location);
	memset(h, 0, sizeof(*h));
}

static int token_in(const char *v, size_t n, const char *tok)
{
	size_t tn = strlen(tok);

	for (size_t i = 0; i < n;) {
		while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t'))
			i++;
		size_t s = i;
		while (i < n && v[i] != ',')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tn && !strncasecmp(v + s, tok, tn))
			return 1;
	}
	return 0;
}

/* the last coding of Transfer-Encoding must be chunked; others are refused */
static int parse_te(struct alu_http_head *h, const char *v, size_t n)
{
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n >= 7 && !strncasecmp(v + n - 7, "chunked", 7) && (n == 7 || v[n - 8] == ',' ||
			v[n - 8] == ' ' || v[n - 8] == '\t')) {
		const char *p = v;
		while (p < v + n - 7 && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p != v + n - 7)
			return -ALUE_HTTP; /* gzip, chunked: we asked for identity */
		h->chunked = 1;
		return 0;
	}
	return -ALUE_HTTP;
}

static int parse_u64(const char **pp, const char *end, int64_t *out)
{
	const char *p = *pp;
	int64_t v = 0;

	if (p >= end || !isdigit((unsigned char)*p))
		return -1;
	for (; p < end && isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	*pp = p;
	*out = v;
	return 0;
}

/* Content-Range: bytes S-E/T or bytes S-E/ * */
static int parse_range(struct alu_http_head *h, const char *v, size_t n)
{
	const char *p = v, *end = v + n;
	int64_t s, e, t = -1;

	if (n < 6 || strncasecmp(p, "bytes", 5))
		return -ALUE_HTTP;
	p += 5;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '*')
		return 0; /* "bytes * /T" comes with 416 */
	if (parse_u64(&p, end, &s) || p >= end || *p++ != '-' || parse_u64(&p, end, &e) ||
			p >= end || *p++ != '/' || e < s)
		return -ALUE_HTTP;
	if (p < end && *p == '*')
		p++;
	else if (parse_u64(&p, end, &t) || t <= e)
		return -ALUE_HTTP;
	if (p != end)
		return -ALUE_HTTP;
	h->range_start = s;
	h->range_total = t;
	return 0;
}

static int header(struct alu_http_head *h, const char *l, size_t n, int *seen_len)
{
	const char *colon = memchr(l, ':', n);
	const char *v, *end = l + n;
	size_t nn;

	if (!colon || colon == l)
		return -ALUE_HTTP;
	nn = (size_t)(colon - l);
	for (size_t i = 0; i < nn; i++)
		if (l[i] <= ' ' || l[i] >= 0x7f)
			return -ALUE_HTTP;
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vn = (size_t)(end - v);
#define IS(name) (nn == sizeof(name) - 1 && !strncasecmp(l, name, nn))
	if (IS("content-length")) {
		const char *p = v;
		int64_t len;
		if (parse_u64(&p, end, &len) || p != end)
			return -ALUE_HTTP;
		if (*seen_len && h->length != len)
			return -ALUE_HTTP; /* conflicting lengths: response splitting */
		*seen_len = 1;
		h->length = len;
	} else if (IS("transfer-encoding")) {
		return parse_te(h, v, vn);
	} else if (IS("connection")) {
		if (token_in(v, vn, "close"))
			h->close = 1;
		else if (token_in(v, vn, "keep-alive") && h->minor == 0)
			h->close = 0;
	} else if (IS("location")) {
		free(h->location);
		h->location = strndup(v, vn);
		if (!h->location)
			return -ENOMEM;
	} else if (IS("content-range")) {
		return parse_range(h, v, vn);
	}
#undef IS
	return 0;
}

static int parse(struct alu_http_head *h)
{
	char *p = h->buf, *end = h->buf + h->len;
	int seen_len = 0, r;

	h->length = h->range_start = h->range_total = -1;
	/* status line: HTTP/1.x SP 3DIGIT SP reason */
	if (h->len < 12 || memcmp(p, "HTTP/1.", 7) || !isdigit((unsigned char)p[7]) || p[8] != ' ' ||
			!isdigit((unsigned char)p[9]) || !isdigit((unsigned char)p[10]) ||
			!isdigit((unsigned char)p[11]))
		return -ALUE_HTTP;
	h->minor = p[7] - '0';
	h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (h->status < 100)
		return -ALUE_HTTP;
	h->close = h->minor == 0;
	p += 12;
	char *eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol || (p < eol && *p != ' ' && *p != '\r'))
		return -ALUE_HTTP;
	{
		char *r0 = p, *r1 = eol;
		while (r0 < r1 && *r0 == ' ')
			r0++;
		if (r1 > r0 && r1[-1] == '\r')
			r1--;
		size_t rn = (size_t)(r1 - r0);
		if (rn >= sizeof(h->reason))
			rn = sizeof(h->reason) - 1;
		for (size_t i = 0; i < rn; i++)
			h->reason[i] = (unsigned char)r0[i] < ' ' || r0[i] == 0x7f ? '?' : r0[i];
		h->reason[rn] = 0;
	}
	for (p = eol + 1; p < end;) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			return -ALUE_HTTP;
		size_t ln = (size_t)(eol - p);
		if (ln && p[ln - 1] == '\r')
			ln--;
		if (ln == 0)
			break;
		if (*p == ' ' || *p == '\t')
			return -ALUE_HTTP; /* obsolete line folding, refused by RFC 9112 */
		for (size_t i = 0; i < ln; i++)
			if (p[i] == 0 || p[i] == '\r')
				return -ALUE_HTTP;
		r = header(h, p, ln, &seen_len);
		if (r)
			return r;
		p = eol + 1;
	}
	if (h->chunked)
		h->length = -1;
	return 1;
}

int alu_http_head_feed(struct alu_http_head *h, const char *p, size_t n, size_t *used)
{
	size_t i;

	*used = 0;
	for (i = 0; i < n; i++) {
		if (h->len == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 1024;
			if (cap > ALU_HTTP_HEAD_MAX)
				cap = ALU_HTTP_HEAD_MAX;
			if (h->len == cap)
				return -ALUE_HTTP;
			char *b = realloc(h->buf, cap + 1);
			if (!b)
				return -ENOMEM;
			h->buf = b;
			h->cap = cap;
		}
		h->buf[h->len++] = p[i];
		/* the head ends with an empty line: "\r\n\r\n", or "\n\n" from lax servers */
		if (p[i] == '\n' && h->len >= 2 && (h->buf[h->len - 2] == '\n' ||
				(h->len >= 3 && h->buf[h->len - 2] == '\r' && h->buf[h->len - 3] == '\n'))) {
			h->buf[h->len] = 0;
			*used = i + 1;
			return parse(h);
		}
	}
	*used = n;
	return 0;
}

enum { C_SIZE, C_EXT, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF, C_TRAILER, C_TRAILER_LINE,
	C_TRAILER_LF, C_END_LF, C_DONE };

#define LINE_MAX_BYTES 4096

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int alu_http_chunked_feed(struct alu_http_chunked *c, char *p, size_t n, size_t *used,
	size_t *out)
{
	size_t i = 0, o = 0;

	while (i < n && c->state != C_DONE) {
		unsigned char ch = (unsigned char)p[i];
		int d;

		switch (c->state) {
		case C_SIZE:
			d = hexval(ch);
			if (d >= 0) {
				if (c->digits >= 15)
					return -ALUE_HTTP;
				c->left = c->left * 16 + (uint64_t)d;
				c->digits++;
			} else if (c->digits && (ch == ';' || ch == ' ' || ch == '\t')) {
				c->state = C_EXT;
			} else if (c->digits && ch == '\r') {
				c->state = C_SIZE_LF;
			} else if (c->digits && ch == '\n') {
				goto size_done;
			} else {
				return -ALUE_HTTP;
			}
			i++;
			break;
		case C_EXT:
			if (++c->line > LINE_MAX_BYTES)
				return -ALUE_HTTP;
			if (ch == '\r')
				c->state = C_SIZE_LF;
			else if (ch == '\n')
				goto size_done;
			i++;
			break;
		case C_SIZE_LF:
			if (ch != '\n')
				return -ALUE_HTTP;
		size_done:
			i++;
			c->digits = 0;
			c->line = 0;
			c->state = c->left ? C_DATA : C_TRAILER;
			break;
		case C_DATA: {
			size_t take = n - i;
			if (take > c->left)
				take = (size_t)c->left;
			memmove(p + o, p + i, take);
			o += take;
			i += take;
			c->left -= take;
			if (!c->left)
				c->state = C_DATA_CR;
			break;
		}
		case C_DATA_CR:
			if (ch == '\r')
				c->state = C_DATA_LF;
			else if (ch == '\n')
				c->state = C_SIZE;
			else
				return -ALUE_HTTP;
			i++;
			break;
		case C_DATA_LF:
			if (ch != '\n')
				return -ALUE_HTTP;
			c->state = C_SIZE;
			i++;
			break;
		case C_TRAILER:
			if (ch == '\r')
				c->state = C_END_LF;
			else if (ch == '\n')
				c->state = C_DONE;
			else
				c->state = C_TRAILER_LINE;
			i++;
			break;
		case C_TRAILER_LINE:
			if (++c->line > LINE_MAX_BYTES)
				return -ALUE_HTTP;
			if (ch == '\n') {
				c->line = 0;
				c->state = C_TRAILER;
			}
			i++;
			break;
		case C_END_LF:
			if (ch != '\n')
				return -ALUE_HTTP;
			c->state = C_DONE;
			i++;
			break;
		}
	}
	if (c->state == C_DONE)
		c->done = 1;
	*used = i;
	*out = o;
	return 0;
}
