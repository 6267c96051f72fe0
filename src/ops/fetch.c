/* SPDX-License-Identifier: MIT */
/*
 * Downloading the packages of a plan: each from its repository's mirror set
 * (the mirror that served the metadata first, then the others), into
 * <cachedir>/<repoid>/packages/ as <checksum>-<name>.part, renamed once the
 * checksum the metadata promised holds. A file already there with the right
 * checksum is used as it is. What is left to fetch is decided here, on the
 * calling thread, and fetched max_parallel_downloads at a time by
 * fetch_pool.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/fips.h"
#include "crypto/digest.h"
#include "db/cache.h"
#include "net/net.h"
#include "ops/fetch_pool.h"
#include "ops/ops_int.h"
#include "repo/repo.h"
#include "util/rootfs.h"

int alu_ops_mirrors(struct alu_ops *o, const struct alu_repo *r, struct alu_mirrors *m,
		    struct alu_err *e)
{
	struct alu_cache_repo st;
	struct alu_err ign = { 0 };
	struct alu_net_opts no;
	char *buf = NULL;
	size_t len;
	int rc;

	alu_repo_net_opts(r, &no);
	if (!alu_cache_repo_get(o->repos.cache, r->id, &st, &ign) && *st.mirror &&
	    (rc = alu_mirrors_add(m, st.mirror)))
		return alu_err_set(e, rc, "out of memory");
	if (r->mirrorlist) {
		rc = alu_net_get_mem(o->repos.net, r->mirrorlist, &no, 1 << 20, &buf, &len, e);
		if (!rc)
			rc = alu_mirrors_from_url_list(m, buf, len, o->repos.conf.basearch, r->mirrorlist, e);
		free(buf);
		/* the mirror that served the metadata is enough to go on with */
		if (rc && m->n)
			alu_err_clear(e);
		else if (rc)
			return rc;
	}
	for (size_t i = 0; i < r->baseurls.n; i++)
		if ((rc = alu_mirrors_add(m, r->baseurls.v[i])))
			return alu_err_set(e, rc, "out of memory");
	if (!m->n)
		return alu_err_set(e, -ALUE_CONFIG, "repository %s has neither baseurl nor mirrorlist",
				   r->id);
	return 0;
}

static int file_matches(const char *path, const char *type, const char *hex)
{
	uint8_t d[ALU_DIGEST_MAX];
	size_t dl;
	int algo = alu_digest_by_name(type);

	if (algo < 0 || alu_fips_weak_hash(algo) || alu_digest_file(path, algo, d, &dl, NULL))
		return 0;
	return alu_hex_eq(hex, d, dl);
}

/* What the download of one op needs, copied out of the cache record. */
struct src {
	char location[1024], base[1024], sum[ALU_HEX_MAX], type[16];
	uint64_t size;
};

static int src_cb(void *ud, const struct alu_cpkg *p)
{
	struct src *s = ud;

	snprintf(s->location, sizeof(s->location), "%s", p->r.location);
	snprintf(s->base, sizeof(s->base), "%s", p->r.location_base);
	snprintf(s->sum, sizeof(s->sum), "%s", p->r.pkgid);
	snprintf(s->type, sizeof(s->type), "%s", *p->r.checksum_type ? p->r.checksum_type : "sha256");
	s->size = p->r.size_package;
	return 0;
}

/* What fetching one op takes, checked on the calling thread: the URL when
 * the package names its own base (xml:base), else the slot's mirror set. */
static int job_make(struct alu_ops *o, const struct alu_plan_op *op, const struct src *s,
		    struct alu_fslot *slot, struct alu_fjob *j, struct alu_err *e)
{
	const struct alu_repo *r = alu_conf_repo(&o->repos.conf, op->repo);
	int algo = alu_digest_by_name(s->type);
	int rc;

	if (!r)
		return alu_err_set(e, -ALUE_NOTFOUND, "%s: repository %s is not configured",
				   op->nevra, op->repo);
	if (!o->repos.net && o->ctx->cacheonly)
		return alu_err_set(e, -ALUE_NOCACHE, "%s: not in the package cache and -C was given",
				   op->nevra);
	if (!o->repos.net && alu_net_new(&o->repos.net))
		return alu_err_set(e, -ENOMEM, "out of memory");
	if (algo < 0 || !*s->sum)
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: the metadata gives no usable checksum (type '%s')",
				   op->nevra, s->type);
	if (alu_fips_weak_hash(algo))
		return alu_err_set(e, -ALUE_UNSUPPORTED,
				   "%s: repository %s checks it only by %s, which FIPS mode does not accept: refused",
				   op->nevra, op->repo, alu_digest_name(algo));
	alu_repo_net_opts(r, &j->no);
	/* the network layer checks it, so a mirror serving a wrong file is failed over */
	j->no.expect_algo = algo;
	j->op = op;
	j->size = s->size;
	snprintf(j->sum, sizeof(j->sum), "%s", s->sum);
	snprintf(j->location, sizeof(j->location), "%s", s->location);
	if (*s->base) {
		const char *from = r->mirrorlist ? r->mirrorlist : r->baseurls.n ? r->baseurls.v[0] : "";
		if (!alu_url_step_ok(from, s->base) || !alu_url_rel_within(s->base, s->location))
			return alu_err_set(e, -ALUE_CORRUPT, "%s: location %s%s refused: repository %s (%s) may "
					   "not send it there", op->nevra, s->base, s->location, r->id, from);
		if (alu_url_join(s->base, s->location, &j->url))
			return alu_err_set(e, -ENOMEM, "out of memory");
		if (!strncasecmp(j->url, "file:", 5))
			slot->local = 1;
		return 0;
	}
	if (!slot->m.n && (rc = alu_ops_mirrors(o, r, &slot->m, e)))
		return rc;
	for (size_t k = 0; k < slot->m.n; k++)
		if (!strncasecmp(slot->m.v[k].url, "file:", 5))
			slot->local = 1;
	return 0;
}

/* Does an earlier op of the plan already download to <d>/<base>? */
static int dest_taken(const struct alu_ops *o, size_t i, const char *d, const char *base)
{
	size_t dl = strlen(d), bl = strlen(base);

	for (size_t j = 0; j < i; j++) {
		const char *p = o->paths[j];
		if (p && !strncmp(p, d, dl) && p[dl] == '/' && strlen(p + dl + 1) == bl &&
		    !strcmp(p + dl + 1, base))
			return 1;
	}
	return 0;
}

struct dl {
	struct alu_ops *o;
	alu_ops_dl_cb cb;
	void *arg;
};

static int job_done(void *arg, struct alu_fjob *j, struct alu_err *e)
{
	struct dl *d = arg;

	if (alu_strv_push(&d->o->created, j->dest))
		return alu_err_set(e, -ENOMEM, "out of memory");
	if (d->cb)
		d->cb(d->arg, j->op, j->dest, 0, 1);
	return 0;
}

/* The slot of @p op's repository, made on first use; its cap is the
 * repository's max_parallel_downloads. */
static int slot_of(struct alu_ops *o, const struct alu_plan_op *op, struct alu_fslot *slots,
		   const char **ids, size_t *nslots, size_t *out, struct alu_err *e)
{
	const struct alu_repo *r = alu_conf_repo(&o->repos.conf, op->repo);

	for (size_t k = 0; k < *nslots; k++)
		if (!strcmp(ids[k], op->repo)) {
			*out = k;
			return 0;
		}
	*out = (*nslots)++;
	ids[*out] = op->repo;
	return alu_repo_parallel(&o->repos.conf, r, &slots[*out].cap, e);
}

int alu_ops_download(struct alu_ops *o, const char *dir, alu_ops_dl_cb cb, void *arg,
		     struct alu_err *e)
{
	struct alu_fslot *slots = calloc(o->plan.n + 1, sizeof(*slots));
	struct alu_fjob *jobs = calloc(o->plan.n + 1, sizeof(*jobs));
	const char **ids = calloc(o->plan.n + 1, sizeof(*ids));
	struct dl ud = { o, cb, arg };
	size_t njobs = 0, nslots = 0;
	int rc = 0, workers = 1;

	o->paths = calloc(o->plan.n + 1, sizeof(*o->paths));
	if (!o->paths || !slots || !jobs || !ids) {
		free(slots);
		free(jobs);
		free(ids);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; !rc && i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		struct src s = { 0 };
		char d[4096], dest[8192];
		const char *base;
		size_t si;
		int cached;

		if (op->type == ALU_OP_ERASE)
			continue;
		if (op->key & ALU_OPS_LOCAL_KEY) {   /* a file named on the command line */
			size_t li = (size_t)(op->key & ~ALU_OPS_LOCAL_KEY);
			if (li >= o->local.n || !(o->paths[i] = strdup(o->local.v[li]))) {
				rc = alu_err_set(e, -ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		rc = alu_cache_pkg_get(o->repos.cache, op->key, src_cb, &s, e);
		if (rc) {
			rc = alu_err_set(e, rc, "%s: not in the metadata cache any more", op->nevra);
			break;
		}
		snprintf(d, sizeof(d), "%s", dir ? dir : "");
		if (!dir)
			snprintf(d, sizeof(d), "%s/%s/packages", o->repos.conf.cachedir, op->repo);
		if ((rc = alu_root_mkdirs(d, e)))
			break;
		base = strrchr(s.location, '/');
		base = base ? base + 1 : s.location;
		if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
			rc = alu_err_set(e, -ALUE_CORRUPT, "repository %s: %s: bad location '%s'", op->repo,
					 op->nevra, s.location);
			break;
		}
		/* Two locations with one base name (a/x.rpm, b/x.rpm) must not share a
		 * file: the cache names each by its checksum too. --downloaddir keeps
		 * the names people expect unless two packages of the plan collide. */
		if (!dir || dest_taken(o, i, d, base))
			snprintf(dest, sizeof(dest), "%s/%.64s-%s", d, s.sum, base);
		else
			snprintf(dest, sizeof(dest), "%s/%s", d, base);
		if (!(o->paths[i] = strdup(dest))) {
			rc = alu_err_set(e, -ENOMEM, "out of memory");
			break;
		}
		cached = !access(dest, F_OK) && file_matches(dest, s.type, s.sum);
		o->dlsize += s.size;
		if (cached)
			o->dlcached += s.size;
		if (cb)
			cb(arg, op, dest, cached, 0);
		if (cached) {
			if (cb)
				cb(arg, op, dest, cached, 1);
			continue;
		}
		/* one mirror set per repository: failures are remembered across packages */
		if ((rc = slot_of(o, op, slots, ids, &nslots, &si, e)))
			break;
		jobs[njobs].dest = o->paths[i];
		jobs[njobs].slot = si;
		if ((rc = job_make(o, op, &s, &slots[si], &jobs[njobs++], e)))
			break;
	}
	/* dnf's [main] max_parallel_downloads bounds the whole run */
	if (!rc && njobs)
		rc = alu_repo_parallel(&o->repos.conf, NULL, &workers, e);
	if (!rc && njobs) {
		int room = 0;
		for (size_t k = 0; k < nslots; k++)
			room += slots[k].local ? 1 : slots[k].cap;
		if (workers > room)
			workers = room;
	}
	if (!rc && njobs)
		rc = alu_fpool_run(o->repos.net, jobs, njobs, slots, nslots, workers, job_done, &ud, e);
	for (size_t i = 0; i < njobs; i++)
		free(jobs[i].url);
	for (size_t i = 0; i < nslots; i++)
		alu_mirrors_free(&slots[i].m);
	free(slots);
	free(jobs);
	free(ids);
	return rc;
}
