/* SPDX-License-Identifier: MIT */
/*
 * Tidying after a container build step. A layer is whatever the step left
 * on disk, so the metadata cache (cache.mdb, repomd, on-demand lists: tens
 * of MB on real mirrors) and the lock files would be shipped in every image
 * patched with `RUN alupdate update -y`; yum's answer is `&& yum clean all`
 * in the same RUN, which users forget. Here the build is detected and the
 * cache removed by default; a cache mount (`RUN --mount=type=cache,
 * target=/var/cache/alupdate`) is a mount point and is kept, which is what
 * makes the metadata survive from one build to the next. Downloaded packages
 * are already gone (keepcache=0, ops/session.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "db/state.h"
#include "ops/container.h"
#include "util/fs.h"
#include "util/rootfs.h"

int alu_container_build(void)
{
	const char *env = getenv("ALUPDATE_CONTAINER_BUILD");
	char buf[4096], host[256];
	FILE *f;
	size_t n = 0;

	if (env && *env)
		return strcmp(env, "0") != 0;
	if ((f = fopen("/run/.containerenv", "re"))) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = 0;
		if (strstr(buf, "engine=\"buildah"))
			return 1;
	}
	return !gethostname(host, sizeof(host)) && !strcmp(host, "buildkitsandbox");
}

/* mountinfo's mount point field, its \040-style escapes decoded */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = 0;
}

/* A bind mount from the same filesystem has the parent's st_dev: mountinfo says it. */
static int mount_point(const char *dir)
{
	char line[8192], mp[4096], parent[4096], *slash;
	struct stat a, b;
	FILE *f;
	int found = 0;

	if (stat(dir, &a))
		return 0;
	snprintf(parent, sizeof(parent), "%s", dir);
	if ((slash = strrchr(parent, '/')) && slash != parent)
		*slash = 0;
	if (!stat(parent, &b) && a.st_dev != b.st_dev)
		return 1;
	if (!(f = fopen("/proc/self/mountinfo", "re")))
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1) {
			unescape(mp);
			found = !strcmp(mp, dir);
		}
	fclose(f);
	return found;
}

int alu_container_tidy(const struct alu_ctx *ctx, const char *cmd, struct alu_err *e)
{
	static const char *const locks[] = { "lock.mdb", "lock" };
	struct alu_conf conf;
	char path[4200];
	const char *root = strcmp(ctx->root, "/") ? ctx->root : "";
	size_t n = 0;
	int r = 0;

	if (!strcmp(cmd, "makecache") || !strcmp(cmd, "clean") || !alu_container_build())
		return 0;
	if (alu_conf_load(ctx, &conf, e)) {
		/* the command said what is wrong with the configuration */
		alu_conf_free(&conf);
		alu_err_clear(e);
		return 0;
	}
	if (!mount_point(conf.cachedir) && !(r = alu_rm_contents(conf.cachedir, &n, e)))
		r = alu_root_rmdir(conf.cachedir, e);
	alu_conf_free(&conf);
	for (size_t i = 0; !r && i < sizeof(locks) / sizeof(*locks); i++) {
		snprintf(path, sizeof(path), "%s%s/%s", root, ALU_STATE_DIR, locks[i]);
		if ((r = alu_root_unlink(path, e)) == -ENOENT)
			r = 0;
	}
	return r;
}
