/* SPDX-License-Identifier: MIT */
/*
 * primary.xml, streamed: the XML reader (xmlscan.h: a fast path, expat for
 * the rest) is fed decoded chunks and each <package> is handed to the sink
 * as soon as its end tag is seen, so memory stays at one package whatever
 * the repository's size. Elements are matched by local name (common and
 * rpm namespaces do not collide on the names we read).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_int.h"
#include "repo/xmlscan.h"

#define TEXT_MAX (8u << 20)   /* one description or file name; more is hostile */
#define XML_BASE "xml:base"

enum txt { T_NONE, T_NAME, T_ARCH, T_CHECKSUM, T_SUMMARY, T_DESCRIPTION, T_PACKAGER, T_URL,
	T_LICENSE, T_VENDOR, T_GROUP, T_BUILDHOST, T_SOURCERPM, T_FILE };

/* the elements we read, by local name; text elements carry their enum txt */
enum elem { E_OTHER = 0, E_TEXT_LAST = T_FILE, E_PACKAGE, E_FORMAT, E_ENTRY, E_PROVIDES,
	E_REQUIRES, E_CONFLICTS, E_OBSOLETES, E_RECOMMENDS, E_SUGGESTS, E_SUPPLEMENTS, E_ENHANCES,
	E_HEADER_RANGE, E_VERSION, E_TIME, E_SIZE,
	E_LOCATION };

struct alu_primary_xml {
	struct xscan *xp;
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
	struct rarena **ext;     /* the caller's arena for record strings, or NULL */
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
			     xscan_line(p->xp), msg);
	xscan_stop(p->xp);
	return p->err;
}

static int same(const char *a, const char *b, size_t n)
{
	while (n && *a == *b)
		a++, b++, n--;
	return !n;
}

/* l is the literal, NUL included: no length needed, no read past l's end */
#define IS(lit) same(l, lit, sizeof(lit))

static enum elem by_local(const char *l)
{
	switch (l[0]) {
	case 'a': return IS("arch") ? (enum elem)T_ARCH : E_OTHER;
	case 'b': return IS("buildhost") ? (enum elem)T_BUILDHOST : E_OTHER;
	case 'c': return IS("checksum") ? (enum elem)T_CHECKSUM : IS("conflicts") ? E_CONFLICTS : E_OTHER;
	case 'd': return IS("description") ? (enum elem)T_DESCRIPTION : E_OTHER;
	case 'e': return IS("entry") ? E_ENTRY : IS("enhances") ? E_ENHANCES : E_OTHER;
	case 'f': return IS("file") ? (enum elem)T_FILE : IS("format") ? E_FORMAT : E_OTHER;
	case 'g': return IS("group") ? (enum elem)T_GROUP : E_OTHER;
	case 'h': return IS("header-range") ? E_HEADER_RANGE : E_OTHER;
	case 'l': return IS("license") ? (enum elem)T_LICENSE : IS("location") ? E_LOCATION : E_OTHER;
	case 'n': return IS("name") ? (enum elem)T_NAME : E_OTHER;
	case 'o': return IS("obsoletes") ? E_OBSOLETES : E_OTHER;
	case 'p': return IS("package") ? E_PACKAGE : IS("packager") ? (enum elem)T_PACKAGER :
			 IS("provides") ? E_PROVIDES : E_OTHER;
	case 'r': return IS("requires") ? E_REQUIRES : IS("recommends") ? E_RECOMMENDS : E_OTHER;
	case 's': return IS("size") ? E_SIZE : IS("sourcerpm") ? (enum elem)T_SOURCERPM :
			 IS("summary") ? (enum elem)T_SUMMARY : IS("suggests") ? E_SUGGESTS :
			 IS("supplements") ? E_SUPPLEMENTS : E_OTHER;
	case 't': return IS("time") ? E_TIME : E_OTHER;
	case 'u': return IS("url") ? (enum elem)T_URL : E_OTHER;
	case 'v': return IS("vendor") ? (enum elem)T_VENDOR : IS("version") ? E_VERSION : E_OTHER;
	default: return E_OTHER;
	}
}

/*
 * By local name: the common and rpm namespaces do not collide on ours.
 * createrepo_c writes common names bare and rpm names as "rpm:"; any other
 * prefix is looked up after its colon.
 */
static enum elem elem_of(const char *name)
{
	const char *colon;
	enum elem e;

	if (name[0] == 'r' && name[1] == 'p' && name[2] == 'm' && name[3] == ':')
		return by_local(name + 4);
	e = by_local(name);
	if (e != E_OTHER)
		return e;
	colon = strchr(name, ':');
	return colon ? by_local(colon + 1) : E_OTHER;
}

static const char *attr(const char **atts, const char *key)
{
	for (; atts[0]; atts += 2)
		if (!strcmp(atts[0], key))
			return atts[1];
	return NULL;
}

static struct rarena *strings(struct alu_primary_xml *p)
{
	return p->ext && *p->ext ? *p->ext : &p->arena;
}

static const char *adup(struct alu_primary_xml *p, const char *s)
{
	char *d = rarena_strdup(strings(p), s ? s : "");
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

static void dep_entry(struct alu_primary_xml *p, const char **atts)
{
	const char *n = NULL, *pre = NULL, *flags = NULL, *ep = NULL, *ver = NULL, *rel = NULL;
	struct alu_dep d;

	/* one pass: an entry has up to six attributes and there are many entries */
	for (; atts[0]; atts += 2) {
		const char *k = atts[0], **slot;
		switch (k[0]) {
		case 'n': slot = strcmp(k, "name") ? NULL : &n; break;
		case 'p': slot = strcmp(k, "pre") ? NULL : &pre; break;
		case 'f': slot = strcmp(k, "flags") ? NULL : &flags; break;
		case 'e': slot = strcmp(k, "epoch") ? NULL : &ep; break;
		case 'v': slot = strcmp(k, "ver") ? NULL : &ver; break;
		case 'r': slot = strcmp(k, "rel") ? NULL : &rel; break;
		default: slot = NULL; break;
		}
		if (slot)
			*slot = atts[1];
	}
	if (!n || !*n) {
		fail(p, -ALUE_CORRUPT, "dependency entry without a name in %s", p->rec.name);
		return;
	}
	d.name = adup(p, n);
	d.flags = rdep_flags(flags);
	if (pre && (!strcmp(pre, "1") || !strcmp(pre, "true")))
		d.flags |= ALU_DEP_PREREQ;
	d.evr = rdep_evr(strings(p), ep, ver, rel);
	if (!d.evr || RVEC_PUSH(p->deps[p->deptype], d))
		fail(p, -ENOMEM, "out of memory%s", "");
}

static void version_of(struct alu_primary_xml *p, const char **atts)
{
	const char *ep = attr(atts, "epoch");
	uint64_t e64;

	if (rparse_u64(ep, 1, &e64) || e64 > UINT32_MAX) {
		fail(p, -ALUE_CORRUPT, "bad epoch '%s'", ep);
		return;
	}
	p->rec.epoch = (uint32_t)e64;
	p->rec.version = adup(p, attr(atts, "ver"));
	p->rec.release = adup(p, attr(atts, "rel"));
}

static void on_start(void *ud, const char *name, const char **atts)
{
	struct alu_primary_xml *p = ud;
	enum elem e = elem_of(name);

	p->txt = T_NONE;
	if (p->err)
		return;
	if (e == E_PACKAGE) {
		if (p->in_pkg)
			fail(p, -ALUE_CORRUPT, "nested <package>%s", "");
		else
			begin_package(p);
		return;
	}
	if (!p->in_pkg || e == E_OTHER)
		return;
	if (e == E_FORMAT) {
		p->in_format = 1;
		return;
	}
	/* inside a dependency list only <entry> counts; "name" there is not ours */
	if (p->deptype >= 0) {
		if (e == E_ENTRY)
			dep_entry(p, atts);
		return;
	}
	switch (e) {
	case E_PROVIDES: case E_REQUIRES: case E_CONFLICTS: case E_OBSOLETES:
	case E_RECOMMENDS: case E_SUGGESTS: case E_SUPPLEMENTS: case E_ENHANCES: {
		static const int kind[] = { ALU_PROVIDES, ALU_REQUIRES, ALU_CONFLICTS, ALU_OBSOLETES,
			ALU_RECOMMENDS, ALU_SUGGESTS, ALU_SUPPLEMENTS, ALU_ENHANCES };
		if (p->in_format)
			p->deptype = kind[e - E_PROVIDES];
		return;
	}
	case E_HEADER_RANGE:
		if (p->in_format) {
			num(p, atts, "start", &p->rec.header_start);
			num(p, atts, "end", &p->rec.header_end);
		}
		return;
	case E_VERSION:
		if (!p->in_format)
			version_of(p, atts);
		return;
	case E_TIME:
		if (!p->in_format) {
			num(p, atts, "file", &p->rec.time_file);
			num(p, atts, "build", &p->rec.time_build);
		}
		return;
	case E_SIZE:
		if (!p->in_format) {
			num(p, atts, "package", &p->rec.size_package);
			num(p, atts, "installed", &p->rec.size_installed);
			num(p, atts, "archive", &p->rec.size_archive);
		}
		return;
	case E_LOCATION:
		if (!p->in_format) {
			p->rec.location = adup(p, attr(atts, "href"));
			p->rec.location_base = adup(p, attr(atts, XML_BASE));
		}
		return;
	default:
		if (e <= E_TEXT_LAST) {
			if (e == (enum elem)T_CHECKSUM)
				p->rec.checksum_type = adup(p, attr(atts, "type"));
			p->txt = (enum txt)e;
			p->ntext = 0;
		}
		return;
	}
}

static void on_text(void *ud, const char *t, int n)
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
		xscan_stop(p->xp);
		return;
	}
	p->count++;
}

static void on_end(void *ud, const char *name)
{
	struct alu_primary_xml *p = ud;
	enum elem e;

	if (p->err)
		return;
	if (p->txt != T_NONE) {
		end_text(p);
		p->txt = T_NONE;
		return;
	}
	if (!p->in_pkg)
		return;
	e = elem_of(name);
	if (e == E_PACKAGE)
		end_package(p);
	else if (e == E_FORMAT)
		p->in_format = 0;
	else if (p->deptype >= 0 && e >= E_PROVIDES && e <= E_ENHANCES)
		p->deptype = -1;
}

int alu_primary_xml_new(alu_pkgrec_cb cb, void *ud, struct alu_primary_xml **out)
{
	struct alu_primary_xml *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->xp = xscan_new(p, on_start, on_end, on_text);
	if (!p->xp) {
		free(p);
		return -ENOMEM;
	}
	p->cb = cb;
	p->ud = ud;
	p->deptype = -1;
	*out = p;
	return 0;
}

int alu_primary_xml_feed(struct alu_primary_xml *p, const char *buf, size_t n, int final,
			 struct alu_err *e)
{
	p->e = e;
	if (p->err)
		return p->err;
	if (xscan_feed(p->xp, buf, n, final) && !p->err)
		p->err = alu_err_set(e, -ALUE_XML, "primary.xml: line %lu: %s",
				     xscan_line(p->xp), xscan_error(p->xp));
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
	xscan_free(p->xp);
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

int alu_primary_xml_file_in(const char *path, const struct alu_decomp_expect *x, alu_pkgrec_cb cb,
			    void *ud, struct rarena **arena, struct alu_err *e)
{
	struct feed f = { .e = e };
	int rc = alu_primary_xml_new(cb, ud, &f.p);

	if (rc)
		return alu_err_set(e, rc, "out of memory");
	f.p->ext = arena;
	rc = alu_decomp_each_x(path, x, feed_cb, &f, e);
	if (!rc)
		rc = alu_primary_xml_feed(f.p, "", 0, 1, e);
	alu_primary_xml_free(f.p);
	return rc;
}

int alu_primary_xml_file(const char *path, alu_pkgrec_cb cb, void *ud, struct alu_err *e)
{
	return alu_primary_xml_file_in(path, NULL, cb, ud, NULL, e);
}
