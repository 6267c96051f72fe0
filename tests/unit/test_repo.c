/* SPDX-License-Identifier: MIT */
/*
 * Metadata readers and the cache: decompression of every format, repomd.xml,
 * primary.xml and primary_db giving identical records and identical query
 * results, updateinfo, and replacing a repository in the cache.
 * Fixtures in data/repo/ were made with rpmbuild + createrepo_c --database
 * + modifyrepo_c (data/repo/README).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "db/cache.h"
#include "repo/repo.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

#define D "data/repo/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

struct buf { char *p; size_t n; };

static int collect(void *ud, const char *b, size_t n)
{
	struct buf *o = ud;
	o->p = realloc(o->p, o->n + n + 1);
	memcpy(o->p + o->n, b, n);
	o->n += n;
	o->p[o->n] = 0;
	return 0;
}

static void test_decomp(void)
{
	static const char *const names[] = { D "text", D "text.gz", D "text.xz", D "text.zst", D "text.bz2" };
	struct alu_err e = { 0 };
	size_t n;
	char *want = slurp(D "text", &n);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct buf o = { 0 };
		CHECK(alu_decomp_each(names[i], collect, &o, &e) == 0);
		CHECK(o.n == n && o.p && !memcmp(o.p, want, n));
		free(o.p);
	}
	{
		struct buf o = { 0 };
		int rc = alu_decomp_each(D "text-trunc.gz", collect, &o, &e);
		CHECK(rc == -ALUE_CORRUPT);
		CHECK(strstr(e.msg, "text-trunc.gz") != NULL);
		free(o.p);
	}
	{
		/* sticky: after an error every read returns it */
		struct alu_decomp *d;
		char b[4096];
		ssize_t r = 1;
		char big[64];
		/* per process: the x86_64 and the aarch64 runs may overlap */
		snprintf(big, sizeof(big), "/tmp/alu-test-big-%d.gz", (int)getpid());
		gzFile g = gzopen(big, "wb");
		unsigned x = 1;
		for (int i = 0; i < 200000; i++) {
			x = x * 1103515245u + 12345u;
			gzprintf(g, "%u\n", x);
		}
		gzclose(g);
		CHECK(truncate(big, 300000) == 0);
		alu_err_clear(&e);
		CHECK(alu_decomp_open(big, &d, &e) == 0);
		while (r > 0)
			r = alu_decomp_read(d, b, sizeof(b));
		CHECK(r < 0);
		CHECK(alu_decomp_read(d, b, sizeof(b)) == r);
		CHECK(alu_decomp_finish(d, &e) == r);
		unlink(big);
	}
	alu_err_clear(&e);
	CHECK(alu_decomp_each(D "nonexistent", collect, NULL, &e) < 0);
	free(want);
}

static void test_repomd(void)
{
	struct alu_repomd m;
	struct alu_err e = { 0 };
	const struct alu_repomd_data *d;
	size_t n;
	char *b = slurp(D "repomd.xml", &n);

	CHECK(alu_repomd_parse(b, n, "repomd.xml", &m, &e) == 0);
	CHECK(!strcmp(m.revision, "1795429279"));
	d = alu_repomd_find(&m, "primary");
	CHECK(d && !strcmp(d->checksum_type, "sha256"));
	CHECK(d && !strcmp(d->checksum, "a09587059de29e374743ae1206265aa9f9fee64e2488f420208c8c5f67aacf91"));
	CHECK(d && !strcmp(d->open_checksum, "0e287f0452a260268ac65d9304756381ef5bfa820b677268fa8cf8a174b4ca4b"));
	CHECK(d && d->size == 1146 && d->open_size == 5886 && d->timestamp == 1795429279);
	CHECK(d && !strcmp(d->href, "repodata/a09587059de29e374743ae1206265aa9f9fee64e2488f420208c8c5f67aacf91-primary.xml.gz"));
	CHECK(alu_repomd_find(&m, "primary_db") != NULL);
	CHECK(alu_repomd_find(&m, "updateinfo") != NULL);
	CHECK(alu_repomd_find(&m, "nope") == NULL);
	alu_repomd_free(&m);
	free(b);

	static const char bad1[] = "<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><data type=\"primary\"></data></repomd>";
	static const char bad2[] = "<repomd><data type=\"primary\"><location href=\"x\"/><checksum type=\"sha256\">abc</checksum></data></repomd>";
	static const char bad3[] = "<repomd><data type=\"primary\"><location href=\"x\"/>";
	static const char bad4[] = "<repomd><data type=\"primary\"><location href=\"x\"/><size>12x</size></data></repomd>";
	alu_err_clear(&e);
	CHECK(alu_repomd_parse(bad1, sizeof(bad1) - 1, "t", &m, &e) == -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "no location") != NULL);
	alu_repomd_free(&m);
	alu_err_clear(&e);
	CHECK(alu_repomd_parse(bad2, sizeof(bad2) - 1, "t", &m, &e) == -ALUE_CORRUPT);
	alu_repomd_free(&m);
	alu_err_clear(&e);
	CHECK(alu_repomd_parse(bad3, sizeof(bad3) - 1, "t", &m, &e) == -ALUE_XML);
	CHECK(strstr(e.msg, "line 1") != NULL);
	alu_repomd_free(&m);
	alu_err_clear(&e);
	CHECK(alu_repomd_parse(bad4, sizeof(bad4) - 1, "t", &m, &e) == -ALUE_CORRUPT);
	alu_repomd_free(&m);
}

static void dump_pkg(struct buf *o, const struct alu_pkgrec *p)
{
	char line[8192];

	snprintf(line, sizeof(line), "%s %u:%s-%s.%s id=%s/%s sum=%s desc=%s url=%s lic=%s ven=%s grp=%s"
		 " bh=%s src=%s pk=%s loc=%s base=%s t=%llu/%llu s=%llu/%llu/%llu h=%llu-%llu\n",
		 p->name, p->epoch, p->version, p->release, p->arch, p->checksum_type, p->pkgid,
		 p->summary, p->description, p->url, p->license, p->vendor, p->group, p->buildhost,
		 p->sourcerpm, p->packager, p->location, p->location_base,
		 (unsigned long long)p->time_file, (unsigned long long)p->time_build,
		 (unsigned long long)p->size_package, (unsigned long long)p->size_installed,
		 (unsigned long long)p->size_archive, (unsigned long long)p->header_start,
		 (unsigned long long)p->header_end);
	collect(o, line, strlen(line));
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		for (size_t i = 0; p->deps[t] && i < p->ndeps[t]; i++) {
			snprintf(line, sizeof(line), "  dep%d %s %x %s\n", t, p->deps[t][i].name,
				 p->deps[t][i].flags, p->deps[t][i].evr);
			collect(o, line, strlen(line));
		}
	for (size_t i = 0; p->files && i < p->nfiles; i++) {
		snprintf(line, sizeof(line), "  file %s\n", p->files[i]);
		collect(o, line, strlen(line));
	}
}

static int dump_cb(void *ud, const struct alu_pkgrec *p)
{
	dump_pkg(ud, p);
	return 0;
}

static int stop_cb(void *ud, const struct alu_pkgrec *p)
{
	(void)ud; (void)p;
	return -ECANCELED;
}

static void test_primary(void)
{
	struct alu_err e = { 0 };
	struct buf x = { 0 }, s = { 0 };
	char db[64];

	snprintf(db, sizeof(db), "/tmp/alu-test-primary-%d.sqlite", (int)getpid());
	CHECK(alu_primary_xml_file(D "primary.xml.gz", dump_cb, &x, &e) == 0);
	CHECK(alu_decomp_to_file(D "primary.sqlite.bz2", db, &e) == 0);
	CHECK(alu_primary_sqlite_file(db, dump_cb, &s, &e) == 0);
	CHECK(x.p && s.p && !strcmp(x.p, s.p));
	if (x.p && s.p && strcmp(x.p, s.p))
		fprintf(stderr, "XML:\n%s\nSQLite:\n%s\n", x.p, s.p);
	CHECK(x.p && strstr(x.p, "hello 0:2.10-2.amzn2.x86_64") != NULL);
	CHECK(x.p && strstr(x.p, "dep0 /bin/sh 40 \n") != NULL);          /* pre="1" */
	CHECK(x.p && strstr(x.p, "dep0 libgreet c 1:1.0\n") != NULL);     /* GE, epoch kept */
	CHECK(x.p && strstr(x.p, "dep3 hello-old 2 2\n") != NULL);       /* obsoletes LT */
	CHECK(x.p && strstr(x.p, "desc=The hello package, release 2.\nIt says <hello>.") != NULL);
	CHECK(x.p && strstr(x.p, "  file /usr/bin/hello\n") != NULL);
	free(x.p);
	free(s.p);

	alu_err_clear(&e);
	CHECK(alu_primary_xml_file(D "primary.xml.gz", stop_cb, NULL, &e) == -ECANCELED);
	alu_err_clear(&e);
	CHECK(alu_primary_sqlite_file(db, stop_cb, NULL, &e) == -ECANCELED);
	unlink(db);
	alu_err_clear(&e);
	CHECK(alu_primary_sqlite_file(D "text", dump_cb, &x, &e) == -ALUE_DB);

	/* chunk boundaries anywhere: feed one byte at a time */
	{
		struct alu_primary_xml *p;
		struct buf o = { 0 }, one = { 0 };
		alu_err_clear(&e);
		CHECK(alu_decomp_each(D "primary.xml.gz", collect, &o, &e) == 0);
		CHECK(alu_primary_xml_new(dump_cb, &one, &p) == 0);
		for (size_t i = 0; i < o.n; i++)
			alu_primary_xml_feed(p, o.p + i, 1, 0, &e);
		CHECK(alu_primary_xml_feed(p, "", 0, 1, &e) == 0);
		CHECK(alu_primary_xml_count(p) == 4);
		alu_primary_xml_free(p);
		free(o.p);
		free(one.p);
	}
	/* missing name */
	{
		static const char bad[] = "<metadata><package><arch>x</arch><version ver=\"1\" rel=\"1\"/>"
			"<location href=\"a.rpm\"/></package></metadata>";
		struct alu_primary_xml *p;
		alu_err_clear(&e);
		CHECK(alu_primary_xml_new(dump_cb, NULL, &p) == 0);
		CHECK(alu_primary_xml_feed(p, bad, sizeof(bad) - 1, 1, &e) == -ALUE_CORRUPT);
		CHECK(alu_primary_xml_feed(p, bad, 1, 1, &e) == -ALUE_CORRUPT);   /* sticky */
		alu_primary_xml_free(p);
	}
}

static int adv_dump(void *ud, const struct alu_advrec *a)
{
	struct buf *o = ud;
	char line[4096];

	snprintf(line, sizeof(line), "%s|%s|%s|%s|%s|%s|%s\n", a->id, a->type, a->severity,
		 a->issued, a->updated, a->title, a->description);
	collect(o, line, strlen(line));
	for (size_t i = 0; i < a->nrefs; i++) {
		snprintf(line, sizeof(line), " ref %s %s %s\n", a->refs[i].type, a->refs[i].id, a->refs[i].href);
		collect(o, line, strlen(line));
	}
	for (size_t i = 0; i < a->npkgs; i++) {
		const struct alu_advpkg *k = &a->pkgs[i];
		snprintf(line, sizeof(line), " pkg %s-%u:%s-%s.%s %s\n", k->name, k->epoch, k->version,
			 k->release, k->arch, k->filename);
		collect(o, line, strlen(line));
	}
	return 0;
}

static void test_updateinfo(void)
{
	struct alu_err e = { 0 };
	struct buf o = { 0 };

	CHECK(alu_updateinfo_file(D "updateinfo.xml.gz", adv_dump, &o, &e) == 0);
	CHECK(o.p && strstr(o.p, "ALAS2-2026-0001|security|critical|2026-01-05 10:20|2026-01-06 11:00:01|") != NULL);
	CHECK(o.p && strstr(o.p, "A flaw &lt;script&gt; in hello.") != NULL);
	CHECK(o.p && strstr(o.p, " ref cve CVE-2026-1001 https://cve.example/CVE-2026-1001\n") != NULL);
	CHECK(o.p && strstr(o.p, " pkg hello-0:2.10-2.amzn2.aarch64 Packages/hello-2.10-2.amzn2.aarch64.rpm\n") != NULL);
	CHECK(o.p && strstr(o.p, "ALAS2-2026-0002|bugfix||2026-01-07 00:00||") != NULL);
	CHECK(o.p && strstr(o.p, " pkg libgreet-1:1.0-1.amzn2.x86_64") != NULL);
	free(o.p);
	o = (struct buf){ 0 };

	static const char noid[] = "<updates><update type=\"security\"><title>x</title></update></updates>";
	static const char badep[] = "<updates><update><id>A</id><pkglist><collection><package name=\"a\" version=\"1\" epoch=\"x\"/></collection></pkglist></update></updates>";
	struct alu_updateinfo *u;
	alu_err_clear(&e);
	CHECK(alu_updateinfo_new(adv_dump, &o, &u) == 0);
	CHECK(alu_updateinfo_feed(u, noid, sizeof(noid) - 1, 1, &e) == -ALUE_CORRUPT);
	alu_updateinfo_free(u);
	alu_err_clear(&e);
	CHECK(alu_updateinfo_new(adv_dump, &o, &u) == 0);
	CHECK(alu_updateinfo_feed(u, badep, sizeof(badep) - 1, 1, &e) == -ALUE_CORRUPT);
	alu_updateinfo_free(u);
	free(o.p);
}

struct qout { struct buf b; };

static int q_pkg(void *ud, const struct alu_cpkg *p)
{
	char line[512];
	struct alu_dep *deps;
	size_t n;

	snprintf(line, sizeof(line), "%s-%u:%s-%s.%s;", p->r.name, p->r.epoch, p->r.version,
		 p->r.release, p->r.arch);
	collect(ud, line, strlen(line));
	if (alu_cache_pkg_deps(p, ALU_REQUIRES, &deps, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			snprintf(line, sizeof(line), "r:%s %s;", deps[i].name, deps[i].evr);
			collect(ud, line, strlen(line));
		}
		free(deps);
	}
	return 0;
}

static int q_adv(void *ud, const struct alu_cadv *a)
{
	char line[512];

	snprintf(line, sizeof(line), "%s/%s/%zu;", a->r.id, a->repoid, a->r.npkgs);
	collect(ud, line, strlen(line));
	return 0;
}

static char *query_all(struct alu_cache *c, const char *repo)
{
	struct buf o = { 0 };
	struct alu_err e = { 0 };
	const char *ids[] = { repo };

	alu_cache_select(c, ids, 1, &e);
	collect(&o, "all:", 4);
	alu_cache_foreach_pkg(c, q_pkg, &o, &e);
	collect(&o, "\nname:", 6);
	alu_cache_by_name(c, "hello", q_pkg, &o, &e);
	collect(&o, "\nglob:", 6);
	alu_cache_by_name(c, "gr*", q_pkg, &o, &e);
	collect(&o, "\nprov:", 6);
	alu_cache_by_provide(c, "libgreet.so.1()(64bit)", q_pkg, &o, &e);
	alu_cache_by_provide(c, "greeting", q_pkg, &o, &e);
	collect(&o, "\nfile:", 6);
	alu_cache_by_file(c, "/usr/bin/hello", q_pkg, &o, &e);
	alu_cache_by_file(c, "/etc/*.conf", q_pkg, &o, &e);
	collect(&o, "\n", 1);
	return o.p;
}

static void test_cache(void)
{
	struct alu_err e = { 0 };
	struct alu_cache *c;
	struct alu_cache_repo st = { 0 }, got;
	struct alu_ingest_src xml = { D "primary.xml.gz", 0, D "updateinfo.xml.gz", "/tmp" };
	struct alu_ingest_src sql = { D "primary.sqlite.bz2", 1, D "updateinfo.xml.gz", "/tmp" };
	char dir[] = "/tmp/alu-cache-XXXXXX";
	char *a, *b, cmd[256];

	CHECK(mkdtemp(dir) != NULL);
	CHECK(alu_cache_open(dir, 0, &c, &e) == 0);
	snprintf(st.repomd_sha256, sizeof(st.repomd_sha256), "%064d", 1);
	st.fetched = 1000;
	CHECK(alu_repo_ingest(c, "x", &xml, &st, &e) == 0);
	CHECK(st.npkgs == 4 && st.nadvs == 2 && !strcmp(st.primary_type, "primary"));
	CHECK(alu_repo_ingest(c, "s", &sql, &st, &e) == 0);
	CHECK(st.npkgs == 4 && !strcmp(st.primary_type, "primary_db"));
	a = query_all(c, "x");
	b = query_all(c, "s");
	CHECK(a && b && !strcmp(a, b));
	CHECK(a && strstr(a, "name:hello-0:2.10-1.amzn2.x86_64;r:/bin/sh ;r:libgreet 1:1.0;hello-0:2.10-2") != NULL);
	CHECK(a && strstr(a, "glob:greet-doc-0:1.0-1.amzn2.noarch;\n") != NULL);
	CHECK(a && strstr(a, "prov:libgreet-1:1.0-1.amzn2.x86_64;hello-0:2.10-1") != NULL);
	if (a && b && strcmp(a, b))
		fprintf(stderr, "x: %s\ns: %s\n", a, b);
	free(a);
	free(b);

	/* re-ingest replaces: still 4 packages, no duplicates in the indexes */
	CHECK(alu_repo_ingest(c, "x", &xml, &st, &e) == 0);
	if (e.code)
		fprintf(stderr, "%s\n", e.msg);
	a = query_all(c, "x");
	b = query_all(c, "s");
	CHECK(a && b && !strcmp(a, b));
	free(a);
	free(b);
	CHECK(alu_cache_repo_get(c, "x", &got, &e) == 0);
	CHECK(got.npkgs == 4 && got.fetched == 1000 && got.idx == 1);
	CHECK(alu_cache_repo_touch(c, "x", 2000, "http://m/", &e) == 0);
	CHECK(alu_cache_repo_get(c, "x", &got, &e) == 0 && got.fetched == 2000 && !strcmp(got.mirror, "http://m/"));
	CHECK(alu_cache_repo_get(c, "nope", &got, &e) == -ENOENT);

	{
		struct buf o = { 0 };
		alu_cache_select(c, NULL, 0, &e);
		alu_cache_adv_by_cve(c, "CVE-2026-1001", q_adv, &o, &e);
		collect(&o, "|", 1);
		alu_cache_adv_by_id(c, "ALAS2-2026-*", q_adv, &o, &e);
		collect(&o, "|", 1);
		alu_cache_adv_by_pkgname(c, "libgreet", q_adv, &o, &e);
		CHECK(o.p && !strcmp(o.p, "ALAS2-2026-0001/x/2;ALAS2-2026-0001/s/2;|"
			"ALAS2-2026-0001/x/2;ALAS2-2026-0001/s/2;ALAS2-2026-0002/x/1;ALAS2-2026-0002/s/1;|"
			"ALAS2-2026-0002/x/1;ALAS2-2026-0002/s/1;"));
		if (o.p && failed)
			fprintf(stderr, "%s\n", o.p);
		free(o.p);
	}
	/* a failed ingest leaves the previous metadata */
	{
		struct alu_ingest_src bad = { D "text", 0, NULL, "/tmp" };
		alu_err_clear(&e);
		CHECK(alu_repo_ingest(c, "x", &bad, &st, &e) < 0);
		a = query_all(c, "x");
		CHECK(a && strstr(a, "name:hello-0:2.10-1") != NULL);
		free(a);
	}
	CHECK(alu_cache_repo_drop(c, "s", &e) == 0);
	a = query_all(c, "s");
	CHECK(a && !strcmp(a, "all:\nname:\nglob:\nprov:\nfile:\n"));
	free(a);
	alu_cache_close(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_decomp();
	test_repomd();
	test_primary();
	test_updateinfo();
	test_cache();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
