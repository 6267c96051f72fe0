/* SPDX-License-Identifier: MIT */
/*
 * On-demand metadata (repo/lazy.h):
 *   1. the repository's cached state gives the repomd.xml checksum;
 *   2. <cachedir>/<id>/md/repomd.xml is used when it has that checksum,
 *      else it is fetched from the mirror that served the sync; when that
 *      one differs too the repository changed: sync it, then fetch again;
 *   3. the entry of the wanted type is looked up; its file is used when on
 *      disk with repomd's size and sha256, else downloaded (verified by
 *      the network layer) beside it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "db/cache.h"
#include "net/net.h"
#include "repo/lazy.h"
#include "util/rootfs.h"
#include "util/fs.h"
#include "util/out.h"

#define REPOMD_MAX (16u << 20)

static int read_all(const char *path, char **buf, size_t *len)
{
	off_t size;
	int fd, rc;
	ssize_t k;

	*buf = NULL;
	/* the cache lies in the root: no symlink, FIFO or device is read */
	if ((rc = alu_root_open_read(path, &fd, &size, NULL)))
		return rc;
	if (size > REPOMD_MAX) {
		close(fd);
		return -EINVAL;
	}
	if (!(*buf = malloc((size_t)size + 1))) {
		close(fd);
		return -ENOMEM;
	}
	for (*len = 0; *len < (size_t)size; *len += (size_t)k)
		if ((k = read(fd, *buf + *len, (size_t)size - *len)) <= 0) {
			rc = k ? -errno : -EIO;
			break;
		}
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
	}
	return rc;
}

static int write_atomic(const char *path, const char *buf, size_t len)
{
	char tmp[4200];
	int fd, rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((rc = alu_root_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, &fd, NULL)))
		return rc;
	for (size_t off = 0; !rc && off < len;) {
		ssize_t k = write(fd, buf + off, len - off);
		if (k < 0)
			rc = -errno;
		else
			off += (size_t)k;
	}
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc)
		rc = alu_root_rename(tmp, path, NULL);
	if (rc)
		alu_root_unlink(tmp, NULL);
	return rc;
}

static int sha_of(const char *buf, size_t len, char hex[65])
{
	unsigned char sum[32];

	alu_digest_buf(ALU_HASH_SHA256, buf, len, sum);
	alu_hex(sum, sizeof(sum), hex);
	return 0;
}

/* The repomd.xml the cache was filled from, parsed into @p md. */
static int repomd_for_cache(struct alu_repos *rp, const struct alu_repo *r, int cacheonly,
			    const char *dir, struct alu_repomd *md, struct alu_err *e)
{
	struct alu_cache_repo st;
	struct alu_net_opts o;
	char path[4200], hex[65], *buf = NULL, *url = NULL;
	size_t len = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/repomd.xml", dir);
	for (int attempt = 0;; attempt++) {
		if ((rc = alu_cache_repo_get(rp->cache, r->id, &st, e)) == -ENOENT)
			return alu_err_set(e, -ALUE_NOCACHE, "repository %s has no cached metadata", r->id);
		if (rc)
			return rc;
		if (!read_all(path, &buf, &len) && !sha_of(buf, len, hex) &&
		    !strcmp(hex, st.repomd_sha256))
			break;
		free(buf);
		buf = NULL;
		if (cacheonly)
			return alu_err_set(e, -ALUE_NOCACHE,
					   "repository %s: this needs metadata that is not cached yet "
					   "(run without -C first)", r->id);
		if (!rp->net && alu_net_new(&rp->net))
			return alu_err_set(e, -ENOMEM, "out of memory");
		alu_repo_net_opts(r, &o);
		if (alu_url_join(st.mirror, "repodata/repomd.xml", &url))
			return alu_err_set(e, -ENOMEM, "out of memory");
		rc = alu_net_get_mem(rp->net, url, &o, REPOMD_MAX, &buf, &len, e);
		free(url);
		if (rc)
			return rc;
		sha_of(buf, len, hex);
		if (!strcmp(hex, st.repomd_sha256)) {
			if ((rc = write_atomic(path, buf, len)))
				alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
			break;
		}
		free(buf);
		buf = NULL;
		if (attempt)
			return alu_err_set(e, -ALUE_CHECKSUM,
					   "repository %s: repomd.xml changes between requests", r->id);
		/* the repository moved on since the sync: the packages must go with it */
		int changed = 0;
		if ((rc = alu_repo_sync(&rp->conf, rp->net, rp->cache, r, ALU_SYNCF_FORCE, &changed, e)))
			return rc;
	}
	if (!rc)
		rc = alu_repomd_parse(buf, len, path, md, e);
	free(buf);
	return rc;
}

/* Files of an older repomd (named "<checksum>-...") are of no use any more. */
static void prune(const char *dir, const struct alu_repomd *md)
{
	int dfd = -1;
	DIR *d = alu_root_opendir(dir, 0, &dfd, NULL) ? NULL : fdopendir(dfd);
	struct dirent *de;
	char p[4400];

	while (d && (de = readdir(d))) {
		const char *n = de->d_name, *dash = strchr(n, '-');
		int keep = n[0] == '.' || !strcmp(n, "repomd.xml") || !dash;
		for (size_t i = 0; !keep && i < md->n; i++)
			keep = strlen(md->v[i].checksum) == (size_t)(dash - n) &&
			       !strncmp(md->v[i].checksum, n, (size_t)(dash - n));
		if (!keep && snprintf(p, sizeof(p), "%s/%s", dir, n) < (int)sizeof(p))
			alu_root_unlink(p, NULL);
	}
	if (d)
		closedir(d);
}

static int file_ok(const char *path, const struct alu_repomd_data *d)
{
	unsigned char sum[64];
	size_t n = sizeof(sum);
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || (d->size && (uint64_t)st.st_size != d->size))
		return 0;
	if (strcmp(d->checksum_type, "sha256") || !*d->checksum)
		return 1;
	return !alu_digest_file(path, ALU_HASH_SHA256, sum, &n, NULL) && alu_hex_eq(d->checksum, sum, n);
}

int alu_repo_lazy_get(struct alu_repos *rp, const struct alu_repo *r, const char *const *types,
		      int cacheonly, struct alu_lazy *out, struct alu_err *e)
{
	struct alu_repomd md = { 0 };
	const struct alu_repomd_data *d = NULL;
	struct alu_mirrors m = { 0 };
	struct alu_cache_repo st;
	struct alu_net_opts o;
	char dir[4096];
	const char *base;
	int rc;

	memset(out, 0, sizeof(*out));
	if (snprintf(dir, sizeof(dir), "%s/%s/" ALU_LAZY_DIR, rp->conf.cachedir, r->id) >= (int)sizeof(dir))
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", rp->conf.cachedir);
	if (!cacheonly && (rc = alu_root_mkdirs(dir, e)))
		return rc;
	if ((rc = repomd_for_cache(rp, r, cacheonly, dir, &md, e)))
		goto out;
	if (!cacheonly)
		prune(dir, &md);
	for (size_t i = 0; types[i] && !d; i++)
		d = alu_repomd_find(&md, types[i]);
	rc = -ENOENT;
	if (!d)
		goto out;
	base = strrchr(d->href, '/');
	base = base ? base + 1 : d->href;
	if (!*base || !strcmp(base, "..") || !strcmp(base, ".") || !strcmp(base, "repomd.xml")) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "repository %s: repomd.xml: bad location '%s'",
				 r->id, d->href);
		goto out;
	}
	snprintf(out->type, sizeof(out->type), "%s", d->type);
	snprintf(out->checksum, sizeof(out->checksum), "%s", d->checksum);
	snprintf(out->path, sizeof(out->path), "%s/%s", dir, base);
	rc = 0;
	if (file_ok(out->path, d))
		goto out;
	if (cacheonly) {
		rc = alu_err_set(e, -ALUE_NOCACHE, "repository %s: %s is not cached (run without -C first)",
				 r->id, d->type);
		goto out;
	}
	if ((rc = alu_cache_repo_get(rp->cache, r->id, &st, e)))
		goto out;
	alu_repo_net_opts(r, &o);
	if ((rc = alu_mirrors_add(&m, st.mirror))) {
		rc = alu_err_set(e, rc, "out of memory");
		goto out;
	}
	rc = alu_mirrors_get_file(rp->net, &m, d->href, &o, out->path,
				  !strcmp(d->checksum_type, "sha256") && *d->checksum ? d->checksum : NULL,
				  d->size, e);
out:
	alu_mirrors_free(&m);
	alu_repomd_free(&md);
	return rc;
}

const struct alu_repo *alu_repos_find(const struct alu_repos *rp, const char *id)
{
	if (!alu_strv_has(&rp->enabled, id))
		return NULL;
	for (size_t i = 0; i < rp->conf.nrepos; i++)
		if (!strcmp(rp->conf.repos[i].id, id))
			return &rp->conf.repos[i];
	return NULL;
}

int alu_repo_lazy_each(struct alu_repos *rp, const char *const *types, int cacheonly,
		       alu_lazy_cb cb, void *ud, struct alu_err *e)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < rp->enabled.n; i++) {
		const struct alu_repo *r = alu_repos_find(rp, rp->enabled.v[i]);
		struct alu_lazy l;

		if (!r)
			continue;
		rc = alu_repo_lazy_get(rp, r, types, cacheonly, &l, e);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		/* as at sync: skip_if_unavailable turns a failure into a warning */
		if (rc && rc != -ENOMEM && r->skip_if_unavailable) {
			alu_warn("repository %s skipped: %s", r->id, e->msg);
			alu_err_clear(e);
			rc = 0;
			continue;
		}
		if (!rc)
			rc = cb(ud, r, &l, e);
	}
	return rc;
}
