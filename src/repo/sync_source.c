/* SPDX-License-Identifier: MIT */
/*
 * Where a repository's cached metadata came from: <cachedir>/<id>/source
 * holds the sha256 of its substituted mirrorlist, metalink and baseurls.
 * When --releasever, a variable or the .repo file change any of them, the
 * cache answers for another repository: sync.c then checks again at once
 * instead of waiting for metadata_expire.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/rootfs.h"
#include "crypto/digest.h"
#include "repo/repo.h"
#include "util/fs.h"

static void fingerprint(const struct alu_repo *r, char hex[65])
{
	struct alu_digest d;
	unsigned char sum[32];

	alu_digest_init(&d, ALU_HASH_SHA256);
	alu_digest_update(&d, "m:", 2);
	if (r->mirrorlist)
		alu_digest_update(&d, r->mirrorlist, strlen(r->mirrorlist) + 1);
	alu_digest_update(&d, "l:", 2);
	if (r->metalink)
		alu_digest_update(&d, r->metalink, strlen(r->metalink) + 1);
	for (size_t i = 0; i < r->baseurls.n; i++) {
		alu_digest_update(&d, "b:", 2);
		alu_digest_update(&d, r->baseurls.v[i], strlen(r->baseurls.v[i]) + 1);
	}
	alu_digest_final(&d, sum);
	alu_hex(sum, sizeof(sum), hex);
}

static int path_of(const struct alu_conf *c, const struct alu_repo *r, char *p, size_t n)
{
	return snprintf(p, n, "%s/%s/source", c->cachedir, r->id) >= (int)n ? -ENAMETOOLONG : 0;
}

int alu_repo_source_changed(const struct alu_conf *c, const struct alu_repo *r)
{
	char p[4096], want[65], got[65] = "";
	ssize_t n;
	int fd;

	if (path_of(c, r, p, sizeof(p)))
		return 0;
	fingerprint(r, want);
	/* a cache from before this file existed: trust it, as before (the
	 * cache is the root's: no symlink or FIFO is read) */
	if (alu_root_open_read(p, &fd, NULL, NULL))
		return 0;
	n = read(fd, got, 64);
	close(fd);
	got[n > 0 ? n : 0] = 0;
	return strcmp(got, want) != 0;
}

int alu_repo_source_save(const struct alu_conf *c, const struct alu_repo *r)
{
	char p[4096], tmp[4200], dir[4096], hex[65];
	int fd, rc = 0;

	if (path_of(c, r, p, sizeof(p)) || snprintf(dir, sizeof(dir), "%s/%s", c->cachedir, r->id) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if ((rc = alu_root_mkdirs(dir, NULL)))
		return rc;
	fingerprint(r, hex);
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	if ((rc = alu_root_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, &fd, NULL)))
		return rc;
	if (write(fd, hex, 64) != 64)
		rc = -EIO;
	close(fd);
	if (!rc)
		rc = alu_root_rename(tmp, p, NULL);
	if (rc)
		alu_root_unlink(tmp, NULL);
	return rc;
}
