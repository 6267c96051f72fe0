/* SPDX-License-Identifier: MIT */
/*
 * `alupdate package-cleanup` (also run as `package-cleanup`), yum-utils':
 *   --leaves [--all]     installed packages nothing installed requires; as
 *                        yum-utils, only libraries (lib*, compat-lib*) unless --all
 *   --problems           requirements no installed package meets:
 *                        "Package P requires R" (exit 1), or "No Problems Found"
 *   --dupes              installed name.arch with more than one version
 *                        (installonly packages such as kernel excepted)
 *   --cleandupes         removes the older ones of each such set
 *   --oldkernels [--count=N]  removes installonly kernels beyond the newest
 *                        N (default 2), never the running one
 * Lines name packages as yum does: [EPOCH:]NAME-VERSION-RELEASE.ARCH.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "cmd/rqsel.h"
#include "conf/conf.h"
#include "util/out.h"

#define OPTS(X) \
	X(O_LEAVES, "leaves", 0, 0) \
	X(O_ALL, "all", 0, 0) \
	X(O_PROBLEMS, "problems", 0, 0) \
	X(O_DUPES, "dupes", 0, 0) \
	X(O_CLEANDUPES, "cleandupes", 0, 0) \
	X(O_OLDKERNELS, "oldkernels", 0, 0) \
	X(O_COUNT, "count", 0, 1)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv {
	int leaves, all, problems, dupes, cleandupes, oldkernels, count;
};

static int parse(void *pv, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *p = pv;
	char *end;

	(void)ctx;
	switch (id) {
	case O_LEAVES: p->leaves = 1; return 0;
	case O_ALL: p->all = 1; return 0;
	case O_PROBLEMS: p->problems = 1; return 0;
	case O_DUPES: p->dupes = 1; return 0;
	case O_CLEANDUPES: p->cleandupes = 1; return 0;
	case O_OLDKERNELS: p->oldkernels = 1; return 0;
	case O_COUNT:
		p->count = (int)strtol(arg, &end, 10);
		return *end || !*arg || p->count < 1 ? -EINVAL : 0;
	}
	return -ENOTSUP;
}

static void nevra(char *b, size_t n, const struct pkgq_row *r)
{
	if (r->epoch)
		snprintf(b, n, "%u:%s-%s-%s.%s", r->epoch, r->name, r->version, r->release, r->arch);
	else
		snprintf(b, n, "%s-%s-%s.%s", r->name, r->version, r->release, r->arch);
}

struct mark {
	struct rq_src *src;
	const struct pkgq_rows *rows;
	char *required;        /* per row */
	uint64_t self;         /* the requiring package */
	const struct alu_dep *req;
	int met;
	struct alu_err *e;
};

static size_t row_of(const struct pkgq_rows *rows, uint64_t id)
{
	for (size_t i = 0; i < rows->n; i++)
		if (rows->v[i].id == id)
			return i;
	return (size_t)-1;
}

static int prov_view(void *ud, const struct rq_view *v)
{
	struct mark *m = ud;
	char want[1200];

	if (m->req->name[0] == '/') {
		m->met = 1;
		return 0;
	}
	rq_dep_str(m->req, want, sizeof(want));
	for (size_t i = 0; i < v->ndeps[ALU_PROVIDES] && !m->met; i++)
		m->met = !strcmp(v->deps[ALU_PROVIDES][i].name, m->req->name) &&
			 rq_cap_match(want, &v->deps[ALU_PROVIDES][i]);
	return 0;
}

static int prov_cb(void *ud, uint64_t id)
{
	struct mark *m = ud;
	size_t r = row_of(m->rows, id);
	int met = m->met, rc;

	if (r == (size_t)-1)
		return 0;
	m->met = 0;
	rc = rq_view(m->src, &m->rows->v[r], prov_view, m, m->e);
	if (m->met && id != m->self && m->required)
		m->required[r] = 1;
	m->met |= met;
	return rc;
}

/* for each requirement of each package: who meets it (marks), or nobody (prints) */
static int req_view(void *ud, const struct rq_view *v)
{
	struct mark *m = ud;
	char buf[1200], who[1024];
	int rc = 0;

	for (size_t i = 0; !rc && i < v->ndeps[ALU_REQUIRES]; i++) {
		const struct alu_dep *d = &v->deps[ALU_REQUIRES][i];
		if (!strncmp(d->name, "rpmlib(", 7) || alu_dep_is_rich(d))
			continue;
		m->req = d;
		m->met = 0;
		rc = d->name[0] == '/' ? alu_state_file_owners(m->src->s, d->name, prov_cb, m) :
		     alu_state_what_provides(m->src->s, d->name, prov_cb, m);
		if (!rc && !m->met && !m->required) {
			struct pkgq_row r = { (char *)v->pkg.name, (char *)v->pkg.arch, (char *)v->pkg.version,
				(char *)v->pkg.release, NULL, NULL, v->pkg.epoch, 0, 1, 0, 0, 0, 0 };
			nevra(who, sizeof(who), &r);
			rq_dep_str(d, buf, sizeof(buf));
			printf("Package %s requires %s\n", who, buf);
			m->met = -1;
		}
	}
	return rc;
}

static int is_installonly(const struct alu_conf *c, const char *name)
{
	for (size_t i = 0; i < c->installonlypkgs.n; i++)
		if (!fnmatch(c->installonlypkgs.v[i], name, 0))
			return 1;
	return 0;
}

static int run(void *pv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *p = pv;
	struct alu_conf conf;
	struct alu_err e = { 0 };
	struct pkgq_rows rows = { 0 };
	struct rq_src src = { NULL, NULL, 0 };
	struct alu_strv remove = { 0 };
	char buf[1200], running[512] = "";
	struct utsname u;
	int rc, nmodes = p->leaves + p->problems + p->dupes + p->cleandupes + p->oldkernels, problems = 0;

	(void)argv;
	if (nmodes != 1 || argc) {
		alu_error("package-cleanup: give one of --leaves, --problems, --dupes, --cleandupes, --oldkernels");
		return 1;
	}
	rc = alu_conf_load(ctx, &conf, &e);
	if (!rc)
		rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &src.s, &e);
	if (!rc)
		rc = pkgq_installed(src.s, NULL, 0, &rows);
	/* rows are sorted by name, arch, EVR; gpg-pubkey is rpm's, not a package */
	for (size_t i = 0; !rc && i < rows.n; i++)
		if (!strcmp(rows.v[i].name, "gpg-pubkey"))
			rows.v[i].tag = 1;
	if (!rc && (p->leaves || p->problems)) {
		struct mark m = { &src, &rows, p->leaves ? calloc(rows.n + 1, 1) : NULL, 0, NULL, 0, &e };
		for (size_t i = 0; !rc && i < rows.n; i++) {
			if (rows.v[i].tag)
				continue;
			m.self = rows.v[i].id;
			rc = rq_view(&src, &rows.v[i], req_view, &m, &e);
			problems += m.met == -1;
		}
		for (size_t i = 0; !rc && p->leaves && i < rows.n; i++) {
			const char *n = rows.v[i].name;
			if (m.required[i] || rows.v[i].tag ||
			    (!p->all && strncmp(n, "lib", 3) && strncmp(n, "compat-lib", 10)))
				continue;
			nevra(buf, sizeof(buf), &rows.v[i]);
			printf("%s\n", buf);
		}
		if (!rc && p->problems && !problems)
			printf("No Problems Found\n");
		free(m.required);
	}
	if (!rc && (p->dupes || p->cleandupes)) {
		for (size_t i = 0; !rc && i < rows.n; i++) {
			struct pkgq_row *r = &rows.v[i];
			int same_next = i + 1 < rows.n && !strcmp(rows.v[i + 1].name, r->name) &&
					!strcmp(rows.v[i + 1].arch, r->arch);
			int same_prev = i && !strcmp(rows.v[i - 1].name, r->name) && !strcmp(rows.v[i - 1].arch, r->arch);
			if (r->tag || (!same_next && !same_prev) || is_installonly(&conf, r->name))
				continue;
			nevra(buf, sizeof(buf), r);
			if (p->dupes)
				printf("%s\n", buf);
			else if (same_next)   /* an older one: the newest stays */
				rc = alu_strv_push(&remove, buf);
		}
	}
	if (!rc && p->oldkernels) {
		int count = p->count ? p->count : 2, seen = 0;
		if (!strcmp(ctx->root, "/") && !uname(&u))
			snprintf(running, sizeof(running), "kernel-%s", u.release);
		for (size_t i = rows.n; !rc && i-- > 0;) {
			struct pkgq_row *r = &rows.v[i];
			char nvra[1024];
			if (strcmp(r->name, "kernel"))
				continue;
			snprintf(nvra, sizeof(nvra), "%s-%s-%s.%s", r->name, r->version, r->release, r->arch);
			if (++seen <= count || !strcmp(nvra, running))
				continue;
			nevra(buf, sizeof(buf), r);
			rc = alu_strv_push(&remove, buf);
		}
		if (!rc && !remove.n)
			alu_msg("No old kernels to remove");
	}
	pkgq_free(&rows);
	alu_state_close(src.s);
	alu_conf_free(&conf);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		alu_strv_free(&remove);
		return 1;
	}
	if (remove.n) {
		/* exact NEVRAs: ops' target form, "-NEVRA" must go */
		for (size_t i = 0; i < remove.n; i++) {
			char *t = malloc(strlen(remove.v[i]) + 2);
			if (!t)
				break;
			sprintf(t, "-%s", strchr(remove.v[i], ':') ? strchr(remove.v[i], ':') + 1 : remove.v[i]);
			free(remove.v[i]);
			remove.v[i] = t;
		}
		rc = alu_cmd_ops_run(ctx, "package-cleanup", ALU_OPS_TARGET, remove.v, (int)remove.n);
		alu_strv_free(&remove);
		return rc;
	}
	return p->problems && problems ? 1 : 0;
}

const struct alu_cmd alu_cmd_package_cleanup = {
	.name = "package-cleanup",
	.summary = "installed-package housekeeping (yum-utils' package-cleanup)",
	.usage = "--leaves [--all] | --problems | --dupes | --cleandupes | --oldkernels [--count=N]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.groups = ALU_OPTG_TXN,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
