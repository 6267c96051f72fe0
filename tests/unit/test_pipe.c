/* SPDX-License-Identifier: MIT */
/*
 * src/repo/ingest_pipe.c: records cross threads in order and intact
 * (strings, dependencies, files, advisory references and packages all
 * copied), packages then advisories, a reader's error arrives with its
 * message, and a writer's error stops the reader and is the one returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_int.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

struct fake { int n, fail_at; int emitted; int nadv; };

/* Records built in a scratch buffer that is overwritten for the next one. */
static int fake_advs(struct fake *f, const struct alu_recs_cb *cb)
{
	char id[32], cve[32];
	struct alu_advref ref = { "https://cve.example/", cve, "", "cve" };
	struct alu_advpkg pkg = { "pkg1", "1.0", "2", "x86_64", "pkg1.src.rpm", "pkg1.rpm", 0 };

	for (int i = 0; i < f->nadv; i++) {
		struct alu_advrec a = { 0 };
		int rc;
		snprintf(id, sizeof(id), "ALAS2-%d", i);
		snprintf(cve, sizeof(cve), "CVE-2024-%d", i);
		a.id = id;
		a.type = "security";
		a.severity = a.title = a.issued = a.updated = a.description = "";
		a.from = a.status = a.version = a.cvss_score = a.cvss_vector = "";
		a.refs = &ref;
		a.nrefs = 1;
		a.pkgs = &pkg;
		a.npkgs = 1;
		rc = cb->adv(cb->ud, &a);
		if (rc)
			return rc;
		memset(id, 'X', sizeof(id) - 1);
		memset(cve, 'X', sizeof(cve) - 1);
	}
	return 0;
}

/* As the real readers: a record's strings from *cb->arena when the sink gives one. */
static const char *str(const struct alu_recs_cb *cb, const char *s)
{
	return cb->arena && *cb->arena ? rarena_strdup(*cb->arena, s) : s;
}

static int fake_reader(void *rctx, const struct alu_recs_cb *cb, struct alu_err *e)
{
	struct fake *f = rctx;
	char name[32], file[64], dep[32];
	struct alu_dep d = { dep, 0, "1.0" };
	const char *files[1] = { file };

	for (int i = 0; i < f->n; i++) {
		struct alu_pkgrec p = { 0 };
		int rc;
		if (i == f->fail_at)
			return alu_err_set(e, -ALUE_CORRUPT, "fake.xml: line %d: broken", i);
		snprintf(name, sizeof(name), "pkg%d", i);
		snprintf(file, sizeof(file), "/usr/bin/pkg%d", i);
		snprintf(dep, sizeof(dep), "lib%d", i);
		p.name = str(cb, name);
		d.name = str(cb, dep);
		files[0] = str(cb, file);
		p.arch = p.version = p.release = p.pkgid = p.checksum_type = "x";
		p.summary = p.description = p.url = p.license = p.vendor = p.group = "";
		p.buildhost = p.sourcerpm = p.packager = p.location = p.location_base = "";
		p.deps[ALU_REQUIRES] = &d;
		p.ndeps[ALU_REQUIRES] = 1;
		p.files = files;
		p.nfiles = 1;
		p.epoch = (uint32_t)i;
		rc = cb->pkg(cb->ud, &p);
		if (rc)
			return rc;
		f->emitted++;
		memset(name, 'X', sizeof(name) - 1);   /* the copy must not see this */
	}
	return fake_advs(f, cb);
}

struct sink { int seen, bad, stop_at, advs; };

static int sink_cb(void *ud, const struct alu_pkgrec *p)
{
	struct sink *s = ud;
	char want[32], file[64], dep[32];

	if (s->seen == s->stop_at)
		return -ENOSPC;
	snprintf(want, sizeof(want), "pkg%d", s->seen);
	snprintf(file, sizeof(file), "/usr/bin/pkg%d", s->seen);
	snprintf(dep, sizeof(dep), "lib%d", s->seen);
	if (strcmp(p->name, want) || p->epoch != (uint32_t)s->seen || p->nfiles != 1 ||
	    strcmp(p->files[0], file) || p->ndeps[ALU_REQUIRES] != 1 ||
	    strcmp(p->deps[ALU_REQUIRES][0].name, dep) || strcmp(p->deps[ALU_REQUIRES][0].evr, "1.0"))
		s->bad++;
	s->seen++;
	return 0;
}

static int adv_cb(void *ud, const struct alu_advrec *a)
{
	struct sink *s = ud;
	char id[32], cve[32];

	snprintf(id, sizeof(id), "ALAS2-%d", s->advs);
	snprintf(cve, sizeof(cve), "CVE-2024-%d", s->advs);
	if (strcmp(a->id, id) || a->nrefs != 1 || strcmp(a->refs[0].id, cve) || a->npkgs != 1 ||
	    strcmp(a->pkgs[0].filename, "pkg1.rpm") || s->seen != 5000)
		s->bad++;
	s->advs++;
	return 0;
}

int main(void)
{
	struct alu_err e = { 0 };
	struct fake f = { 5000, -1, 0, 700 };
	struct sink s = { 0, 0, -1, 0 };
	const struct alu_recs_cb cb = { sink_cb, adv_cb, &s };

	CHECK(alu_recs_piped(fake_reader, &f, &cb, &e) == 0);
	CHECK(s.seen == 5000 && s.advs == 700 && s.bad == 0);

	f = (struct fake){ 5000, 3000, 0, 0 };
	s = (struct sink){ 0, 0, -1, 0 };
	alu_err_clear(&e);
	CHECK(alu_recs_piped(fake_reader, &f, &cb, &e) == -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "fake.xml: line 3000: broken") != NULL);
	CHECK(s.bad == 0 && s.seen <= 3000);

	f = (struct fake){ 5000, -1, 0, 0 };
	s = (struct sink){ 0, 0, 700, 0 };
	alu_err_clear(&e);
	CHECK(alu_recs_piped(fake_reader, &f, &cb, &e) == -ENOSPC);
	/* the reader stopped well before its end: at most the ring's worth ahead */
	CHECK(s.seen == 700 && f.emitted < 5000);
	printf("pipe: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
