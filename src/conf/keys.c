/* SPDX-License-Identifier: MIT */
/*
 * The keys yum knows, one table: which struct member each lands in for
 * [main] and for a repository, how its value is read, and how it is shown.
 * A key with both members set is inherited by repositories from [main]
 * (lists excepted: [main] exclude is global, a repo's exclude is its own).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_int.h"

enum kind { K_BOOL, K_INT, K_STR, K_OPTSTR, K_LIST, K_DUR };

struct key {
	const char *name;
	enum kind kind;
	int moff, roff;   /* offsetof in alu_conf / alu_repo, or NO */
};

#define NO (-1)
#define M(f) (int)offsetof(struct alu_conf, f)
#define R(f) (int)offsetof(struct alu_repo, f)

static const struct key keys[] = {
	{ "gpgcheck", K_BOOL, M(gpgcheck), R(gpgcheck) },
	{ "repo_gpgcheck", K_BOOL, M(repo_gpgcheck), R(repo_gpgcheck) },
	{ "skip_if_unavailable", K_BOOL, M(skip_if_unavailable), R(skip_if_unavailable) },
	{ "sslverify", K_BOOL, M(sslverify), R(sslverify) },
	{ "metadata_expire", K_DUR, M(metadata_expire), R(metadata_expire) },
	{ "timeout", K_INT, M(timeout), R(timeout) },
	{ "retries", K_INT, M(retries), R(retries) },
	{ "proxy", K_OPTSTR, M(proxy), R(proxy) },
	{ "proxy_username", K_OPTSTR, M(proxy_username), R(proxy_username) },
	{ "proxy_password", K_OPTSTR, M(proxy_password), R(proxy_password) },
	{ "sslcacert", K_OPTSTR, M(sslcacert), R(sslcacert) },
	{ "sslclientcert", K_OPTSTR, M(sslclientcert), R(sslclientcert) },
	{ "sslclientkey", K_OPTSTR, M(sslclientkey), R(sslclientkey) },
	{ "exclude", K_LIST, M(exclude), R(exclude) },
	{ "keepcache", K_BOOL, M(keepcache), NO },
	{ "exactarch", K_BOOL, M(exactarch), NO },
	{ "obsoletes", K_BOOL, M(obsoletes), NO },
	{ "install_weak_deps", K_BOOL, M(install_weak_deps), NO },
	{ "installonly_limit", K_INT, M(installonly_limit), NO },
	{ "clean_requirements_on_remove", K_BOOL, M(clean_requirements_on_remove), NO },
	{ "rpmdb_writeback", K_BOOL, M(rpmdb_writeback), NO },
	{ "skip_missing_names_on_install", K_BOOL, M(skip_missing_names_on_install), NO },
	{ "skip_missing_names_on_update", K_BOOL, M(skip_missing_names_on_update), NO },
	{ "tsflags", K_LIST, M(tsflags), NO },
	{ "fips", K_BOOL, M(fips), NO },
	{ "installonlypkgs", K_LIST, M(installonlypkgs), NO },
	{ "protected_packages", K_LIST, M(protected_packages), NO },
	{ "reposdir", K_LIST, M(reposdirs), NO },
	{ "scriptlet_sandbox", K_OPTSTR, M(scriptlet_sandbox), NO },
	{ "name", K_STR, NO, R(name) },
	{ "baseurl", K_LIST, NO, R(baseurls) },
	{ "mirrorlist", K_OPTSTR, NO, R(mirrorlist) },
	{ "metalink", K_OPTSTR, NO, R(metalink) },
	{ "enabled", K_BOOL, NO, R(enabled) },
	{ "report_instanceid", K_BOOL, NO, R(report_instanceid) },
	{ "gpgkey", K_LIST, NO, R(gpgkeys) },
	{ "includepkgs", K_LIST, NO, R(includepkgs) },
	{ "priority", K_INT, NO, R(priority) },
	{ "cost", K_INT, NO, R(cost) },
	{ "mirrorlist_expire", K_DUR, NO, R(mirrorlist_expire) },
	{ "allow_metadata_rollback", K_BOOL, M(allow_metadata_rollback), R(allow_metadata_rollback) },
	{ "metadata_max_age", K_DUR, M(metadata_max_age), R(metadata_max_age) },
	{ "snapshot", K_OPTSTR, NO, R(snapshot) },
};

static const struct { const char *alias, *name; } aliases[] = {
	{ "excludepkgs", "exclude" },
	{ "reposdirs", "reposdir" },
};

/* Keys yum or dnf accept that alupdate has no use for: kept, shown, not warned about. */
static const char *const known_unused[] = {
	"alwaysprompt", "assumeno", "assumeyes", "async", "autocheck_running_kernel",
	"bandwidth", "best", "bugtracker_url", "cachedir", "check_config_file_age",
	"color", "color_list_available_downgrade",
	"color_list_available_install", "color_list_available_reinstall",
	"color_list_available_upgrade", "color_list_installed_extra",
	"color_list_installed_newer", "color_list_installed_older",
	"color_list_installed_reinstall", "color_search_match", "color_update_installed",
	"color_update_local", "color_update_remote", "compare_providers_priority",
	"countme", "debuglevel", "defaultyes", "deltarpm", "deltarpm_percentage",
	"depsolve_loop_limit", "diskspacecheck", "distroverpkg", "enable_group_conditionals",
	"enablegroups", "errorlevel", "exit_on_lock", "failovermethod", "fastestmirror",
	"gpgcakey", "group_command", "group_package_types", "history_list_view",
	"history_record", "history_record_packages", "http_caching",
	"installroot", "ip_resolve", "keepalive", "kernelpkgnames", "loadts_ignoremissing",
	"loadts_ignorenewrpm", "loadts_ignorerpm", "localpkg_gpgcheck", "logfile",
	"max_connections", "max_parallel_downloads", "mddownloadpolicy", "mdpolicy",
	"mediaid", "metadata_timer_sync", "minrate", "module_hotfixes", "multilib_policy",
	"override_install_langs", "password", "persistdir", "pluginconfpath", "pluginpath",
	"plugins", "protected_multilib", "query_install_excludes", "recent", "releasever",
	"reset_nice", "rpmverbosity", "showdupesfromrepos", "syslog_device", "syslog_facility", "syslog_ident",
	"throttle", "tolerant", "type", "ui_repoid_vars",
	"upgrade_requirements_on_install", "username", "usr_w_check", "zchunk",
	/* the root's running kernel for --installroot (ops/session.c, kernel-livepatch) */
	"kernel_version",
};

int alu_conf_parse_bool(const char *s)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

int alu_conf_parse_duration(const char *s, long *secs)
{
	char *end;
	long v, mul = 1;

	if (!strcasecmp(s, "never") || !strcmp(s, "-1")) {
		*secs = ALU_CONF_EXPIRE_NEVER;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (tolower((unsigned char)*end)) {
	case 0: break;
	case 's': mul = 1; end++; break;
	case 'm': mul = 60; end++; break;
	case 'h': mul = 3600; end++; break;
	case 'd': mul = 86400; end++; break;
	default: return -EINVAL;
	}
	if (*end || v > LONG_MAX / mul)
		return -EINVAL;
	*secs = v * mul;
	return 0;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static const struct key *find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(*aliases); i++)
		if (!strcmp(name, aliases[i].alias))
			name = aliases[i].name;
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static int is_known_unused(const char *name)
{
	for (size_t i = 0; i < sizeof(known_unused) / sizeof(*known_unused); i++)
		if (!strcmp(known_unused[i], name))
			return 1;
	return 0;
}

/* Replace "key=..." in @p sv, or append it. */
static int other_set(struct alu_strv *sv, const char *key, const char *val)
{
	size_t kl = strlen(key);
	char *kv = malloc(kl + strlen(val) + 2);

	if (!kv)
		return -ENOMEM;
	sprintf(kv, "%s=%s", key, val);
	for (size_t i = 0; i < sv->n; i++) {
		if (!strncmp(sv->v[i], key, kl) && sv->v[i][kl] == '=') {
			free(sv->v[i]);
			sv->v[i] = kv;
			return 0;
		}
	}
	int r = alu_strv_push(sv, kv);
	free(kv);
	return r;
}

static int store(void *base, const struct key *k, int off, const char *val)
{
	char *p = (char *)base + off;
	int r;

	switch (k->kind) {
	case K_BOOL:
		r = alu_conf_parse_bool(val);
		if (r < 0)
			return r;
		*(int *)p = r;
		return 0;
	case K_INT:
		return parse_int(val, (int *)p);
	case K_DUR:
		return alu_conf_parse_duration(val, (long *)p);
	case K_STR:
	case K_OPTSTR: {
		char *s = NULL;
		if (k->kind == K_STR || (*val && strcmp(val, "_none_"))) {
			if (!(s = strdup(val)))
				return -ENOMEM;
			/* A continued name is one line when shown. */
			for (char *q = s; *q; q++)
				if (*q == '\n')
					*q = ' ';
		}
		free(*(char **)p);
		*(char **)p = s;
		return 0;
	}
	case K_LIST: {
		struct alu_strv sv = { 0 };
		r = alu_strv_push_split(&sv, val);
		if (r) {
			alu_strv_free(&sv);
			return r;
		}
		alu_strv_free((struct alu_strv *)p);
		*(struct alu_strv *)p = sv;
		return 0;
	}
	}
	return -EINVAL;
}

int alu_conf_apply(struct alu_conf *c, struct alu_repo *r, const char *key, const char *val)
{
	const struct key *k = find_key(key);
	char *v = NULL;
	int off, ret;

	off = !k ? NO : r ? k->roff : k->moff;
	if (off == NO && !is_known_unused(key))
		return 1;
	ret = alu_conf_subst(c, val, &v);
	if (ret)
		return ret;
	if (off == NO)
		ret = other_set(r ? &r->other : &c->other, key, v);
	else
		ret = store(r ? (void *)r : (void *)c, k, off, v);
	free(v);
	return ret;
}

int alu_conf_inherit(const struct alu_conf *c, struct alu_repo *r)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		const struct key *k = &keys[i];
		const char *src;
		char *dst;

		if (k->moff == NO || k->roff == NO || k->kind == K_LIST)
			continue;
		src = (const char *)c + k->moff;
		dst = (char *)r + k->roff;
		switch (k->kind) {
		case K_BOOL:
		case K_INT:
			*(int *)dst = *(const int *)src;
			break;
		case K_DUR:
			*(long *)dst = *(const long *)src;
			break;
		default: {
			const char *s = *(char *const *)src;
			free(*(char **)dst);
			*(char **)dst = NULL;
			if (s && !(*(char **)dst = strdup(s)))
				return -ENOMEM;
		}
		}
	}
	return 0;
}

static int push_kv(struct alu_strv *out, const char *key, const char *val)
{
	char *kv = malloc(strlen(key) + strlen(val ? val : "") + 2);
	int r;

	if (!kv)
		return -ENOMEM;
	sprintf(kv, "%s=%s", key, val ? val : "");
	r = alu_strv_push(out, kv);
	free(kv);
	return r;
}

static int push_list(struct alu_strv *out, const char *key, const struct alu_strv *sv)
{
	size_t len = 1;
	char *s;
	int r;

	for (size_t i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + 2;
	if (!(s = calloc(1, len)))
		return -ENOMEM;
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, sv->v[i]);
	}
	r = push_kv(out, key, s);
	free(s);
	return r;
}

static int push_num(struct alu_strv *out, const char *key, long v, int duration)
{
	char buf[32];

	if (duration && v == ALU_CONF_EXPIRE_NEVER)
		return push_kv(out, key, "never");
	snprintf(buf, sizeof(buf), "%ld", v);
	return push_kv(out, key, buf);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alu_conf_items(const struct alu_conf *c, const struct alu_repo *r, struct alu_strv *out)
{
	const void *base = r ? (const void *)r : (const void *)c;
	size_t first = out->n;
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(keys) / sizeof(*keys); i++) {
		const struct key *k = &keys[i];
		int off = r ? k->roff : k->moff;
		const char *p = (const char *)base + off;

		if (off == NO)
			continue;
		switch (k->kind) {
		case K_BOOL:
		case K_INT: ret = push_num(out, k->name, *(const int *)p, 0); break;
		case K_DUR: ret = push_num(out, k->name, *(const long *)p, 1); break;
		case K_STR:
		case K_OPTSTR: ret = push_kv(out, k->name, *(char *const *)p); break;
		case K_LIST: ret = push_list(out, k->name, (const struct alu_strv *)p); break;
		}
	}
	const struct alu_strv *other = r ? &r->other : &c->other;
	for (size_t i = 0; !ret && i < other->n; i++) {
		/* [main] cachedir is yum's; ours is shown below. */
		if (!r && !strncmp(other->v[i], "cachedir=", 9))
			continue;
		ret = alu_strv_push(out, other->v[i]);
	}
	if (!ret && !r) {
		ret = push_kv(out, "cachedir", c->cachedir);
		if (!ret) ret = push_kv(out, "config_file_path", c->conffile);
		if (!ret) ret = push_kv(out, "installroot", *c->root ? c->root : "/");
		if (!ret) ret = push_kv(out, "releasever", c->releasever);
		if (!ret) ret = push_kv(out, "basearch", c->basearch);
		if (!ret) ret = push_kv(out, "arch", c->arch);
		if (!ret) ret = push_list(out, "regions", &c->regions);
		if (!ret) ret = push_num(out, "boot_update", c->boot_update, 0);
		if (!ret) ret = push_list(out, "boot_severities", &c->boot_severities);
		if (!ret) ret = push_kv(out, "boot_policy", c->boot_policy);
		if (!ret) ret = push_num(out, "boot_timeout", c->boot_timeout, 0);
	}
	if (!ret && r && r->file)
		ret = push_kv(out, "repofile", r->file);
	if (!ret && out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_str);
	return ret;
}
