/* SPDX-License-Identifier: MIT */
/*
 * What a mirror copy keeps beside the repository itself: dated snapshots of
 * its metadata (so that clients can pin one: repo key snapshot=, see
 * sync.c), and per-region mirror.list files.
 *
 * A snapshot is dest/snapshots/<name>/repodata/ holding repomd.xml as
 * published and hard links to the data files it lists; the packages stay
 * where they are (dest/Packages/...), which is where a client pinned to a
 * snapshot fetches them from: locations in primary are relative to the
 * repository, not to the repodata.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "repo/mirrorcopy.h"
#include "repo/repo.h"
#include "util/fs.h"

#define PATH_MAX_ 4096

static int read_all(const char *path, char **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !(*buf = malloc((size_t)st.st_size + 1)))
		rc = -ENOMEM;
	for (size_t off = 0; !rc && off < (size_t)st.st_size;) {
		ssize_t k = read(fd, *buf + off, (size_t)st.st_size - off);
		if (k <= 0) {
			rc = k < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)k;
	}
	close(fd);
	if (rc) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	(*buf)[st.st_size] = 0;
	*len = (size_t)st.st_size;
	return 0;
}

static int copy_file(const char *src, const char *dst, struct alu_err *e)
{
	char *buf;
	size_t len;
	int rc = read_all(src, &buf, &len);

	if (rc)
		return alu_err_set(e, rc, "%s: %s", src, strerror(-rc));
	rc = alu_mcopy_write(dst, buf, len, e);
	free(buf);
	return rc;
}

static void snap_name(const struct alu_repomd *md, char *out, size_t n)
{
	uint64_t ts = 0;
	size_t i;

	if (*md->revision) {
		for (i = 0; md->revision[i] && i + 1 < n; i++) {
			char c = md->revision[i];
			int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
			out[i] = ok ? c : '_';
		}
		out[i] = 0;
		/* "." and ".." are not directory names one can create */
		if (strspn(out, ".") != strlen(out))
			return;
	}
	for (i = 0; i < md->n; i++)
		if (md->v[i].timestamp > ts)
			ts = md->v[i].timestamp;
	snprintf(out, n, "%llu", (unsigned long long)ts);
}

/* 1: dir/repodata/repomd.xml exists with exactly these bytes; 0: absent; -1: differs */
static int same_repomd(const char *dir, const char *md, size_t len)
{
	char p[PATH_MAX_], *buf;
	size_t have;
	int same;

	snprintf(p, sizeof(p), "%s/repodata/repomd.xml", dir);
	if (read_all(p, &buf, &have))
		return 0;
	same = have == len && !memcmp(buf, md, len);
	free(buf);
	return same ? 1 : -1;
}

int alu_mcopy_snapshot(const char *dest, const char *repomd, size_t len, const char *asc,
		       size_t asclen, const char *key, size_t keylen, char *name, size_t namen,
		       struct alu_err *e)
{
	struct alu_repomd md = { 0 };
	char dir[PATH_MAX_], p[PATH_MAX_], src[PATH_MAX_];
	int rc = alu_repomd_parse(repomd, len, dest, &md, e), same;

	if (rc)
		goto out;
	snap_name(&md, name, namen);
	snprintf(dir, sizeof(dir), "%s/snapshots/%s", dest, name);
	same = same_repomd(dir, repomd, len);
	if (same < 0) {
		unsigned char sum[32];
		char hex[65];
		size_t k = strlen(name);
		alu_digest_buf(ALU_HASH_SHA256, repomd, len, sum);
		alu_hex(sum, sizeof(sum), hex);
		snprintf(name + k, namen - k, "-%.8s", hex);
		snprintf(dir, sizeof(dir), "%s/snapshots/%s", dest, name);
		same = same_repomd(dir, repomd, len);
	}
	if (same == 1)
		goto out;
	snprintf(p, sizeof(p), "%s/repodata", dir);
	if ((rc = alu_mkdir_p(p))) {
		rc = alu_err_set(e, rc, "%s: %s", p, strerror(-rc));
		goto out;
	}
	for (size_t i = 0; !rc && i < md.n; i++) {
		const char *b = strrchr(md.v[i].href, '/');
		struct stat st;
		/* hrefs were checked by the copy (safe_rel) before these files existed */
		snprintf(src, sizeof(src), "%s/%s", dest, md.v[i].href);
		snprintf(p, sizeof(p), "%s/%s", dir, md.v[i].href);
		if (!stat(p, &st))
			continue;
		if (b && strncmp(md.v[i].href, "repodata/", 9)) {
			char d[PATH_MAX_];
			snprintf(d, sizeof(d), "%s", p);
			*strrchr(d, '/') = 0;
			alu_mkdir_p(d);
		}
		if (link(src, p))
			rc = copy_file(src, p, e);
	}
	if (!rc && asc) {
		snprintf(p, sizeof(p), "%s/repodata/repomd.xml.asc", dir);
		rc = alu_mcopy_write(p, asc, asclen, e);
	}
	if (!rc && key) {
		snprintf(p, sizeof(p), "%s/repodata/repomd.xml.key", dir);
		rc = alu_mcopy_write(p, key, keylen, e);
	}
	if (!rc) {
		snprintf(p, sizeof(p), "%s/repodata/repomd.xml", dir);
		rc = alu_mcopy_write(p, repomd, len, e);
	}
out:
	alu_repomd_free(&md);
	return rc;
}

/* ---- mirror.list per region ------------------------------------------------ */

static int safe_part(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static void ml_tail(const char *repoid, const char *mirrorlist, const char *region, char *out,
		    size_t n)
{
	char pat[300];
	const char *t;

	snprintf(out, n, "%s/mirror.list", repoid);
	if (!mirrorlist || !region || !*region)
		return;
	snprintf(pat, sizeof(pat), "/%s/", region);
	if (!(t = strstr(mirrorlist, pat)))
		return;
	t += strlen(pat);
	snprintf(out, n, "%.*s", (int)strcspn(t, "?#"), t);
	/* the tail becomes a path under the directory: every part must be plain */
	for (char *s = out, *q; s && *s; s = q) {
		if ((q = strchr(s, '/')))
			*q = 0;
		int ok = safe_part(s);
		if (q)
			*q++ = '/';
		if (!ok) {
			snprintf(out, n, "%s/mirror.list", repoid);
			return;
		}
	}
}

/* The REGION of spec @p i ("REGION=URL"); 0 when an earlier spec named it
 * already (each region is written once), 1 when it is new, or an error. */
static int spec_region(const struct alu_strv *specs, size_t i, char *region, size_t rn,
		       struct alu_err *e)
{
	const char *s = specs->v[i], *eq = strchr(s, '=');

	if (!eq || eq == s || (size_t)(eq - s) >= rn || !eq[1])
		return alu_err_set(e, -ALUE_USAGE, "--mirrorlist-for '%s': expected REGION=URL", s);
	snprintf(region, rn, "%.*s", (int)(eq - s), s);
	if (!safe_part(region))
		return alu_err_set(e, -ALUE_USAGE, "--mirrorlist-for '%s': region '%s' is not a plain name",
				   s, region);
	for (size_t j = 0; j < i; j++)
		if (!strncmp(specs->v[j], s, (size_t)(eq - s) + 1))
			return 0;
	return 1;
}

/* @p text written as <dir>/<region>/<tail>, the directories made. */
static int put_region_file(const char *dir, const char *region, const char *tail,
			   const char *text, size_t tl, struct alu_err *e)
{
	char p[PATH_MAX_];
	int rc;

	snprintf(p, sizeof(p), "%s/%s/%s", dir, region, tail);
	*strrchr(p, '/') = 0;
	if ((rc = alu_mkdir_p(p)))
		return alu_err_set(e, rc, "%s: %s", p, strerror(-rc));
	snprintf(p, sizeof(p), "%s/%s/%s", dir, region, tail);
	return alu_mcopy_write(p, text, tl, e);
}

int alu_mcopy_mirrorlists(const char *dir, const char *repoid, const char *mirrorlist,
			  const char *awsregion, const struct alu_strv *specs, struct alu_err *e)
{
	char tail[1024], region[256];
	int rc = 0;

	ml_tail(repoid, mirrorlist, awsregion, tail, sizeof(tail));
	for (size_t i = 0; !rc && i < specs->n; i++) {
		size_t rl;
		char *text = NULL;
		size_t tl = 0;
		FILE *f;

		if ((rc = spec_region(specs, i, region, sizeof(region), e)) <= 0)
			continue;
		rl = strlen(region);
		rc = 0;
		if (!(f = open_memstream(&text, &tl)))
			return alu_err_set(e, -ENOMEM, "out of memory");
		fprintf(f, "# written by alupdate reposync for region %s\n", region);
		/* every URL given for the region, in order: the clients' failover list */
		for (size_t j = i; j < specs->n; j++) {
			const char *u = specs->v[j] + rl + 1;
			size_t ul;
			if (strncmp(specs->v[j], region, rl) || specs->v[j][rl] != '=')
				continue;
			ul = strlen(u);
			while (ul && u[ul - 1] == '/')
				ul--;
			fprintf(f, "%.*s/%s/\n", (int)ul, u, repoid);
		}
		fclose(f);
		rc = put_region_file(dir, region, tail, text, tl, e);
		free(text);
	}
	return rc;
}

int alu_mcopy_region_file(const char *dir, const char *url, const char *awsregion,
			  const struct alu_strv *specs, const char *buf, size_t len,
			  struct alu_err *e)
{
	char tail[1024], region[256], pat[300];
	int rc = 0;

	snprintf(pat, sizeof(pat), "/%s/", awsregion ? awsregion : "");
	ml_tail("", url, awsregion, tail, sizeof(tail));
	if (!awsregion || !*awsregion || !strstr(url, pat) || !strcmp(tail, "/mirror.list"))
		return alu_err_set(e, -ALUE_USAGE, "%s: no /%s/ in the URL: its per-region place is unknown",
				   url, awsregion ? awsregion : "$awsregion");
	for (size_t i = 0; !rc && i < specs->n; i++) {
		if ((rc = spec_region(specs, i, region, sizeof(region), e)) <= 0)
			continue;
		rc = put_region_file(dir, region, tail, buf, len, e);
	}
	return rc;
}
