/* SPDX-License-Identifier: MIT */
/*
 * comps.xml: <comps> of <group> (<id>, <name>, <description>, <default>,
 * <uservisible>, <packagelist> of <packagereq type=...>NAME</packagereq>).
 * Streamed through xmlscan (a DOCTYPE, which real comps files carry, sends
 * the document to expat whole); only groups are kept.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "repo/comps.h"
#include "repo/lazy.h"
#include "repo/xmlscan.h"
#include "util/out.h"

#define TEXT_MAX (1u << 20)

enum txt { T_NONE, T_ID, T_NAME, T_DESC, T_DEFAULT, T_VISIBLE, T_REQ };

struct parse {
	struct xscan *xp;
	struct alu_comps *c;
	const char *path, *repoid;
	struct alu_err *e;
	int err;
	int depth;              /* element depth; a group's fields sit at depth 3 */
	struct alu_group g;     /* the group being read */
	int in_group, in_list;
	enum txt txt;
	enum alu_greq req;
	char *text;
	size_t ntext;
};

static void fail(struct parse *p, int code, const char *msg, const char *a)
{
	if (p->err)
		return;
	p->err = alu_err_set(p->e, code, "%s: line %lu: %s%s", p->path, xscan_line(p->xp), msg, a);
	xscan_stop(p->xp);
}

static const char *attr(const char **atts, const char *key)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], key))
			return atts[1];
	return NULL;
}

static void group_free(struct alu_group *g)
{
	free(g->id);
	free(g->name);
	free(g->description);
	for (int t = 0; t < ALU_GREQ_N; t++)
		alu_strv_free(&g->pkgs[t]);
	alu_strv_free(&g->repos);
	memset(g, 0, sizeof(*g));
}

static void on_start(void *ud, const char *name, const char **atts)
{
	struct parse *p = ud;
	int d = ++p->depth;

	p->txt = T_NONE;
	p->ntext = 0;
	if (d == 2 && !strcmp(name, "group")) {
		group_free(&p->g);
		p->g.uservisible = 1;
		p->in_group = 1;
		return;
	}
	if (!p->in_group)
		return;
	if (d == 3) {
		p->in_list = !strcmp(name, "packagelist");
		/* a translation (xml:lang) is not the name yum shows in C locale */
		if (attr(atts, "xml:lang"))
			return;
		if (!strcmp(name, "id")) p->txt = T_ID;
		else if (!strcmp(name, "name")) p->txt = T_NAME;
		else if (!strcmp(name, "description")) p->txt = T_DESC;
		else if (!strcmp(name, "default")) p->txt = T_DEFAULT;
		else if (!strcmp(name, "uservisible")) p->txt = T_VISIBLE;
	} else if (d == 4 && p->in_list && !strcmp(name, "packagereq")) {
		const char *t = attr(atts, "type");
		if (!t || !strcmp(t, "default")) p->req = ALU_GREQ_DEFAULT;
		else if (!strcmp(t, "mandatory")) p->req = ALU_GREQ_MANDATORY;
		else if (!strcmp(t, "optional")) p->req = ALU_GREQ_OPTIONAL;
		else if (!strcmp(t, "conditional")) p->req = ALU_GREQ_CONDITIONAL;
		else {
			fail(p, -ALUE_CORRUPT, "unknown packagereq type ", t);
			return;
		}
		p->txt = T_REQ;
	}
}

static void on_text(void *ud, const char *s, int n)
{
	struct parse *p = ud;
	char *t;

	if (p->txt == T_NONE || p->err)
		return;
	if (p->ntext + (size_t)n > TEXT_MAX || !(t = realloc(p->text, p->ntext + (size_t)n + 1))) {
		fail(p, -ENOMEM, "out of memory (text over 1 MiB?)", "");
		return;
	}
	p->text = t;
	memcpy(p->text + p->ntext, s, (size_t)n);
	p->ntext += (size_t)n;
	p->text[p->ntext] = 0;
}

/* the text without surrounding white space (comps files are indented) */
static char *trimmed(struct parse *p)
{
	char *s = p->text ? p->text : "", *end;

	if (!p->text)
		return s;
	p->text[p->ntext] = 0;
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = 0;
	return s;
}

static int set_str(char **dst, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return -ENOMEM;
	free(*dst);
	*dst = d;
	return 0;
}

static int merge(struct parse *p)
{
	struct alu_comps *c = p->c;
	struct alu_group *g = NULL, *v;

	if (!p->g.id || !*p->g.id)
		return alu_err_set(p->e, -ALUE_CORRUPT, "%s: line %lu: a <group> without <id>", p->path,
				   xscan_line(p->xp));
	for (size_t i = 0; i < c->n && !g; i++)
		if (!strcmp(c->v[i].id, p->g.id))
			g = &c->v[i];
	if (!g) {
		if (!(v = realloc(c->v, (c->n + 1) * sizeof(*v))))
			return -ENOMEM;
		c->v = v;
		g = &c->v[c->n++];
		*g = p->g;
		memset(&p->g, 0, sizeof(p->g));
		if (!g->name && set_str(&g->name, g->id))
			return -ENOMEM;
		if (!g->description && set_str(&g->description, ""))
			return -ENOMEM;
	} else {
		for (int t = 0; t < ALU_GREQ_N; t++)
			for (size_t i = 0; i < p->g.pkgs[t].n; i++)
				if (!alu_strv_has(&g->pkgs[t], p->g.pkgs[t].v[i]) &&
				    alu_strv_push(&g->pkgs[t], p->g.pkgs[t].v[i]))
					return -ENOMEM;
		group_free(&p->g);
	}
	if (!alu_strv_has(&g->repos, p->repoid) && alu_strv_push(&g->repos, p->repoid))
		return -ENOMEM;
	return 0;
}

static void on_end(void *ud, const char *name)
{
	struct parse *p = ud;
	int d = p->depth--, rc = 0;
	char *s;

	if (p->err || !p->in_group)
		return;
	if (d == 2) {
		p->in_group = 0;
		if ((rc = merge(p))) {
			p->err = rc == -ENOMEM ? alu_err_set(p->e, rc, "out of memory") : rc;
			xscan_stop(p->xp);
		}
		return;
	}
	if (d == 3)
		p->in_list = 0;
	if (p->txt == T_NONE)
		return;
	s = trimmed(p);
	switch (p->txt) {
	case T_ID: rc = set_str(&p->g.id, s); break;
	case T_NAME: rc = set_str(&p->g.name, s); break;
	case T_DESC: rc = set_str(&p->g.description, s); break;
	case T_DEFAULT: p->g.isdefault = !strcasecmp(s, "true"); break;
	case T_VISIBLE: p->g.uservisible = !!strcasecmp(s, "false"); break;
	case T_REQ:
		if (*s && !alu_strv_has(&p->g.pkgs[p->req], s))
			rc = alu_strv_push(&p->g.pkgs[p->req], s);
		break;
	case T_NONE: break;
	}
	(void)name;
	p->txt = T_NONE;
	p->ntext = 0;
	if (rc)
		fail(p, -ENOMEM, "out of memory", "");
}

static int feed_cb(void *ud, const char *buf, size_t n)
{
	struct parse *p = ud;

	if (xscan_feed(p->xp, buf, n, 0)) {
		if (!p->err)
			p->err = alu_err_set(p->e, -ALUE_XML, "%s: line %lu: %s", p->path,
					     xscan_line(p->xp), xscan_error(p->xp));
		return p->err;
	}
	return 0;
}

int alu_comps_file(struct alu_comps *c, const char *path, const char *repoid, struct alu_err *e)
{
	struct parse p = { .c = c, .path = path, .repoid = repoid, .e = e };
	int rc;

	if (!(p.xp = xscan_new(&p, on_start, on_end, on_text)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	rc = alu_decomp_each(path, feed_cb, &p, e);
	if (!rc && xscan_feed(p.xp, "", 0, 1))
		rc = p.err ? p.err : alu_err_set(e, -ALUE_XML, "%s: line %lu: %s", path,
						 xscan_line(p.xp), xscan_error(p.xp));
	if (!rc)
		rc = p.err;
	group_free(&p.g);
	free(p.text);
	xscan_free(p.xp);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	const struct alu_group *x = a, *y = b;
	int r = strcasecmp(x->name, y->name);

	return r ? r : strcmp(x->id, y->id);
}

void alu_comps_sort(struct alu_comps *c)
{
	if (c->n)
		qsort(c->v, c->n, sizeof(*c->v), by_name);
}

static int comps_cb(void *ud, const struct alu_repo *r, const struct alu_lazy *l, struct alu_err *e)
{
	return alu_comps_file(ud, l->path, r->id, e);
}

int alu_comps_load(struct alu_repos *rp, int cacheonly, struct alu_comps *c, struct alu_err *e)
{
	static const char *const types[] = { "group_gz", "group_xz", "group_bz2", "group", NULL };
	int rc;

	memset(c, 0, sizeof(*c));
	rc = alu_repo_lazy_each(rp, types, cacheonly, comps_cb, c, e);
	alu_comps_sort(c);
	return rc;
}

const struct alu_group *alu_comps_find(const struct alu_comps *c, const char *pat,
				       const struct alu_group *from)
{
	size_t i = from ? (size_t)(from - c->v) + 1 : 0;

	for (; i < c->n; i++) {
		const struct alu_group *g = &c->v[i];
		if (!strcasecmp(g->id, pat) || !strcasecmp(g->name, pat) ||
		    !fnmatch(pat, g->id, FNM_CASEFOLD) || !fnmatch(pat, g->name, FNM_CASEFOLD))
			return g;
	}
	return NULL;
}

int alu_comps_types(const char *s, unsigned *bits)
{
	static const char *const names[ALU_GREQ_N] = { "mandatory", "default", "optional", "conditional" };
	char buf[256], *tok, *save = NULL;

	*bits = ALU_GREQ_BIT(ALU_GREQ_MANDATORY) | ALU_GREQ_BIT(ALU_GREQ_DEFAULT);
	if (!s)
		return 0;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -EINVAL;
	*bits = 0;
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		int t = 0;
		while (t < ALU_GREQ_N && strcasecmp(tok, names[t]))
			t++;
		if (t == ALU_GREQ_N)
			return -EINVAL;
		*bits |= ALU_GREQ_BIT(t);
	}
	return *bits ? 0 : -EINVAL;
}

void alu_comps_free(struct alu_comps *c)
{
	for (size_t i = 0; i < c->n; i++)
		group_free(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
