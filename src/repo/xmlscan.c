/* SPDX-License-Identifier: MIT */
/*
 * xmlscan's driver: input is appended to one buffer and scanned a token at
 * a time; a token cut by the end of a chunk is scanned again once more data
 * came (at least twice as much, so a huge token costs linear time). The
 * prolog is kept whole until the root element, so a document the fast
 * path leaves alone can go to expat from its first byte.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repo/xmlscan_int.h"

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
		if (!xs_is_space((unsigned char)*p))
			break;
		while (p < e && xs_is_space((unsigned char)*p))
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
		return xs_fail(x, "out of memory");
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
		    (x->len - x->pos == 5 || xs_is_space(u[x->pos + 5]) || u[x->pos + 5] == '?')) {
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
			r = xs_text(x, final);
		else if (x->len - x->pos < 2 || xs_starts(x, "<!--", final) < 0)
			r = final ? R_ERR : R_NEED;
		else if (x->buf[x->pos + 1] == '?' || x->buf[x->pos + 1] == '!')
			r = x->buf[x->pos + 1] == '?' ? xs_pi(x, final) :
			    xs_starts(x, "<!--", final) > 0 ? xs_comment(x, final) : R_ERR;
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
		r = x->buf[x->pos] == '<' ? xs_markup(x, final) : xs_text(x, final);
		if (r != R_OK)
			break;
	}
	if (x->stopped)
		return xs_fail(x, "parsing aborted");
	if (r == R_NEED && x->len - x->pos > TOKEN_MAX)
		return xs_fail(x, "token too long");
	if (final && r != R_ERR && x->state != ST_EPILOG)
		return xs_fail(x, r == R_NEED ? "unclosed token" : "no element found");
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
	if (xs_grow((void **)&x->buf, &x->cap, x->len + n + 1, 1)) {
		xs_fail(x, "out of memory");
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

