/* SPDX-License-Identifier: MIT */
/* releasemd.xml (repo/releasemd.h), through expat. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "repo/releasemd.h"
#include "rpm/rpm.h"

#define TEXT_MAX 4096

struct rp {
	XML_Parser xp;
	struct alu_releases *out;
	size_t cap;
	int depth, in_notes, saw_root, rc;
	char text[TEXT_MAX];
	size_t tn;
	struct alu_err *e;
	const char *where;
};

static int fail(struct rp *p, const char *what)
{
	if (!p->rc)
		p->rc = alu_err_set(p->e, -ALUE_CORRUPT, "%s:%lu:%lu: %s", p->where,
				    (unsigned long)XML_GetCurrentLineNumber(p->xp),
				    (unsigned long)XML_GetCurrentColumnNumber(p->xp) + 1, what);
	XML_StopParser(p->xp, XML_FALSE);
	return p->rc;
}

static int valid_version(const char *v)
{
	if (!*v || strlen(v) > 128)
		return 0;
	for (; *v; v++)
		if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._+~-", *v))
			return 0;
	return 1;
}

static void XMLCALL on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct rp *p = arg;
	const char *ver = NULL;

	p->depth++;
	if (p->depth == 1) {
		if (strcmp(name, "root"))
			fail(p, "the document element is not <root>");
		p->saw_root = 1;
		return;
	}
	if (!strcmp(name, "release") && p->depth == 3) {
		struct alu_release *r;
		for (size_t i = 0; attrs[i]; i += 2)
			if (!strcmp(attrs[i], "version"))
				ver = attrs[i + 1];
		if (!ver || !valid_version(ver)) {
			fail(p, ver ? "a <release> version with characters a version cannot have" :
				      "a <release> without a version");
			return;
		}
		if (p->out->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 16;
			struct alu_release *v = realloc(p->out->v, cap * sizeof(*v));
			if (!v) {
				p->rc = -ENOMEM;
				XML_StopParser(p->xp, XML_FALSE);
				return;
			}
			p->out->v = v;
			p->cap = cap;
		}
		r = &p->out->v[p->out->n];
		r->notes = NULL;
		if (!(r->version = strdup(ver))) {
			p->rc = -ENOMEM;
			XML_StopParser(p->xp, XML_FALSE);
			return;
		}
		p->out->n++;
	} else if (!strcmp(name, "release_notes") && p->depth == 5 && p->out->n) {
		p->in_notes = 1;
		p->tn = 0;
	}
}

static void XMLCALL on_end(void *arg, const XML_Char *name)
{
	struct rp *p = arg;
	struct alu_release *r = p->out->n ? &p->out->v[p->out->n - 1] : NULL;

	p->depth--;
	if (p->in_notes && !strcmp(name, "release_notes")) {
		p->in_notes = 0;
		while (p->tn && strchr(" \t\r\n", p->text[p->tn - 1]))
			p->tn--;
		p->text[p->tn] = 0;
		/* the first update's notes are the release's */
		if (r && !r->notes && p->tn && !(r->notes = strdup(p->text + strspn(p->text, " \t\r\n")))) {
			p->rc = -ENOMEM;
			XML_StopParser(p->xp, XML_FALSE);
		}
	}
}

static void XMLCALL on_text(void *arg, const XML_Char *s, int len)
{
	struct rp *p = arg;

	if (!p->in_notes)
		return;
	if (p->tn + (size_t)len >= sizeof(p->text)) {
		fail(p, "<release_notes> longer than 4096 bytes");
		return;
	}
	memcpy(p->text + p->tn, s, (size_t)len);
	p->tn += (size_t)len;
}

static int cmp_rel(const void *a, const void *b)
{
	return alu_rpmvercmp(((const struct alu_release *)a)->version,
			     ((const struct alu_release *)b)->version);
}

void alu_releases_free(struct alu_releases *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].version);
		free(r->v[i].notes);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

int alu_releasemd_parse(const char *buf, size_t len, const char *where, struct alu_releases *out,
			struct alu_err *e)
{
	struct rp p = { 0 };

	memset(out, 0, sizeof(*out));
	if (len > ALU_RELEASEMD_MAX)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: larger than %u bytes", where, ALU_RELEASEMD_MAX);
	/* "UTF-8" here overrides the declaration ("utf8" on the real mirrors) */
	if (!(p.xp = XML_ParserCreate("UTF-8")))
		return alu_err_set(e, -ENOMEM, "out of memory");
	p.out = out;
	p.e = e;
	p.where = where;
	XML_SetUserData(p.xp, &p);
	XML_SetElementHandler(p.xp, on_start, on_end);
	XML_SetCharacterDataHandler(p.xp, on_text);
	if (XML_Parse(p.xp, buf, (int)len, XML_TRUE) == XML_STATUS_ERROR && !p.rc)
		p.rc = alu_err_set(e, -ALUE_CORRUPT, "%s:%lu:%lu: %s", where,
				   (unsigned long)XML_GetCurrentLineNumber(p.xp),
				   (unsigned long)XML_GetCurrentColumnNumber(p.xp) + 1,
				   XML_ErrorString(XML_GetErrorCode(p.xp)));
	if (!p.rc && !p.saw_root)
		p.rc = alu_err_set(e, -ALUE_CORRUPT, "%s: empty document", where);
	XML_ParserFree(p.xp);
	if (p.rc) {
		if (p.rc == -ENOMEM)
			alu_err_set(e, -ENOMEM, "out of memory reading %s", where);
		alu_releases_free(out);
		return p.rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_rel);
	return 0;
}

int alu_releasemd_base(const char *mirrorlist, char *out, size_t n)
{
	const char *m = mirrorlist ? strstr(mirrorlist, "/mirrors/") : NULL;

	if (!m || m == mirrorlist || (size_t)(m - mirrorlist) >= n)
		return -ENOENT;
	snprintf(out, n, "%.*s", (int)(m - mirrorlist), mirrorlist);
	return 0;
}
