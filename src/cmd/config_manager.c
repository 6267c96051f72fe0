/* SPDX-License-Identifier: MIT */
/*
 * `alupdate config-manager` (also run as `yum-config-manager`), yum-utils'
 * tool for repository files:
 *   --add-repo URL|FILE    a URL ending in .repo (or a local .repo file) is
 *                          copied into the first reposdir under its own name;
 *                          any other URL becomes <id>.repo with one section
 *                          [id] (id: the URL sanitized as yum and dnf do)
 *   --enable|--disable [REPO...]  enabled=1/0 in each matching repository's
 *                          section (globs; none given: the enabled ones)
 *   --save --setopt=R.key=value   key=value in repository R's section (a
 *                          glob); --setopt=key=value goes to [main] of yum.conf
 * Every file changed is edited as text (conf/iniedit.h: comments, order and
 * the rest of the file kept), all edits are checked first, then each file
 * is replaced atomically through the root's safe walk (txn/rootfile.h).
 * A repository pattern that matches nothing is an error, as in dnf.
 * Without any of these (or with --dump) it shows the configuration, as
 * `alupdate config [REPO...]` does.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "conf/conf.h"
#include "conf/iniedit.h"
#include "net/net.h"
#include "txn/rootfile.h"
#include "util/out.h"

#define OPTS(X) \
	X(O_ADDREPO, "add-repo", 0, 1) \
	X(O_ADDREPO2, "addrepo", 0, 1) \
	X(O_ENABLE, "enable", 0, 0) \
	X(O_DISABLE, "disable", 0, 0) \
	X(O_SETENABLED, "set-enabled", 0, 0) \
	X(O_SETDISABLED, "set-disabled", 0, 0) \
	X(O_SAVE, "save", 0, 0) \
	X(O_DUMP, "dump", 0, 0)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

#define FILE_MAX (1u << 20)

struct priv {
	struct alu_strv add;
	int enable, disable, save, dump;
};

/* A file being edited: path inside the root and its new text. */
struct edit {
	char *path, *text;
	size_t len;
};

struct edits {
	struct edit v[64];
	size_t n;
	const char *root;
};

static int parse(void *pv, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *p = pv;

	(void)ctx;
	switch (id) {
	case O_ADDREPO:
	case O_ADDREPO2: return alu_strv_push(&p->add, arg);
	case O_ENABLE:
	case O_SETENABLED: p->enable = 1; return 0;      /* --set-enabled: dnf's spelling */
	case O_DISABLE:
	case O_SETDISABLED: p->disable = 1; return 0;
	case O_SAVE: p->save = 1; return 0;
	case O_DUMP: p->dump = 1; return 0;
	}
	return -ENOTSUP;
}

/* the path inside the root of host path @p host */
static const char *in_root(const struct alu_conf *c, const char *host)
{
	size_t rl = strlen(c->root);

	return rl && !strncmp(host, c->root, rl) && host[rl] == '/' ? host + rl : host;
}

static struct edit *edit_get(struct edits *es, const char *path, struct alu_err *e)
{
	struct edit *x;
	int rc;

	for (size_t i = 0; i < es->n; i++)
		if (!strcmp(es->v[i].path, path))
			return &es->v[i];
	if (es->n == sizeof(es->v) / sizeof(*es->v)) {
		alu_err_set(e, -E2BIG, "too many files to change at once");
		return NULL;
	}
	x = &es->v[es->n];
	if ((rc = alu_root_file_read(es->root, path, FILE_MAX, &x->text, &x->len, e))) {
		if (rc == -ENOENT)
			alu_err_set(e, rc, "%s: no such file", path);
		return NULL;
	}
	if (!(x->path = strdup(path))) {
		free(x->text);
		alu_err_set(e, -ENOMEM, "out of memory");
		return NULL;
	}
	es->n++;
	return x;
}

static int edit_set(struct edits *es, const char *path, const char *sec, const char *key,
		    const char *val, struct alu_err *e)
{
	struct edit *x = edit_get(es, path, e);
	char *out;
	size_t n;
	int rc;

	if (!x)
		return e->code ? e->code : -EIO;
	rc = alu_ini_edit_set(x->text, x->len, sec, key, val, &out, &n);
	if (rc == -ENOENT)
		return alu_err_set(e, rc, "%s: no section [%s]", path, sec);
	if (rc)
		return alu_err_set(e, rc, "%s: cannot set %s=%s: %s", path, key, val, strerror(-rc));
	free(x->text);
	x->text = out;
	x->len = n;
	return 0;
}

/* yum's and dnf's sanitize_url_to_fs: the repository id of an added URL */
static void sanitize(const char *url, char *out, size_t n)
{
	const char *p = url, *q;
	size_t o = 0;

	for (q = p; isalnum((unsigned char)*q) || *q == '_'; q++)
		;
	if (q > p && *q == ':') {
		p = q + 1;
		while (*p == '/')
			p++;
		if (!strncmp(p, "www.", 4))
			p += 4;
	}
	while (*p == ',' || *p == '.')
		p++;
	for (; *p && o + 1 < n; p++) {
		if (strchr("?/:&#|~*[]()'\\", *p)) {
			if (!o || out[o - 1] != '_')
				out[o++] = '_';
		} else if (isalnum((unsigned char)*p) || strchr("_.-", *p)) {
			out[o++] = *p;
		}
	}
	while (o && (out[o - 1] == ',' || out[o - 1] == '.'))
		o--;
	out[o] = 0;
}

static int add_repo(struct alu_conf *c, const char *arg, struct edits *es, struct alu_err *e)
{
	char url[4096], dest[4096], id[256], *buf = NULL;
	const char *dir = c->reposdirs.n ? c->reposdirs.v[0] : "/etc/yum.repos.d", *base;
	size_t len = 0, n = strlen(arg);
	int rc;

	if (strstr(arg, "://")) {
		snprintf(url, sizeof(url), "%s", arg);
	} else {
		char cwd[2048];
		if (arg[0] != '/' && !getcwd(cwd, sizeof(cwd)))
			return alu_err_set(e, -errno, "getcwd: %s", strerror(errno));
		snprintf(url, sizeof(url), "file://%s%s%s", arg[0] == '/' ? "" : cwd,
			 arg[0] == '/' ? "" : "/", arg);
	}
	alu_msg("adding repo from: %s", url);
	if (n > 5 && !strcmp(arg + n - 5, ".repo")) {
		struct alu_net *net = NULL;
		base = strrchr(url, '/') + 1;
		if (!*base || *base == '.')
			return alu_err_set(e, -EINVAL, "%s: not a .repo file name", url);
		rc = alu_net_new(&net) ? alu_err_set(e, -ENOMEM, "out of memory") :
		     alu_net_get_mem(net, url, NULL, FILE_MAX, &buf, &len, e);
		alu_net_free(net);
		if (rc)
			return rc;
		/* an error page or a truncated file must not become a repository file */
		if (!memchr(buf, '[', len) || memchr(buf, 0, len)) {
			free(buf);
			return alu_err_set(e, -ALUE_CORRUPT, "%s: not a repository file (no [section])", url);
		}
		snprintf(dest, sizeof(dest), "%s/%s", dir, base);
	} else {
		sanitize(url, id, sizeof(id));
		if (!*id)
			return alu_err_set(e, -EINVAL, "%s: no repository id can be made of it", url);
		snprintf(dest, sizeof(dest), "%s/%s.repo", dir, id);
		len = (size_t)snprintf(NULL, 0, "\n[%s]\nname=added from: %s\nbaseurl=%s\nenabled=1\n\n", id, url, url);
		if (!(buf = malloc(len + 1)))
			return alu_err_set(e, -ENOMEM, "out of memory");
		snprintf(buf, len + 1, "\n[%s]\nname=added from: %s\nbaseurl=%s\nenabled=1\n\n", id, url, url);
	}
	rc = alu_root_file_write(es->root, dest, buf, len, 0644, e);
	free(buf);
	if (!rc)
		alu_msg("repo saved to %s", dest);
	return rc;
}

static int repo_edits(struct alu_conf *c, struct priv *p, struct alu_ctx *ctx, int argc, char **argv,
		      struct edits *es, struct alu_err *e)
{
	int rc = 0;

	/* 1. --enable/--disable: the named repositories, or the enabled ones */
	for (int i = 0; !rc && (p->enable || p->disable) && i < (argc ? argc : 1); i++) {
		int hits = 0;
		for (size_t j = 0; !rc && j < c->nrepos; j++) {
			struct alu_repo *r = &c->repos[j];
			if (argc ? fnmatch(argv[i], r->id, 0) != 0 : !r->enabled)
				continue;
			hits++;
			if (!r->file)
				rc = alu_err_set(e, -EINVAL, "repository %s is not from a file", r->id);
			else
				rc = edit_set(es, in_root(c, r->file), r->id, "enabled", p->enable ? "1" : "0", e);
		}
		if (!rc && argc && !hits)
			rc = alu_err_set(e, -ALUE_NOTFOUND, "No matching repo to modify: %s.", argv[i]);
	}
	/* 2. --setopt with --save (or with --enable/--disable, which save) */
	for (size_t i = 0; !rc && (p->save || p->enable || p->disable) && i < ctx->setopts.n; i++) {
		const char *opt = ctx->setopts.v[i], *eq = strchr(opt, '='), *dot;
		char spec[512], key[256];
		int hits = 0;

		if (!eq)
			continue;   /* conf loading refused it already */
		dot = memrchr(opt, '.', (size_t)(eq - opt));
		snprintf(key, sizeof(key), "%.*s", (int)(eq - (dot ? dot + 1 : opt)), dot ? dot + 1 : opt);
		if (!dot) {
			if (!c->conffile)
				rc = alu_err_set(e, -ENOENT, "--setopt=%s: no yum.conf to save it in", opt);
			else
				rc = edit_set(es, in_root(c, c->conffile), "main", key, eq + 1, e);
			continue;
		}
		snprintf(spec, sizeof(spec), "%.*s", (int)(dot - opt), opt);
		for (size_t j = 0; !rc && j < c->nrepos; j++) {
			struct alu_repo *r = &c->repos[j];
			if (fnmatch(spec, r->id, 0) || !r->file)
				continue;
			hits++;
			rc = edit_set(es, in_root(c, r->file), r->id, key, eq + 1, e);
		}
		if (!rc && !hits)
			rc = alu_err_set(e, -ALUE_NOTFOUND, "No matching repo to modify: %s.", spec);
	}
	return rc;
}

static int run(void *pv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *p = pv;
	struct alu_conf c;
	struct alu_err e = { 0 };
	struct edits es = { .n = 0 };
	int rc;

	if (!p->add.n && !p->enable && !p->disable && !p->save) {
		/* yum-config-manager [REPO...] alone, or --dump: show the configuration */
		extern const struct alu_cmd alu_cmd_config;
		void *cp = calloc(1, alu_cmd_config.priv_size + 1);
		if (!ctx->setopts.n || p->dump) {
			rc = cp ? alu_cmd_config.run(cp, ctx, argc, argv) : 1;
			free(cp);
			return rc;
		}
		free(cp);
		alu_error("config-manager: nothing to do (--add-repo URL, --enable REPO, --disable REPO, "
			  "--save --setopt=REPO.KEY=VALUE)");
		alu_strv_free(&p->add);
		return 1;
	}
	if (p->enable && p->disable) {
		alu_error("config-manager: --enable and --disable cannot be given together");
		alu_strv_free(&p->add);
		return 1;
	}
	rc = alu_conf_load(ctx, &c, &e);
	es.root = ctx->root;
	for (size_t i = 0; !rc && i < p->add.n; i++)
		rc = add_repo(&c, p->add.v[i], &es, &e);
	if (!rc)
		rc = repo_edits(&c, p, ctx, argc, argv, &es, &e);
	/* every edit held: now write each file once */
	for (size_t i = 0; !rc && i < es.n; i++)
		rc = alu_root_file_write(es.root, es.v[i].path, es.v[i].text, es.v[i].len, 0644, &e);
	for (size_t i = 0; i < es.n; i++) {
		free(es.v[i].path);
		free(es.v[i].text);
	}
	alu_conf_free(&c);
	alu_strv_free(&p->add);
	if (rc) {
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(rc));
		return 1;
	}
	return 0;
}

const struct alu_cmd alu_cmd_config_manager = {
	.name = "config-manager",
	.summary = "add repositories, enable or disable them, save settings (yum-config-manager)",
	.usage = "[--add-repo URL] [--enable|--disable REPO...] [--save --setopt=REPO.KEY=VALUE]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
