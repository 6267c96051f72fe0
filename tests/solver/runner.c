/* SPDX-License-Identifier: MIT */
/*
 * Data-driven solver scenarios: reads one .test file, builds the pool through
 * alupdate's own solve layer (the same calls the commands make), runs the
 * jobs and compares the plan (or the error) with the file's expect block.
 *
 * Format (one directive a line, '#' comments):
 *   installed NEVRA [| deps]     a package in @System
 *   repo ID [prio N] [cost N]    following pkg lines belong to it
 *   pkg NEVRA [| deps]           deps: "requires: a >= 1, b; provides: c = 2;
 *                                conflicts: d; obsoletes: e < 2; files: /x /y"
 *                                (also recommends:, suggests:, supplements:, enhances:)
 *   opt limit N | running NEVRA | exclude GLOB | lock SPEC | protect NAME | self NAME |
 *       cleandeps | downgrade | installonly NAME
 *   job install|update|remove|reinstall|downgrade|distsync|autoremove SPEC
 *   job update-all | job distsync-all | job exact NEVRA
 *   expect                       then the plan, one op a line:
 *                                install N | upgrade OLD -> NEW | downgrade OLD -> NEW |
 *                                reinstall N | obsolete OLD -> NEW | erase N
 *                                or "error: <first line of the problem>" / "nothing"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve/solve.h"

#define MAXL 512

struct pkgdef {
	char *name, *version, *release, *arch;
	uint32_t epoch;
	struct alu_dep deps[ALU_DEPTYPE_N][32];
	size_t ndeps[ALU_DEPTYPE_N];
	char *files[32];
	size_t nfiles;
};

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* name-[E:]V-R.arch */
static int parse_nevra(char *s, struct pkgdef *p)
{
	char *dot = strrchr(s, '.'), *d1, *d2, *colon;

	if (!dot)
		return -1;
	*dot = 0;
	p->arch = dot + 1;
	d2 = strrchr(s, '-');
	if (!d2)
		return -1;
	*d2 = 0;
	d1 = strrchr(s, '-');
	if (!d1)
		return -1;
	*d1 = 0;
	p->name = s;
	p->release = d2 + 1;
	p->version = d1 + 1;
	colon = strchr(p->version, ':');
	if (colon) {
		*colon = 0;
		p->epoch = (uint32_t)strtoul(p->version, NULL, 10);
		p->version = colon + 1;
	}
	return 0;
}

static int parse_dep(char *s, struct alu_dep *d)
{
	char *op, *evr;

	s = trim(s);
	d->name = s;
	d->flags = 0;
	d->evr = "";
	if (s[0] == '(')
		return 0;
	op = strpbrk(s, "<>=");
	if (!op)
		return 0;
	evr = op + strspn(op, "<>=");
	for (char *c = op; c < evr; c++)
		d->flags |= *c == '<' ? ALU_DEP_LESS : *c == '>' ? ALU_DEP_GREATER : ALU_DEP_EQUAL;
	d->evr = trim(evr);
	*op = 0;
	d->name = trim(s);
	return 0;
}

static void parse_deps(char *s, struct pkgdef *p)
{
	static const char *const kinds[ALU_DEPTYPE_N] = { "requires:", "provides:", "conflicts:",
		"obsoletes:", "recommends:", "suggests:", "supplements:", "enhances:" };
	char *part, *save = NULL;

	for (part = strtok_r(s, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
		part = trim(part);
		if (!strncmp(part, "files:", 6)) {
			char *f, *s2 = NULL;
			for (f = strtok_r(part + 6, " ", &s2); f && p->nfiles < 32; f = strtok_r(NULL, " ", &s2))
				p->files[p->nfiles++] = f;
			continue;
		}
		for (int k = 0; k < ALU_DEPTYPE_N; k++) {
			size_t kl = strlen(kinds[k]);
			char *item, *s3 = NULL;
			if (strncmp(part, kinds[k], kl))
				continue;
			/* rich deps contain commas only inside parentheses: keep those whole */
			if (trim(part + kl)[0] == '(') {
				parse_dep(part + kl, &p->deps[k][p->ndeps[k]++]);
				continue;
			}
			for (item = strtok_r(part + kl, ",", &s3); item && p->ndeps[k] < 32; item = strtok_r(NULL, ",", &s3))
				parse_dep(item, &p->deps[k][p->ndeps[k]++]);
		}
	}
}

static void print_plan(const struct alu_plan *plan, FILE *f)
{
	static const char *const words[] = { "install", "upgrade", "downgrade", "reinstall", "erase", "obsolete" };
	if (!plan->n)
		fprintf(f, "nothing\n");
	for (size_t i = 0; i < plan->n; i++) {
		const struct alu_plan_op *op = &plan->ops[i];
		if (op->old_nevra && op->type != ALU_OP_REINSTALL)
			fprintf(f, "%s %s -> %s\n", words[op->type], op->old_nevra, op->nevra);
		else
			fprintf(f, "%s %s\n", words[op->type], op->nevra);
	}
}

int main(int argc, char **argv)
{
	static char lines[4096][MAXL], orig[4096][MAXL];
	struct alu_strv excludes = { 0 }, locks = { 0 }, protect = { 0 }, installonly = { 0 };
	struct alu_strv self = { 0 };
	struct alu_solve_opts o = { .arch = "x86_64" };
	struct alu_solve *s = NULL;
	struct alu_plan plan = { 0 };
	struct alu_err e = { 0 };
	char expect[8192] = "", got[8192] = "";
	int nl = 0, repo = -1, in_expect = 0, r;
	uint64_t key = 1;
	FILE *f, *m;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: runner FILE.test\n");
		return 2;
	}
	while (nl < 4096 && fgets(lines[nl], MAXL, f)) {
		memcpy(orig[nl], lines[nl], MAXL);
		nl++;
	}
	fclose(f);
	/* options first: they shape the pool */
	for (int i = 0; i < nl; i++) {
		char *l = trim(lines[i]);
		if (!strncmp(l, "expect", 6))
			break;
		if (strncmp(l, "opt ", 4))
			continue;
		l += 4;
		if (!strncmp(l, "limit ", 6))
			o.installonly_limit = atoi(l + 6);
		else if (!strncmp(l, "running ", 8))
			o.running_kernel = l + 8;
		else if (!strncmp(l, "exclude ", 8))
			alu_strv_push(&excludes, l + 8);
		else if (!strncmp(l, "lock ", 5))
			alu_strv_push(&locks, l + 5);
		else if (!strncmp(l, "protect ", 8))
			alu_strv_push(&protect, l + 8);
		else if (!strncmp(l, "self ", 5))
			alu_strv_push(&self, l + 5);
		else if (!strncmp(l, "installonly ", 12))
			alu_strv_push(&installonly, l + 12);
		else if (!strcmp(l, "cleandeps"))
			o.clean_deps = 1;
		else if (!strcmp(l, "downgrade"))
			o.allow_downgrade = 1;
	}
	o.excludes = &excludes;
	o.locks = &locks;
	o.protect = &protect;
	o.protect_self = &self;
	if (installonly.n)
		o.installonly = &installonly;
	if (alu_solve_new(&o, &s))
		return 2;
	int sys = alu_solve_repo(s, "@System", 0, 0, 1);
	for (int i = 0; i < nl && !in_expect; i++) {
		char *l = trim(lines[i]), *bar;
		struct pkgdef p;
		if (!*l || *l == '#')
			continue;
		if (!strcmp(l, "expect")) {
			in_expect = 1;
			break;
		}
		if (!strncmp(l, "repo ", 5)) {
			char id[128] = "";
			int prio = 99, cost = 1000;
			char *pp = strstr(l, " prio "), *cc = strstr(l, " cost ");
			sscanf(l + 5, "%127s", id);
			if (pp)
				prio = atoi(pp + 6);
			if (cc)
				cost = atoi(cc + 6);
			repo = alu_solve_repo(s, id, prio, cost, 0);
			continue;
		}
		if (strncmp(l, "installed ", 10) && strncmp(l, "pkg ", 4))
			continue;
		memset(&p, 0, sizeof(p));
		bar = strchr(l, '|');
		if (bar) {
			*bar = 0;
			parse_deps(bar + 1, &p);
		}
		if (parse_nevra(trim(strchr(l, ' ')), &p)) {
			fprintf(stderr, "%s:%d: bad NEVRA\n", argv[1], i + 1);
			return 2;
		}
		struct alu_solve_pkg sp = { .name = p.name, .version = p.version, .release = p.release,
			.arch = p.arch, .epoch = p.epoch, .files = (const char *const *)p.files,
			.nfiles = p.nfiles, .key = key, .installtime = (uint32_t)key };
		key++;
		for (int k = 0; k < ALU_DEPTYPE_N; k++) {
			sp.deps[k] = p.deps[k];
			sp.ndeps[k] = p.ndeps[k];
		}
		if (alu_solve_add(s, l[0] == 'i' ? sys : repo, &sp, &e)) {
			fprintf(stderr, "%s:%d: %s\n", argv[1], i + 1, e.msg);
			return 2;
		}
	}
	alu_solve_ready(s);
	m = fmemopen(got, sizeof(got), "w");
	r = 0;
	for (int i = 0; i < nl; i++) {
		char *l = trim(lines[i]);
		static const struct { const char *w; enum alu_want want; } jw[] = {
			{ "install ", ALU_WANT_INSTALL }, { "update ", ALU_WANT_UPDATE },
			{ "remove ", ALU_WANT_REMOVE }, { "reinstall ", ALU_WANT_REINSTALL },
			{ "downgrade ", ALU_WANT_DOWNGRADE }, { "distsync ", ALU_WANT_DISTSYNC },
			{ "autoremove ", ALU_WANT_AUTOREMOVE },
		};
		if (!strcmp(l, "expect"))
			break;
		if (strncmp(l, "job ", 4))
			continue;
		l += 4;
		if (!strcmp(l, "update-all"))
			r = alu_solve_want(s, ALU_WANT_UPDATE_ALL, NULL, 0, &e);
		else if (!strcmp(l, "distsync-all"))
			r = alu_solve_want(s, ALU_WANT_DISTSYNC, NULL, 0, &e);
		else if (!strncmp(l, "exact ", 6)) {
			/* the key of the repo package with that NEVRA: its line number order */
			uint64_t k = 1;
			for (int j = 0; j < nl; j++) {
				char tmp[MAXL], *t = trim(strcpy(tmp, orig[j]));
				if (strncmp(t, "installed ", 10) && strncmp(t, "pkg ", 4))
					continue;
				char *b = strchr(t, '|');
				if (b)
					*b = 0;
				if (!strcmp(trim(strchr(t, ' ')), l + 6))
					break;
				k++;
			}
			r = alu_solve_want(s, ALU_WANT_EXACT, NULL, k, &e);
		} else {
			for (size_t k = 0; k < sizeof(jw) / sizeof(jw[0]); k++)
				if (!strncmp(l, jw[k].w, strlen(jw[k].w)))
					r = alu_solve_want(s, jw[k].want, l + strlen(jw[k].w), 0, &e);
		}
		if (r)
			break;
	}
	if (!r)
		r = alu_solve_run(s, &plan, &e);
	if (r)
		fprintf(m, "error: %s\n", e.msg);
	else
		print_plan(&plan, m);
	fclose(m);
	{
		FILE *x = fmemopen(expect, sizeof(expect), "w");
		int on = 0;
		for (int i = 0; i < nl; i++) {
			char *l = trim(lines[i]);
			if (on && *l && *l != '#')
				fprintf(x, "%s\n", l);
			if (!strcmp(l, "expect"))
				on = 1;
		}
		fclose(x);
	}
	/* problems are multi-line; the expect block may name just the first lines */
	int ok = r ? !strncmp(got, expect, strlen(expect)) && expect[0] : !strcmp(got, expect);
	if (!ok)
		printf("%s: FAIL\n--- expected\n%s--- got\n%s", argv[1], expect, got);
	else
		printf("%s: ok\n", argv[1]);
	alu_plan_free(&plan);
	alu_solve_free(s);
	alu_strv_free(&excludes);
	alu_strv_free(&locks);
	alu_strv_free(&protect);
	alu_strv_free(&self);
	alu_strv_free(&installonly);
	return ok ? 0 : 1;
}
