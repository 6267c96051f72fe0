/* SPDX-License-Identifier: MIT */
/*
 * Checking downloaded packages before anything is applied:
 *   0. each file is the package the metadata named (pkgcheck.c), also
 *      with --nogpgcheck;
 *   1. the OpenPGP signature of each package, as rpm checks it: signature
 *      tag 268 (RSAHEADER) over the main header's bytes, or, for packages
 *      signed only the old way, tag 1002 (PGP) over header + payload;
 *      against the keys of the package's own repository (gpgkey=);
 *   2. room on every filesystem the packages write to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ops/ops_int.h"
#include "ops/trust.h"

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Feed [off, off+len) of the package (len < 0: to the end) to the verifier. */
static int feed(int fd, off_t off, off_t len, struct alu_pgp_verify *v)
{
	char buf[65536];

	while (len != 0) {
		size_t want = len < 0 || len > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)len;
		ssize_t r = pread(fd, buf, want, off);
		if (r < 0)
			return -errno;
		if (r == 0)
			return len < 0 ? 0 : -ALUE_TRUNCATED;
		alu_pgp_verify_update(v, buf, (size_t)r);
		off += r;
		if (len > 0)
			len -= r;
	}
	return 0;
}

static int check_pkg(const char *path, const struct alu_repo *repo,
		     const struct alu_pgp_keyring *ring, struct alu_err *e)
{
	struct alu_pgp_verify *v = NULL;
	struct alu_rpm r;
	struct alu_err le = { 0 };
	const void *sig;
	size_t siglen = 0;
	int whole = 0, rc = alu_rpm_open(path, &r, &le);

	if (rc)
		return alu_err_set(e, rc, "%s: not a readable package: %s", base(path), le.msg);
	sig = alu_hdr_bin(r.sig, ALU_SIGTAG_RSA, &siglen);
	if (!sig) {
		sig = alu_hdr_bin(r.sig, ALU_SIGTAG_PGP, &siglen);
		whole = 1;
	}
	if (!sig) {
		rc = alu_err_set(e, -ALUE_NOKEY, "%s: package is not signed (repository %s has gpgcheck=1)",
				 base(path), repo->id);
		goto out;
	}
	if (!(v = malloc(sizeof(*v)))) {
		rc = alu_err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	rc = alu_pgp_verify_init(v, ring, sig, siglen, &le);
	if (rc == -ALUE_NOKEY) {
		rc = alu_err_set(e, rc, "%s: signed with key 0x%08llX, which is not among the keys of repository %s (gpgkey=%s)",
				 base(path), (unsigned long long)(v->info.keyid & 0xffffffffu),
				 repo->id, repo->gpgkeys.n ? repo->gpgkeys.v[0] : "");
		goto out;
	}
	if (!rc)
		rc = feed(r.fd, r.hdr_off, whole ? -1 : r.hdr_len, v);
	if (!rc)
		rc = alu_pgp_verify_finish(v, NULL, &le);
	if (rc == -ALUE_BADSIG)
		alu_err_set(e, rc, "%s: signature does not verify: the package was altered after signing",
			    base(path));
	else if (rc)
		alu_err_set(e, rc, "%s: signature check failed: %s", base(path),
			    *le.msg ? le.msg : alu_strerror(rc));
out:
	free(v);
	alu_rpm_close(&r);
	return rc;
}

/* A package downloaded from a URL is checked as repository packages are:
 * against the keys of every enabled repository with gpgcheck=1 (the keys
 * the system trusts). With gpgcheck on and no key at all it is refused.
 * Local files are not checked (yum's localpkg_gpgcheck=0). */
static int check_url_pkg(struct alu_ops *o, const char *path, const char *url, alu_ops_key_cb cb,
			 void *arg, struct alu_err *e)
{
	const struct alu_conf *c = &o->repos.conf;
	struct alu_repo as = { 0 };
	struct alu_pgp_keyring ring;
	int on = c->gpgcheck, rc = 0;

	alu_pgp_keyring_init(&ring);
	for (size_t i = 0; !rc && i < c->nrepos; i++) {
		const struct alu_repo *r = &c->repos[i];
		if (!r->enabled || !r->gpgcheck)
			continue;
		on = 1;
		if (!r->gpgkeys.n)
			continue;
		rc = alu_keys_for_repo(o, r, &ring, cb, arg, e);
		if (!as.gpgkeys.n)
			as.gpgkeys = r->gpgkeys;
	}
	if (!rc && on && !ring.n)
		rc = alu_err_set(e, -ALUE_NOKEY, "%s: gpgcheck is on and no repository has a key to check "
				 "it with (--nogpgcheck to install it unchecked)", url);
	as.id = "of any enabled repository";
	if (!rc && on)
		rc = check_pkg(path, &as, &ring, e);
	alu_pgp_keyring_free(&ring);
	return rc;
}

int alu_ops_verify(struct alu_ops *o, alu_ops_key_cb cb, void *arg, struct alu_err *e)
{
	/* whatever --nogpgcheck says: the files must be the packages planned */
	int rc = alu_ops_check_identity(o, e);

	if (rc || o->ctx->nogpgcheck)
		return rc;
	for (size_t i = 0; !rc && i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		const struct alu_repo *r;
		struct alu_pgp_keyring ring;

		if (op->type == ALU_OP_ERASE || !o->paths[i])
			continue;
		if (op->key & ALU_OPS_LOCAL_KEY) {
			size_t li = (size_t)(op->key & ~ALU_OPS_LOCAL_KEY);
			if (li < o->local_from.n && strstr(o->local_from.v[li], "://"))
				rc = check_url_pkg(o, o->paths[i], o->local_from.v[li], cb, arg, e);
			continue;
		}
		r = alu_conf_repo(&o->repos.conf, op->repo);
		if (!r || !r->gpgcheck)
			continue;
		alu_pgp_keyring_init(&ring);
		/* keys imported as rpm --import does are trusted for every repository */
		rc = alu_keys_add_trusted(o->ctx->root, &ring, e);
		if (rc >= 0 && (r->gpgkeys.n || !rc))
			rc = alu_keys_for_repo(o, r, &ring, cb, arg, e);
		else if (rc > 0)
			rc = 0;
		if (!rc)
			rc = check_pkg(o->paths[i], r, &ring, e);
		alu_pgp_keyring_free(&ring);
	}
	return rc;
}

/* ---- disk space ---------------------------------------------------------- */

struct fs { dev_t dev; char at[4096]; int64_t need; };

/* The filesystem a path of the root lands on: that of its deepest existing
 * ancestor. @return its index in @p v, or a negative code (message in @p e). */
static int fs_of(const char *root, const char *path, struct fs *v, size_t *n, size_t cap,
		 struct alu_err *e)
{
	char p[8192];
	struct stat st;
	char *s;

	if ((size_t)snprintf(p, sizeof(p), "%s%s", strcmp(root, "/") ? root : "", path) >= sizeof(p))
		return alu_err_set(e, -ENAMETOOLONG, "checking disk space: path '%.64s...' is too long", p);
	while (stat(p, &st)) {
		if (!(s = strrchr(p, '/')) || s == p) {
			snprintf(p, sizeof(p), "%s", root);
			if (stat(p, &st))
				return alu_err_set(e, -errno, "checking disk space: %s", strerror(errno));
			break;
		}
		*s = 0;
	}
	for (size_t i = 0; i < *n; i++)
		if (v[i].dev == st.st_dev)
			return (int)i;
	if (*n == cap)
		return 0;
	v[*n].dev = st.st_dev;
	v[*n].need = 0;
	if ((size_t)snprintf(v[*n].at, sizeof(v[*n].at), "%s", p) >= sizeof(v[*n].at))
		return alu_err_set(e, -ENAMETOOLONG, "checking disk space: path '%.64s...' is too long", p);
	return (int)(*n)++;
}

static int add_pkg(const char *root, const struct alu_hdr *h, int sign, struct fs *v, size_t *n,
		   size_t cap, struct alu_err *e)
{
	char lastdir[4096] = "";
	int last = -1;

	for (size_t i = 0;; i++) {
		struct alu_file f;
		char *slash;
		if (alu_hdr_file(h, i, &f))
			break;
		if (!S_ISREG(f.mode) || f.flags & ALU_FILE_GHOST)
			continue;
		slash = strrchr(f.path, '/');
		if (slash)
			*slash = 0;
		if (last < 0 || strcmp(lastdir, f.path)) {
			snprintf(lastdir, sizeof(lastdir), "%s", f.path);
			last = fs_of(root, f.path, v, n, cap, e);
			if (last < 0)
				return last;
		}
		/* 4 KiB blocks, as rpm's disk space check rounds */
		v[last].need += sign * (int64_t)((f.size + 4095) / 4096 * 4096);
	}
	return 0;
}

int alu_ops_space(struct alu_ops *o, struct alu_err *e)
{
	struct fs v[32];
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		uint64_t old = op->type == ALU_OP_ERASE ? op->key : op->old_key;
		struct alu_rpm r;
		struct alu_hdr *h = NULL;

		if (op->type != ALU_OP_ERASE && o->paths[i] && !alu_rpm_open(o->paths[i], &r, NULL)) {
			rc = add_pkg(o->ctx->root, r.hdr, 1, v, &n, 32, e);
			alu_rpm_close(&r);
		}
		if (!rc && old && !alu_state_header(o->state, old, &h, NULL)) {
			rc = add_pkg(o->ctx->root, h, -1, v, &n, 32, e);
			alu_hdr_free(h);
		}
	}
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct statvfs sv;
		uint64_t have;
		if (v[i].need <= 0 || statvfs(v[i].at, &sv))
			continue;
		have = (uint64_t)sv.f_bavail * sv.f_frsize;
		if ((uint64_t)v[i].need > have)
			return alu_err_set(e, -ALUE_NOSPACE,
				"not enough disk space on the filesystem of %s: the transaction needs %llu MB more, %llu MB are free",
				v[i].at, (unsigned long long)(v[i].need + 1048575) / 1048576,
				(unsigned long long)have / 1048576);
	}
	return 0;
}

int alu_ops_pkg_sigcheck(const char *path, const struct alu_repo *repo,
			 const struct alu_pgp_keyring *ring, struct alu_err *e)
{
	return check_pkg(path, repo, ring, e);
}
