/* SPDX-License-Identifier: MIT */
/*
 * What the metadata named is what gets applied. A repository's primary says
 * "hello-9.9 is at Packages/x.rpm, sha256 S, size N"; a signature on x.rpm
 * proves only that the vendor built x.rpm once, not that x.rpm is hello-9.9:
 * a hostile mirror can point the entry at any signed package (an older,
 * vulnerable hello, or another package altogether). So before anything is
 * applied, every downloaded package's header must carry the name, epoch,
 * version, release and arch the solver chose, and sit where primary's
 * header-range says (when it says), and its file checksum goes with it to
 * the transaction, which checks it again on the fd it applies from, and
 * again right before that package when scriptlets ran in between
 * (txn/pkgfile.c): the file applied is the file that was checked.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/fips.h"
#include "crypto/digest.h"
#include "db/cache.h"
#include "ops/ops_int.h"
#include "rpm/rpm.h"

/* The metadata's view of one package, copied out of the cache record. */
struct want {
	char name[256], version[256], release[256], arch[64], sum[ALU_HEX_MAX], type[16];
	uint32_t epoch;
	uint64_t hstart, hend;
};

static int want_cb(void *ud, const struct alu_cpkg *p)
{
	struct want *w = ud;

	snprintf(w->name, sizeof(w->name), "%s", p->r.name);
	snprintf(w->version, sizeof(w->version), "%s", p->r.version);
	snprintf(w->release, sizeof(w->release), "%s", p->r.release);
	snprintf(w->arch, sizeof(w->arch), "%s", p->r.arch);
	snprintf(w->sum, sizeof(w->sum), "%s", p->r.pkgid);
	snprintf(w->type, sizeof(w->type), "%s", *p->r.checksum_type ? p->r.checksum_type : "sha256");
	w->epoch = p->r.epoch;
	w->hstart = p->r.header_start;
	w->hend = p->r.header_end;
	return 0;
}

static int get_want(struct alu_ops *o, const struct alu_plan_op *op, struct want *w,
		    struct alu_err *e)
{
	int rc = alu_cache_pkg_get(o->repos.cache, op->key, want_cb, w, e);

	return rc ? alu_err_set(e, rc, "%s: not in the metadata cache any more", op->nevra) : 0;
}

static void nevra(char *buf, size_t n, const char *name, uint32_t epoch, const char *v,
		  const char *r, const char *a)
{
	char ep[16] = "";

	if (epoch)
		snprintf(ep, sizeof(ep), "%u:", epoch);
	snprintf(buf, n, "%s-%s%s-%s.%s", name, ep, v, r, a);
}

static int check_one(struct alu_ops *o, const struct alu_plan_op *op, const char *path,
		     struct alu_err *e)
{
	struct alu_rpm r;
	struct alu_pkginfo pi;
	struct alu_err le = { 0 };
	struct want w = { 0 };
	char meta[1024], got[1024];
	int rc = get_want(o, op, &w, e);

	if (rc)
		return rc;
	rc = alu_rpm_open(path, &r, &le);
	if (rc)
		return alu_err_set(e, rc, "%s: the download is not a readable package: %s", op->nevra,
				   le.msg);
	rc = alu_hdr_info(r.hdr, &pi);
	nevra(meta, sizeof(meta), w.name, w.epoch, w.version, w.release, w.arch);
	nevra(got, sizeof(got), pi.name, pi.epoch, pi.version, pi.release,
	      r.is_source || pi.is_source ? "src" : pi.arch);
	if (rc || strcmp(w.name, pi.name) || w.epoch != pi.epoch || strcmp(w.version, pi.version) ||
	    strcmp(w.release, pi.release) || strcmp(w.arch, r.is_source || pi.is_source ? "src" : pi.arch)) {
		rc = alu_err_set(e, -ALUE_CORRUPT,
			"repository %s: the metadata names %s but the downloaded file %s is %s: refused (the repository's metadata does not match its packages)",
			op->repo, meta, path, got);
		goto out;
	}
	/* createrepo's header-range: start is the main header's offset, end the
	 * offset after it; another header in the same place means another file */
	if (w.hend && (w.hstart != (uint64_t)r.hdr_off ||
		       w.hend != (uint64_t)(r.hdr_off + r.hdr_len))) {
		rc = alu_err_set(e, -ALUE_CORRUPT,
			"repository %s: %s: the metadata places the header at bytes %llu-%llu, the downloaded file %s has it at %llu-%llu: refused",
			op->repo, meta, (unsigned long long)w.hstart, (unsigned long long)w.hend, path,
			(unsigned long long)r.hdr_off, (unsigned long long)(r.hdr_off + r.hdr_len));
	}
out:
	alu_rpm_close(&r);
	return rc;
}

int alu_ops_check_identity(struct alu_ops *o, struct alu_err *e)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < o->plan.n; i++)
		/* a package file named on the command line is its own metadata */
		if (o->plan.ops[i].type != ALU_OP_ERASE && o->paths && o->paths[i] &&
		    !(o->plan.ops[i].key & ALU_OPS_LOCAL_KEY))
			rc = check_one(o, &o->plan.ops[i], o->paths[i], e);
	return rc;
}

int alu_ops_expect(struct alu_ops *o, struct alu_txn_op *ops, char (*sums)[ALU_HEX_MAX],
		   struct alu_err *e)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		struct want w = { 0 };
		int algo;

		if (op->type == ALU_OP_ERASE || !o->paths || !o->paths[i] || (op->key & ALU_OPS_LOCAL_KEY))
			continue;
		if ((rc = get_want(o, op, &w, e)))
			break;
		algo = alu_digest_by_name(w.type);
		if (algo < 0) {
			rc = alu_err_set(e, -ALUE_UNSUPPORTED, "%s: unknown checksum type '%s' in the metadata",
					 op->nevra, w.type);
			break;
		}
		if (alu_fips_weak_hash(algo)) {
			rc = alu_err_set(e, -ALUE_UNSUPPORTED,
				"%s: the metadata checks it only by %s, which FIPS mode does not accept: refused",
				op->nevra, w.type);
			break;
		}
		snprintf(sums[i], ALU_HEX_MAX, "%s", w.sum);
		ops[i].sum = sums[i];
		ops[i].sum_algo = algo;
	}
	return rc;
}
