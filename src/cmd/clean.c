/* SPDX-License-Identifier: MIT */
/*
 * `alupdate clean all|metadata|packages|dbcache|expire-cache`: metadata and
 * dbcache remove the metadata cache (repomd state and every record);
 * expire-cache only marks every repository for a check on next use;
 * packages removes downloaded package files under each repository's
 * cache directory; all empties the whole cache directory and removes it,
 * so that `yum clean all` alone leaves a container layer none of our bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "db/cache.h"
#include "util/fs.h"
#include "util/out.h"

static int rm_files(const char *dir, const char *suffix, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096];
	size_t sl = suffix ? strlen(suffix) : 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || (suffix && (n < sl || strcmp(de->d_name + n - sl, suffix))))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int)sizeof(p))
			continue;
		if (!unlink(p))
			(*count)++;
	}
	closedir(d);
	return 0;
}

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
	    strcmp(what, "expire-cache")) {
		alu_error("clean: unknown argument '%s' (all, metadata, packages, dbcache, expire-cache)", what);
		return 1;
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
		rc = alu_rm_contents(conf.cachedir, &n);
		if (!rc)
			rmdir(conf.cachedir);
		if (rc)
			alu_error("clean all: %s: %s", conf.cachedir, strerror(-rc));
		else
			alu_msg("Cleaning repos: %zu files removed from %s", n, conf.cachedir);
		alu_conf_free(&conf);
		return rc ? 1 : 0;
	}
	if (all || !strcmp(what, "packages"))
		for (size_t i = 0; i < conf.nrepos; i++) {
			snprintf(dir, sizeof(dir), "%s/%s/packages", conf.cachedir, conf.repos[i].id);
			rm_files(dir, ".rpm", &n);
		}
	if (all || !strcmp(what, "packages"))
		alu_msg("%zu package files removed", n);
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
	if (all || !strcmp(what, "metadata") || !strcmp(what, "dbcache")) {
		n = 0;
		snprintf(dir, sizeof(dir), "%s/%s", conf.cachedir, ALU_CACHE_DIR);
		rc = rm_files(dir, NULL, &n);
		if (!rc)
			rmdir(dir);
		for (size_t i = 0; !rc && i < conf.nrepos; i++) {
			snprintf(dir, sizeof(dir), "%s/%s", conf.cachedir, conf.repos[i].id);
			rm_files(dir, ".tmp", &n);
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
	.summary = "remove cached data (all, metadata, packages, dbcache, expire-cache)",
	.usage = "all|metadata|packages|dbcache|expire-cache",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.run = run,
};
