/* SPDX-License-Identifier: MIT */
/*
 * `alupdate install NAME|./pkg.rpm|URL...`: through the solver (cmd/opsrun.c,
 * ops/local.c for files and URLs), dependencies from the enabled
 * repositories. In a root without any repository configuration, package
 * files are installed or upgraded as rpm -U does (a package whose name is
 * installed replaces it). The
 * operations go to the same apply loop a solver plan feeds (alu_txn_run), so
 * repository installs only have to build a longer plan.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/groupsel.h"
#include "cmd/opsrun.h"
#include "cmd/txnrun.h"
#include "conf/conf.h"
#include "rpm/rpm.h"
#include "util/out.h"

struct same {
	const char *arch;
	struct alu_evr evr;
	uint64_t ids[16];
	size_t n;
	int cmp;       /* highest comparison of installed against the new one */
	char nevra[512];
};

static int same_cb(void *arg, const struct alu_instpkg *p)
{
	struct same *s = arg;
	struct alu_evr ev = { p->epoch, p->version, p->release };
	int c;

	/* multilib: x86_64 and i686 of one name live side by side */
	if (strcmp(p->arch, s->arch) && strcmp(p->arch, "noarch") && strcmp(s->arch, "noarch"))
		return 0;
	c = alu_evr_cmp(&ev, &s->evr);
	if (s->n == 0 || c > s->cmp) {
		s->cmp = c;
		snprintf(s->nevra, sizeof(s->nevra), "%s-%s-%s.%s", p->name, p->version,
			 p->release, p->arch);
	}
	if (s->n < 16)
		s->ids[s->n++] = p->id;
	return 0;
}

/* yum: an argument ending in .rpm is a package file; any other path is a
 * file provide ("install /etc/ld.so.conf" is the package that owns it) */
static int is_file_arg(const char *a)
{
	size_t n = strlen(a);
	return n > 4 && !strcmp(a + n - 4, ".rpm");
}

/* Does the root have repositories (enabled or not) to resolve from? */
int alu_cmd_has_repos(const struct alu_ctx *ctx)
{
	struct alu_conf c;
	struct alu_err e = { 0 };
	int r = alu_conf_load(ctx, &c, &e), n = !r && c.nrepos > 0;

	/* another configuration error is the solver path's to report */
	if (r && r != -ALUE_NOCONF)
		n = 1;
	alu_conf_free(&c);
	return n;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_txn_op *ops = calloc((size_t)argc, sizeof(*ops));
	struct alu_cmd_row *rows = calloc((size_t)argc, sizeof(*rows));
	uint64_t (*olds)[16] = calloc((size_t)argc, sizeof(*olds));
	struct alu_state *s = NULL;
	struct alu_txn_plan plan = { ops, 0 };
	int lockfd = -1, rc = 1, nfiles;

	(void)priv;
	if (!ops || !rows || !olds) {
		alu_error("out of memory");
		goto out;
	}
	nfiles = 0;
	for (int i = 0; i < argc; i++)
		nfiles += is_file_arg(argv[i]);
	for (int i = 0; !nfiles && i < argc; i++)
		if (argv[i][0] == '@') {   /* install @group: yum's groupinstall spelling */
			rc = alu_cmd_group_mixed(ctx, "install", 0, argv, argc);
			goto out;
		}
	if (nfiles != argc || alu_cmd_has_repos(ctx)) {
		/* names, globs, capabilities, files and URLs: through the solver,
		 * dependencies from the enabled repositories (ops/local.c) */
		rc = alu_cmd_ops_run(ctx, "install", ALU_OPS_INSTALL, argv, argc);
		goto out;
	}
	/* a root without any repository configuration: package files as rpm -U
	 * takes them (nothing to resolve dependencies from) */
	if (ctx->downloadonly) {
		alu_msg("exiting because \"Download Only\" specified");
		rc = 0;
		goto out;
	}
	if (alu_cmd_txn_open(ctx, &lockfd, &s))
		goto out;
	for (int i = 0; i < argc; i++) {
		struct alu_err e = { 0 };
		struct alu_pkginfo pi;
		struct alu_rpm r;
		struct same sm = { 0 };
		int er = alu_rpm_open(argv[i], &r, &e);

		if (er || (er = alu_hdr_info(r.hdr, &pi))) {
			alu_error("%s", e.msg[0] ? e.msg : alu_strerror(er));
			if (!er)
				alu_rpm_close(&r);
			goto out;
		}
		if (pi.is_source || r.is_source) {
			alu_error("%s: is a source package, which cannot be installed", argv[i]);
			alu_rpm_close(&r);
			goto out;
		}
		sm.arch = pi.arch;
		sm.evr = (struct alu_evr){ pi.epoch, pi.version, pi.release };
		/* the same package given twice (two paths, or one twice) is installed once */
		int dup = 0;
		for (size_t k = 0; k < plan.nops; k++)
			dup |= !strcmp(rows[k].name, pi.name) && !strcmp(rows[k].arch, pi.arch);
		if (dup) {
			alu_rpm_close(&r);
			continue;
		}
		alu_state_find_name(s, pi.name, same_cb, &sm);
		struct alu_cmd_row *w = &rows[plan.nops];
		snprintf(w->name, sizeof(w->name), "%s", pi.name);
		snprintf(w->arch, sizeof(w->arch), "%s", pi.arch);
		if (pi.epoch)
			snprintf(w->evr, sizeof(w->evr), "%u:%s-%s", pi.epoch, pi.version, pi.release);
		else
			snprintf(w->evr, sizeof(w->evr), "%s-%s", pi.version, pi.release);
		snprintf(w->from, sizeof(w->from), "%s", strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i]);
		w->size = pi.size;
		alu_rpm_close(&r);
		if (sm.n && sm.cmp == 0) {
			/* pi's strings went with the header: the row has copies */
			alu_msg("Package %s-%s.%s already installed and latest version", w->name, w->evr, w->arch);
			continue;
		}
		if (sm.n && sm.cmp > 0) {
			alu_msg("Package %s-%s.%s: a newer version is already installed (%s)", w->name,
				w->evr, w->arch, sm.nevra);
			continue;
		}
		memcpy(olds[plan.nops], sm.ids, sizeof(sm.ids));
		ops[plan.nops] = (struct alu_txn_op){
			.kind = sm.n ? ALU_TXN_UPGRADE : ALU_TXN_INSTALL,
			.rpm_path = argv[i], .old_ids = olds[plan.nops], .nold = sm.n,
			.reason = ALU_REASON_USER,
		};
		w->section = sm.n ? "Upgrading" : "Installing";
		plan.nops++;
	}
	if (!plan.nops) {
		alu_msg("Nothing to do");
		rc = 0;
		goto out;
	}
	rc = alu_cmd_txn_apply(ctx, s, &plan, rows, plan.nops);
out:
	if (lockfd >= 0)
		alu_cmd_txn_close(lockfd, s);
	free(ops);
	free(rows);
	free(olds);
	return rc;
}

static const char *const aliases[] = { "localinstall", NULL };

const struct alu_cmd alu_cmd_install = {
	.name = "install",
	.aliases = aliases,
	.summary = "install packages from the repositories, or local package files",
	.usage = "PACKAGE... | ./PACKAGE.rpm...",
	.flags = ALU_CMDF_WRITES_ROOT | ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
