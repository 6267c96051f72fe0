/* SPDX-License-Identifier: MIT */
/*
 * reposync --security (and the other advisory filters): the copy holds only
 * the packages that matching advisories name, so it gets metadata of its
 * own, consistent with what it holds:
 *   1. the advisories that pass the filter give a set of NEVRAs;
 *   2. the copy selects the packages of the upstream list in that set;
 *   3. primary.xml.gz is written from the upstream records of the selected
 *      packages (every field the readers know: dependencies, files, sizes,
 *      header range), updateinfo.xml.gz from the matching advisories with
 *      their package lists cut to what the copy holds, and a new repomd.xml
 *      listing both (revision kept; checksums of the new files).
 * The new repomd.xml cannot carry the upstream signature: a subset is not
 * what the vendor signed, so repomd.xml.asc/.key are removed from the copy
 * and clients of a subset must not set repo_gpgcheck=1 (packages keep their
 * own signatures, which gpgcheck=1 still checks).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "crypto/digest.h"
#include "repo/mirrorcopy.h"
#include "repo/repo.h"

#define PATH_MAX_ 4096

static int cmp_key(const void *k, const void *v)
{
	return strcmp(k, *(char *const *)v);
}

static int in_set(const struct alu_strv *sv, const char *s)
{
	return sv->n && bsearch(s, sv->v, sv->n, sizeof(*sv->v), cmp_key);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void alu_msubset_key(char *buf, size_t n, const char *name, uint32_t epoch, const char *v,
		     const char *r, const char *arch)
{
	snprintf(buf, n, "%s-%u:%s-%s.%s", name, epoch, v, r, arch);
}

/* ---- 1. the advisories' packages ------------------------------------------ */

struct sel { const struct alu_filter *f; struct alu_strv *out; };

static int sel_cb(void *ud, const struct alu_advrec *a)
{
	struct sel *s = ud;
	char k[1024];

	if (!alu_adv_filter_match(s->f, a))
		return 0;
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *p = &a->pkgs[i];
		alu_msubset_key(k, sizeof(k), p->name, p->epoch, p->version, p->release, p->arch);
		if (alu_strv_push(s->out, k))
			return -ENOMEM;
	}
	return 0;
}

int alu_msubset_select(const char *updateinfo, const struct alu_filter *f, struct alu_strv *out,
		       struct alu_err *e)
{
	struct sel s = { f, out };
	int rc = updateinfo ? alu_updateinfo_file(updateinfo, sel_cb, &s, e) : 0;

	if (!rc && out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return rc;
}

/* ---- 3. writing ------------------------------------------------------------- */

static void esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* ' NAME="V"', V escaped */
static void attr(FILE *f, const char *name, const char *v)
{
	fprintf(f, " %s=\"", name);
	esc(f, v);
	fputc('"', f);
}

static void el(FILE *f, const char *tag, const char *v)
{
	fprintf(f, "%s<%s>", strncmp(tag, "rpm:", 4) ? "  " : "    ", tag);
	esc(f, v);
	fprintf(f, "</%s>\n", tag);
}

static const char *flagname(uint32_t fl)
{
	switch (fl & (ALU_DEP_LESS | ALU_DEP_GREATER | ALU_DEP_EQUAL)) {
	case ALU_DEP_LESS: return "LT";
	case ALU_DEP_GREATER: return "GT";
	case ALU_DEP_EQUAL: return "EQ";
	case ALU_DEP_LESS | ALU_DEP_EQUAL: return "LE";
	case ALU_DEP_GREATER | ALU_DEP_EQUAL: return "GE";
	}
	return NULL;
}

static void dep(FILE *f, const struct alu_dep *d)
{
	const char *fl = flagname(d->flags);

	fputs("      <rpm:entry", f);
	attr(f, "name", d->name);
	if (fl && *d->evr) {
		/* "[E:]V[-R]" as the readers compose it */
		const char *colon = strchr(d->evr, ':'), *v = colon ? colon + 1 : d->evr;
		const char *dash = strrchr(v, '-');
		fprintf(f, " flags=\"%s\" epoch=\"%.*s\" ver=\"", fl,
			colon ? (int)(colon - d->evr) : 1, colon ? d->evr : "0");
		fprintf(f, "%.*s\"", dash ? (int)(dash - v) : (int)strlen(v), v);
		if (dash)
			attr(f, "rel", dash + 1);
	}
	if (d->flags & ALU_DEP_PREREQ)
		fputs(" pre=\"1\"", f);
	fputs("/>\n", f);
}

struct pw { FILE *f; const struct alu_strv *locs; size_t n; };

static int prim_cb(void *ud, const struct alu_pkgrec *p)
{
	static const char *const kinds[ALU_DEPTYPE_N] = { "requires", "provides", "conflicts",
		"obsoletes" };
	struct pw *w = ud;
	FILE *f = w->f;

	if (!in_set(w->locs, p->location))
		return 0;
	w->n++;
	fputs("<package type=\"rpm\">\n", f);
	el(f, "name", p->name);
	el(f, "arch", p->arch);
	fprintf(f, "  <version epoch=\"%u\"", p->epoch);
	attr(f, "ver", p->version);
	attr(f, "rel", p->release);
	fprintf(f, "/>\n  <checksum type=\"%s\" pkgid=\"YES\">%s</checksum>\n",
		*p->checksum_type ? p->checksum_type : "sha256", p->pkgid);
	el(f, "summary", p->summary);
	el(f, "description", p->description);
	el(f, "packager", p->packager);
	el(f, "url", p->url);
	fprintf(f, "  <time file=\"%llu\" build=\"%llu\"/>\n", (unsigned long long)p->time_file,
		(unsigned long long)p->time_build);
	fprintf(f, "  <size package=\"%llu\" installed=\"%llu\" archive=\"%llu\"/>\n",
		(unsigned long long)p->size_package, (unsigned long long)p->size_installed,
		(unsigned long long)p->size_archive);
	fputs("  <location", f);
	if (*p->location_base)
		attr(f, "xml:base", p->location_base);
	attr(f, "href", p->location);
	fputs("/>\n  <format>\n", f);
	el(f, "rpm:license", p->license);
	el(f, "rpm:vendor", p->vendor);
	el(f, "rpm:group", p->group);
	el(f, "rpm:buildhost", p->buildhost);
	el(f, "rpm:sourcerpm", p->sourcerpm);
	fprintf(f, "    <rpm:header-range start=\"%llu\" end=\"%llu\"/>\n",
		(unsigned long long)p->header_start, (unsigned long long)p->header_end);
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		if (!p->ndeps[t])
			continue;
		fprintf(f, "    <rpm:%s>\n", kinds[t]);
		for (size_t i = 0; i < p->ndeps[t]; i++)
			dep(f, &p->deps[t][i]);
		fprintf(f, "    </rpm:%s>\n", kinds[t]);
	}
	for (size_t i = 0; i < p->nfiles; i++) {
		fputs("    <file>", f);
		esc(f, p->files[i]);
		fputs("</file>\n", f);
	}
	fputs("  </format>\n</package>\n", f);
	return ferror(f) ? -ENOMEM : 0;
}

struct uw { FILE *f; const struct alu_filter *flt; const struct alu_strv *have; size_t n; };

static int upd_cb(void *ud, const struct alu_advrec *a)
{
	struct uw *w = ud;
	FILE *f = w->f;
	size_t kept = 0;
	char k[1024];

	if (!alu_adv_filter_match(w->flt, a))
		return 0;
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *p = &a->pkgs[i];
		alu_msubset_key(k, sizeof(k), p->name, p->epoch, p->version, p->release, p->arch);
		kept += in_set(w->have, k);
	}
	/* an advisory none of whose packages the copy holds would name nothing */
	if (!kept)
		return 0;
	w->n++;
	fputs("<update", f);
	attr(f, "from", a->from);
	attr(f, "status", a->status);
	attr(f, "type", a->type);
	attr(f, "version", a->version);
	fputs(">\n", f);
	el(f, "id", a->id);
	el(f, "title", a->title);
	fputs("  <issued", f);
	attr(f, "date", a->issued);
	fputs("/>\n  <updated", f);
	attr(f, "date", a->updated);
	fputs("/>\n", f);
	if (*a->severity)
		el(f, "severity", a->severity);
	el(f, "description", a->description);
	if (*a->cvss_score)
		el(f, "cvss_score", a->cvss_score);
	if (*a->cvss_vector)
		el(f, "cvss_vector", a->cvss_vector);
	fputs("  <references>\n", f);
	for (size_t i = 0; i < a->nrefs; i++) {
		const struct alu_advref *r = &a->refs[i];
		fputs("    <reference", f);
		attr(f, "href", r->href);
		attr(f, "id", r->id);
		attr(f, "title", r->title);
		attr(f, "type", r->type);
		fputs("/>\n", f);
	}
	fputs("  </references>\n  <pkglist>\n    <collection short=\"subset\">\n"
	      "      <name>reposync subset</name>\n", f);
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *p = &a->pkgs[i];
		alu_msubset_key(k, sizeof(k), p->name, p->epoch, p->version, p->release, p->arch);
		if (!in_set(w->have, k))
			continue;
		fputs("      <package", f);
		attr(f, "name", p->name);
		fprintf(f, " epoch=\"%u\"", p->epoch);
		attr(f, "version", p->version);
		attr(f, "release", p->release);
		attr(f, "arch", p->arch);
		if (*p->src)
			attr(f, "src", p->src);
		fputs(">\n        <filename>", f);
		esc(f, p->filename);
		fputs("</filename>\n      </package>\n", f);
	}
	fputs("    </collection>\n  </pkglist>\n</update>\n", f);
	return ferror(f) ? -ENOMEM : 0;
}

/* One data file: gzip @p xml, write dest/repodata/<sha256>-<type>.xml.gz and
 * its <data> entry into @p md. */
static int put_data(const char *dest, const char *type, const char *xml, size_t len, FILE *md,
		    struct alu_err *e)
{
	unsigned char os[32], cs[32];
	char ohex[65], chex[65], path[PATH_MAX_];
	z_stream z = { 0 };
	unsigned char *gz;
	size_t cap = len + len / 100 + 1024;
	int rc;

	if (!(gz = malloc(cap)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	if (deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(gz);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	z.next_in = (unsigned char *)xml;
	z.avail_in = (uInt)len;
	z.next_out = gz;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : -ENOMEM;
	deflateEnd(&z);
	if (rc) {
		free(gz);
		return alu_err_set(e, rc, "compressing %s failed", type);
	}
	alu_digest_buf(ALU_HASH_SHA256, xml, len, os);
	alu_digest_buf(ALU_HASH_SHA256, gz, z.total_out, cs);
	alu_hex(os, 32, ohex);
	alu_hex(cs, 32, chex);
	snprintf(path, sizeof(path), "%s/repodata/%s-%s.xml.gz", dest, chex, type);
	rc = alu_mcopy_write(path, gz, z.total_out, e);
	free(gz);
	if (rc)
		return rc;
	fprintf(md, "  <data type=\"%s\">\n    <checksum type=\"sha256\">%s</checksum>\n"
		"    <open-checksum type=\"sha256\">%s</open-checksum>\n"
		"    <location href=\"repodata/%s-%s.xml.gz\"/>\n    <timestamp>%lld</timestamp>\n"
		"    <size>%lu</size>\n    <open-size>%zu</open-size>\n  </data>\n",
		type, chex, ohex, chex, type, (long long)time(NULL), (unsigned long)z.total_out, len);
	return 0;
}

int alu_msubset_write(const char *dest, const char *primary, int sqlite, const char *updateinfo,
		      const struct alu_filter *flt, const struct alu_strv *locs,
		      const struct alu_strv *have, const char *revision, char **mdout,
		      size_t *mdlen, struct alu_err *e)
{
	char *pbuf = NULL, *ubuf = NULL, *hbuf = NULL, tmp[PATH_MAX_ + 16];
	size_t plen = 0, ulen = 0, hlen = 0;
	struct pw pw = { NULL, locs, 0 };
	struct uw uw = { NULL, flt, have, 0 };
	FILE *md = NULL;
	int rc = 0;

	*mdout = NULL;
	if (!(pw.f = open_memstream(&pbuf, &plen)) || !(uw.f = open_memstream(&ubuf, &ulen)))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	if (!rc && !sqlite) {
		rc = alu_primary_xml_file(primary, prim_cb, &pw, e);
	} else if (!rc) {
		snprintf(tmp, sizeof(tmp), "%s.sqlite.tmp", primary);
		rc = alu_decomp_to_file(primary, tmp, e);
		if (!rc)
			rc = alu_primary_sqlite_file(tmp, prim_cb, &pw, e);
		unlink(tmp);
	}
	if (!rc && updateinfo)
		rc = alu_updateinfo_file(updateinfo, upd_cb, &uw, e);
	if (pw.f)
		fclose(pw.f);
	if (uw.f)
		fclose(uw.f);
	pw.f = uw.f = NULL;
	if (!rc && !(md = open_memstream(&hbuf, &hlen)))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	if (!rc) {
		char *doc = NULL;
		size_t dlen = 0;
		FILE *d = open_memstream(&doc, &dlen);
		fprintf(md, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			"<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" "
			"xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n  <revision>");
		esc(md, revision);
		fputs("</revision>\n", md);
		fprintf(d, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" "
			"xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"%zu\">\n%s</metadata>\n",
			pw.n, pbuf ? pbuf : "");
		fclose(d);
		rc = put_data(dest, "primary", doc, dlen, md, e);
		free(doc);
		doc = NULL;
		d = open_memstream(&doc, &dlen);
		fprintf(d, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<updates>\n%s</updates>\n",
			ubuf ? ubuf : "");
		fclose(d);
		if (!rc)
			rc = put_data(dest, "updateinfo", doc, dlen, md, e);
		free(doc);
		fputs("</repomd>\n", md);
		fclose(md);
		if (!rc) {
			*mdout = hbuf;
			*mdlen = hlen;
			hbuf = NULL;
		}
	}
	free(hbuf);
	free(pbuf);
	free(ubuf);
	return rc;
}
