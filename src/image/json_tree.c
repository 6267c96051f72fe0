/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader and writer for OCI index, manifest and config blobs
 * (a few kilobytes each). Recursive descent with a depth bound; strings are
 * decoded (\uXXXX to UTF-8, surrogate pairs joined) and written back escaped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

#define MAX_DEPTH 64

struct rd {
	const char *p, *end, *start, *what;
	struct alu_err *e;
};

struct sb {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap * 2 : 256;
		while (c < b->n + n + 1)
			c *= 2;
		char *q = realloc(b->p, c);
		if (!q) {
			b->oom = 1;
			return;
		}
		b->p = q;
		b->cap = c;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static int bad(struct rd *r, const char *why)
{
	return alu_err_set(r->e, -ALUE_CORRUPT, "%s: malformed JSON at byte %zu: %s", r->what,
			   (size_t)(r->p - r->start), why);
}

static void ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

void alu_ij_free(struct alu_ij *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		alu_ij_free(v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
	free(v);
}

struct alu_ij *alu_ij_new(enum alu_ij_type type, const char *s)
{
	struct alu_ij *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->type = type;
	if (s && !(v->s = strdup(s))) {
		free(v);
		return NULL;
	}
	return v;
}

static int add_kid(struct alu_ij *a, char *key, struct alu_ij *kid)
{
	struct alu_ij **k = realloc(a->kids, (a->n + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	a->kids = k;
	if (a->type == ALU_IJ_OBJ) {
		char **ks = realloc(a->keys, (a->n + 1) * sizeof(*ks));
		if (!ks)
			return -ENOMEM;
		a->keys = ks;
		a->keys[a->n] = key;
	}
	a->kids[a->n++] = kid;
	return 0;
}

int alu_ij_put(struct alu_ij *a, const char *key, struct alu_ij *kid)
{
	char *k = NULL;
	int r;

	if (a->type == ALU_IJ_OBJ) {
		for (size_t i = 0; i < a->n; i++)
			if (!strcmp(a->keys[i], key)) {
				alu_ij_free(a->kids[i]);
				a->kids[i] = kid;
				return 0;
			}
		if (!(k = strdup(key)))
			return -ENOMEM;
	}
	r = add_kid(a, k, kid);
	if (r)
		free(k);
	return r;
}

struct alu_ij *alu_ij_get(const struct alu_ij *o, const char *key)
{
	if (!o || o->type != ALU_IJ_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->kids[i];
	return NULL;
}

const char *alu_ij_str(const struct alu_ij *o, const char *key)
{
	struct alu_ij *v = alu_ij_get(o, key);

	return v && v->type == ALU_IJ_STR ? v->s : NULL;
}

static int hex4(struct rd *r, unsigned *u)
{
	*u = 0;
	if (r->end - r->p < 4)
		return bad(r, "short \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *r->p++;
		*u <<= 4;
		if (c >= '0' && c <= '9') *u |= c - '0';
		else if (c >= 'a' && c <= 'f') *u |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') *u |= c - 'A' + 10;
		else return bad(r, "bad \\u escape");
	}
	return 0;
}

static void utf8(struct sb *b, unsigned u)
{
	char o[4];
	size_t n;

	if (u < 0x80) { o[0] = u; n = 1; }
	else if (u < 0x800) { o[0] = 0xc0 | u >> 6; o[1] = 0x80 | (u & 63); n = 2; }
	else if (u < 0x10000) { o[0] = 0xe0 | u >> 12; o[1] = 0x80 | (u >> 6 & 63); o[2] = 0x80 | (u & 63); n = 3; }
	else { o[0] = 0xf0 | u >> 18; o[1] = 0x80 | (u >> 12 & 63); o[2] = 0x80 | (u >> 6 & 63); o[3] = 0x80 | (u & 63); n = 4; }
	sb_add(b, o, n);
}

static int str(struct rd *r, char **out)
{
	struct sb b = { 0 };
	unsigned u, lo;
	int ret;

	r->p++; /* the quote */
	sb_add(&b, "", 0);
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = *r->p;
		if (c < 0x20) {
			ret = bad(r, "control character in a string");
			goto fail;
		}
		if (c != '\\') {
			const char *s = r->p;
			while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20)
				r->p++;
			sb_add(&b, s, r->p - s);
			continue;
		}
		if (++r->p >= r->end)
			break;
		c = *r->p++;
		switch (c) {
		case '"': case '\\': case '/': sb_add(&b, (char *)&c, 1); break;
		case 'b': sb_add(&b, "\b", 1); break;
		case 'f': sb_add(&b, "\f", 1); break;
		case 'n': sb_add(&b, "\n", 1); break;
		case 'r': sb_add(&b, "\r", 1); break;
		case 't': sb_add(&b, "\t", 1); break;
		case 'u':
			if ((ret = hex4(r, &u)))
				goto fail;
			if (u >= 0xd800 && u < 0xdc00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
				r->p += 2;
				if ((ret = hex4(r, &lo)))
					goto fail;
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			utf8(&b, u);
			break;
		default:
			ret = bad(r, "bad escape");
			goto fail;
		}
	}
	if (r->p >= r->end) {
		ret = bad(r, "unterminated string");
		goto fail;
	}
	r->p++;
	if (b.oom) {
		ret = -ENOMEM;
		goto fail;
	}
	*out = b.p;
	return 0;
fail:
	free(b.p);
	return ret;
}

static int value(struct rd *r, int depth, struct alu_ij **out);

static int container(struct rd *r, int depth, struct alu_ij *v)
{
	char close = v->type == ALU_IJ_OBJ ? '}' : ']';
	int r2;

	r->p++;
	ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct alu_ij *kid = NULL;

		ws(r);
		if (v->type == ALU_IJ_OBJ) {
			if (r->p >= r->end || *r->p != '"')
				return bad(r, "expected a key");
			if ((r2 = str(r, &key)))
				return r2;
			ws(r);
			if (r->p >= r->end || *r->p != ':') {
				free(key);
				return bad(r, "expected ':'");
			}
			r->p++;
		}
		if ((r2 = value(r, depth + 1, &kid)) || (r2 = add_kid(v, key, kid))) {
			free(key);
			alu_ij_free(kid);
			return r2;
		}
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return 0;
		}
		return bad(r, "expected ',' or the end of a container");
	}
}

static int value(struct rd *r, int depth, struct alu_ij **out)
{
	struct alu_ij *v;
	int ret = 0;

	ws(r);
	if (depth > MAX_DEPTH)
		return bad(r, "nested too deeply");
	if (r->p >= r->end)
		return bad(r, "unexpected end");
	if (!(v = calloc(1, sizeof(*v))))
		return -ENOMEM;
	switch (*r->p) {
	case '{': v->type = ALU_IJ_OBJ; ret = container(r, depth, v); break;
	case '[': v->type = ALU_IJ_ARR; ret = container(r, depth, v); break;
	case '"': v->type = ALU_IJ_STR; ret = str(r, &v->s); break;
	default: {
		const char *s = r->p;
		while (r->p < r->end && strchr("+-.0123456789eEtruefalsn", *r->p))
			r->p++;
		size_t n = r->p - s;
		if (!n) {
			ret = bad(r, "unexpected character");
			break;
		}
		if ((n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5)))
			v->type = ALU_IJ_BOOL;
		else if (n == 4 && !memcmp(s, "null", 4))
			v->type = ALU_IJ_NULL;
		else if (strchr("-0123456789", *s))
			v->type = ALU_IJ_NUM;
		else {
			ret = bad(r, "bad literal");
			break;
		}
		if (v->type == ALU_IJ_NUM)
			for (size_t i = 0; i < n; i++)
				if (!strchr("+-.0123456789eE", s[i])) {
					ret = bad(r, "bad number");
					break;
				}
		if (!ret && !(v->s = strndup(s, n)))
			ret = -ENOMEM;
	}
	}
	if (ret) {
		alu_ij_free(v);
		return ret;
	}
	*out = v;
	return 0;
}

int alu_ij_parse(const char *buf, size_t len, const char *what, struct alu_ij **out,
		 struct alu_err *e)
{
	struct rd r = { buf, buf + len, buf, what, e };
	struct alu_ij *v = NULL;
	int ret = value(&r, 0, &v);

	if (ret)
		return ret;
	ws(&r);
	if (r.p != r.end) {
		alu_ij_free(v);
		return bad(&r, "trailing data");
	}
	*out = v;
	return 0;
}

static void wstr(struct sb *b, const char *s)
{
	sb_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = *s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\'; esc[1] = c;
			sb_add(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_add(b, esc, 6);
		} else {
			sb_add(b, (char *)&c, 1);
		}
	}
	sb_add(b, "\"", 1);
}

static void wval(struct sb *b, const struct alu_ij *v)
{
	switch (v->type) {
	case ALU_IJ_STR:
		wstr(b, v->s);
		return;
	case ALU_IJ_ARR:
	case ALU_IJ_OBJ:
		sb_add(b, v->type == ALU_IJ_OBJ ? "{" : "[", 1);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				sb_add(b, ",", 1);
			if (v->type == ALU_IJ_OBJ) {
				wstr(b, v->keys[i]);
				sb_add(b, ":", 1);
			}
			wval(b, v->kids[i]);
		}
		sb_add(b, v->type == ALU_IJ_OBJ ? "}" : "]", 1);
		return;
	default:
		sb_add(b, v->s ? v->s : "null", strlen(v->s ? v->s : "null"));
	}
}

int alu_ij_write(const struct alu_ij *v, char **out, size_t *len)
{
	struct sb b = { 0 };

	wval(&b, v);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*out = b.p;
	*len = b.n;
	return 0;
}
