/* SPDX-License-Identifier: MIT */
/*
 * extras-catalog.json: a strict JSON reader into a small tree (objects,
 * arrays, strings, numbers, true/false/null), then the catalog's schema on
 * top. Its own reader rather than libfyaml: the catalog comes off the
 * network, and this one is bounded (depth, size) and names line:column.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/extras_catalog.h"

enum jt { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jt t;
	int line, col;
	long num;             /* J_NUM (integers only: the catalog has no others), J_BOOL */
	char *str;            /* J_STR */
	struct jv *kids;      /* J_ARR, J_OBJ values */
	char **keys;          /* J_OBJ */
	size_t n;
};

struct jp {
	const char *s, *end, *where;
	int line, col;
	struct alu_err *e;
};

#define JSON_DEPTH 16

static int jfail(struct jp *p, const char *what)
{
	return alu_err_set(p->e, -ALUE_CORRUPT, "%s:%d:%d: %s", p->where, p->line, p->col, what);
}

static void adv(struct jp *p)
{
	if (*p->s == '\n')
		p->line++, p->col = 1;
	else
		p->col++;
	p->s++;
}

static void ws(struct jp *p)
{
	while (p->s < p->end && strchr(" \t\r\n", *p->s) && *p->s)
		adv(p);
}

static void jv_free(struct jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
}

static int put_utf8(char *o, size_t *k, unsigned cp)
{
	if (cp < 0x80) {
		o[(*k)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*k)++] = (char)(0xc0 | cp >> 6);
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*k)++] = (char)(0xe0 | cp >> 12);
		o[(*k)++] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[(*k)++] = (char)(0x80 | (cp & 0x3f));
	}
	return 0;
}

/* a string; \u escapes outside the BMP and NUL are refused (no topic needs them) */
static int jstr(struct jp *p, char **out)
{
	size_t k = 0, cap = 16;
	char *o = malloc(cap);

	if (!o)
		return -ENOMEM;
	adv(p);   /* the opening quote */
	for (;;) {
		unsigned char c;
		if (p->s >= p->end) {
			free(o);
			return jfail(p, "string not closed");
		}
		if (k + 4 >= cap) {
			char *n = realloc(o, cap *= 2);
			if (!n) {
				free(o);
				return -ENOMEM;
			}
			o = n;
		}
		c = (unsigned char)*p->s;
		if (c == '"') {
			adv(p);
			break;
		}
		if (c < 0x20) {
			free(o);
			return jfail(p, "control character in a string");
		}
		if (c != '\\') {
			o[k++] = (char)c;
			adv(p);
			continue;
		}
		adv(p);
		if (p->s >= p->end) {
			free(o);
			return jfail(p, "string not closed");
		}
		c = (unsigned char)*p->s;
		const char *m = strchr("\"\\/bfnrt", c), *rep = "\"\\/\b\f\n\r\t";
		if (c && m) {
			o[k++] = rep[m - "\"\\/bfnrt"];
			adv(p);
			continue;
		}
		if (c != 'u') {
			free(o);
			return jfail(p, "bad escape in a string");
		}
		unsigned cp = 0;
		for (int i = 0; i < 4; i++) {
			adv(p);
			char h = p->s < p->end ? *p->s : 0;
			int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
				: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
			if (d < 0) {
				free(o);
				return jfail(p, "bad \\u escape in a string");
			}
			cp = cp << 4 | (unsigned)d;
		}
		adv(p);
		if (!cp || (cp >= 0xd800 && cp < 0xe000)) {
			free(o);
			return jfail(p, "\\u escape of NUL or a surrogate");
		}
		put_utf8(o, &k, cp);
	}
	o[k] = 0;
	*out = o;
	return 0;
}

static int jval(struct jp *p, struct jv *v, int depth);

static int jlist(struct jp *p, struct jv *v, int depth, int obj)
{
	char close = obj ? '}' : ']';
	size_t cap = 0;

	adv(p);
	ws(p);
	if (p->s < p->end && *p->s == close) {
		adv(p);
		return 0;
	}
	for (;;) {
		char *key = NULL;
		int rc;
		ws(p);
		if (obj) {
			if (p->s >= p->end || *p->s != '"')
				return jfail(p, "expected a \"key\"");
			if ((rc = jstr(p, &key)))
				return rc;
			ws(p);
			if (p->s >= p->end || *p->s != ':') {
				free(key);
				return jfail(p, "expected ':'");
			}
			adv(p);
		}
		if (v->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct jv *nk = realloc(v->kids, nc * sizeof(*nk));
			char **nkeys = nk && obj ? realloc(v->keys, nc * sizeof(*nkeys)) : NULL;
			if (nk)
				v->kids = nk;
			if (nkeys)
				v->keys = nkeys;
			if (!nk || (obj && !nkeys)) {
				free(key);
				return -ENOMEM;
			}
			cap = nc;
		}
		memset(&v->kids[v->n], 0, sizeof(*v->kids));
		if (obj)
			v->keys[v->n] = key;
		v->n++;
		if ((rc = jval(p, &v->kids[v->n - 1], depth + 1)))
			return rc;
		ws(p);
		if (p->s < p->end && *p->s == ',') {
			adv(p);
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			adv(p);
			return 0;
		}
		return jfail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int jval(struct jp *p, struct jv *v, int depth)
{
	ws(p);
	v->line = p->line;
	v->col = p->col;
	if (depth > JSON_DEPTH)
		return jfail(p, "nested too deeply");
	if (p->s >= p->end)
		return jfail(p, "unexpected end of the catalog");
	switch (*p->s) {
	case '{': v->t = J_OBJ; return jlist(p, v, depth, 1);
	case '[': v->t = J_ARR; return jlist(p, v, depth, 0);
	case '"': v->t = J_STR; return jstr(p, &v->str);
	}
	static const char *const words[] = { "true", "false", "null" };
	for (int i = 0; i < 3; i++) {
		size_t wl = strlen(words[i]);
		if ((size_t)(p->end - p->s) >= wl && !memcmp(p->s, words[i], wl)) {
			v->t = i == 2 ? J_NULL : J_BOOL;
			v->num = i == 0;
			while (wl--)
				adv(p);
			return 0;
		}
	}
	if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9')) {
		int neg = *p->s == '-', digits = 0;
		long n = 0;
		if (neg)
			adv(p);
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
			if (n > 100000000)
				return jfail(p, "number too large");
			n = n * 10 + (*p->s - '0');
			digits++;
			adv(p);
		}
		if (!digits || (p->s < p->end && strchr(".eE", *p->s) && *p->s))
			return jfail(p, "expected an integer");
		v->t = J_NUM;
		v->num = neg ? -n : n;
		return 0;
	}
	return jfail(p, "expected a JSON value");
}

static const struct jv *jget(const struct jv *o, const char *key)
{
	for (size_t i = 0; o->t == J_OBJ && i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

static int sfail(struct alu_err *e, const char *where, const struct jv *at, const char *fmt,
		 const char *a)
{
	char what[256];

	snprintf(what, sizeof(what), fmt, a);
	return alu_err_set(e, -ALUE_CORRUPT, "%s:%d:%d: %s", where, at->line, at->col, what);
}

static int str_list(const struct jv *v, const char *key, struct alu_strv *out, const char *where,
		    const struct jv *obj, struct alu_err *e)
{
	if (!v)
		return 0;
	if (v->t != J_ARR)
		return sfail(e, where, v, "'%s' must be a list of strings", key);
	(void)obj;
	for (size_t i = 0; i < v->n; i++) {
		if (v->kids[i].t != J_STR || !v->kids[i].str[0])
			return sfail(e, where, &v->kids[i], "'%s' must be a list of strings", key);
		if (alu_strv_push(out, v->kids[i].str))
			return -ENOMEM;
	}
	return 0;
}

/* names and versions become URL and directory components (reposync writes
 * extras/TOPIC/VERSION/...): one component each, never climbing */
static int path_word(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int versions_ok(const struct jv *v, const char *where, struct alu_err *e)
{
	for (size_t i = 0; v && i < v->n; i++)
		if (!path_word(v->kids[i].str) || strpbrk(v->kids[i].str, "[]= \t\n"))
			return sfail(e, where, &v->kids[i], "a version must be one word (no '/', "
				     "'[', ']', '=' or spaces, not '.' or '..'): '%s'", v->kids[i].str);
	return 0;
}

static int topic(const struct jv *t, const char *where, struct alu_extras_topic *x,
		 struct alu_err *e)
{
	const struct jv *n = jget(t, "n"), *vis = jget(t, "visible"), *dep = jget(t, "deprecated-at");
	int rc;

	x->visible = 1;
	if (t->t != J_OBJ)
		return sfail(e, where, t, "a topic must be an object%s", "");
	if (!n || n->t != J_STR || !path_word(n->str) || strpbrk(n->str, "[]= \t\n"))
		return sfail(e, where, n ? n : t, "a topic needs a name 'n' (a string without %s)",
			     "'[', ']', '=', '/' or spaces, and not '.' or '..'");
	if (!(x->name = strdup(n->str)))
		return -ENOMEM;
	if ((rc = str_list(jget(t, "inst"), "inst", &x->inst, where, t, e)) ||
	    (rc = str_list(jget(t, "versions"), "versions", &x->versions, where, t, e)) ||
	    (rc = versions_ok(jget(t, "versions"), where, e)) ||
	    (rc = str_list(jget(t, "conflicts"), "conflicts", &x->conflicts, where, t, e)))
		return rc;
	if (vis && vis->t != J_BOOL)
		return sfail(e, where, vis, "'visible' must be true or false%s", "");
	if (vis)
		x->visible = (int)vis->num;
	if (dep && dep->t != J_STR && dep->t != J_NULL)
		return sfail(e, where, dep, "'deprecated-at' must be a string%s", "");
	if (dep && dep->t == J_STR && !(x->deprecated_at = strdup(dep->str)))
		return -ENOMEM;
	return 0;
}

static int schema(const struct jv *r, const char *where, struct alu_extras_catalog *c,
		  struct alu_err *e)
{
	const struct jv *st, *ver, *ts, *wl, *motd;
	int rc;

	if (r->t != J_OBJ)
		return sfail(e, where, r, "the catalog must be a JSON object%s", "");
	st = jget(r, "status");
	if (!st || st->t != J_STR || strcmp(st->str, "ok"))
		return sfail(e, where, st ? st : r, "catalog status is not \"ok\"%s", "");
	ver = jget(r, "version");
	if (!ver || ver->t != J_NUM || (ver->num != 1 && ver->num != 2))
		return sfail(e, where, ver ? ver : r, "catalog 'version' must be 1 or 2%s", "");
	c->version = (int)ver->num;
	if ((motd = jget(r, "motd")) && motd->t == J_STR && motd->str[0] && !(c->motd = strdup(motd->str)))
		return -ENOMEM;
	ts = jget(r, "topics");
	if (!ts || ts->t != J_ARR)
		return sfail(e, where, ts ? ts : r, "catalog 'topics' must be a list%s", "");
	if (ts->n && !(c->topics = calloc(ts->n, sizeof(*c->topics))))
		return -ENOMEM;
	for (size_t i = 0; i < ts->n; i++) {
		c->ntopics++;
		if ((rc = topic(&ts->kids[i], where, &c->topics[i], e)))
			return rc;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->topics[j].name, c->topics[i].name))
				return sfail(e, where, &ts->kids[i], "topic '%s' listed twice", c->topics[i].name);
	}
	wl = jget(r, "whitelists");
	if (c->version == 1 && wl) {
		if (wl->t != J_ARR)
			return sfail(e, where, wl, "'whitelists' must be a list of lists%s", "");
		if (wl->n && (!(c->wl = calloc(wl->n, sizeof(*c->wl))) || !(c->wln = calloc(wl->n, sizeof(*c->wln)))))
			return -ENOMEM;
		for (size_t i = 0; i < wl->n; i++) {
			const struct jv *l = &wl->kids[i];
			c->nwl++;
			if (l->t != J_ARR)
				return sfail(e, where, l, "'whitelists' must be a list of lists%s", "");
			if (l->n && !(c->wl[i] = calloc(l->n, sizeof(**c->wl))))
				return -ENOMEM;
			for (size_t j = 0; j < l->n; j++) {
				if (l->kids[j].t != J_NUM || l->kids[j].num < 0 || (size_t)l->kids[j].num >= c->ntopics)
					return sfail(e, where, &l->kids[j], "whitelist entry is not a topic index%s", "");
				c->wl[i][c->wln[i]++] = (size_t)l->kids[j].num;
			}
		}
	}
	return 0;
}

int alu_extras_catalog_parse(const char *text, size_t len, const char *where,
			     struct alu_extras_catalog *c, struct alu_err *e)
{
	struct jp p = { text, text + len, where, 1, 1, e };
	struct jv root = { 0 };
	int rc;

	memset(c, 0, sizeof(*c));
	if (len > ALU_EXTRAS_CATALOG_MAX)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: catalog larger than %u bytes", where,
				   ALU_EXTRAS_CATALOG_MAX);
	if (memchr(text, 0, len))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: NUL byte in the catalog", where);
	rc = jval(&p, &root, 0);
	if (!rc) {
		ws(&p);
		if (p.s != p.end)
			rc = jfail(&p, "text after the catalog's object");
	}
	if (!rc)
		rc = schema(&root, where, c, e);
	jv_free(&root);
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	if (rc)
		alu_extras_catalog_free(c);
	return rc;
}

void alu_extras_catalog_free(struct alu_extras_catalog *c)
{
	for (size_t i = 0; i < c->ntopics; i++) {
		struct alu_extras_topic *t = &c->topics[i];
		free(t->name);
		free(t->deprecated_at);
		alu_strv_free(&t->inst);
		alu_strv_free(&t->versions);
		alu_strv_free(&t->conflicts);
	}
	for (size_t i = 0; i < c->nwl; i++)
		free(c->wl[i]);
	free(c->wl);
	free(c->wln);
	free(c->topics);
	free(c->motd);
	memset(c, 0, sizeof(*c));
}

const struct alu_extras_topic *alu_extras_catalog_find(const struct alu_extras_catalog *c,
							const char *name)
{
	for (size_t i = 0; i < c->ntopics; i++)
		if (!strcmp(c->topics[i].name, name))
			return &c->topics[i];
	return NULL;
}

static int in_wl(const struct alu_extras_catalog *c, size_t w, const char *name)
{
	for (size_t j = 0; j < c->wln[w]; j++)
		if (!strcmp(c->topics[c->wl[w][j]].name, name))
			return 1;
	return 0;
}

int alu_extras_catalog_check(const struct alu_extras_catalog *c, const struct alu_strv *names,
			     struct alu_err *e)
{
	if (c->version == 2) {
		for (size_t i = 0; i < names->n; i++) {
			const struct alu_extras_topic *t = alu_extras_catalog_find(c, names->v[i]);
			for (size_t j = 0; t && j < names->n; j++) {
				const struct alu_extras_topic *u = alu_extras_catalog_find(c, names->v[j]);
				if (i != j && (alu_strv_has(&t->conflicts, names->v[j]) ||
					       (u && alu_strv_has(&u->conflicts, names->v[i]))))
					return alu_err_set(e, -EPERM, "Refusing because %s conflicts with %s "
							   "(an invalid combination)", names->v[i], names->v[j]);
			}
		}
		return 0;
	}
	if (!c->nwl || names->n < 2)
		return 0;
	for (size_t w = 0; w < c->nwl; w++) {
		size_t k = 0;
		while (k < names->n && in_wl(c, w, names->v[k]))
			k++;
		if (k == names->n)
			return 0;
	}
	return alu_err_set(e, -EPERM, "Refusing because %s cannot be enabled together with %s: "
			   "no whitelist of the catalog holds them all (an invalid combination)",
			   names->v[names->n - 1], names->v[0]);
}
