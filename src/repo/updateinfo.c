/* SPDX-License-Identifier: MIT */
/*
 * updateinfo.xml, streamed like primary.xml: one <update> at a time is
 * handed to the sink. Text is kept as the XML reader gives it (entities decoded once),
 * so a description that the publisher escaped twice keeps its "&lt;" as the
 * file has it after one decode, as yum shows it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_int.h"
#include "repo/xmlscan.h"

#define TEXT_MAX (8u << 20)

enum txt { T_NONE, T_ID, T_TITLE, T_SEVERITY, T_DESCRIPTION, T_FILENAME, T_CVSS_SCORE,
	T_CVSS_VECTOR, T_SUMMARY };

struct alu_updateinfo {
	struct xscan *xp;
	alu_advrec_cb cb;
	void *ud;
	struct alu_err *e;
	int err;
	int in_upd, in_pkg;
	enum txt txt;
	char *text;
	size_t ntext, captext;
	struct alu_advrec rec;
	struct rarena arena;
	RVEC(struct alu_advref) refs;
	RVEC(struct alu_advpkg) pkgs;
};

static int fail(struct alu_updateinfo *u, int code, const char *fmt, const char *a)
{
	char msg[512];

	if (u->err)
		return u->err;
	snprintf(msg, sizeof(msg), fmt, a);
	u->err = alu_err_set(u->e, code, "updateinfo.xml: line %lu: %s",
			     xscan_line(u->xp), msg);
	xscan_stop(u->xp);
	return u->err;
}

static const char *attr(const char **atts, const char *key)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], key))
			return atts[1];
	return NULL;
}

static const char *adup(struct alu_updateinfo *u, const char *s)
{
	char *d = rarena_strdup(&u->arena, s ? s : "");
	if (!d)
		fail(u, -ENOMEM, "out of memory%s", "");
	return d ? d : "";
}

static void begin_update(struct alu_updateinfo *u, const char **atts)
{
	struct alu_advrec *r = &u->rec;

	rarena_reset(&u->arena);
	memset(r, 0, sizeof(*r));
	r->id = r->severity = r->title = r->issued = r->updated = r->description = "";
	r->cvss_score = r->cvss_vector = "";
	r->type = adup(u, attr(atts, "type"));
	r->from = adup(u, attr(atts, "from"));
	r->status = adup(u, attr(atts, "status"));
	r->version = adup(u, attr(atts, "version"));
	u->refs.n = u->pkgs.n = 0;
	u->in_upd = 1;
}

static void begin_package(struct alu_updateinfo *u, const char **atts)
{
	struct alu_advpkg p;
	const char *ep = attr(atts, "epoch");
	uint64_t e64;

	p.name = adup(u, attr(atts, "name"));
	p.version = adup(u, attr(atts, "version"));
	p.release = adup(u, attr(atts, "release"));
	p.arch = adup(u, attr(atts, "arch"));
	p.src = adup(u, attr(atts, "src"));
	p.filename = "";
	if (rparse_u64(ep, 1, &e64) || e64 > UINT32_MAX) {
		fail(u, -ALUE_CORRUPT, "bad epoch '%s'", ep);
		return;
	}
	p.epoch = (uint32_t)e64;
	if (!*p.name || !*p.version) {
		fail(u, -ALUE_CORRUPT, "<package> without name or version in %s", u->rec.id);
		return;
	}
	if (RVEC_PUSH(u->pkgs, p))
		fail(u, -ENOMEM, "out of memory%s", "");
	u->in_pkg = 1;
}

static void on_start(void *ud, const char *l, const char **atts)
{
	struct alu_updateinfo *u = ud;

	u->txt = T_NONE;
	u->ntext = 0;
	if (u->err)
		return;
	if (!strcmp(l, "update")) {
		if (u->in_upd)
			fail(u, -ALUE_CORRUPT, "nested <update>%s", "");
		else
			begin_update(u, atts);
		return;
	}
	if (!u->in_upd)
		return;
	if (!strcmp(l, "issued")) {
		u->rec.issued = adup(u, attr(atts, "date"));
	} else if (!strcmp(l, "updated")) {
		u->rec.updated = adup(u, attr(atts, "date"));
	} else if (!strcmp(l, "reference")) {
		struct alu_advref r = { adup(u, attr(atts, "href")), adup(u, attr(atts, "id")),
			adup(u, attr(atts, "title")), adup(u, attr(atts, "type")) };
		if (RVEC_PUSH(u->refs, r))
			fail(u, -ENOMEM, "out of memory%s", "");
	} else if (!strcmp(l, "package")) {
		begin_package(u, atts);
	} else if (u->in_pkg) {
		if (!strcmp(l, "filename"))
			u->txt = T_FILENAME;
	} else if (!strcmp(l, "id")) {
		u->txt = T_ID;
	} else if (!strcmp(l, "title")) {
		u->txt = T_TITLE;
	} else if (!strcmp(l, "severity")) {
		u->txt = T_SEVERITY;
	} else if (!strcmp(l, "description")) {
		u->txt = T_DESCRIPTION;
	} else if (!strcmp(l, "cvss_score") || !strcmp(l, "cvss3_score")) {
		u->txt = T_CVSS_SCORE;
	} else if (!strcmp(l, "cvss_vector") || !strcmp(l, "cvss3_vector")) {
		u->txt = T_CVSS_VECTOR;
	}
}

static void on_text(void *ud, const char *t, int n)
{
	struct alu_updateinfo *u = ud;

	if (u->txt == T_NONE || u->err)
		return;
	if (u->ntext + (size_t)n + 1 > TEXT_MAX) {
		fail(u, -ALUE_CORRUPT, "text too long in %s", u->rec.id);
		return;
	}
	if (rvec_grow((void **)&u->text, &u->captext, u->ntext + (size_t)n + 1, 1)) {
		fail(u, -ENOMEM, "out of memory%s", "");
		return;
	}
	memcpy(u->text + u->ntext, t, (size_t)n);
	u->ntext += (size_t)n;
}

/* Identifiers and severities are trimmed; titles and descriptions are not. */
static const char *trimmed(struct alu_updateinfo *u)
{
	char *s = u->text, *end = u->text + u->ntext;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		end--;
	*end = 0;
	return adup(u, s);
}

static void end_update(struct alu_updateinfo *u)
{
	int rc;

	u->in_upd = u->in_pkg = 0;
	if (!*u->rec.id) {
		fail(u, -ALUE_CORRUPT, "<update> without <id>%s", "");
		return;
	}
	u->rec.refs = u->refs.v;
	u->rec.nrefs = u->refs.n;
	u->rec.pkgs = u->pkgs.v;
	u->rec.npkgs = u->pkgs.n;
	rc = u->cb(u->ud, &u->rec);
	if (rc) {
		u->err = rc;
		alu_err_set(u->e, rc, "updateinfo.xml: %s: %s", u->rec.id, alu_strerror(rc));
		xscan_stop(u->xp);
	}
}

static void on_end(void *ud, const char *l)
{
	struct alu_updateinfo *u = ud;
	enum txt t = u->txt;

	u->txt = T_NONE;
	if (u->err || !u->in_upd)
		return;
	if (t != T_NONE) {
		if (!u->text && rvec_grow((void **)&u->text, &u->captext, 1, 1)) {
			fail(u, -ENOMEM, "out of memory%s", "");
			return;
		}
		u->text[u->ntext] = 0;
	}
	switch (t) {
	case T_ID: u->rec.id = trimmed(u); return;
	case T_SEVERITY: u->rec.severity = trimmed(u); return;
	case T_CVSS_SCORE: u->rec.cvss_score = trimmed(u); return;
	case T_CVSS_VECTOR: u->rec.cvss_vector = trimmed(u); return;
	case T_TITLE: u->rec.title = adup(u, u->text); return;
	case T_DESCRIPTION: u->rec.description = adup(u, u->text); return;
	case T_FILENAME:
		if (u->pkgs.n)
			u->pkgs.v[u->pkgs.n - 1].filename = trimmed(u);
		return;
	default:
		break;
	}
	if (!strcmp(l, "package"))
		u->in_pkg = 0;
	else if (!strcmp(l, "update"))
		end_update(u);
}

int alu_updateinfo_new(alu_advrec_cb cb, void *ud, struct alu_updateinfo **out)
{
	struct alu_updateinfo *u = calloc(1, sizeof(*u));

	if (!u)
		return -ENOMEM;
	u->xp = xscan_new(u, on_start, on_end, on_text);
	if (!u->xp) {
		free(u);
		return -ENOMEM;
	}
	u->cb = cb;
	u->ud = ud;
	*out = u;
	return 0;
}

int alu_updateinfo_feed(struct alu_updateinfo *u, const char *buf, size_t n, int final,
			struct alu_err *e)
{
	u->e = e;
	if (u->err)
		return u->err;
	if (xscan_feed(u->xp, buf, n, final) && !u->err)
		u->err = alu_err_set(e, -ALUE_XML, "updateinfo.xml: line %lu: %s",
				     xscan_line(u->xp), xscan_error(u->xp));
	return u->err;
}

void alu_updateinfo_free(struct alu_updateinfo *u)
{
	if (!u)
		return;
	xscan_free(u->xp);
	rarena_free(&u->arena);
	free(u->refs.v);
	free(u->pkgs.v);
	free(u->text);
	free(u);
}

struct feed { struct alu_updateinfo *u; struct alu_err *e; };

static int feed_cb(void *ud, const char *buf, size_t n)
{
	struct feed *f = ud;
	return alu_updateinfo_feed(f->u, buf, n, 0, f->e);
}

int alu_updateinfo_file(const char *path, alu_advrec_cb cb, void *ud, struct alu_err *e)
{
	return alu_updateinfo_file_x(path, NULL, cb, ud, e);
}

int alu_updateinfo_file_x(const char *path, const struct alu_decomp_expect *x, alu_advrec_cb cb,
			  void *ud, struct alu_err *e)
{
	struct feed f = { .e = e };
	int rc = alu_updateinfo_new(cb, ud, &f.u);

	if (rc)
		return alu_err_set(e, rc, "out of memory");
	rc = alu_decomp_each_x(path, x, feed_cb, &f, e);
	if (!rc)
		rc = alu_updateinfo_feed(f.u, "", 0, 1, e);
	alu_updateinfo_free(f.u);
	return rc;
}
