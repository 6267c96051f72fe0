/* SPDX-License-Identifier: MIT */
/*
 * Adoption of a distroless root that has no rpm database, only
 * /var/lib/rpmmanifest/container-manifest-2 (Mariner / Azure Linux style):
 * each line names a package (name, version-release, epoch, arch, install
 * time); its header comes from the repositories: the package is looked up
 * in the metadata cache, downloaded (sha256 from the metadata), its header
 * signature checked as for an install, and recorded with the manifest's
 * install time, as rpm would have stored it. Nothing of the root's files
 * is touched. Lines no repository carries are not adopted: they are named
 * in a warning and kept (meta "rpmdb_manifest_extra") so that rewriting
 * the manifest does not lose them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/cache.h"
#include "ops/ops.h"
#include "rpmdb/rpmdb_out.h"
#include "util/out.h"
#include "util/rootfs.h"

struct mline {
	char *line;                    /* the whole line, without "\n" */
	char name[256], ver[256], rel[256], arch[64];
	uint32_t epoch, itime;
};

/* Fields 0, 1, 2, 5, 7 of a manifest line (rpmdb/manifest_parse.c). */
static int parse_line(const char *l, struct mline *m)
{
	struct alu_rpmdb_mline f;

	m->line = strdup(l);
	if (!m->line || alu_rpmdb_manifest_parse(l, &f))
		return -1;
	memcpy(m->name, f.name, sizeof(m->name));
	memcpy(m->ver, f.ver, sizeof(m->ver));
	memcpy(m->rel, f.rel, sizeof(m->rel));
	memcpy(m->arch, f.arch, sizeof(m->arch));
	m->epoch = f.epoch;
	m->itime = f.itime;
	return 0;
}

struct find { const struct mline *m; uint64_t key; char repo[256]; };

static int find_cb(void *ud, const struct alu_cpkg *p)
{
	struct find *f = ud;

	if (!f->key && !strcmp(p->r.arch, f->m->arch) && p->r.epoch == f->m->epoch &&
	    !strcmp(p->r.version, f->m->ver) && !strcmp(p->r.release, f->m->rel)) {
		f->key = p->id;
		snprintf(f->repo, sizeof(f->repo), "%s", p->repoid);
	}
	return 0;
}

static int push_op(struct alu_plan *pl, const struct mline *m, const struct find *f)
{
	struct alu_plan_op *nv = realloc(pl->ops, (pl->n + 1) * sizeof(*nv)), *op;
	char buf[900];

	if (!nv)
		return -ENOMEM;
	pl->ops = nv;
	op = memset(&pl->ops[pl->n++], 0, sizeof(*op));
	op->type = ALU_OP_INSTALL;
	snprintf(buf, sizeof(buf), "%s-%s-%s.%s", m->name, m->ver, m->rel, m->arch);
	op->nevra = strdup(buf);
	op->name = strdup(m->name);
	snprintf(buf, sizeof(buf), "%u:%s-%s", m->epoch, m->ver, m->rel);
	op->evr = strdup(buf);
	op->arch = strdup(m->arch);
	op->repo = strdup(f->repo);
	op->key = f->key;
	return op->nevra && op->name && op->evr && op->arch && op->repo ? 0 : -ENOMEM;
}

/* Record every downloaded package, in manifest order, in one transaction. */
static int record(struct alu_ops *o, const struct mline *ms, const size_t *which, struct alu_err *e)
{
	struct alu_state_txn *t = NULL;
	int r = alu_state_txn_begin(o->state, &t, e);

	for (size_t i = 0; !r && i < o->plan.n; i++) {
		const struct mline *m = &ms[which[i]];
		struct alu_rpmdb_inst in = { m->itime, m->itime, alu_rpmdb_color(), 0 };
		struct alu_hdr *full = NULL;
		struct alu_rpm rpm;

		r = alu_rpm_open(o->paths[i], &rpm, e);
		if (!r)
			r = alu_rpmdb_hdr_compose(rpm.hdr, rpm.sig, &in, &full, e);
		if (!r)
			r = alu_state_add(t, full, ALU_REASON_ADOPTED, o->plan.ops[i].repo, m->itime, NULL, e);
		alu_hdr_free(full);
		alu_rpm_close(&rpm);
	}
	if (r) {
		alu_state_txn_abort(t);
		return r;
	}
	return alu_state_txn_commit(t, e);
}

int alu_ops_adopt_manifest(struct alu_ops *o, const char *path, struct alu_err *e)
{
	struct mline *ms = NULL;
	size_t nm = 0, *which = NULL, o_n = 0;
	char line[8192], *extra = NULL;
	size_t xlen = 0;
	FILE *f = alu_root_fopen(path);   /* the root's: a regular file, no symlink out */
	int r = 0, lineno = 0;

	if (!f)
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	while (!r && fgets(line, sizeof(line), f)) {
		struct mline *nv;
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		nv = realloc(ms, (nm + 1) * sizeof(*nv));
		if (!nv) {
			r = alu_err_set(e, -ENOMEM, "out of memory");
			break;
		}
		ms = nv;
		memset(&ms[nm], 0, sizeof(*ms));
		if (parse_line(line, &ms[nm++]))
			r = alu_err_set(e, -ALUE_CORRUPT, "%s:%d: not a container-manifest-2 line "
					"(10 tab-separated fields)", path, lineno);
	}
	fclose(f);
	which = calloc(nm + 1, sizeof(*which));
	if (!r && !which)
		r = alu_err_set(e, -ENOMEM, "out of memory");
	for (size_t i = 0; !r && i < nm; i++) {
		struct find fd = { .m = &ms[i] };
		if (!strcmp(ms[i].name, "gpg-pubkey") || !o->repos.cache ||
		    alu_cache_by_name(o->repos.cache, ms[i].name, find_cb, &fd, NULL) || !fd.key) {
			size_t l = strlen(ms[i].line);
			char *nx = realloc(extra, xlen + l + 2);
			if (!nx) {
				r = alu_err_set(e, -ENOMEM, "out of memory");
				break;
			}
			extra = nx;
			memcpy(extra + xlen, ms[i].line, l);
			xlen += l;
			extra[xlen++] = '\n';
			extra[xlen] = 0;
			alu_warn("%s: %s-%s-%s.%s is in no repository: not adopted (kept in the manifest)",
				 path, ms[i].name, ms[i].ver, ms[i].rel, ms[i].arch);
			continue;
		}
		which[o_n++] = i;
		if (push_op(&o->plan, &ms[i], &fd))
			r = alu_err_set(e, -ENOMEM, "out of memory");
	}
	if (!r)
		r = alu_ops_download(o, NULL, NULL, NULL, e);
	if (!r)
		r = alu_ops_verify(o, NULL, NULL, e);
	if (!r)
		r = record(o, ms, which, e);
	if (!r) {
		struct alu_state_txn *t = NULL;
		r = alu_state_txn_begin(o->state, &t, e);
		if (!r)
			r = alu_state_meta_put(t, "rpmdb_manifest_extra", extra ? extra : "", xlen, e);
		if (!r)
			r = alu_state_txn_commit(t, e);
		else
			alu_state_txn_abort(t);
	}
	if (!r)
		alu_warn("adopted %zu packages from %s (headers from the repositories)", o->plan.n, path);
	o->dlsize = o->dlcached = 0;
	/* the downloads were only for their headers */
	for (size_t i = 0; o->paths && i < o->plan.n; i++)
		free(o->paths[i]);
	free(o->paths);
	o->paths = NULL;
	alu_plan_free(&o->plan);
	for (size_t i = 0; i < nm; i++)
		free(ms[i].line);
	free(ms);
	free(which);
	free(extra);
	return r;
}
