/* SPDX-License-Identifier: MIT */
/*
 * Opening a transaction run: repositories first (a network failure should
 * not hold the lock), then the lock, the state, recovery, and a solver with
 * the root's policy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "db/cache.h"
#include "ops/ops.h"
#include "ops/rootarch.h"
#include "ops/selfpkg.h"
#include "rpmdb/rpmdb_out.h"
#include "solve/load.h"
#include "util/rootfs.h"

static int policy(struct alu_ops *o, struct alu_solve_opts *so, struct alu_err *e)
{
	const struct alu_conf *c = &o->repos.conf;
	struct utsname u;
	int rc;

	memset(so, 0, sizeof(*so));
	so->arch = c->basearch;
	so->installonly = c->installonlypkgs.n ? &c->installonlypkgs : NULL;
	so->installonly_limit = c->installonly_limit;
	so->excludes = c->exclude.n ? &c->exclude : NULL;
	so->clean_deps = c->clean_requirements_on_remove;
	so->no_obsoletes = !c->obsoletes;
	so->best = o->ctx->best > 0;
	so->no_weak_deps = !c->install_weak_deps;
	so->skip_broken = o->ctx->skip_broken;
	so->skipped = &o->skipped;
	/* The running kernel only means something for the root we run in. */
	if ((!c->root || !*c->root) && !strcmp(o->ctx->root, "/") && !uname(&u)) {
		snprintf(o->kernel, sizeof(o->kernel), "kernel-%s", u.release);
		so->running_kernel = o->kernel;
	}
	/* an --installroot root's running kernel is not the host's: the
	 * kernel_version setting says it (V-R.ARCH, as uname -r) */
	for (size_t i = 0; i < c->other.n; i++)
		if (!strncmp(c->other.v[i], "kernel_version=", 15) && c->other.v[i][15]) {
			snprintf(o->kernel, sizeof(o->kernel), "kernel-%s", c->other.v[i] + 15);
			so->running_kernel = o->kernel;
		}
	/* the solver reads the plugin's entries as written ("!" and globs too) */
	rc = alu_vlock_read(o->ctx->root, &o->locks, e);
	for (size_t i = 0; !rc && i < c->protected_packages.n; i++)
		if (alu_strv_push(&o->protect, c->protected_packages.v[i]))
			rc = -ENOMEM;
	if (!rc)
		rc = alu_ops_self_names(o->ctx, o->state, &o->self);
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	so->locks = &o->locks;
	so->protect = &o->protect;
	so->protect_self = &o->self;
	return rc;
}

/* A distroless root with only container-manifest-2: adopted from it first. */
static int manifest_root(struct alu_ops *o, struct alu_err *e)
{
	enum alu_rpmdb_kind kind;
	char path[4096];
	int rc;

	if (alu_rpmdb_find(o->ctx->root, path, sizeof(path), &kind, NULL) != -ENOENT ||
	    !alu_rpmdb_manifest_path(o->ctx->root, path, sizeof(path)))
		return 0;
	rc = alu_ops_adopt_manifest(o, path, e);
	if (!rc)
		rc = alu_ops_rpmdb_sync(o->ctx, &o->repos.conf, o->state, e);
	return rc;
}

int alu_ops_open(const struct alu_ctx *ctx, unsigned flags, struct alu_ops *o, struct alu_err *e)
{
	struct alu_solve_opts so;
	unsigned rf = 0;
	int rc;

	memset(o, 0, sizeof(*o));
	o->ctx = ctx;
	o->lockfd = -1;
	o->begin = alu_now();
	if (flags & (ALU_OPSF_NOSYNC | ALU_OPSF_READONLY))
		rf |= ALU_REPOSF_NOSYNC;
	rc = alu_repos_open(ctx, rf, &o->repos, e);
	if (rc == -ALUE_NOCONF && (flags & ALU_OPSF_NOSYNC) && strcmp(ctx->root, "/")) {
		/* removing needs no repository: a bare root with none is fine (any other
		 * configuration error stands: it could hide protected packages) */
		alu_repos_close(&o->repos);
		alu_err_clear(e);
		rc = 0;
	}
	if (rc)
		return rc;
	if (flags & ALU_OPSF_READONLY)
		return alu_state_open(ctx->root, ALU_STATEF_RDONLY, &o->state, e);
	rc = alu_ops_writer_open(ctx, &o->lockfd, &o->state, o->recovered, sizeof(o->recovered), e);
	if (!rc && !alu_state_count(o->state))
		rc = manifest_root(o, e);
	if (!rc)
		rc = alu_rootarch_check(ctx, o->repos.conf.basearch, o->state, e);
	if (!rc)
		rc = policy(o, &so, e);
	so.allow_downgrade = (flags & ALU_OPSF_DOWNGRADE) != 0;
	if (!rc && alu_solve_new(&so, &o->solve))
		rc = alu_err_set(e, -ENOMEM, "out of memory");
	/* it reads headers while it walks the packages: nested read
	 * transactions, which the state's MDB_NOTLS allows */
	if (!rc)
		rc = alu_solve_load(o->solve, &o->repos.conf, o->state, o->repos.cache, e);
	return rc;
}

int alu_ops_writer_open(const struct alu_ctx *ctx, int *lockfd, struct alu_state **s,
			char *recovered, size_t n, struct alu_err *e)
{
	int rc = alu_txn_lock(ctx->root, ctx->nowait ? ALU_TXNF_NOWAIT : 0, lockfd, e);

	*s = NULL;
	if (n)
		*recovered = 0;
	if (rc) {
		*lockfd = -1;
		return rc;
	}
	/* adoption builds its environment beside var/lib/alupdate and moves it in
	 * (state_open.c), the lock file being there already */
	rc = alu_state_open(ctx->root, ALU_STATEF_CREATE, s, e);
	if (!rc)
		rc = alu_txn_recover(*s, ctx->root, recovered, n, e);
	/* after recovery: a record still open is a killed run's */
	if (!rc)
		rc = alu_hist_mark_interrupted(*s, recovered, NULL, e);
	/* before anything else: the installed set rpm or yum left */
	if (!rc)
		rc = alu_ops_rpmdb_sync(ctx, NULL, *s, e);
	if (rc) {
		alu_state_close(*s);
		*s = NULL;
		alu_txn_unlock(*lockfd);
		*lockfd = -1;
	}
	return rc;
}

void alu_ops_close(struct alu_ops *o)
{
	const struct alu_conf *c = &o->repos.conf;

	/* keepcache=0: a container layer keeps no package files. */
	if (!c->keepcache && !o->ctx->downloadonly)
		for (size_t i = 0; i < o->created.n; i++)
			alu_root_unlink(o->created.v[i], NULL);
	for (size_t i = 0; o->paths && i < o->plan.n; i++)
		free(o->paths[i]);
	free(o->paths);
	alu_plan_free(&o->plan);
	alu_solve_free(o->solve);
	alu_strv_free(&o->locks);
	alu_strv_free(&o->protect);
	alu_strv_free(&o->self);
	alu_strv_free(&o->advisories);
	alu_strv_free(&o->cves);
	alu_strv_free(&o->missing);
	alu_strv_free(&o->skipped);
	alu_strv_free(&o->local);
	alu_strv_free(&o->local_from);
	alu_strv_free(&o->created);
	alu_state_close(o->state);
	if (o->lockfd >= 0)
		alu_txn_unlock(o->lockfd);
	alu_repos_close(&o->repos);
	o->state = NULL;
	o->solve = NULL;
	o->lockfd = -1;
}
