/* SPDX-License-Identifier: MIT */
/* alu_conf_load(): defaults, alupdate.yaml, variables, [main], *.repo, overrides. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"
#include "crypto/fips.h"
#include "util/out.h"
#include "util/rootfs.h"

char *alu_conf_path(const struct alu_conf *c, const char *abs)
{
	/* folded as a chroot would: "/../../etc" is <root>/etc, never above it */
	return alu_root_join(c->root, abs);
}

const struct alu_repo *alu_conf_repo(const struct alu_conf *c, const char *id)
{
	for (size_t i = 0; i < c->nrepos; i++)
		if (!strcmp(c->repos[i].id, id))
			return &c->repos[i];
	return NULL;
}

void alu_conf_repo_free(struct alu_repo *r)
{
	free(r->id);
	free(r->name);
	alu_strv_free(&r->baseurls);
	free(r->mirrorlist);
	free(r->metalink);
	alu_strv_free(&r->gpgkeys);
	alu_strv_free(&r->exclude);
	alu_strv_free(&r->includepkgs);
	free(r->proxy);
	free(r->proxy_username);
	free(r->proxy_password);
	free(r->sslcacert);
	free(r->sslclientcert);
	free(r->sslclientkey);
	alu_strv_free(&r->other);
	free(r->file);
	free(r->snapshot);
	memset(r, 0, sizeof(*r));
}

void alu_conf_free(struct alu_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nrepos; i++)
		alu_conf_repo_free(&c->repos[i]);
	free(c->repos);
	free(c->root);
	free(c->conffile);
	free(c->cachedir);
	alu_strv_free(&c->reposdirs);
	free(c->proxy);
	free(c->proxy_username);
	free(c->proxy_password);
	free(c->sslcacert);
	free(c->sslclientcert);
	free(c->sslclientkey);
	alu_strv_free(&c->exclude);
	alu_strv_free(&c->tsflags);
	alu_strv_free(&c->installonlypkgs);
	alu_strv_free(&c->protected_packages);
	free(c->releasever);
	free(c->basearch);
	free(c->arch);
	alu_strv_free(&c->vars);
	alu_strv_free(&c->other);
	free(c->yamlfile);
	free(c->scriptlet_sandbox);
	alu_strv_free(&c->regions);
	alu_strv_free(&c->boot_severities);
	memset(c, 0, sizeof(*c));
}

static int set_defaults(struct alu_conf *c, const struct alu_ctx *ctx)
{
	const char *root = ctx->root ? ctx->root : "/";
	size_t rl = strlen(root);
	int r;

	while (rl && root[rl - 1] == '/')
		rl--;
	if (!(c->root = strndup(root, rl)))
		return -ENOMEM;
	if (!(c->cachedir = alu_conf_path(c, "/var/cache/alupdate")))
		return -ENOMEM;
	c->gpgcheck = 0;
	c->exactarch = 1;
	c->obsoletes = 1;
	c->install_weak_deps = 1;   /* dnf's default; AL2's repositories carry no weak deps */
	c->installonly_limit = 3;
	c->skip_missing_names_on_install = 1;
	c->skip_missing_names_on_update = 1;
	c->timeout = 30;
	c->retries = 10;
	c->sslverify = 1;
	c->metadata_expire = ALU_CONF_EXPIRE_DEFAULT;
	c->boot_update = 1;
	c->rpmdb_writeback = 1;
	snprintf(c->boot_policy, sizeof(c->boot_policy), "security");
	c->boot_timeout = 300;
	r = alu_strv_push_split(&c->reposdirs, "/etc/yum.repos.d /etc/yum/repos.d");
	if (!r)
		r = alu_strv_push_split(&c->installonlypkgs,
			"kernel kernel-bigmem installonlypkg(kernel) installonlypkg(kernel-module) "
			"installonlypkg(vm) kernel-enterprise kernel-smp kernel-debug kernel-unsupported "
			"kernel-source kernel-devel kernel-PAE kernel-PAE-debug multiversion(kernel)");
	if (!r)
		r = alu_strv_push_split(&c->boot_severities, "critical important");
	return r;
}

static void warn_apply(int r, const char *file, const struct alu_ini_kv *kv, const char *what)
{
	if (r == 1)
		alu_warn("%s:%d: unknown %s option '%s' (ignored)", file, kv->line, what, kv->key);
	else if (r == -EINVAL)
		alu_warn("%s:%d: bad value '%s' for '%s' (ignored)", file, kv->line, kv->val, kv->key);
}

static int apply_section(struct alu_conf *c, struct alu_repo *repo, const char *file,
			 const struct alu_ini_sec *s)
{
	for (size_t i = 0; i < s->nkv; i++) {
		int r = alu_conf_apply(c, repo, s->kv[i].key, s->kv[i].val);
		if (r == -ENOMEM)
			return r;
		warn_apply(r, file, &s->kv[i], repo ? "repository" : "[main]");
	}
	return 0;
}

/* The repositories read so far: id -> index in c->repos, and the array's
 * capacity. A later section with an id already seen replaces the earlier
 * one, which is only marked dead (id NULL; its id string moves to the new
 * repository so the index's borrowed key stays valid) and dropped once by
 * repos_compact(): 100,000 sections load in linear time. */
struct repo_ix {
	struct alu_smap ids;
	size_t cap;
};

static int add_repo(struct alu_conf *c, struct repo_ix *ix, const char *file, const struct alu_ini_sec *s)
{
	struct alu_repo rp = { 0 };
	int r = -ENOMEM, prev;

	if (!alu_conf_valid_id(s->name)) {
		alu_warn("%s:%d: bad repository id '%s' (allowed: letters, digits, '-_.:'; skipped)",
			file, s->line, s->name);
		return 0;
	}
	if (!(rp.id = strdup(s->name)) || !(rp.file = strdup(file)))
		goto out;
	rp.line = s->line;
	rp.enabled = 1;
	rp.priority = ALU_CONF_PRIORITY_DEFAULT;
	rp.cost = ALU_CONF_COST_DEFAULT;
	rp.mirrorlist_expire = -2;   /* "not set": follows metadata_expire below */
	if (alu_conf_inherit(c, &rp) || apply_section(c, &rp, file, s))
		goto out;
	if (!rp.name && !(rp.name = strdup(rp.id)))
		goto out;
	if (rp.mirrorlist_expire == -2)
		rp.mirrorlist_expire = rp.metadata_expire;
	if (!rp.baseurls.n && !rp.mirrorlist && !rp.metalink) {
		alu_warn("%s:%d: repository '%s' has no baseurl, mirrorlist or metalink (skipped)",
			file, s->line, rp.id);
		r = 0;
		goto out;
	}
	if (c->nrepos == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 16;
		struct alu_repo *v = realloc(c->repos, cap * sizeof(*v));
		if (!v)
			goto out;
		c->repos = v;
		ix->cap = cap;
	}
	if (c->nrepos >= (size_t)INT32_MAX)
		goto out;
	prev = alu_smap_get(&ix->ids, rp.id);
	if (prev >= 0) {
		struct alu_repo *o = &c->repos[prev];
		alu_warn("%s:%d: repository '%s' is also defined at %s:%d; the later one wins",
			file, s->line, rp.id, o->file, o->line);
		free(rp.id);
		rp.id = o->id;
		o->id = NULL;
		alu_conf_repo_free(o);
	}
	if (alu_smap_put(&ix->ids, rp.id, (int)c->nrepos))
		goto out;
	c->repos[c->nrepos++] = rp;
	return 0;
out:
	alu_conf_repo_free(&rp);
	return r;
}

/* Drop the repositories a later section replaced, keeping file order. */
static void repos_compact(struct alu_conf *c, struct repo_ix *ix)
{
	size_t w = 0;

	alu_smap_free(&ix->ids);
	for (size_t i = 0; i < c->nrepos; i++)
		if (c->repos[i].id)
			c->repos[w++] = c->repos[i];
	c->nrepos = w;
}

static int repo_sections(struct alu_conf *c, struct repo_ix *ix, const struct alu_ini *ini)
{
	for (size_t i = 0; i < ini->nsecs; i++) {
		if (!strcmp(ini->secs[i].name, "main"))
			continue;
		int r = add_repo(c, ix, ini->file, &ini->secs[i]);
		if (r)
			return r;
	}
	return 0;
}

static int is_repo_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 5 && d->d_name[0] != '.' && !strcmp(d->d_name + n - 5, ".repo");
}

/* Every *.repo of every reposdir, in name order; returns how many files were read. */
static int repo_dirs(struct alu_conf *c, struct repo_ix *ix, int *nfiles, struct alu_err *e)
{
	for (size_t d = 0; d < c->reposdirs.n; d++) {
		char *dir = alu_conf_path(c, c->reposdirs.v[d]);
		struct dirent **ents = NULL;
		int n, r = 0;

		if (!dir)
			return -ENOMEM;
		n = alu_root_scandir(dir, &ents, is_repo_file, alphasort);
		for (int i = 0; i < n; i++) {
			char path[4096];
			struct alu_ini ini;
			struct alu_err fe = { 0 };
			snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
			if (!r) {
				int lr = alu_ini_load(&ini, path, NULL, &fe);
				if (lr == -ENOMEM)
					r = lr;
				else if (lr)
					alu_warn("%s (skipped)", fe.msg);
				else
					(*nfiles)++, r = repo_sections(c, ix, &ini);
				alu_ini_free(&ini);
			}
			free(ents[i]);
		}
		free(ents);
		free(dir);
		if (r)
			return alu_err_set(e, r, "reading repositories: %s", alu_strerror(r));
	}
	return 0;
}

/* -c FILE, else <root>/etc/dnf/dnf.conf, else <root>/etc/yum.conf; NULL when none. */
static char *find_conffile(const struct alu_conf *c, const struct alu_ctx *ctx)
{
	static const char *const cand[] = { "/etc/dnf/dnf.conf", "/etc/yum.conf" };

	if (ctx->config)
		return strdup(ctx->config);
	for (size_t i = 0; i < 2; i++) {
		char *p = alu_conf_path(c, cand[i]);
		int fd;
		/* resolved inside the root, as it will be read */
		if (!p || !alu_root_open_read(p, &fd, NULL, NULL)) {
			if (p)
				close(fd);
			return p;
		}
		free(p);
	}
	return NULL;
}

static void nogpgcheck(struct alu_conf *c)
{
	c->gpgcheck = c->repo_gpgcheck = 0;
	for (size_t i = 0; i < c->nrepos; i++)
		c->repos[i].gpgcheck = c->repos[i].repo_gpgcheck = 0;
}

int alu_conf_load(const struct alu_ctx *ctx, struct alu_conf *c, struct alu_err *e)
{
	struct alu_ini main_ini = { 0 };
	struct repo_ix ix = { 0 };
	long yaml_expire;
	int yaml_expire_set = 0, nfiles = 0, r;

	memset(c, 0, sizeof(*c));
	r = set_defaults(c, ctx);
	if (!r)
		r = alu_conf_yaml_load(c, &yaml_expire_set, e);
	yaml_expire = c->metadata_expire;
	if (!r)
		r = alu_conf_vars_load(c, ctx);
	if (r)
		goto out;

	c->conffile = find_conffile(c, ctx);
	if (c->conffile) {
		r = alu_ini_load(&main_ini, c->conffile, NULL, e);
		if (r != -ENOMEM && r) {
			char msg[sizeof(e->msg)];
			snprintf(msg, sizeof(msg), "%s", e ? e->msg : c->conffile);
			if (e)
				alu_err_clear(e);
			r = alu_err_set(e, -ALUE_CONFIG, "%s", msg);
			goto out;
		}
		if (r)
			goto out;
		r = apply_section(c, NULL, main_ini.file, alu_ini_section(&main_ini, "main"));
		if (r)
			goto out;
	}
	if (yaml_expire_set)
		c->metadata_expire = yaml_expire;
	/* a root patched from outside does not get to weaken its own containment */
	if (*c->root && c->scriptlet_sandbox && !strcmp(c->scriptlet_sandbox, "chroot")) {
		alu_warn("%s: scriptlet_sandbox=chroot in the root's own configuration is ignored "
			"under --installroot (--setopt=scriptlet_sandbox=chroot chooses it)",
			c->conffile ? c->conffile : c->yamlfile ? c->yamlfile : c->root);
		free(c->scriptlet_sandbox);
		c->scriptlet_sandbox = NULL;
	}
	r = alu_conf_setopt_main(c, ctx, e);
	if (!r && c->scriptlet_sandbox && strcmp(c->scriptlet_sandbox, "auto") &&
	    strcmp(c->scriptlet_sandbox, "namespaces") && strcmp(c->scriptlet_sandbox, "chroot"))
		r = alu_err_set(e, -ALUE_USAGE, "scriptlet_sandbox=%s: must be auto, namespaces or chroot",
			c->scriptlet_sandbox);
	/* the host decides on a real host; the configuration may only add to it */
	if (!r)
		alu_fips_set(c->fips = c->fips || alu_fips_host());
	for (size_t i = 0; !r && i < ctx->excludes.n; i++)
		r = alu_strv_push(&c->exclude, ctx->excludes.v[i]);
	if (r)
		goto out;
	if (ctx->nogpgcheck)
		nogpgcheck(c);

	if (!(c->conffile && (r = repo_sections(c, &ix, &main_ini))))
		r = repo_dirs(c, &ix, &nfiles, e);
	repos_compact(c, &ix);
	if (r)
		goto out;
	if (*c->root && !c->conffile && !nfiles && !ctx->repofrompath.n) {
		r = alu_err_set(e, -ALUE_NOCONF, "no repository configuration in %s/etc/yum.repos.d "
			"(and no %s/etc/yum.conf); is %s the root you meant?", c->root, c->root, c->root);
		goto out;
	}
	/* As dnf: --repofrompath repositories take --setopt and stay enabled whatever
	 * --disablerepo says (so "--disablerepo='*' --repofrompath=..." works). */
	r = alu_conf_repofrompath(c, ctx, e);
	if (!r)
		r = alu_conf_setopt_repos(c, ctx, e);
	if (!r)
		r = alu_conf_repo_ops(c, ctx, e);
	for (size_t i = 0; !r && i < c->nrepos; i++)
		if (c->repos[i].file && !strcmp(c->repos[i].file, "--repofrompath"))
			c->repos[i].enabled = 1;
	if (!r && ctx->nogpgcheck)
		nogpgcheck(c);
out:
	alu_ini_free(&main_ini);
	alu_smap_free(&ix.ids);
	if (r == -ENOMEM)
		alu_err_set(e, r, "out of memory reading the configuration");
	return r;
}
