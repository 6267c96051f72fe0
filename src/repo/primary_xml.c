/* SPDX-License-Identifier: MIT */
/*
 * primary.xml, streamed: expat is fed decoded chunks and each <package> is
 * handed to the sink as soon as its end tag is seen, so memory stays at one
 * package whatever the repository's size. Elements are matched by local
 * name (common and rpm namespaces do not collide on the names we read).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "repo/repo_int.h"

#define TEXT_MAX (8u << 20)   /* one description or file name; more is hostile */
#define XML_BASE "http://www.w3.org/XML/1998/namespace|base"

enum txt { T_NONE, T_NAME, T_ARCH, T_CHECKSUM, T_SUMMARY, T_DESCRIPTION, T_PACKAGER, T_URL,
	T_LICENSE, T_VENDOR, T_GROUP, T_BUILDHOST, T_SOURCERPM, T_FILE };

static const struct { const char *name; enum txt t; } text_elems[] = {
	{ "name", T_NAME }, { "arch", T_ARCH }, { "checksum", T_CHECKSUM },
	{ "summary", T_SUMMARY }, { "description", T_DESCRIPTION }, { "packager", T_PACKAGER },
	{ "url", T_URL }, { "license", T_LICENSE }, { "vendor", T_VENDOR }, { "group", T_GROUP },
	{ "buildhost", T_BUILDHOST }, { "sourcerpm", T_SOURCERPM }, { "file", T_FILE },
};

struct alu_primary_xml {
	XML_Parser xp;
	alu_pkgrec_cb cb;
	void *ud;
	struct alu_err *e;
	int err;
	size_t count;
	int in_pkg, in_format;
	int deptype;             /* inside rpm:provides etc.; -1 outside */
	enum txt txt;
	char *text;
	size_t ntext, captext;
	struct alu_pkgrec rec;
	const char *epoch_s;     /* <version epoch> kept until the end for the message */
	struct rarena arena;
	RVEC(struct alu_dep) deps[ALU_DEPTYPE_N];
	RVEC(const char *) files;
};

static int fail(struct alu_primary_xml *p, int code, const char *fmt, const char *a)
{
	char msg[512];

	if (p->err)
		return p->err;
	snprintf(msg, sizeof(msg), fmt, a);
	p->err = alu_err_set(p->e, code, "primary.xml: line %lu: %s",
			     (unsigned long)XML_GetCurrentLineNumber(p->xp), msg);
	XML_StopParser(p->xp, XML_FALSE);
	return p->err;
}

static const char *local(const char *name)
{
	const char *bar = strrchr(name, '|');
	return bar ? bar + 1 : name;
}

static const char *attr(const char **atts, const char *key)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], key))
			return atts[1];
	return NULL;
}

static const char *adup(struct alu_primary_xml *p, const char *s)
{
	char *d = rarena_strdup(&p->arena, s ? s : "");
	if (!d)
		fail(p, -ENOMEM, "out of memory%s", "");
	return d ? d : "";
}

static void num(struct alu_primary_xml *p, const char **atts, const char *key, uint64_t *out)
{
	const char *v = attr(atts, key);
	if (rparse_u64(v, 1, out))
		fail(p, -ALUE_CORRUPT, "bad number '%s'", v);
}

static void begin_package(struct alu_primary_xml *p)
{
	static const char *const empty = "";

	rarena_reset(&p->arena);
	memset(&p->rec, 0, sizeof(p->rec));
	p->rec.name = p->rec.arch = p->rec.version = p->rec.release = empty;
	p->rec.pkgid = p->rec.checksum_type = p->rec.summary = p->rec.description = empty;
	p->rec.url = p->rec.license = p->rec.vendor = p->rec.group = empty;
	p->rec.buildhost = p->rec.sourcerpm = p->rec.packager = empty;
	p->rec.location = p->rec.location_base = empty;
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		p->deps[t].n = 0;
	p->files.n = 0;
	p->in_pkg = 1;
	p->deptype = -1;
}

static void XMLCALL on_start(void *ud, const char *name, const char **atts)
{
	struct alu_primary_xml *p = ud;
	const char *l = local(name);

	p->txt = T_NONE;
	if (p->err)
		return;
	if (!strcmp(l, "package")) {
		if (p->in_pkg)
			fail(p, -ALUE_CORRUPT, "nested <package>%s", "");
		else
			begin_package(p);
		return;
	}
	if (!p->in_pkg)
		return;
	if (!strcmp(l, "format")) {
		p->in_format = 1;
		return;
	}
	if (p->deptype >= 0 && !strcmp(l, "entry")) {
		const char *n = attr(atts, "name"), *pre = attr(atts, "pre");
		struct alu_dep d;
		if (!n || !*n) {
			fail(p, -ALUE_CORRUPT, "dependency entry without a name in %s", p->rec.name);
			return;
		}
		d.name = adup(p, n);
		d.flags = rdep_flags(attr(atts, "flags"));
		if (pre && (!strcmp(pre, "1") || !strcmp(pre, "true")))
			d.flags |= ALU_DEP_PREREQ;
		d.evr = rdep_evr(&p->arena, attr(atts, "epoch"), attr(atts, "ver"), attr(atts, "rel"));
		if (!d.evr || RVEC_PUSH(p->deps[p->deptype], d))
			fail(p, -ENOMEM, "out of memory%s", "");
		return;
	}
	if (p->in_format) {
		if (!strcmp(l, "provides"))
			p->deptype = ALU_PROVIDES;
		else if (!strcmp(l, "requires"))
			p->deptype = ALU_REQUIRES;
		else if (!strcmp(l, "conflicts"))
			p->deptype = ALU_CONFLICTS;
		else if (!strcmp(l, "obsoletes"))
			p->deptype = ALU_OBSOLETES;
		else if (!strcmp(l, "header-range")) {
			num(p, atts, "start", &p->rec.header_start);
			num(p, atts, "end", &p->rec.header_end);
		}
	}
	if (!strcmp(l, "version") && !p->in_format) {
		const char *ep = attr(atts, "epoch");
		uint64_t e64;
		if (rparse_u64(ep, 1, &e64) || e64 > UINT32_MAX) {
			fail(p, -ALUE_CORRUPT, "bad epoch '%s'", ep);
			return;
		}
		p->rec.epoch = (uint32_t)e64;
		p->rec.version = adup(p, attr(atts, "ver"));
		p->rec.release = adup(p, attr(atts, "rel"));
		return;
	}
	if (!strcmp(l, "time") && !p->in_format) {
		num(p, atts, "file", &p->rec.time_file);
		num(p, atts, "build", &p->rec.time_build);
		return;
	}
	if (!strcmp(l, "size") && !p->in_format) {
		num(p, atts, "package", &p->rec.size_package);
		num(p, atts, "installed", &p->rec.size_installed);
		num(p, atts, "archive", &p->rec.size_archive);
		return;
	}
	if (!strcmp(l, "location") && !p->in_format) {
		p->rec.location = adup(p, attr(atts, "href"));
		p->rec.location_base = adup(p, attr(atts, XML_BASE));
		return;
	}
	/* inside a dependency list only <entry> counts; "name" there is not ours */
	if (p->deptype >= 0)
		return;
	for (size_t i = 0; i < sizeof(text_elems) / sizeof(text_elems[0]); i++) {
		if (strcmp(l, text_elems[i].name))
			continue;
		if (text_elems[i].t == T_CHECKSUM)
			p->rec.checksum_type = adup(p, attr(atts, "type"));
		p->txt = text_elems[i].t;
		p->ntext = 0;
		break;
	}
}

static void XMLCALL on_text(void *ud, const char *t, int n)
{
	struct alu_primary_xml *p = ud;

	if (p->txt == T_NONE || p->err)
		return;
	if (p->ntext + (size_t)n + 1 > TEXT_MAX) {
		fail(p, -ALUE_CORRUPT, "text too long in package %s", p->rec.name);
		return;
	}
	if (rvec_grow((void **)&p->text, &p->captext, p->ntext + (size_t)n + 1, 1)) {
		fail(p, -ENOMEM, "out of memory%s", "");
		return;
	}
	memcpy(p->text + p->ntext, t, (size_t)n);
	p->ntext += (size_t)n;
}

static void end_text(struct alu_primary_xml *p)
{
	const char *v;

	if (!p->text && rvec_grow((void **)&p->text, &p->captext, 1, 1)) {
		fail(p, -ENOMEM, "out of memory%s", "");
		return;
	}
	p->text[p->ntext] = 0;
	v = adup(p, p->text);
	switch (p->txt) {
	case T_NAME: p->rec.name = v; break;
	case T_ARCH: p->rec.arch = v; break;
	case T_CHECKSUM: p->rec.pkgid = v; break;
	case T_SUMMARY: p->rec.summary = v; break;
	case T_DESCRIPTION: p->rec.description = v; break;
	case T_PACKAGER: p->rec.packager = v; break;
	case T_URL: p->rec.url = v; break;
	case T_LICENSE: p->rec.license = v; break;
	case T_VENDOR: p->rec.vendor = v; break;
	case T_GROUP: p->rec.group = v; break;
	case T_BUILDHOST: p->rec.buildhost = v; break;
	case T_SOURCERPM: p->rec.sourcerpm = v; break;
	case T_FILE:
		if (*v && RVEC_PUSH(p->files, v))
			fail(p, -ENOMEM, "out of memory%s", "");
		break;
	default: break;
	}
}

static void end_package(struct alu_primary_xml *p)
{
	int rc;

	p->in_pkg = p->in_format = 0;
	p->deptype = -1;
	if (!*p->rec.name || !*p->rec.arch || !*p->rec.version || !*p->rec.location) {
		fail(p, -ALUE_CORRUPT, "package '%s' lacks name, arch, version or location",
		     p->rec.name);
		return;
	}
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		p->rec.deps[t] = p->deps[t].v;
		p->rec.ndeps[t] = p->deps[t].n;
	}
	p->rec.files = p->files.v;
	p->rec.nfiles = p->files.n;
	rc = p->cb(p->ud, &p->rec);
	if (rc) {
		p->err = rc;
		alu_err_set(p->e, rc, "primary.xml: package %s: %s", p->rec.name, alu_strerror(rc));
		XML_StopParser(p->xp, XML_FALSE);
		return;
	}
	p->count++;
}

static void XMLCALL on_end(void *ud, const char *name)
{
	struct alu_primary_xml *p = ud;
	const char *l = local(name);

	if (p->err)
		return;
	if (p->txt != T_NONE) {
		end_text(p);
		p->txt = T_NONE;
		return;
	}
	if (!p->in_pkg)
		return;
	if (!strcmp(l, "package"))
		end_package(p);
	else if (!strcmp(l, "format"))
		p->in_format = 0;
	else if (p->deptype >= 0 && (!strcmp(l, "provides") || !strcmp(l, "requires") ||
				     !strcmp(l, "conflicts") || !strcmp(l, "obsoletes")))
		p->deptype = -1;
}

int alu_primary_xml_new(alu_pkgrec_cb cb, void *ud, struct alu_primary_xml **out)
{
	struct alu_primary_xml *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->xp = XML_ParserCreateNS(NULL, '|');
	if (!p->xp) {
		free(p);
		return -ENOMEM;
	}
	p->cb = cb;
	p->ud = ud;
	p->deptype = -1;
	XML_SetUserData(p->xp, p);
	XML_SetElementHandler(p->xp, on_start, on_end);
	XML_SetCharacterDataHandler(p->xp, on_text);
	*out = p;
	return 0;
}

int alu_primary_xml_feed(struct alu_primary_xml *p, const char *buf, size_t n, int final,
			 struct alu_err *e)
{
	p->e = e;
	if (p->err)
		return p->err;
	while (n || final) {
		int chunk = n > (1u << 30) ? 1 << 30 : (int)n;
		int last = final && (size_t)chunk == n;
		if (XML_Parse(p->xp, buf, chunk, last) == XML_STATUS_ERROR) {
			if (!p->err)
				p->err = alu_err_set(e, -ALUE_XML, "primary.xml: line %lu: %s",
					(unsigned long)XML_GetCurrentLineNumber(p->xp),
					XML_ErrorString(XML_GetErrorCode(p->xp)));
			return p->err;
		}
		buf += chunk;
		n -= (size_t)chunk;
		if (last)
			break;
	}
	return p->err;
}

size_t alu_primary_xml_count(const struct alu_primary_xml *p)
{
	return p->count;
}

void alu_primary_xml_free(struct alu_primary_xml *p)
{
	if (!p)
		return;
	XML_ParserFree(p->xp);
	rarena_free(&p->arena);
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		free(p->deps[t].v);
	free(p->files.v);
	free(p->text);
	free(p);
}

struct feed { struct alu_primary_xml *p; struct alu_err *e; };

static int feed_cb(void *ud, const char *buf, size_t n)
{
	struct feed *f = ud;
	return alu_primary_xml_feed(f->p, buf, n, 0, f->e);
}

int alu_primary_xml_file(const char *path, alu_pkgrec_cb cb, void *ud, struct alu_err *e)
{
	struct feed f = { .e = e };
	int rc = alu_primary_xml_new(cb, ud, &f.p);

	if (rc)
		return alu_err_set(e, rc, "out of memory");
	rc = alu_decomp_each(path, feed_cb, &f, e);
	if (!rc)
		rc = alu_primary_xml_feed(f.p, "", 0, 1, e);
	alu_primary_xml_free(f.p);
	return rc;
}
