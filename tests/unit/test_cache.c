/* SPDX-License-Identifier: MIT */
/*
 * Writing the metadata cache: index entries are batched, sorted and put in
 * LMDB's order, appended where that is valid, and deleted through the same
 * batch when a repository is replaced or dropped. Each step below checks the
 * raw tables against a model: every index entry points at a record, each
 * table holds exactly the entries the live packages and advisories own, and
 * lookups of awkward keys (empty, 8-byte boundaries, non-ASCII, longer than
 * ALU_CACHE_KEYMAX) find what was written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache_int.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

#define NREPO 3

/* Keys that stress the ordering: a prefix before its extensions, 8-byte
 * boundaries, bytes above 0x7f, and over-long keys equal in their first
 * ALU_CACHE_KEYMAX bytes. */
static char long1[520], long2[520], long3[420];
static const char *const odd[] = { "", "a", "ab", "abcdefg", "abcdefgh", "abcdefgh\x01",
	"abcdefgha", "abcdefgi", "\xc3\xa9t\xc3\xa9", "\xff", long1, long2, long3 };
#define NODD (sizeof(odd) / sizeof(odd[0]))

/* A repository's contents: variant @p v of @p n packages with @p nf files each. */
struct shape {
	int v, n, nf, nadv;
};

/* What the model expects in each index table. */
struct counts {
	size_t t[DB_N];
};

static void add_counts(struct counts *k, const struct shape *s)
{
	if (!s)
		return;
	k->t[DB_PKGS] += (size_t)s->n;
	k->t[DB_NAMES] += (size_t)s->n;
	/* own name, a library, odd[i % NODD] listed twice (counted once) */
	k->t[DB_PROVIDES] += 3 * (size_t)s->n;
	k->t[DB_FILES] += (size_t)s->n * (size_t)s->nf;
	k->t[DB_ADVS] += (size_t)s->nadv;
	k->t[DB_ADVIDS] += (size_t)s->nadv;
	k->t[DB_CVES] += 2 * (size_t)s->nadv;   /* a "cve" and a "CVE" ref; an empty id counts not */
	k->t[DB_ADVPKGS] += 2 * (size_t)s->nadv;
	/* each obsoletes one name; every fifth supplements a rich dep of two */
	k->t[DB_REVDEPS] += (size_t)s->n + 2 * (((size_t)s->n + 4) / 5);
}

static int write_repo(struct alu_cache *c, const char *id, const struct shape *s, int commit)
{
	struct alu_err e = { 0 };
	struct alu_cache_wr *w;
	struct alu_cache_repo st = { 0 };
	char name[64], lib[64], cve1[32], cve2[32], advid[64], pk1[32], oldname[80], sup[160];
	char (*files)[64] = calloc((size_t)s->nf + 1, sizeof(*files));
	const char **fp = calloc((size_t)s->nf + 1, sizeof(*fp));
	int rc = alu_cache_write_begin(c, id, &w, &e);

	for (int i = 0; !rc && i < s->n; i++) {
		struct alu_dep prov[4];
		struct alu_pkgrec p = { 0 };
		snprintf(name, sizeof(name), "%s-v%d-pkg%05d", id, s->v, i);
		snprintf(lib, sizeof(lib), "lib%05d.so.%d()(64bit)", i % 97, s->v);
		prov[0] = (struct alu_dep){ name, 0, "" };
		prov[1] = (struct alu_dep){ lib, 0, "" };
		prov[2] = (struct alu_dep){ odd[i % NODD], 0, "" };
		prov[3] = prov[2];   /* listed twice: one entry */
		for (int f = 0; f < s->nf; f++) {
			snprintf(files[f], sizeof(files[f]), "/usr/share/%s/v%d/%05d/file%03d", id, s->v,
				 i, f);
			fp[f] = files[f];
		}
		p.name = name;
		p.arch = "x86_64";
		p.version = "1";
		p.release = "1";
		p.deps[ALU_PROVIDES] = prov;
		p.ndeps[ALU_PROVIDES] = 4;
		snprintf(oldname, sizeof(oldname), "old-%s", name);
		snprintf(sup, sizeof(sup), "(common-a and (%s >= 1.0 or %s))", lib, lib);
		struct alu_dep obs = { oldname, ALU_DEP_LESS, "2" }, su = { sup, 0, "" };
		p.deps[ALU_OBSOLETES] = &obs;
		p.ndeps[ALU_OBSOLETES] = 1;
		p.deps[ALU_SUPPLEMENTS] = &su;
		p.ndeps[ALU_SUPPLEMENTS] = i % 5 == 0;
		p.files = fp;
		p.nfiles = (size_t)s->nf;
		rc = alu_cache_write_pkg(w, &p, &e);
	}
	for (int i = 0; !rc && i < s->nadv; i++) {
		struct alu_advref refs[3];
		struct alu_advpkg pk[2] = { { .name = pk1 }, { .name = "common-pkg" } };
		struct alu_advrec a = { 0 };
		snprintf(advid, sizeof(advid), "ALAS-%s-%d-%04d", id, s->v, i);
		snprintf(cve1, sizeof(cve1), "CVE-%d-%04d", s->v, i);
		snprintf(cve2, sizeof(cve2), "CVE-9999-%04d", i % 7);
		snprintf(pk1, sizeof(pk1), "%s-v%d-pkg%05d", id, s->v, i);
		refs[0] = (struct alu_advref){ "", cve1, "", "cve" };
		refs[1] = (struct alu_advref){ "", "", "", "cve" };      /* no id: no entry */
		refs[2] = (struct alu_advref){ "", cve2, "", "CVE" };
		a.id = advid;
		a.type = "security";
		a.refs = refs;
		a.nrefs = 3;
		a.pkgs = pk;
		a.npkgs = 2;
		rc = alu_cache_write_adv(w, &a, &e);
	}
	if (rc)
		alu_cache_write_abort(w);
	else if (commit)
		rc = alu_cache_write_commit(w, &st, &e);
	else
		alu_cache_write_abort(w);
	if (rc)
		fprintf(stderr, "write %s: %s\n", id, e.msg);
	free(files);
	free(fp);
	return rc;
}

/* Every index entry names a live record; each table holds what @p k says. */
static void check_tables(struct alu_cache *c, const struct counts *k, const char *when)
{
	MDB_txn *txn;
	MDB_stat st;

	CHECK(mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn) == 0);
	for (int db = DB_PKGS; db < DB_N; db++) {
		MDB_cursor *cur;
		MDB_val key, v;
		size_t n = 0, orphans = 0;
		int rec = db <= DB_FILES || db == DB_REVDEPS ? DB_PKGS : DB_ADVS, rc;

		mdb_stat(txn, c->dbi[db], &st);
		if (st.ms_entries != k->t[db])
			fprintf(stderr, "%s: table %d holds %zu, expected %zu\n", when, db,
				st.ms_entries, k->t[db]);
		CHECK(st.ms_entries == k->t[db]);
		if (db == DB_PKGS || db == DB_ADVS)
			continue;
		mdb_cursor_open(txn, c->dbi[db], &cur);
		for (rc = mdb_cursor_get(cur, &key, &v, MDB_FIRST); !rc;
		     rc = mdb_cursor_get(cur, &key, &v, MDB_NEXT)) {
			MDB_val id = v, r;
			n++;
			if (v.mv_size != 8 || mdb_get(txn, c->dbi[rec], &id, &r))
				orphans++;
		}
		mdb_cursor_close(cur);
		CHECK(rc == MDB_NOTFOUND && n == k->t[db] && !orphans);
	}
	mdb_txn_abort(txn);
}

static int count_cb(void *ud, const struct alu_cpkg *p)
{
	(void)p;
	++*(size_t *)ud;
	return 0;
}

/* Lookups of the odd keys: each is provided by every NODD-th package. */
static void check_odd(struct alu_cache *c, const struct shape *const *s)
{
	struct alu_err e = { 0 };

	alu_cache_select(c, NULL, 0, &e);
	for (size_t j = 0; j < NODD; j++) {
		size_t got = 0, want = 0;
		for (int r = 0; r < NREPO; r++)
			for (int i = 0; s[r] && i < s[r]->n; i++)
				want += (size_t)i % NODD == j;
		CHECK(alu_cache_by_provide(c, odd[j], count_cb, &got, &e) == 0);
		if (got != want)
			fprintf(stderr, "provide #%zu: %zu packages, expected %zu\n", j, got, want);
		CHECK(got == want);
	}
	/* revdeps: the names obsoleted and those a Supplements names, never an
	 * operator or a version */
	for (int r = 0; r < NREPO; r++)
		for (int i = 0; s[r] && i < s[r]->n; i += 37) {
			char nm[80];
			size_t got = 0;
			snprintf(nm, sizeof(nm), "old-%c-v%d-pkg%05d", 'a' + r, s[r]->v, i);
			CHECK(alu_cache_lookup(c, ALU_CACHE_IX_REVDEP, nm, count_cb, &got, &e) == 0);
			CHECK(got == 1);
		}
	for (size_t j = 0; j < 4; j++) {
		static const char *const none[] = { "and", "or", "1.0", ">=" };
		size_t got = 0;
		CHECK(alu_cache_lookup(c, ALU_CACHE_IX_REVDEP, none[j], count_cb, &got, &e) == 0);
		CHECK(got == 0);
	}
}

static void check(struct alu_cache *c, const struct shape *const *s, const char *when)
{
	struct counts k = { 0 };

	for (int r = 0; r < NREPO; r++)
		add_counts(&k, s[r]);
	check_tables(c, &k, when);
	check_odd(c, s);
}

/* Overwrite record @p n of repository @p id with bytes that do not decode. */
static void damage(struct alu_cache *c, const char *id, uint32_t n)
{
	uint32_t idx = 0;
	unsigned char key[8];
	MDB_val k = { 8, key }, v = { 3, "\xff\xff\xff" };
	MDB_txn *txn;

	for (size_t i = 0; i < c->nrepos; i++)
		if (!strcmp(c->repos[i].id, id))
			idx = c->repos[i].idx;
	CHECK(idx != 0);
	cache_id(key, (uint64_t)idx << 32 | n);
	CHECK(mdb_txn_begin(c->env, NULL, 0, &txn) == 0);
	CHECK(mdb_put(txn, c->dbi[DB_PKGS], &k, &v, 0) == 0);
	CHECK(mdb_txn_commit(txn) == 0);
}

static void test_replace(void)
{
	static const char *const ids[NREPO] = { "a", "b", "c" };
	/* b is large enough that its index entries take more than one batch */
	const struct shape a0 = { 0, 60, 2, 5 }, a1 = { 1, 40, 3, 4 }, b0 = { 0, 4000, 40, 30 },
		b1 = { 1, 3000, 30, 20 }, c0 = { 0, 30, 1, 3 }, c1 = { 1, 70, 2, 6 };
	const struct shape *live[NREPO] = { NULL };
	struct alu_err e = { 0 };
	struct alu_cache *c;
	char dir[] = "/tmp/alu-cachew-XXXXXX", cmd[64];

	memset(long1, 'x', sizeof(long1) - 2);
	memcpy(long2, long1, sizeof(long2));
	long1[sizeof(long1) - 2] = '1';
	long2[sizeof(long2) - 2] = '2';
	memset(long3, 'x', sizeof(long3) - 1);
	CHECK(mkdtemp(dir) != NULL);
	CHECK(alu_cache_open(dir, 0, &c, &e) == 0);

	/* new repositories: each appends after the last */
	CHECK(write_repo(c, ids[0], &a0, 1) == 0);
	live[0] = &a0;
	check(c, live, "a0");
	CHECK(write_repo(c, ids[1], &b0, 1) == 0);
	live[1] = &b0;
	CHECK(write_repo(c, ids[2], &c0, 1) == 0);
	live[2] = &c0;
	check(c, live, "a0 b0 c0");

	/* replacing b, between a and c, by fewer records: the old ones beyond
	 * the new count are deleted; nothing can be appended */
	CHECK(write_repo(c, ids[1], &b1, 1) == 0);
	live[1] = &b1;
	check(c, live, "b1");
	CHECK(write_repo(c, ids[0], &a1, 1) == 0);
	live[0] = &a1;
	check(c, live, "a1");
	/* the newest repository grows: its old records are overwritten, the
	 * rest appended */
	CHECK(write_repo(c, ids[2], &c1, 1) == 0);
	live[2] = &c1;
	check(c, live, "c1");

	/* a damaged record of b: its index entries cannot be found by decoding
	 * it, yet none may survive the replacement to name the record that
	 * takes its id */
	damage(c, "b", 5);
	CHECK(write_repo(c, ids[1], &b0, 1) == 0);
	live[1] = &b0;
	check(c, live, "b0 over a damaged record");

	/* an aborted replacement leaves the old contents */
	CHECK(write_repo(c, ids[0], &a0, 0) == 0);
	check(c, live, "a1 after abort");

	CHECK(alu_cache_repo_drop(c, "c", &e) == 0);
	live[2] = NULL;
	CHECK(alu_cache_repo_drop(c, "a", &e) == 0);
	live[0] = NULL;
	CHECK(alu_cache_repo_drop(c, "a", &e) == -ENOENT);
	check(c, live, "b1 alone");

	/* the only repository: its tables are emptied, then appended to */
	CHECK(write_repo(c, ids[1], &b0, 1) == 0);
	live[1] = &b0;
	check(c, live, "b0 alone");
	CHECK(write_repo(c, ids[0], &a0, 1) == 0);
	live[0] = &a0;
	check(c, live, "b0 a0");
	CHECK(alu_cache_repo_drop(c, "b", &e) == 0);
	live[1] = NULL;
	CHECK(alu_cache_repo_drop(c, "a", &e) == 0);
	live[0] = NULL;
	check(c, live, "empty");

	alu_cache_close(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* ---- record encoding ----------------------------------------------------- */

/* The dependency lists and files after the scalars, as the readers walk them. */
static void check_pkg_tail(struct dec *d, const struct alu_pkgrec *p)
{
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		CHECK(dec_u32(d) == p->ndeps[t]);
		for (size_t i = 0; i < p->ndeps[t] && !d->err; i++) {
			size_t n;
			const char *name = dec_strn(d, &n);
			CHECK(n == strlen(p->deps[t][i].name) && !strcmp(name, p->deps[t][i].name));
			CHECK(dec_u32(d) == p->deps[t][i].flags);
			CHECK(!strcmp(dec_str(d), p->deps[t][i].evr));
		}
	}
	CHECK(dec_u32(d) == p->nfiles);
	for (size_t i = 0; i < p->nfiles && !d->err; i++)
		CHECK(!strcmp(dec_str(d), p->files[i]));
	CHECK(d->err == 0 && d->off == d->n);
}

/* Walk a whole package record; its error, or -ALUE_CORRUPT when bytes are
 * left over. */
static int walk_pkg(const char *rec, size_t n)
{
	struct dec d = { (const unsigned char *)rec, n, 0, 0 };
	struct alu_pkgrec q;
	int rc = cache_dec_pkg(&d, &q);

	for (int t = 0; !rc && t <= ALU_DEPTYPE_N; t++) {
		uint32_t cnt = dec_u32(&d);
		for (uint32_t i = 0; i < cnt && !d.err; i++) {
			dec_str(&d);
			if (t < ALU_DEPTYPE_N) {
				dec_u32(&d);
				dec_str(&d);
			}
		}
		rc = d.err;
	}
	return rc ? rc : d.off == d.n ? 0 : -ALUE_CORRUPT;
}

/* Numbers at their limits, empty and long strings, and repeated strings
 * (stored once, referred to after) all decode to what was encoded; every
 * truncation and a reference forward are refused. */
static void test_pkg_record(void)
{
	char desc[300], other[16];
	const char *files[] = { "/usr/bin/hello", "/etc/hello.conf" };
	struct alu_dep req[] = { { "", 0, "" }, { "rpmlib(PayloadIsZstd)",
		ALU_DEP_RPMLIB | ALU_DEP_LESS | ALU_DEP_EQUAL, "5.4.18-1" }, { "hello", 0, "" } };
	struct alu_dep prov[] = { { "hello", ALU_DEP_EQUAL, "1:2.10-1.amzn2" },
		{ "hello(x86-64)", ALU_DEP_EQUAL, "1:2.10-1.amzn2" } };
	struct alu_pkgrec p = { .name = "hello", .arch = "x86_64", .version = "2.10",
		.release = "1.amzn2", .epoch = UINT32_MAX,
		.pkgid = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.checksum_type = "sha256", .summary = "Prints a greeting", .description = desc,
		.url = "", .license = "GPLv3+", .vendor = "Amazon Linux", .group = "",
		.buildhost = "build.amazon.com", .sourcerpm = "hello-2.10-1.amzn2.src.rpm",
		.packager = "Amazon Linux", .location = "Packages/hello-2.10-1.amzn2.x86_64.rpm",
		.location_base = "", .time_file = UINT64_MAX, .time_build = 1700000000,
		.size_package = 0, .size_installed = 127, .size_archive = 128,
		.header_start = 4504, .header_end = (uint64_t)1 << 40, .files = files, .nfiles = 2 };
	struct enc b = { 0 }, b2 = { 0 };
	struct alu_pkgrec q;
	struct dec d;
	const char *name;
	size_t len, off;

	memset(desc, 'x', sizeof(desc) - 1);
	desc[sizeof(desc) - 1] = 0;
	p.deps[ALU_REQUIRES] = req;
	p.ndeps[ALU_REQUIRES] = 3;
	p.deps[ALU_PROVIDES] = prov;
	p.ndeps[ALU_PROVIDES] = 2;
	CHECK(cache_enc_pkg(&b, &p) == 0);

	d = (struct dec){ (const unsigned char *)b.p, b.n, 0, 0 };
	CHECK(cache_dec_pkg(&d, &q) == 0);
	CHECK(!strcmp(q.name, "hello") && !strcmp(q.release, "1.amzn2") && q.epoch == UINT32_MAX);
	CHECK(!strcmp(q.pkgid, p.pkgid) && !strcmp(q.description, desc) && !strcmp(q.url, ""));
	CHECK(!strcmp(q.packager, "Amazon Linux") && !strcmp(q.location_base, ""));
	CHECK(!strcmp(q.location, p.location) && !strcmp(q.sourcerpm, p.sourcerpm));
	CHECK(q.packager == q.vendor);   /* the repeat points at the first copy */
	CHECK(q.time_file == UINT64_MAX && q.time_build == 1700000000 && q.size_package == 0);
	CHECK(q.size_installed == 127 && q.size_archive == 128 && q.header_end == (uint64_t)1 << 40);
	off = d.off;
	check_pkg_tail(&d, &p);

	d = (struct dec){ (const unsigned char *)b.p, b.n, 0, 0 };
	CHECK(cache_dec_pkg_name(&d, &name, &len) == 0);
	CHECK(len == 5 && !strcmp(name, "hello") && d.off == off);

	/* a repeat costs at most two bytes where a distinct string costs its length */
	snprintf(other, sizeof(other), "Amazon Linuy");
	p.packager = other;
	CHECK(cache_enc_pkg(&b2, &p) == 0);
	CHECK(b2.n >= b.n + strlen(other));
	p.packager = "Amazon Linux";

	for (size_t cut = 0; cut < b.n; cut++)
		CHECK(walk_pkg(b.p, cut) != 0);
	CHECK(walk_pkg(b.p, b.n) == 0);
	{
		/* version, epoch 0, then a name pointing at byte 9 (not yet written) */
		const char fwd[] = { 2, 0, 9 << 1 | 1, 0, 0 };
		CHECK(walk_pkg(fwd, sizeof(fwd)) != 0);
	}
	free(b.p);
	free(b2.p);
}

static void test_adv_record(void)
{
	struct alu_advref refs[] = { { "https://cve/1", "CVE-2024-0001", "CVE-2024-0001", "cve" },
		{ "https://cve/2", "CVE-2024-0002", "", "cve" } };
	struct alu_advpkg pk[] = { { "hello", "2.10", "1.amzn2", "x86_64", "hello-2.10-1.amzn2.src.rpm",
		"hello-2.10-1.amzn2.x86_64.rpm", 0 }, { "hello", "2.10", "1.amzn2", "aarch64",
		"hello-2.10-1.amzn2.src.rpm", "hello-2.10-1.amzn2.aarch64.rpm", 300 } };
	struct alu_advrec a = { .id = "ALAS2-2024-0001", .type = "security", .severity = "important",
		.title = "hello", .issued = "2024-01-01", .updated = "", .description = "",
		.from = "", .status = "final", .version = "1.0", .cvss_score = "",
		.cvss_vector = "", .refs = refs, .nrefs = 2, .pkgs = pk, .npkgs = 2 };
	struct alu_cache c = { 0 };
	struct alu_advrec q;
	struct enc b = { 0 };
	struct dec d;

	CHECK(cache_enc_adv(&b, &a) == 0);
	d = (struct dec){ (const unsigned char *)b.p, b.n, 0, 0 };
	CHECK(cache_dec_adv(&c, &d, &q) == 0 && d.off == b.n);
	CHECK(!strcmp(q.id, a.id) && !strcmp(q.title, "hello") && !strcmp(q.updated, ""));
	CHECK(q.nrefs == 2 && q.npkgs == 2);
	CHECK(q.nrefs == 2 && !strcmp(q.refs[0].title, "CVE-2024-0001") && !strcmp(q.refs[1].type, "cve"));
	CHECK(q.npkgs == 2 && !strcmp(q.pkgs[1].arch, "aarch64") && q.pkgs[1].epoch == 300);
	CHECK(q.npkgs == 2 && !strcmp(q.pkgs[1].src, pk[1].src) && !strcmp(q.pkgs[1].name, "hello"));
	for (size_t cut = 0; cut < b.n; cut++) {
		d = (struct dec){ (const unsigned char *)b.p, cut, 0, 0 };
		CHECK(cache_dec_adv(&c, &d, &q) != 0);
	}
	free(c.refs);
	free(c.pkgs);
	free(b.p);
}

static void set_schema(struct alu_cache *c, uint32_t s)
{
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v = { sizeof(s), &s };

	cache_rd_end(c);
	CHECK(mdb_txn_begin(c->env, NULL, 0, &txn) == 0);
	CHECK(mdb_put(txn, c->dbi[DB_META], &k, &v, 0) == 0);
	CHECK(mdb_txn_commit(txn) == 0);
}

/* A cache of another schema: a writer starts it over, a reader says what to run. */
static void test_other_schema(void)
{
	const struct shape a0 = { 0, 60, 2, 5 };
	const struct counts none = { { 0 } };
	struct alu_err e = { 0 };
	struct alu_cache *c;
	char dir[] = "/tmp/alu-caches-XXXXXX", cmd[64];
	MDB_txn *txn;
	MDB_val k = { 6, "schema" }, v;
	uint32_t s = 0;

	CHECK(mkdtemp(dir) != NULL);
	CHECK(alu_cache_open(dir, 0, &c, &e) == 0);
	CHECK(write_repo(c, "a", &a0, 1) == 0);
	set_schema(c, ALU_CACHE_SCHEMA - 1);
	alu_cache_close(c);
	CHECK(alu_cache_open(dir, ALU_CACHEF_RDONLY, &c, &e) == -ALUE_DB);
	CHECK(strstr(e.msg, "alupdate makecache") != NULL);
	alu_err_clear(&e);
	CHECK(alu_cache_open(dir, 0, &c, &e) == 0);
	check_tables(c, &none, "other schema");
	CHECK(mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn) == 0);
	CHECK(mdb_get(txn, c->dbi[DB_META], &k, &v) == 0 && v.mv_size == sizeof(s));
	memcpy(&s, v.mv_data, sizeof(s));
	CHECK(s == ALU_CACHE_SCHEMA);
	mdb_txn_abort(txn);
	/* and it takes a repository again */
	CHECK(write_repo(c, "a", &a0, 1) == 0);
	alu_cache_close(c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_other_schema();
	test_pkg_record();
	test_adv_record();
	test_replace();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
