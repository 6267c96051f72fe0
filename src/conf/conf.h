/* SPDX-License-Identifier: MIT */
/*
 * Configuration: yum.conf/dnf.conf [main], every *.repo under the repo
 * directories, yum/dnf variables, /etc/alupdate/alupdate.yaml and the
 * command-line overrides, resolved once per run into one `struct alu_conf`.
 *
 * Model. alu_conf_load() reads everything and applies, in this order (later
 * wins): built-in defaults (yum 3.4's), yum.conf/dnf.conf [main],
 * alupdate.yaml, then --setopt (main keys), --nogpgcheck, -x. Each repository
 * starts from the resolved [main] values for the keys yum inherits (gpgcheck,
 * repo_gpgcheck, skip_if_unavailable, sslverify, metadata_expire, timeout,
 * retries, proxy*, sslcacert ...), then its own section, then
 * --setopt=REPOID.key=value (REPOID may be a glob), then --enablerepo and
 * --disablerepo in command-line order. --repofrompath repositories are
 * appended after the files' (before --setopt, which reaches them too) and,
 * as in dnf, stay enabled whatever --disablerepo says.
 *
 * Paths. `root` is the installroot without a trailing slash ("" for "/").
 * `cachedir` is a host path (already prefixed with root). `reposdirs` and
 * every URL (baseurls, mirrorlist, metalink, gpgkeys) are kept as configured,
 * i.e. paths inside the root; use alu_conf_path() to reach a file inside the
 * root from the host. URLs are not rewritten: yum and dnf read file:// base
 * URLs and keys from the host even with --installroot.
 * A path from the root's configuration (cachedir, reposdir, the var and
 * config files) never leaves the root: alu_conf_path() folds "." and ".."
 * as a chroot would ("/../../.." is the root itself, util/rootfs.h
 * alu_root_join(), which any module may call for a root-relative path), and
 * the files are read with alu_root_open_read(): symlinks resolve inside the
 * root, and only a regular file is read (a FIFO or device is an error).
 *
 * Warnings. Malformed lines, unknown keys, duplicate sections and repository
 * sections without any URL are reported through alu_warn() as "FILE:LINE:
 * ..." and skipped; they never fail the load. Errors (unreadable file named
 * by -c, bad alupdate.yaml, bad --setopt, --enablerepo naming a repository
 * that does not exist) fail it with -ALUE_CONFIG/-ALUE_USAGE/-ALUE_NOTFOUND
 * and a message in `struct alu_err`.
 *
 * Ownership. Everything reachable from `struct alu_conf` is owned by it and
 * released by alu_conf_free(); pointers returned by alu_conf_repo() stay
 * valid until then.
 */
#ifndef ALU_CONF_CONF_H
#define ALU_CONF_CONF_H

#include <stddef.h>

#include "cmd/ctx.h"
#include "util/err.h"
#include "util/strv.h"

#define ALU_CONF_PRIORITY_DEFAULT 99
#define ALU_CONF_COST_DEFAULT 1000
#define ALU_CONF_EXPIRE_DEFAULT 21600   /* yum 3.4: 6h */
#define ALU_CONF_EXPIRE_NEVER (-1L)
#define ALU_CONF_YAML "/etc/alupdate/alupdate.yaml"

/** One [section] of a .repo file, or one --repofrompath. */
struct alu_repo {
	char *id, *name;              /* name defaults to id */
	struct alu_strv baseurls;     /* variables substituted; may be empty if mirrorlist/metalink set */
	char *mirrorlist, *metalink;  /* substituted; NULL when absent */
	int enabled, gpgcheck, repo_gpgcheck, skip_if_unavailable, sslverify, report_instanceid;
	struct alu_strv gpgkeys;      /* URLs (file:// usually), substituted */
	struct alu_strv exclude, includepkgs;
	int priority;                 /* ALU_CONF_PRIORITY_DEFAULT; lower wins */
	int cost;                     /* ALU_CONF_COST_DEFAULT */
	long metadata_expire;         /* seconds; ALU_CONF_EXPIRE_NEVER; inherits [main] */
	long mirrorlist_expire;       /* seconds; defaults to metadata_expire */
	int timeout, retries;         /* inherit [main] */
	char *proxy, *proxy_username, *proxy_password;   /* NULL: none ("_none_" in a file clears [main]'s) */
	char *sslcacert, *sslclientcert, *sslclientkey;  /* NULL: none */
	struct alu_strv other;        /* "key=value": keys yum knows that alupdate does not use */
	char *file; int line;         /* where the section starts ("--repofrompath", 0 for those) */
	int allow_metadata_rollback;  /* 1: a repomd.xml older than the cached one is taken
	                               * (deliberate snapshot pinning); inherits [main]; default 0 */
	long metadata_max_age;        /* seconds: a repomd.xml whose newest timestamp is older is
	                               * refused (a frozen mirror); 0 or never: no limit; inherits */
	char *snapshot;               /* NULL, or a reposync snapshot to pin (metadata from
	                               * snapshots/<it>/repodata/, packages from the base) */
};

/** The resolved configuration of one run. */
struct alu_conf {
	char *root;                   /* installroot, no trailing slash; "" for / */
	char *conffile;               /* host path of the yum.conf/dnf.conf read, or NULL */
	char *cachedir;               /* host path: <root>/var/cache/alupdate unless alupdate.yaml says */
	struct alu_strv reposdirs;    /* inside the root, substituted, in search order */
	int gpgcheck, repo_gpgcheck, keepcache, exactarch, obsoletes, installonly_limit;
	int install_weak_deps;        /* dnf's key: Recommends/Supplements pulled in (default 1) */
	int clean_requirements_on_remove;   /* dnf's: remove drops unneeded dependencies; yum: off */
	int rpmdb_writeback;          /* 1 (default): write the root's rpm database after each change */
	int skip_missing_names_on_install;  /* 1 (AL2 yum's default): install what exists */
	int skip_missing_names_on_update;   /* 1: update of a name not installed is no error */
	struct alu_strv tsflags;      /* rpm transaction flags: nodocs, test, noscripts ... */
	int fips;                     /* fips=1 or the host's fips_enabled: see crypto/fips.h */
	int timeout, retries, skip_if_unavailable, sslverify;
	long metadata_expire;         /* seconds or ALU_CONF_EXPIRE_NEVER */
	char *proxy, *proxy_username, *proxy_password;
	char *sslcacert, *sslclientcert, *sslclientkey;
	struct alu_strv exclude;      /* [main] exclude then -x/--exclude */
	struct alu_strv installonlypkgs;
	struct alu_strv protected_packages;
	char *releasever, *basearch, *arch;
	struct alu_strv vars;         /* "name=value", sorted by name: builtins, yum/vars, dnf/vars */
	struct alu_strv other;        /* "key=value": [main] keys yum knows that alupdate does not use */
	struct alu_repo *repos;       /* all repositories, enabled or not, in file order */
	size_t nrepos;
	/* /etc/alupdate/alupdate.yaml (inside the root) */
	char *yamlfile;               /* host path when it was read, else NULL */
	struct alu_strv regions;      /* failover order, e.g. us-east-1, us-west-2; may be empty */
	int boot_update;              /* 1 = apply matching security updates at first boot (default 1) */
	struct alu_strv boot_severities; /* lowercased; default critical, important */
	int allow_metadata_rollback;  /* [main] default of alu_repo's */
	char *scriptlet_sandbox;      /* [main] scriptlet_sandbox: auto|namespaces|chroot (NULL: auto);
	                               * under --installroot the root's own files cannot say chroot,
	                               * only --setopt can */
	long metadata_max_age;        /* [main] default of alu_repo's */
	char boot_policy[16];         /* boot.policy: "security" (default), "bugfix", "all", "none" */
	long boot_timeout;            /* boot.timeout, seconds (default 300) */
};

/**
 * @brief Read the whole configuration for @p ctx (root, -c, --releasever,
 *        --setopt, --enablerepo/--disablerepo, --repofrompath, -x,
 *        --nogpgcheck).
 * @param[out] out zeroed and filled; release with alu_conf_free(), also
 *        after a failure.
 * @return 0 (also when no yum.conf exists: defaults are used);
 *         -ALUE_CONFIG: -c FILE unreadable, alupdate.yaml malformed or with
 *         an unknown key ("FILE:LINE:COL: ..."), a bad --repofrompath;
 *         -ALUE_NOCONF: with --installroot, a root holding neither a config
 *         file nor any repository ("no repository configuration in
 *         ROOT/etc/yum.repos.d");
 *         -ALUE_USAGE: a --setopt that is malformed or has a bad value (an
 *         unknown key only warns, as in yum); -ALUE_NOTFOUND: --enablerepo of a plain id (no
 *         glob characters) that matches no repository; -ENOMEM.
 */
int alu_conf_load(const struct alu_ctx *ctx, struct alu_conf *out, struct alu_err *e);

/** @brief Release everything @p c owns; leaves it zeroed. NULL-safe. */
void alu_conf_free(struct alu_conf *c);

/**
 * @brief Substitute $name and ${name} from c->vars. Names are
 *        [A-Za-z0-9_]+; unknown variables are left exactly as written.
 * @param[out] out malloc'd result, caller frees.
 * @return 0 or -ENOMEM.
 */
int alu_conf_subst(const struct alu_conf *c, const char *in, char **out);

/** @return the value of variable @p name (borrowed from @p c), or NULL. */
const char *alu_conf_var(const struct alu_conf *c, const char *name);

/** @return the repository with id @p id (exact), or NULL. Borrowed from @p c. */
const struct alu_repo *alu_conf_repo(const struct alu_conf *c, const char *id);

/**
 * @brief Join the root and an absolute path inside it, ".." folded at the
 *        root (alu_root_join()).
 * @return malloc'd "<root><abs>" (caller frees), or NULL when out of memory.
 */
char *alu_conf_path(const struct alu_conf *c, const char *abs);

/**
 * @brief The release the root's /etc/system-release names ("Amazon Linux
 *        release 2023.6.20241010 (Amazon Linux)" -> "2023.6.20241010"; on
 *        AL2023 a link to /etc/amazon-linux-release, read inside the root).
 * @return malloc'd (caller frees), or NULL when there is none.
 */
char *alu_conf_system_release(const struct alu_conf *c);

/**
 * A source for $releasever when --releasever is not given: the version of
 * the installed package providing system-release(releasever). Return 0 and a
 * malloc'd version in *out, or a negative code (then the next source is
 * tried: <root>/etc/os-release VERSION_ID, <root>/etc/system-release, "2").
 */
typedef int (*alu_conf_releasever_fn)(const char *root, char **out, void *arg);

/** @brief Install (or, with NULL, remove) the releasever hook for later loads. */
void alu_conf_set_releasever(alu_conf_releasever_fn fn, void *arg);

/**
 * @brief The effective settings as sorted "key=value" strings, the way
 *        `yum-config-manager --dump` shows them (lists joined with ", ",
 *        booleans 1/0, durations in seconds or "never", unset values empty).
 * @param r a repository of @p c, or NULL for [main].
 * @param[out] out appended to; caller frees with alu_strv_free().
 * @return 0 or -ENOMEM.
 */
int alu_conf_items(const struct alu_conf *c, const struct alu_repo *r, struct alu_strv *out);

/**
 * @brief Parse a yum duration: "300", "300s", "90m", "6h", "2d", "never"/-1.
 * @param[out] secs seconds, or ALU_CONF_EXPIRE_NEVER.
 * @return 0, or -EINVAL for anything else.
 */
int alu_conf_parse_duration(const char *s, long *secs);

/**
 * @brief Parse a yum boolean: 1/0, yes/no, true/false, on/off (any case).
 * @return 1 or 0, or -EINVAL.
 */
int alu_conf_parse_bool(const char *s);

/** @brief yum's basearch for a machine or OCI architecture name (amd64 -> x86_64,
 *         arm64 -> aarch64, i686 -> i386 ...); unknown names are returned as given. */
const char *alu_conf_basearch(const char *machine);

/** @return 1 when @p arch is a machine name yum knows (x86_64, aarch64, i686, ...). */
int alu_conf_arch_known(const char *arch);

#endif
