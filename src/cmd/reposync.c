/* SPDX-License-Identifier: MIT */
/*
 * `alupdate reposync` (also run as `reposync` through a link of that name):
 * copy the enabled repositories, or those --repoid names, into
 * --download-path/<repoid>/ for sites without internet, with yum-utils'
 * flags. Each package is checked against the metadata's checksum and, when
 * the repository has gpgcheck=1 (or --gpgcheck), its signature before it gets
 * its final name. The work is repo/mirrorcopy.h's; this file picks the
 * repositories, loads their keys and reports. A repository that fails is
 * named and the others are still copied; the exit code is then 1.
 * The advisory filters (--security, --sec-severity, --advisory, --cve ...)
 * copy only the packages matching advisories name, with metadata written
 * for that subset (repo/mirrorsubset.c).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/reposync.h"
#include "ops/ops.h"
#include "repo/mirrorcopy.h"
#include "util/out.h"

#define OPTS(X) \
	X(OPT_REPOID, "repoid", 'r', 1) \
	X(OPT_PATH, "download-path", 'p', 1) \
	X(OPT_NEWEST, "newest-only", 'n', 0) \
	X(OPT_ARCH, "arch", 'a', 1) \
	X(OPT_SOURCE, "source", 0, 0) \
	X(OPT_METADATA, "download-metadata", 0, 0) \
	X(OPT_DELETE, "delete", 'd', 0) \
	X(OPT_GPGCHECK, "gpgcheck", 'g', 0) \
	X(OPT_SNAPSHOT, "snapshot", 0, 0) \
	X(OPT_NOREPOPATH, "norepopath", 0, 0) \
	X(OPT_MIRRORLIST, "mirrorlist-for", 0, 1) \
	X(OPT_EXTRAS, "extras", 0, 1)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

#define priv alu_reposync

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *pv = p;

	(void)ctx;
	switch (id) {
	case OPT_REPOID: return alu_strv_push_split(&pv->repoids, arg);
	case OPT_PATH: pv->path = arg; return 0;
	case OPT_NEWEST: pv->flags |= ALU_MCOPYF_NEWEST; return 0;
	case OPT_ARCH: return alu_strv_push_split(&pv->arches, arg);
	case OPT_SOURCE: pv->flags |= ALU_MCOPYF_SOURCE; return 0;
	case OPT_METADATA: pv->flags |= ALU_MCOPYF_METADATA; return 0;
	case OPT_DELETE: pv->flags |= ALU_MCOPYF_DELETE; return 0;
	case OPT_GPGCHECK: pv->gpgcheck = 1; return 0;
	case OPT_SNAPSHOT: pv->flags |= ALU_MCOPYF_SNAPSHOT | ALU_MCOPYF_METADATA; return 0;
	case OPT_NOREPOPATH: pv->norepopath = 1; return 0;
	case OPT_MIRRORLIST: return alu_strv_push_split(&pv->mirrorlists, arg);
	case OPT_EXTRAS: return alu_strv_push_split(&pv->extras, arg);
	}
	return -ENOTSUP;
}

int alu_reposync_mirrors(const struct alu_conf *c, struct alu_net *net, const struct alu_repo *r,
			 const struct alu_net_opts *no, struct alu_mirrors *m, struct alu_err *e)
{
	char *buf = NULL;
	size_t len;
	int rc = 0;

	if (r->mirrorlist) {
		rc = alu_net_get_mem(net, r->mirrorlist, no, 1 << 20, &buf, &len, e);
		if (!rc)
			rc = alu_mirrors_from_url_list(m, buf, len, c->basearch, r->mirrorlist, e);
		free(buf);
	}
	for (size_t i = 0; !rc && i < r->baseurls.n; i++)
		if (alu_mirrors_add(m, r->baseurls.v[i]))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	if (!rc && !m->n)
		rc = alu_err_set(e, -ALUE_CONFIG, "repository %s has neither baseurl nor mirrorlist", r->id);
	return rc;
}

static int load_keys(const struct alu_conf *c, struct alu_net *net, const struct alu_repo *r, const struct alu_net_opts *no,
		     struct alu_pgp_keyring *ring, struct alu_err *e)
{
	int rc = 0;

	if (!r->gpgkeys.n)
		return alu_err_set(e, -ALUE_NOKEY, "repository %s: signatures are to be checked but no gpgkey is set",
				   r->id);
	for (size_t i = 0; !rc && i < r->gpgkeys.n; i++) {
		const char *k = r->gpgkeys.v[i];
		char *buf = NULL;
		size_t len;
		if (!strncmp(k, "file://", 7) || *k == '/') {
			const char *kp = *k == '/' ? k : k + 7;
			/* as dnf does: the key inside the installroot first, then the host's */
			char *in = alu_conf_path(c, kp);
			if (!in)
				return alu_err_set(e, -ENOMEM, "out of memory");
			rc = alu_pgp_keyring_add_file(ring, access(in, F_OK) ? kp : in, e);
			free(in);
		} else if (!(rc = alu_net_get_mem(net, k, no, 1 << 20, &buf, &len, e))) {
			rc = alu_pgp_keyring_add(ring, buf, len, k, e);
		}
		free(buf);
		if (rc > 0)
			rc = 0;
	}
	return rc;
}

struct vctx { const struct alu_repo *r; const struct alu_pgp_keyring *ring; };

static int verify(void *arg, const char *path, struct alu_err *e)
{
	const struct vctx *v = arg;
	return alu_ops_pkg_sigcheck(path, v->r, v->ring, e);
}

static void progress(void *arg, const char *loc, int fetched, uint64_t size)
{
	(void)arg;
	alu_verbose("%s %s (%llu bytes)", fetched ? "fetched" : "kept", loc, (unsigned long long)size);
}

static int selected(const struct priv *pv, const struct alu_repo *r)
{
	if (!pv->repoids.n)
		return r->enabled;
	for (size_t i = 0; i < pv->repoids.n; i++)
		if (!fnmatch(pv->repoids.v[i], r->id, 0))
			return 1;
	return 0;
}

int alu_reposync_copy(const struct alu_reposync *pv, const struct alu_ctx *ctx,
		      const struct alu_conf *c, struct alu_net *net, const struct alu_repo *r,
		      struct alu_mirrors *m, const char *dest, unsigned flags,
		      struct alu_mcopy_stats *st, struct alu_err *e)
{
	struct alu_mcopy_opts o = { .repoid = r->id, .dest = dest, .flags = pv->flags | flags,
		.arches = &pv->arches, .progress = progress, .filter = &ctx->filter };
	struct alu_pgp_keyring ring;
	struct alu_net_opts no;
	struct vctx v = { r, &ring };
	int gpg = (pv->gpgcheck || r->gpgcheck) && !ctx->nogpgcheck, rc = 0;

	/* [main] max_parallel_downloads: packages fetched at once */
	if ((rc = alu_repo_parallel(c, NULL, &o.parallel, e)))
		return rc;
	alu_pgp_keyring_init(&ring);
	o.ring = &ring;
	if (r->repo_gpgcheck && !ctx->nogpgcheck)
		o.flags |= ALU_MCOPYF_REPOSIG;
	if (gpg) {
		o.verify = verify;
		o.verify_arg = &v;
	}
	alu_repo_net_opts(r, &no);
	if (gpg || (o.flags & ALU_MCOPYF_REPOSIG))
		rc = load_keys(c, net, r, &no, &ring, e);
	if (!rc)
		rc = alu_mcopy_repo(net, m, &no, &o, st, e);
	alu_pgp_keyring_free(&ring);
	return rc;
}

static int copy_repo(const struct priv *pv, const struct alu_ctx *ctx, const struct alu_conf *c,
		     struct alu_net *net, const struct alu_repo *r, struct alu_err *e)
{
	struct alu_mcopy_stats st;
	struct alu_mirrors m = { 0 };
	struct alu_net_opts no;
	char dest[4096];
	int rc;

	snprintf(dest, sizeof(dest), "%s%s%s", pv->path, pv->norepopath ? "" : "/",
		 pv->norepopath ? "" : r->id);
	alu_repo_net_opts(r, &no);
	rc = alu_reposync_mirrors(c, net, r, &no, &m, e);
	if (!rc)
		rc = alu_reposync_copy(pv, ctx, c, net, r, &m, dest, 0, &st, e);
	if (!rc && pv->mirrorlists.n)
		rc = alu_mcopy_mirrorlists(pv->path, r->id, r->mirrorlist, alu_conf_var(c, "awsregion"),
					   &pv->mirrorlists, e);
	if (!rc) {
		char del[64] = "";
		if (pv->flags & ALU_MCOPYF_DELETE)
			snprintf(del, sizeof(del), ", %zu deleted", st.deleted);
		alu_msg("%s: %zu packages (%zu downloaded%s), revision %s%s%s", r->id, st.pkgs,
			st.fetched, del, *st.revision ? st.revision : "(none)",
			*st.snapshot ? ", snapshot " : "", st.snapshot);
		if (st.subset)
			alu_msg("%s: advisory subset: repodata/ written for the packages copied; its repomd.xml "
				"cannot carry the upstream signature (clients need repo_gpgcheck=0; packages keep "
				"their signatures)", r->id);
		if ((pv->flags & ALU_MCOPYF_METADATA) && !st.subset &&
		    (pv->flags & ALU_MCOPYF_NEWEST || pv->arches.n))
			alu_warn("%s: repodata/ is kept as published and still lists the packages that "
				 "--newest-only/--arch left out; clients asking for those will fail", r->id);
		if (!(pv->flags & ALU_MCOPYF_METADATA))
			alu_verbose("%s: packages only (no --download-metadata): %s is not a repository yet",
				    r->id, dest);
	}
	alu_mirrors_free(&m);
	return rc;
}

static int run(void *p, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *pv = p;
	struct alu_conf c = { 0 };
	struct alu_net *net = NULL;
	struct alu_err e = { 0 };
	size_t n = 0, failed = 0;
	int rc;

	(void)argv;
	if (!pv->path)
		pv->path = ".";
	rc = argc ? alu_err_set(&e, -ALUE_USAGE, "reposync takes no arguments (use --repoid)") :
		    alu_conf_load(ctx, &c, &e);
	if (!rc && pv->norepopath && pv->repoids.n != 1)
		rc = alu_err_set(&e, -ALUE_USAGE, "--norepopath needs exactly one --repoid");
	if (!rc && alu_net_new(&net))
		rc = alu_err_set(&e, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < c.nrepos; i++) {
		struct alu_err re = { 0 };
		if (!selected(pv, &c.repos[i]))
			continue;
		n++;
		if (copy_repo(pv, ctx, &c, net, &c.repos[i], &re)) {
			alu_error("%s", re.msg);
			failed++;
		}
	}
	if (!rc && pv->extras.n) {
		int k = alu_reposync_extras(pv, ctx, &c, net, &e);
		if (k > 0)
			failed += (size_t)k;
		else
			rc = k;
		n++;
	}
	if (!rc && !n)
		rc = alu_err_set(&e, -ALUE_NOTFOUND, "no repository to copy%s%s",
				 pv->repoids.n ? " matches --repoid " : " is enabled",
				 pv->repoids.n ? pv->repoids.v[0] : "");
	if (rc)
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
	alu_net_free(net);
	alu_conf_free(&c);
	alu_strv_free(&pv->repoids);
	alu_strv_free(&pv->arches);
	alu_strv_free(&pv->mirrorlists);
	alu_strv_free(&pv->extras);
	return rc || failed ? 1 : 0;
}

const struct alu_cmd alu_cmd_reposync = {
	.name = "reposync",
	.summary = "copy repositories into a directory for sites without internet",
	.usage = "[-r REPOID] [-p DIR] [--download-metadata] [-n] [--delete] [--snapshot] "
		 "[--extras TOPIC,...|all --mirrorlist-for REGION=URL]",
	.groups = ALU_OPTG_FILTER,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
