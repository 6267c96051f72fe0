/* SPDX-License-Identifier: MIT */
/*
 * Bringing one repository's metadata up to date:
 *   1. -C: use what the cache has, or fail (nothing is fetched).
 *   2. still fresh (fetched + metadata_expire > now): nothing to do.
 *   3. mirrors from mirrorlist (fetched, one URL a line) or baseurls.
 *   4. repodata/repomd.xml (and, with repo_gpgcheck, repomd.xml.asc checked
 *      against the repo's gpgkey files); if its sha256 equals the cached one
 *      only the fetch time is recorded: nothing else is fetched or parsed.
 *   5. primary (XML when listed, else primary_db) and updateinfo, each
 *      verified against repomd's checksum and size by the network layer.
 *   6. ingest in one cache transaction; the downloaded files are removed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fs.h"
#include "conf/conf.h"
#include "crypto/digest.h"
#include "crypto/pgp.h"
#include "db/cache.h"
#include "net/net.h"
#include "repo/repo.h"
#include "util/out.h"

#define REPOMD "repodata/repomd.xml"
#define REPOMD_MAX (16u << 20)

static void net_opts(const struct alu_repo *r, struct alu_net_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout = r->timeout;
	o->retries = r->retries;
	o->insecure = !r->sslverify;
	o->cacert = r->sslcacert;
	o->clientcert = r->sslclientcert;
	o->clientkey = r->sslclientkey;
	o->proxy = r->proxy;
}

static int mirrors(const struct alu_conf *conf, struct alu_net *net, const struct alu_repo *r,
		   const struct alu_net_opts *o, struct alu_mirrors *m, struct alu_err *e)
{
	char *buf = NULL;
	size_t len;
	int rc;

	if (r->mirrorlist) {
		rc = alu_net_get_mem(net, r->mirrorlist, o, 1 << 20, &buf, &len, e);
		if (!rc)
			rc = alu_mirrors_from_list(m, buf, len, conf->basearch, e);
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
			    const struct alu_net_opts *o, const char *md, size_t mdlen,
			    struct alu_err *e)
{
	struct alu_pgp_keyring ring;
	struct alu_pgp_result res;
	char *asc = NULL, *bin = NULL;
	size_t asclen, binlen = 0, pos = 0;
	int rc = 0, drc;

	alu_pgp_keyring_init(&ring);
	for (size_t i = 0; !rc && i < r->gpgkeys.n; i++) {
		const char *k = r->gpgkeys.v[i];
		if (!strncmp(k, "file://", 7)) {
			rc = alu_pgp_keyring_add_file(&ring, k + 7, e);
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
		rc = alu_mirrors_get_mem(net, m, REPOMD ".asc", o, 1 << 20, &asc, &asclen, e);
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

static int fetch_data(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *o,
		      const struct alu_repomd_data *d, const char *dir, char *dest, size_t destn,
		      struct alu_err *e)
{
	const char *base = strrchr(d->href, '/');
	struct alu_net_opts t = *o;

	/* ingested and removed at once: the cache commit is what must be durable */
	t.transient = 1;
	base = base ? base + 1 : d->href;
	if (!*base || !strcmp(base, "..") || !strcmp(base, "."))
		return alu_err_set(e, -ALUE_CORRUPT, "repomd.xml: bad location '%s'", d->href);
	if (snprintf(dest, destn, "%s/%s", dir, base) >= (int)destn)
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", dir);
	/* only sha256 is verified by the network layer; other kinds get size only */
	return alu_mirrors_get_file(net, m, d->href, &t, dest,
				    !strcmp(d->checksum_type, "sha256") && *d->checksum ? d->checksum : NULL,
				    d->size, e);
}

int alu_repo_sync(const struct alu_conf *conf, struct alu_net *net, struct alu_cache *cache,
		  const struct alu_repo *r, unsigned flags, int *changed, struct alu_err *e)
{
	struct alu_cache_repo old, st;
	struct alu_net_opts o;
	struct alu_mirrors m = { 0 };
	struct alu_repomd md = { 0 };
	const struct alu_repomd_data *prim, *upd;
	unsigned char sum[32];
	char hex[65], dir[4096], ppath[4096], upath[4096] = "", *buf = NULL;
	size_t len;
	time_t now = time(NULL);
	int have, rc;

	*changed = 0;
	have = alu_cache_repo_get(cache, r->id, &old, e);
	if (have && have != -ENOENT)
		return have;
	have = !have;
	if (flags & ALU_SYNCF_CACHEONLY)
		return have ? 0 : alu_err_set(e, -ALUE_NOCACHE,
			"repository %s has no cached metadata (run without -C first)", r->id);
	/* another URL (--releasever, a variable, the .repo file): check now */
	if (have && !(flags & ALU_SYNCF_FORCE) && !alu_repo_source_changed(conf, r) &&
	    (r->metadata_expire == ALU_CONF_EXPIRE_NEVER ||
	     (old.fetched > 0 && old.fetched + r->metadata_expire > (int64_t)now)))
		return 0;

	net_opts(r, &o);
	rc = mirrors(conf, net, r, &o, &m, e);
	if (!rc)
		rc = alu_mirrors_get_mem(net, &m, REPOMD, &o, REPOMD_MAX, &buf, &len, e);
	if (rc)
		goto out;
	if (r->repo_gpgcheck && (rc = check_repomd_sig(net, &m, r, &o, buf, len, e)))
		goto out;
	alu_digest_buf(ALU_HASH_SHA256, buf, len, sum);
	alu_hex(sum, sizeof(sum), hex);
	if (have && !strcmp(hex, old.repomd_sha256)) {
		rc = alu_cache_repo_touch(cache, r->id, (int64_t)now, m.v[m.current].url, e);
		if (!rc)
			alu_repo_source_save(conf, r);
		goto out;
	}
	rc = alu_repomd_parse(buf, len, r->id, &md, e);
	if (rc)
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
	if ((rc = alu_mkdir_p(dir))) {
		rc = alu_err_set(e, rc, "%s: %s", dir, strerror(-rc));
		goto out;
	}
	rc = fetch_data(net, &m, &o, prim, dir, ppath, sizeof(ppath), e);
	if (!rc && upd)
		rc = fetch_data(net, &m, &o, upd, dir, upath, sizeof(upath), e);
	if (!rc) {
		struct alu_ingest_src src = { ppath, !strcmp(prim->type, "primary_db"),
			upd ? upath : NULL, dir };
		memset(&st, 0, sizeof(st));
		snprintf(st.repomd_sha256, sizeof(st.repomd_sha256), "%s", hex);
		snprintf(st.revision, sizeof(st.revision), "%s", md.revision);
		snprintf(st.mirror, sizeof(st.mirror), "%s", m.v[m.current].url);
		st.fetched = (int64_t)now;
		for (size_t i = 0; i < md.n; i++)
			if ((int64_t)md.v[i].timestamp > st.repomd_timestamp)
				st.repomd_timestamp = (int64_t)md.v[i].timestamp;
		rc = alu_repo_ingest(cache, r->id, &src, &st, e);
		if (!rc)
			*changed = 1;
	}
	/* the cache holds everything now; the files would only take space */
	unlink(ppath);
	if (*upath)
		unlink(upath);
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
