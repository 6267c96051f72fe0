/* SPDX-License-Identifier: MIT */
/*
 * Bringing one repository's metadata up to date:
 *   1. -C: use what the cache has, or fail (nothing is fetched).
 *   2. still fresh (fetched + metadata_expire > now): nothing to do.
 *   3. mirrors from mirrorlist (fetched, one URL a line) or baseurls.
 *   4. repodata/repomd.xml (and, with repo_gpgcheck, repomd.xml.asc checked
 *      against the repo's gpgkey files, found as package keys are); if its sha256 equals the cached one
 *      only the fetch time is recorded: nothing else is fetched or parsed.
 *   5. a repomd.xml older than the cached one (revision, else newest
 *      timestamp) is refused unless allow_metadata_rollback=1 or the
 *      configuration now names another URL (AL2023 releases), and one older
 *      than metadata_max_age (when set) always;
 *   6. primary (XML when listed, else primary_db) and updateinfo, each
 *      verified against repomd's checksum (any kind but a lone md5 under
 *      gpgcheck; none at all is refused) and size by the network layer;
 *   7. ingest in one cache transaction, the decoded data held to repomd's
 *      open-size and open-checksum; the downloaded files are removed.
 * A repository pinned to a reposync snapshot (snapshot=REV) reads its
 * metadata from snapshots/REV/ of the mirror (packages stay relative to the
 * base) and checks that repomd.xml on every run: metadata_expire does not
 * apply, so that changing the pin takes effect at once (an unchanged
 * snapshot costs one small request and nothing is parsed). A snapshot the
 * mirror no longer has fails the sync, naming it, like any missing repomd.
 * Pinning an older snapshot is deliberate: the rollback rule (5) does not
 * apply to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/fips.h"
#include "util/fs.h"
#include "conf/conf.h"
#include "crypto/digest.h"
#include "crypto/pgp.h"
#include "db/cache.h"
#include "net/net.h"
#include "repo/repo.h"
#include "util/out.h"
#include "util/rootfs.h"

#define REPOMD "repodata/repomd.xml"
#define REPOMD_MAX (16u << 20)

static int mirrors(const struct alu_conf *conf, struct alu_net *net, const struct alu_repo *r,
		   const struct alu_net_opts *o, struct alu_mirrors *m, struct alu_err *e)
{
	char *buf = NULL;
	size_t len;
	int rc;

	if (r->mirrorlist) {
		rc = alu_net_get_mem(net, r->mirrorlist, o, 1 << 20, &buf, &len, e);
		if (!rc)
			rc = alu_mirrors_from_url_list(m, buf, len, conf->basearch, r->mirrorlist, e);
		free(buf);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < r->baseurls.n; i++)
		if ((rc = alu_mirrors_add(m, r->baseurls.v[i])))
			return alu_err_set(e, rc, "out of memory");
	if (!m->n)
		return alu_err_set(e, -ALUE_CONFIG, "repository %s has neither baseurl nor mirrorlist%s",
				   r->id, r->metalink ? " (metalink is not supported)" : "");
	return 0;
}

/* repo_gpgcheck: repomd.xml.asc must verify against one of the repo's keys. */
static int check_repomd_sig(struct alu_net *net, struct alu_mirrors *m, const struct alu_repo *r,
			    const char *root, const struct alu_net_opts *o, const char *md,
			    size_t mdlen, const char *ascrel, struct alu_err *e)
{
	struct alu_pgp_keyring ring;
	struct alu_pgp_result res;
	char *asc = NULL, *bin = NULL;
	size_t asclen, binlen = 0, pos = 0;
	int rc = 0, drc;

	alu_pgp_keyring_init(&ring);
	for (size_t i = 0; !rc && i < r->gpgkeys.n; i++) {
		const char *k = r->gpgkeys.v[i];
		if (alu_pgp_key_file_path(k)) {
			/* the lookup package signatures use too (crypto/pgp.h) */
			char *kb = NULL, from[4096];
			size_t kl;
			rc = alu_pgp_key_file_read(root, k, &kb, &kl, from, sizeof(from));
			if (rc)
				rc = alu_err_set(e, rc, "gpgkey %s: %s: %s", k, from, strerror(-rc));
			else
				rc = alu_pgp_keyring_add(&ring, kb, kl, from, e);
			free(kb);
		} else {
			char *kb = NULL;
			size_t kl;
			rc = alu_net_get_mem(net, k, o, 1 << 20, &kb, &kl, e);
			if (!rc)
				rc = alu_pgp_keyring_add(&ring, kb, kl, k, e);
			free(kb);
		}
		if (rc > 0)
			rc = 0;
	}
	if (!rc && !r->gpgkeys.n)
		rc = alu_err_set(e, -ALUE_NOKEY, "repo_gpgcheck is on but no gpgkey is set");
	if (!rc)
		rc = alu_mirrors_get_mem(net, m, ascrel, o, 1 << 20, &asc, &asclen, e);
	if (!rc) {
		bin = malloc(asclen + 4);
		if (!bin)
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	if (!rc) {
		drc = alu_pgp_dearmor("repomd.xml.asc", asc, asclen, &pos, bin, asclen + 4, &binlen,
				      NULL, 0, e);
		if (drc == -ALUE_NOTFOUND) {
			/* a binary signature */
			alu_err_clear(e);
			memcpy(bin, asc, asclen);
			binlen = asclen;
		} else {
			rc = drc;
		}
	}
	if (!rc)
		rc = alu_pgp_verify_detached(&ring, bin, binlen, md, mdlen, &res, e);
	/* errors are sticky: the repository is named by rewriting the message */
	if (rc && rc != -ENOMEM && e) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		alu_err_clear(e);
		alu_err_set(e, rc, "repository %s: repomd.xml signature check failed: %s", r->id, msg);
	}
	free(asc);
	free(bin);
	alu_pgp_keyring_free(&ring);
	return rc;
}

/*
 * A <data> file is taken only under a checksum: every kind repomd.xml may
 * carry is checked (sha512, sha384, sha256, sha224, sha1/sha), md5 alone
 * only with a warning and never when the repository checks signatures
 * (signing a repomd.xml that names files by md5 protects nothing).
 */
static int data_policy(const struct alu_repo *r, const struct alu_repomd_data *d, int *algo,
		       struct alu_err *e)
{
	*algo = *d->checksum ? alu_digest_by_name(d->checksum_type) : 0;
	if (*algo <= 0)
		return alu_err_set(e, -ALUE_CORRUPT, "repository %s: repomd.xml gives %s (%s) no usable checksum: refused",
				   r->id, d->type, d->href);
	if (alu_fips_weak_hash(*algo))
		return alu_err_set(e, -ALUE_UNSUPPORTED,
				   "repository %s: repomd.xml checks %s (%s) only by %s, which FIPS mode does not accept: refused",
				   r->id, d->type, d->href, alu_digest_name(*algo));
	if (*algo == ALU_HASH_MD5 && (r->repo_gpgcheck || r->gpgcheck))
		return alu_err_set(e, -ALUE_UNSUPPORTED,
				   "repository %s: repomd.xml checks %s only by md5, which is not enough with %s=1: refused",
				   r->id, d->type, r->repo_gpgcheck ? "repo_gpgcheck" : "gpgcheck");
	if (*algo == ALU_HASH_MD5)
		alu_warn("repository %s: %s is checked only by md5 (weak); ask the repository for sha256",
			 r->id, d->type);
	if (*d->open_checksum && alu_digest_by_name(d->open_checksum_type) == ALU_HASH_MD5)
		alu_warn("repository %s: the open-checksum of %s is md5 (weak)", r->id, d->type);
	return 0;
}

static int fetch_data(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *o,
		      const struct alu_repo *r, const struct alu_repomd_data *d, const char *dir,
		      char *dest, size_t destn, struct alu_decomp_expect *x, const char *prefix,
		      struct alu_err *e)
{
	const char *base = strrchr(d->href, '/');
	struct alu_net_opts t = *o;
	char rel[4096];
	int rc = data_policy(r, d, &t.expect_algo, e);

	if (rc)
		return rc;
	/* ingested and removed at once: the cache commit is what must be durable */
	t.transient = 1;
	base = base ? base + 1 : d->href;
	if (!*base || !strcmp(base, "..") || !strcmp(base, "."))
		return alu_err_set(e, -ALUE_CORRUPT, "repomd.xml: bad location '%s'", d->href);
	if (snprintf(dest, destn, "%s/%s", dir, base) >= (int)destn)
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", dir);
	memset(x, 0, sizeof(*x));
	x->open_size = d->open_size;
	if (*d->open_checksum && alu_digest_by_name(d->open_checksum_type) > 0) {
		x->open_algo = alu_digest_by_name(d->open_checksum_type);
		x->open_hex = d->open_checksum;
	}
	if (snprintf(rel, sizeof(rel), "%s%s", prefix, d->href) >= (int)sizeof(rel))
		return alu_err_set(e, -ENAMETOOLONG, "repomd.xml: location too long");
	/* the network layer checks the checksum and stops at the size */
	rc = alu_mirrors_get_file(net, m, rel, &t, dest, d->checksum, d->size, e);
	if (rc && rc != -ENOMEM && e) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		alu_err_clear(e);
		alu_err_set(e, rc, "repository %s: %s: %s", r->id, d->type, msg);
	}
	return rc;
}

/* snapshot=REV: "snapshots/REV/", checked to be one plain path component */
static int snap_prefix(const struct alu_repo *r, char *out, size_t n, struct alu_err *e)
{
	const char *s = r->snapshot;

	*out = 0;
	if (!s)
		return 0;
	if (!*s || !strcmp(s, ".") || !strcmp(s, "..") || strpbrk(s, "/\\?#%") ||
	    strlen(s) + 12 >= n)
		return alu_err_set(e, -ALUE_CONFIG, "repository %s: snapshot=%s is not a snapshot name",
				   r->id, s);
	snprintf(out, n, "snapshots/%s/", s);
	return 0;
}

/* A decimal revision (createrepo writes a time), or -1. */
static int64_t rev_num(const char *s)
{
	int64_t v = 0;

	if (!*s || strlen(s) > 18)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* Freeze: a mirror that keeps serving one old repomd.xml (metadata_max_age). */
static int age_check(const struct alu_repo *r, int64_t newest, time_t now, struct alu_err *e)
{
	if (r->metadata_max_age <= 0 || newest <= 0 || newest + r->metadata_max_age >= (int64_t)now)
		return 0;
	return alu_err_set(e, -ALUE_CORRUPT,
		"repository %s: repomd.xml's newest timestamp %lld is %lld days old, more than metadata_max_age "
		"allows: refused as frozen metadata", r->id, (long long)newest,
		(long long)(((int64_t)now - newest) / 86400));
}

/*
 * Rollback: a mirror that serves an older repomd.xml than the
 * one cached (its revision, or its newest timestamp when revisions do not
 * compare) would quietly take back the updates the cache knows of.
 */
static int rollback_check(const struct alu_repo *r, const struct alu_cache_repo *old,
			  const struct alu_repomd *md, int64_t newest, struct alu_err *e)
{
	int64_t a = rev_num(old->revision), b = rev_num(md->revision);

	if (r->allow_metadata_rollback)
		return 0;
	if (a >= 0 && b >= 0 && a != b) {
		if (b > a)
			return 0;
		return alu_err_set(e, -ALUE_CORRUPT,
			"repository %s: repomd.xml revision %s is older than the cached %s: refused as a rollback "
			"(allow_metadata_rollback=1 pins an older snapshot; clean metadata starts over)",
			r->id, md->revision, old->revision);
	}
	if (old->repomd_timestamp > 0 && newest < old->repomd_timestamp)
		return alu_err_set(e, -ALUE_CORRUPT,
			"repository %s: repomd.xml's newest timestamp %lld is older than the cached %lld: refused as a rollback "
			"(allow_metadata_rollback=1 pins an older snapshot; clean metadata starts over)",
			r->id, (long long)newest, (long long)old->repomd_timestamp);
	return 0;
}

int alu_repo_sync(const struct alu_conf *conf, struct alu_net *net, struct alu_cache *cache,
		  const struct alu_repo *r, unsigned flags, int *changed, struct alu_err *e)
{
	struct alu_cache_repo old, st;
	struct alu_net_opts o;
	struct alu_mirrors m = { 0 };
	struct alu_repomd md = { 0 };
	const struct alu_repomd_data *prim, *upd;
	struct alu_decomp_expect px = { 0 }, ux = { 0 };
	int64_t newest = 0;
	unsigned char sum[32];
	char hex[65], dir[4096], ppath[4096], upath[4096] = "", *buf = NULL;
	char prefix[300], mdrel[400], ascrel[410];
	size_t len;
	time_t now = time(NULL);
	int have, moved, rc;

	*changed = 0;
	have = alu_cache_repo_get(cache, r->id, &old, e);
	if (have && have != -ENOENT)
		return have;
	have = !have;
	if (flags & ALU_SYNCF_CACHEONLY)
		return have ? 0 : alu_err_set(e, -ALUE_NOCACHE,
			"repository %s has no cached metadata (run without -C first)", r->id);
	if ((rc = snap_prefix(r, prefix, sizeof(prefix), e)))
		return rc;
	snprintf(mdrel, sizeof(mdrel), "%s" REPOMD, prefix);
	snprintf(ascrel, sizeof(ascrel), "%s" REPOMD ".asc", prefix);
	/* another URL (--releasever, a variable, the .repo file): check now */
	moved = have && alu_repo_source_changed(conf, r);
	if (have && !(flags & ALU_SYNCF_FORCE) && !r->snapshot && !moved &&
	    (r->metadata_expire == ALU_CONF_EXPIRE_NEVER ||
	     (old.fetched > 0 && old.fetched + r->metadata_expire > (int64_t)now)))
		return 0;

	alu_repo_net_opts(r, &o);
	rc = mirrors(conf, net, r, &o, &m, e);
	if (!rc)
		rc = alu_mirrors_get_mem(net, &m, mdrel, &o, REPOMD_MAX, &buf, &len, e);
	if (rc && r->snapshot) {
		char msg[sizeof(e->msg)];
		snprintf(msg, sizeof(msg), "%s", e->msg);
		alu_err_clear(e);
		alu_err_set(e, rc, "repository %s: snapshot %s: %s", r->id, r->snapshot, msg);
	}
	if (rc)
		goto out;
	if (r->repo_gpgcheck && (rc = check_repomd_sig(net, &m, r, conf->root, &o, buf, len, ascrel, e)))
		goto out;
	alu_digest_buf(ALU_HASH_SHA256, buf, len, sum);
	alu_hex(sum, sizeof(sum), hex);
	if (have && !strcmp(hex, old.repomd_sha256)) {
		/* the same repomd.xml again: still not older than the age allows */
		if ((rc = age_check(r, old.repomd_timestamp, now, e)))
			goto out;
		rc = alu_cache_repo_touch(cache, r->id, (int64_t)now, m.v[m.current].url, e);
		if (!rc)
			alu_repo_source_save(conf, r);
		goto out;
	}
	rc = alu_repomd_parse(buf, len, r->id, &md, e);
	if (rc)
		goto out;
	for (size_t i = 0; i < md.n; i++)
		if ((int64_t)md.v[i].timestamp > newest)
			newest = (int64_t)md.v[i].timestamp;
	/* a snapshot pin is a deliberate step back, not a rollback; so is another
	 * URL from the configuration (AL2023: --releasever=OLDER, a release lock) */
	if ((have && !r->snapshot && !moved && (rc = rollback_check(r, &old, &md, newest, e))) ||
	    (rc = age_check(r, newest, now, e)))
		goto out;
	prim = alu_repomd_find(&md, "primary");
	if (!prim)
		prim = alu_repomd_find(&md, "primary_db");
	upd = alu_repomd_find(&md, "updateinfo");
	if (!prim) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "repository %s: repomd.xml lists neither primary nor primary_db",
				 r->id);
		goto out;
	}
	if (snprintf(dir, sizeof(dir), "%s/%s", conf->cachedir, r->id) >= (int)sizeof(dir)) {
		rc = alu_err_set(e, -ENAMETOOLONG, "%s: path too long", conf->cachedir);
		goto out;
	}
	if ((rc = alu_root_mkdirs(dir, e)))
		goto out;
	rc = fetch_data(net, &m, &o, r, prim, dir, ppath, sizeof(ppath), &px, prefix, e);
	if (!rc && upd)
		rc = fetch_data(net, &m, &o, r, upd, dir, upath, sizeof(upath), &ux, prefix, e);
	if (!rc) {
		struct alu_ingest_src src = { ppath, !strcmp(prim->type, "primary_db"),
			upd ? upath : NULL, dir, px, ux };
		memset(&st, 0, sizeof(st));
		snprintf(st.repomd_sha256, sizeof(st.repomd_sha256), "%s", hex);
		snprintf(st.revision, sizeof(st.revision), "%s", md.revision);
		snprintf(st.mirror, sizeof(st.mirror), "%s", m.v[m.current].url);
		st.fetched = (int64_t)now;
		st.repomd_timestamp = newest;
		rc = alu_repo_ingest(cache, r->id, &src, &st, e);
		if (!rc)
			*changed = 1;
	}
	/* the cache holds everything now; the files would only take space */
	alu_root_unlink(ppath, NULL);
	if (*upath)
		alu_root_unlink(upath, NULL);
	if (!rc)
		alu_repo_source_save(conf, r);   /* at worst the next run checks again */
out:
	/* a run that failed over still worked, but the broken mirror must be named */
	for (size_t i = 0; !rc && i < m.n; i++)
		if (m.v[i].failure && i != m.current)
			alu_warn("repository %s: mirror %s failed (%s); used %s", r->id, m.v[i].url,
				 m.v[i].failure, m.v[m.current].url);
	free(buf);
	alu_repomd_free(&md);
	alu_mirrors_free(&m);
	return rc;
}
