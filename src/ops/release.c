/* SPDX-License-Identifier: MIT */
/* AL2023 releases and the release lock (ops/release.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "net/net.h"
#include "ops/release.h"
#include "repo/repo.h"
#include "txn/rootfile.h"
#include "util/rootfs.h"

/* Is @p r's mirrorlist ".../mirrors/<this run's $releasever>/..."? (Not
 * any URL with "/mirrors/" in it: check-update asks only such a mirror.) */
static int is_versioned(const struct alu_conf *c, const struct alu_repo *r, char *base, size_t bn)
{
	size_t bl, rl = strlen(c->releasever);

	if (!r->enabled || alu_releasemd_base(r->mirrorlist, base, bn))
		return 0;
	bl = strlen(base) + strlen("/mirrors/");
	return !strncmp(r->mirrorlist + bl, c->releasever, rl) && r->mirrorlist[bl + rl] == '/';
}

/* The first enabled repository with a versioned mirrorlist; the system's
 * own ("amazonlinux") wins over others of the same layout. */
static const struct alu_repo *versioned(const struct alu_conf *c, char *base, size_t bn)
{
	const struct alu_repo *r = alu_conf_repo(c, "amazonlinux");

	if (r && is_versioned(c, r, base, bn))
		return r;
	for (size_t i = 0; i < c->nrepos; i++)
		if (is_versioned(c, &c->repos[i], base, bn))
			return &c->repos[i];
	return NULL;
}

int alu_release_list(const struct alu_conf *c, struct alu_releases *out, char *url, size_t un,
		     struct alu_err *e)
{
	const struct alu_repo *r;
	struct alu_net_opts no;
	struct alu_net *net = NULL;
	char base[4096], *buf = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!(r = versioned(c, base, sizeof(base))))
		return alu_err_set(e, -ENOENT, "no enabled repository has Amazon Linux 2023's layout "
				   "(a mirrorlist .../core/mirrors/$releasever/$basearch/mirror.list)");
	snprintf(url, un, "%s/releasemd.xml", base);
	if (alu_net_new(&net))
		return alu_err_set(e, -ENOMEM, "out of memory");
	alu_repo_net_opts(r, &no);
	rc = alu_net_get_mem(net, url, &no, ALU_RELEASEMD_MAX, &buf, &len, e);
	alu_net_free(net);
	if (!rc)
		rc = alu_releasemd_parse(buf, len, url, out, e);
	free(buf);
	return rc;
}

int alu_release_lock_check(const struct alu_conf *c, const char *requested, struct alu_err *e)
{
	char *path, msg[sizeof(e->msg)];
	const char *base;
	struct stat st;
	int rc, dfd;

	if (!requested || !*requested)
		return 0;
	if (!(path = alu_conf_path(c, ALU_RELEASE_LOCK)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	rc = alu_root_parent(path, 0, &dfd, &base, e);
	if (rc == -ENOENT) {
		alu_err_clear(e);
		rc = 0;
	} else if (!rc) {
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
			rc = alu_err_set(e, -ALUE_PATH, "%s is not a regular file", path);
		close(dfd);
	}
	free(path);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s", e->msg);
		alu_err_clear(e);
		return alu_err_set(e, rc, "the release lock %s could not follow --releasever=%s: %s "
				   "(nothing was changed)", ALU_RELEASE_LOCK, requested, msg);
	}
	return 0;
}

/* The lock file's first line, trimmed; "" when there is none. */
static int lock_read(const struct alu_conf *c, char *val, size_t n, struct alu_err *e)
{
	char *buf = NULL, *p;
	size_t len = 0;
	int rc = alu_root_file_read(*c->root ? c->root : "/", ALU_RELEASE_LOCK, 4096, &buf, &len, e);

	val[0] = 0;
	if (rc == -ENOENT) {
		alu_err_clear(e);
		return 0;
	}
	if (rc)
		return rc;
	for (p = buf; isspace((unsigned char)*p); p++)
		;
	snprintf(val, n, "%.*s", (int)strcspn(p, " \t\r\n"), p);
	free(buf);
	return 0;
}

int alu_release_lock_follow(const struct alu_conf *c, const char *requested, const char *before,
			    char *msg, size_t mn, struct alu_err *e)
{
	char old[256], text[300], *now, *path;
	int rc;

	msg[0] = 0;
	if (!requested || !*requested)
		return 0;
	if ((rc = lock_read(c, old, sizeof(old), e)) || !*old || !strcmp(old, "latest"))
		return rc;
	/* the release the transaction left the root on, not the one asked for
	 * ("latest"); a transaction that kept system-release moved nothing */
	if (!(now = alu_conf_system_release(c)))
		return 0;
	if (!strcmp(now, old) || (before && !strcmp(now, before))) {
		free(now);
		return 0;
	}
	snprintf(text, sizeof(text), "%s\n", now);
	if (!(path = alu_conf_path(c, ALU_RELEASE_LOCK))) {
		free(now);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	rc = alu_root_replace(path, text, strlen(text), 0644, e);
	if (!rc)
		snprintf(msg, mn, "%s: release lock moved from %s to %s", ALU_RELEASE_LOCK, old, now);
	free(path);
	free(now);
	return rc;
}
