/* SPDX-License-Identifier: MIT */
/*
 * Package files and URLs named on the command line (`install ./x.rpm`,
 * `localinstall`, `install https://.../x.rpm`), as yum's installLocal: the
 * file joins the pool in a repository of its own, "@commandline", and is
 * asked for exactly, so its dependencies come from the enabled repositories
 * like those of any install. A URL is downloaded first (into
 * <cachedir>/@commandline/packages, removed again with keepcache=0); its
 * signature is checked in verify.c. A file whose package is installed at
 * the same or a newer version is skipped with yum's message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops_int.h"
#include "solve/load.h"

int alu_ops_is_file_spec(const char *spec)
{
	size_t n = strlen(spec);

	/* yum (cli.py installPkgs): a package file ends in .rpm and is a URL or
	 * exists; anything else, /usr/bin/ls included, is asked of the repos */
	return n > 4 && !strcmp(spec + n - 4, ".rpm") && (strstr(spec, "://") || !access(spec, F_OK));
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -errno : 0;
}

/* A URL into the cache; @p dest receives the file's path. */
static int fetch_url(struct alu_ops *o, const char *url, char *dest, size_t n, struct alu_err *e)
{
	const struct alu_conf *c = &o->repos.conf;
	struct alu_net_opts no = { 0 };
	const char *b = strrchr(url, '/');
	char dir[4096];
	int rc;

	if (o->ctx->cacheonly)
		return alu_err_set(e, -ALUE_NOCACHE, "%s: cannot download with -C", url);
	snprintf(dir, sizeof(dir), "%s/@commandline/packages", c->cachedir);
	if ((rc = mkdirs(dir)))
		return alu_err_set(e, rc, "%s: %s", dir, strerror(-rc));
	if (!b || !b[1] || !strcmp(b + 1, ".") || !strcmp(b + 1, "..") ||
	    snprintf(dest, n, "%s/%s", dir, b + 1) >= (int)n)
		return alu_err_set(e, -ALUE_USAGE, "%s: no file name in the URL", url);
	if (!o->repos.net && alu_net_new(&o->repos.net))
		return alu_err_set(e, -ENOMEM, "out of memory");
	no.timeout = c->timeout;
	no.retries = c->retries;
	no.insecure = !c->sslverify;
	no.cacert = c->sslcacert;
	no.proxy = c->proxy;
	no.proxy_username = c->proxy_username;
	no.proxy_password = c->proxy_password;
	rc = alu_net_get_file(o->repos.net, url, &no, dest, NULL, 0, e);
	if (!rc && alu_strv_push(&o->created, dest))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	return rc;
}

struct newest { const char *arch; struct alu_evr evr; int n, cmp; char nevra[512]; };

static int inst_cb(void *arg, const struct alu_instpkg *p)
{
	struct newest *s = arg;
	struct alu_evr ev = { p->epoch, p->version, p->release };
	int c;

	/* multilib: x86_64 and i686 of one name live side by side */
	if (strcmp(p->arch, s->arch) && strcmp(p->arch, "noarch") && strcmp(s->arch, "noarch"))
		return 0;
	c = alu_evr_cmp(&ev, &s->evr);
	if (!s->n++ || c > s->cmp) {
		s->cmp = c;
		alu_nevra_fmt(s->nevra, sizeof(s->nevra), p->name, p->epoch, p->version, p->release,
			      p->arch);
	}
	return 0;
}

static int add_one(struct alu_ops *o, const char *spec, int updateonly, int *repo, int *matched,
		   struct alu_err *e)
{
	char path[8192], nevra[1024];
	struct alu_err le = { 0 };
	struct alu_pkginfo pi;
	struct newest nw = { 0 };
	struct alu_rpm r;
	struct stat st;
	uint64_t key = ALU_OPS_LOCAL_KEY | o->local.n;
	int rc;

	if (strstr(spec, "://"))
		rc = fetch_url(o, spec, path, sizeof(path), e);
	else
		rc = snprintf(path, sizeof(path), "%s", spec) >= (int)sizeof(path) ?
			alu_err_set(e, -ENAMETOOLONG, "%s: path too long", spec) : 0;
	if (rc)
		return rc;
	rc = alu_rpm_open(path, &r, &le);
	if (rc)
		return alu_err_set(e, rc, "%s", le.msg[0] ? le.msg : alu_strerror(rc));
	rc = alu_hdr_info(r.hdr, &pi);
	if (rc) {
		alu_rpm_close(&r);
		return alu_err_set(e, rc, "%s: unreadable header", spec);
	}
	if (pi.is_source || r.is_source) {
		alu_rpm_close(&r);
		return alu_err_set(e, -ALUE_USAGE, "%s: is a source package, which cannot be installed", spec);
	}
	alu_nevra_fmt(nevra, sizeof(nevra), pi.name, pi.epoch, pi.version, pi.release, pi.arch);
	nw.arch = pi.arch;
	nw.evr = (struct alu_evr){ pi.epoch, pi.version, pi.release };
	alu_state_find_name(o->state, pi.name, inst_cb, &nw);
	*matched += 1;
	if (nw.n && nw.cmp >= 0) {
		char msg[1200];
		if (nw.cmp == 0)
			snprintf(msg, sizeof(msg), "Package %s already installed and latest version", nevra);
		else
			snprintf(msg, sizeof(msg), "Package %s: a newer version is already installed (%s)",
				 nevra, nw.nevra);
		alu_rpm_close(&r);
		return alu_strv_push(&o->missing, msg) ? alu_err_set(e, -ENOMEM, "out of memory") : 0;
	}
	if (updateonly && !nw.n) {   /* yum update ./x.rpm: installLocal(updateonly=1) */
		char msg[1200];
		snprintf(msg, sizeof(msg), "Package %s not installed, cannot update it. "
			 "Run yum install to install it instead.", nevra);
		alu_rpm_close(&r);
		return alu_strv_push(&o->missing, msg) ? alu_err_set(e, -ENOMEM, "out of memory") : 0;
	}
	if (*repo < 0 && (*repo = alu_solve_repo(o->solve, "@commandline", 0, 0, 0)) < 0) {
		alu_rpm_close(&r);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	rc = alu_solve_add_header(o->solve, *repo, r.hdr, key, stat(path, &st) ? 0 : (uint64_t)st.st_size, e);
	alu_rpm_close(&r);
	if (!rc && (alu_strv_push(&o->local, path) || alu_strv_push(&o->local_from, spec)))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	if (!rc)
		rc = alu_solve_want(o->solve, ALU_WANT_EXACT, NULL, key, e);
	return rc;
}

int alu_ops_want_local(struct alu_ops *o, char **specs, int n, int updateonly, int *matched,
		       struct alu_err *e)
{
	int repo = -1, rc = 0;

	for (int i = 0; !rc && i < n; i++)
		if (alu_ops_is_file_spec(specs[i]))
			rc = add_one(o, specs[i], updateonly, &repo, matched, e);
	return rc;
}
