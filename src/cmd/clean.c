/* SPDX-License-Identifier: MIT */
/*
 * `alupdate clean all|metadata|packages|dbcache|expire-cache`: metadata and
 * dbcache remove the metadata cache (repomd state and every record);
 * expire-cache only marks every repository for a check on next use;
 * packages removes downloaded package files under each repository's
 * cache directory; all empties the whole cache directory and removes it,
 * so that `yum clean all` alone leaves a container layer none of our bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "db/cache.h"
#include "repo/lazy.h"
#include "util/fs.h"
#include "util/out.h"
#include "util/rootfs.h"

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_conf conf;
	struct alu_err e = { 0 };
	const char *what = argv[0];
	int all = !strcmp(what, "all"), rc = 0;
	char dir[4096];
	size_t n = 0;

	(void)priv;
	(void)argc;
	if (!all && strcmp(what, "metadata") && strcmp(what, "packages") && strcmp(what, "dbcache") &&
	    strcmp(what, "expire-cache") && strcmp(what, "headers") && strcmp(what, "rpmdb")) {
		alu_error("clean: unknown argument '%s' (all, metadata, packages, dbcache, expire-cache, "
			  "headers, rpmdb)", what);
		return 1;
	}
	/* yum 3's: alupdate keeps no package headers apart from the packages and
	 * no cache of the rpm database (the state is the truth): nothing to remove */
	if (!strcmp(what, "headers")) {
		alu_msg("0 header files removed");
		return 0;
	}
	if (!strcmp(what, "rpmdb")) {
		alu_msg("Cleaning up rpmdb cache: nothing cached");
		return 0;
	}
	if ((rc = alu_conf_load(ctx, &conf, &e))) {
		alu_error("%s", e.msg);
		alu_conf_free(&conf);
		return 1;
	}
	if (all) {
		/* a container layer after `yum clean all` holds no byte of ours:
		 * metadata, packages, @commandline downloads, every repository's
		 * directory, also of repositories no longer configured */
		rc = alu_rm_contents(conf.cachedir, &n, &e);
		if (!rc)
			rc = alu_root_rmdir(conf.cachedir, &e);
		if (rc)
			alu_error("clean all: %s: %s", conf.cachedir, e.code ? e.msg : alu_strerror(rc));
		else
			alu_msg("Cleaning repos: %zu files removed from %s", n, conf.cachedir);
		alu_conf_free(&conf);
		return rc ? 1 : 0;
	}
	/* the root's symlinks are never followed here (util/rootfs.h): a cache
	 * directory that is a symlink is an error, not a walk into the host */
	if (all || !strcmp(what, "packages")) {
		for (size_t i = 0; !rc && i < conf.nrepos; i++) {
			snprintf(dir, sizeof(dir), "%s/%s/packages", conf.cachedir, conf.repos[i].id);
			rc = alu_root_rm_files(dir, ".rpm", &n, &e);
			if (!rc)
				rc = alu_root_rm_files(dir, ".part", &n, &e);
		}
		if (!rc)
			alu_msg("%zu package files removed", n);
	}
	if (!strcmp(what, "expire-cache")) {
		struct alu_cache *c;
		rc = alu_cache_open(conf.cachedir, 0, &c, &e);
		if (!rc)
			rc = alu_cache_expire_all(c, &e);
		alu_cache_close(c);
		if (rc == -ENOENT)
			rc = 0;
		if (!rc)
			alu_msg("Cache was expired");
	}
	if (!rc && (all || !strcmp(what, "metadata") || !strcmp(what, "dbcache"))) {
		n = 0;
		snprintf(dir, sizeof(dir), "%s/%s", conf.cachedir, ALU_CACHE_DIR);
		rc = alu_root_rm_files(dir, NULL, &n, &e);
		if (!rc)
			rc = alu_root_rmdir(dir, &e);
		for (size_t i = 0; !rc && i < conf.nrepos; i++) {
			snprintf(dir, sizeof(dir), "%s/%s", conf.cachedir, conf.repos[i].id);
			rc = alu_root_rm_files(dir, ".tmp", &n, &e);
			if (!rc)
				rc = alu_root_rm_files(dir, ".part", &n, &e);
			/* on-demand metadata (groups, file lists: repo/lazy.h) */
			snprintf(dir, sizeof(dir), "%s/%s/" ALU_LAZY_DIR, conf.cachedir, conf.repos[i].id);
			if (!rc)
				rc = alu_root_rm_files(dir, NULL, &n, &e);
			if (!rc)
				rc = alu_root_rmdir(dir, &e);
		}
		if (!rc)
			alu_msg("Cleaning repos: metadata cache removed");
	}
	if (rc) {
		alu_error("clean %s: %s", what, e.msg[0] ? e.msg : strerror(-rc));
		rc = 1;
	}
	alu_conf_free(&conf);
	return rc;
}

const struct alu_cmd alu_cmd_clean = {
	.name = "clean",
	.summary = "remove cached data (all, metadata, packages, dbcache, expire-cache; headers, rpmdb)",
	.usage = "all|metadata|packages|dbcache|expire-cache|headers|rpmdb",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
