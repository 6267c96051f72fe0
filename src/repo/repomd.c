/* SPDX-License-Identifier: MIT */
/*
 * repomd.xml: <repomd xmlns="http://linux.duke.edu/metadata/repo"> with a
 * <revision> and one <data type="..."> per metadata file, each holding
 * <checksum type>, <open-checksum type>, <location href>, <timestamp>,
 * <size> and <open-size>. Other elements (tags, header-checksum of zchunk
 * files) are ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "crypto/digest.h"
#include "repo/repo_int.h"

#define NS_REPO "http://linux.duke.edu/metadata/repo"
#define TEXT_MAX 4096

enum field { F_NONE, F_REVISION, F_CHECKSUM, F_OPEN_CHECKSUM, F_TIMESTAMP, F_SIZE, F_OPEN_SIZE };

struct st {
	XML_Parser xp;
	struct alu_repomd *out;
	struct alu_err *e;
	const char *what;
	int err;
	int depth, in_data;
	enum field field;
	char text[TEXT_MAX];
	size_t ntext;
	size_t cap;
};

static int fail(struct st *s, int code, const char *fmt, const char *arg)
{
	char msg[512];

	if (s->err)
		return s->err;
	snprintf(msg, sizeof(msg), fmt, arg);
	s->err = alu_err_set(s->e, code, "%s: line %lu: %s", s->what,
			     (unsigned long)XML_GetCurrentLineNumber(s->xp), msg);
	XML_StopParser(s->xp, XML_FALSE);
	return s->err;
}

/* Expat hands "ns|local"; anything outside the repo namespace is not ours. */
static const char *local(const char *name)
{
	size_t n = sizeof(NS_REPO) - 1;

	if (!strncmp(name, NS_REPO, n) && name[n] == '|')
		return name + n + 1;
	return strchr(name, '|') ? NULL : name;
}

static const char *attr(const char **atts, const char *key)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], key))
			return atts[1];
	return NULL;
}

static void set_cktype(char *dst, size_t n, const char *t)
{
	/* createrepo writes "sha" for sha1 in old repositories */
	if (!t)
		t = "";
	if (!strcmp(t, "sha"))
		t = "sha1";
	snprintf(dst, n, "%s", t);
}

static void XMLCALL on_start(void *ud, const char *name, const char **atts)
{
	struct st *s = ud;
	const char *l = local(name);
	struct alu_repomd_data *d;

	s->depth++;
	s->field = F_NONE;
	s->ntext = 0;
	if (!l || s->err)
		return;
	if (s->depth == 2 && !strcmp(l, "revision")) {
		s->field = F_REVISION;
	} else if (s->depth == 2 && !strcmp(l, "data")) {
		const char *type = attr(atts, "type");
		if (!type || !*type || strlen(type) >= sizeof(d->type)) {
			fail(s, -ALUE_CORRUPT, "<data> without a valid type%s", "");
			return;
		}
		if (rvec_grow((void **)&s->out->v, &s->cap, s->out->n + 1, sizeof(*d))) {
			fail(s, -ENOMEM, "out of memory%s", "");
			return;
		}
		d = &s->out->v[s->out->n++];
		memset(d, 0, sizeof(*d));
		snprintf(d->type, sizeof(d->type), "%s", type);
		s->in_data = 1;
	} else if (s->depth == 3 && s->in_data) {
		d = &s->out->v[s->out->n - 1];
		if (!strcmp(l, "checksum")) {
			s->field = F_CHECKSUM;
			if (!*d->checksum)
				set_cktype(d->checksum_type, sizeof(d->checksum_type), attr(atts, "type"));
		} else if (!strcmp(l, "open-checksum")) {
			s->field = F_OPEN_CHECKSUM;
			if (!*d->open_checksum)
				set_cktype(d->open_checksum_type, sizeof(d->open_checksum_type), attr(atts, "type"));
		} else if (!strcmp(l, "location")) {
			const char *href = attr(atts, "href");
			if (!href || !*href) {
				fail(s, -ALUE_CORRUPT, "<location> of %s without href", d->type);
				return;
			}
			free(d->href);
			d->href = strdup(href);
			if (!d->href)
				fail(s, -ENOMEM, "out of memory%s", "");
		} else if (!strcmp(l, "timestamp")) {
			s->field = F_TIMESTAMP;
		} else if (!strcmp(l, "size")) {
			s->field = F_SIZE;
		} else if (!strcmp(l, "open-size")) {
			s->field = F_OPEN_SIZE;
		}
	}
}

static void XMLCALL on_text(void *ud, const char *t, int n)
{
	struct st *s = ud;

	if (s->field == F_NONE || s->err)
		return;
	if (s->ntext + (size_t)n >= TEXT_MAX) {
		fail(s, -ALUE_CORRUPT, "text of an element is too long%s", "");
		return;
	}
	memcpy(s->text + s->ntext, t, (size_t)n);
	s->ntext += (size_t)n;
}

static char *trim(char *t)
{
	char *end;

	while (isspace((unsigned char)*t))
		t++;
	end = t + strlen(t);
	while (end > t && isspace((unsigned char)end[-1]))
		*--end = 0;
	return t;
}

static int set_hex(struct st *s, char *dst, const char *type, const char *v)
{
	int algo = alu_digest_by_name(type);
	size_t n = strlen(v), want = algo > 0 ? 2 * alu_digest_len(algo) : 0;

	if (!want)
		return fail(s, -ALUE_UNSUPPORTED, "unknown checksum type '%s'", type);
	/* one checksum of each kind per file: which of two would count? */
	if (*dst)
		return fail(s, -ALUE_CORRUPT, "a second checksum ('%s') for one file", v);
	if (n != want)
		return fail(s, -ALUE_CORRUPT, "checksum '%s' has the wrong length", v);
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)v[i]))
			return fail(s, -ALUE_CORRUPT, "checksum '%s' is not hex", v);
		dst[i] = (char)tolower((unsigned char)v[i]);
	}
	dst[n] = 0;
	return 0;
}

static void XMLCALL on_end(void *ud, const char *name)
{
	struct st *s = ud;
	struct alu_repomd_data *d = s->out->n ? &s->out->v[s->out->n - 1] : NULL;
	enum field f = s->field;
	char *v;

	s->depth--;
	s->field = F_NONE;
	if (s->err)
		return;
	if (s->depth == 1 && s->in_data) {
		const char *l = local(name);
		if (l && !strcmp(l, "data")) {
			s->in_data = 0;
			if (!d->href)
				fail(s, -ALUE_CORRUPT, "<data type=\"%s\"> has no location", d->type);
		}
	}
	if (f == F_NONE)
		return;
	s->text[s->ntext] = 0;
	v = trim(s->text);
	switch (f) {
	case F_REVISION:
		free(s->out->revision);
		s->out->revision = strdup(v);
		if (!s->out->revision)
			fail(s, -ENOMEM, "out of memory%s", "");
		break;
	case F_CHECKSUM:
		set_hex(s, d->checksum, d->checksum_type, v);
		break;
	case F_OPEN_CHECKSUM:
		set_hex(s, d->open_checksum, d->open_checksum_type, v);
		break;
	case F_TIMESTAMP:
	case F_SIZE:
	case F_OPEN_SIZE: {
		uint64_t x;
		/* timestamps may be written as "1700000000.0" by some tools */
		char *dot = f == F_TIMESTAMP ? strchr(v, '.') : NULL;
		if (dot)
			*dot = 0;
		if (rparse_u64(v, 0, &x)) {
			fail(s, -ALUE_CORRUPT, "bad number '%s'", v);
			break;
		}
		if (f == F_TIMESTAMP)
			d->timestamp = x;
		else if (f == F_SIZE)
			d->size = x;
		else
			d->open_size = x;
		break;
	}
	default:
		break;
	}
}

int alu_repomd_parse(const char *buf, size_t len, const char *what,
		     struct alu_repomd *out, struct alu_err *e)
{
	struct st s = { .out = out, .e = e, .what = what };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	s.xp = XML_ParserCreateNS(NULL, '|');
	if (!s.xp)
		return alu_err_set(e, -ENOMEM, "out of memory");
	XML_SetUserData(s.xp, &s);
	XML_SetElementHandler(s.xp, on_start, on_end);
	XML_SetCharacterDataHandler(s.xp, on_text);
	if (len > INT32_MAX) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s: too large", what);
	} else if (XML_Parse(s.xp, buf, (int)len, 1) == XML_STATUS_ERROR && !s.err) {
		rc = alu_err_set(e, -ALUE_XML, "%s: line %lu: %s", what,
				 (unsigned long)XML_GetCurrentLineNumber(s.xp),
				 XML_ErrorString(XML_GetErrorCode(s.xp)));
	}
	if (!rc)
		rc = s.err;
	XML_ParserFree(s.xp);
	if (!rc && !out->revision) {
		out->revision = strdup("");
		if (!out->revision)
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	return rc;
}

const struct alu_repomd_data *alu_repomd_find(const struct alu_repomd *m, const char *type)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].type, type))
			return &m->v[i];
	return NULL;
}

void alu_repomd_free(struct alu_repomd *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].href);
	free(m->v);
	free(m->revision);
	memset(m, 0, sizeof(*m));
}
