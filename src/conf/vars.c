/* SPDX-License-Identifier: MIT */
/* yum/dnf variables: builtins, /etc/yum/vars, /etc/dnf/vars, $var/${var} substitution. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "conf/conf_int.h"
#include "util/out.h"
#include "util/rootfs.h"

static alu_conf_releasever_fn rv_hook;
static void *rv_arg;

void alu_conf_set_releasever(alu_conf_releasever_fn fn, void *arg)
{
	rv_hook = fn;
	rv_arg = arg;
}

static int is_name_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

static const struct { const char *arch, *base; } arch_map[] = {
	{ "i386", "i386" }, { "i486", "i386" }, { "i586", "i386" }, { "i686", "i386" },
	{ "athlon", "i386" }, { "geode", "i386" }, { "pentium3", "i386" }, { "pentium4", "i386" },
	{ "amd64", "x86_64" }, { "ia32e", "x86_64" }, { "x86_64", "x86_64" },
	{ "aarch64", "aarch64" }, { "arm64", "aarch64" },
	{ "armv7l", "armhfp" }, { "armv7hl", "armhfp" }, { "armv7hnl", "armhfp" }, { "armv6hl", "armhfp" },
	{ "armv8l", "armhfp" }, { "armv5tel", "arm" }, { "armv5tl", "arm" }, { "armv6l", "arm" },
	{ "ppc64le", "ppc64le" }, { "ppc64", "ppc64" }, { "ppc", "ppc" },
	{ "s390x", "s390x" }, { "riscv64", "riscv64" },
};

const char *alu_conf_basearch(const char *m)
{
	for (size_t i = 0; i < sizeof(arch_map) / sizeof(*arch_map); i++)
		if (!strcmp(m, arch_map[i].arch))
			return arch_map[i].base;
	return m;
}

int alu_conf_arch_known(const char *m)
{
	for (size_t i = 0; i < sizeof(arch_map) / sizeof(*arch_map); i++)
		if (!strcmp(m, arch_map[i].arch))
			return 1;
	return 0;
}

const char *alu_conf_var(const struct alu_conf *c, const char *name)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < c->vars.n; i++)
		if (!strncmp(c->vars.v[i], name, nl) && c->vars.v[i][nl] == '=')
			return c->vars.v[i] + nl + 1;
	return NULL;
}

static int cmp_var(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alu_conf_var_set(struct alu_conf *c, const char *name, const char *val)
{
	size_t nl = strlen(name);
	char *kv = malloc(nl + strlen(val) + 2);
	int r;

	if (!kv)
		return -ENOMEM;
	sprintf(kv, "%s=%s", name, val);
	for (size_t i = 0; i < c->vars.n; i++) {
		if (!strncmp(c->vars.v[i], name, nl) && c->vars.v[i][nl] == '=') {
			free(c->vars.v[i]);
			c->vars.v[i] = kv;
			return 0;
		}
	}
	r = alu_strv_push(&c->vars, kv);
	free(kv);
	if (!r)
		qsort(c->vars.v, c->vars.n, sizeof(*c->vars.v), cmp_var);
	return r;
}

int alu_conf_subst(const struct alu_conf *c, const char *in, char **out)
{
	size_t cap = strlen(in) + 64, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	while (*in) {
		const char *name = NULL, *val = NULL;
		size_t nl = 0, skip = 0;

		if (in[0] == '$' && in[1] == '{') {
			name = in + 2;
			while (is_name_char((unsigned char)name[nl]))
				nl++;
			if (nl && name[nl] == '}')
				skip = nl + 3;
		} else if (in[0] == '$') {
			name = in + 1;
			while (is_name_char((unsigned char)name[nl]))
				nl++;
			if (nl)
				skip = nl + 1;
		}
		if (skip) {
			char tmp[128];
			if (nl < sizeof(tmp)) {
				memcpy(tmp, name, nl);
				tmp[nl] = 0;
				val = alu_conf_var(c, tmp);
			}
		}
		const char *src = val ? val : in;
		size_t len = val ? strlen(val) : 1;
		if (n + len + 1 > cap) {
			cap = (n + len + 1) * 2;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		memcpy(buf + n, src, len);
		n += len;
		in += val ? skip : 1;
	}
	buf[n] = 0;
	*out = buf;
	return 0;
}

/* First line of a small file, trimmed; NULL when unreadable. */
static char *first_line(const char *path)
{
	FILE *f = alu_root_fopen(path);
	char buf[1024];
	char *p, *end;

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (p = buf; isspace((unsigned char)*p); p++)
		;
	end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		*--end = 0;
	return strdup(p);
}

static int load_dir(struct alu_conf *c, const char *dir)
{
	char *path = alu_conf_path(c, dir);
	struct dirent **ents = NULL;
	int n, r = 0;

	if (!path)
		return -ENOMEM;
	n = alu_root_scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		int ok = *nm != 0;
		for (const char *q = nm; *q; q++)
			ok &= is_name_char((unsigned char)*q);
		if (ok && !r) {
			char full[4096];
			struct stat st;
			snprintf(full, sizeof(full), "%s/%s", path, nm);
			if (!stat(full, &st) && S_ISREG(st.st_mode)) {
				char *v = first_line(full);
				if (v)
					r = alu_conf_var_set(c, nm, v);
				else
					alu_warn("%s/%s: %s (variable ignored)", dir, nm, strerror(errno));
				free(v);
			}
		}
		free(ents[i]);
	}
	free(ents);
	free(path);
	return r;
}

/* "X" of /etc/system-release's "... release X ..." (AL2023's is a link to
 * /etc/amazon-linux-release), or NULL. */
char *alu_conf_system_release(const struct alu_conf *c)
{
	char *path = alu_conf_path(c, "/etc/system-release"), line[512], *res = NULL;
	FILE *f;

	if (path && (f = alu_root_fopen(path))) {
		if (fgets(line, sizeof(line), f)) {
			char *v = strstr(line, " release ");
			if (v) {
				v += 9;
				v[strcspn(v, " \t\r\n")] = 0;
				if (*v)
					res = strdup(v);
			}
		}
		fclose(f);
	}
	free(path);
	return res;
}

/* VERSION_ID from os-release, or "release X" from system-release; the
 * latter when it is the dated form of the former. */
static char *releasever_from_files(const struct alu_conf *c)
{
	char *path = alu_conf_path(c, "/etc/os-release");
	char line[512], *res = NULL, *sr;
	FILE *f;

	if (path && (f = alu_root_fopen(path))) {
		while (!res && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "VERSION_ID=", 11))
				continue;
			char *v = line + 11;
			v[strcspn(v, "\r\n")] = 0;
			size_t l = strlen(v);
			if (l >= 2 && (v[0] == '"' || v[0] == '\'') && v[l - 1] == v[0]) {
				v[l - 1] = 0;
				v++;
			}
			if (*v)
				res = strdup(v);
		}
		fclose(f);
	}
	free(path);
	sr = alu_conf_system_release(c);
	/* AL2023: os-release says "2023", the release the root is on is the
	 * dated one of system-release ("2023.6.20241010"), which is what dnf
	 * takes (the version of the package providing system-release(releasever)) */
	if (res && sr && !strncmp(sr, res, strlen(res)) && sr[strlen(res)] == '.') {
		free(res);
		return sr;
	}
	if (res) {
		free(sr);
		return res;
	}
	return sr;
}

int alu_conf_vars_load(struct alu_conf *c, const struct alu_ctx *ctx)
{
	struct utsname u;
	char *rv = NULL;
	int r;

	if (uname(&u) < 0)
		strcpy(u.machine, "x86_64");
	/* --forcearch, or an image of another platform: $arch, $basearch and the
	 * solver's architecture are its, not the host's (as dnf's --forcearch) */
	if (ctx->forcearch)
		snprintf(u.machine, sizeof(u.machine), "%s", ctx->forcearch);
	free(c->arch);
	free(c->basearch);
	c->arch = strdup(u.machine);
	c->basearch = strdup(alu_conf_basearch(u.machine));
	if (!c->arch || !c->basearch)
		return -ENOMEM;
	if (ctx->releasever)
		rv = strdup(ctx->releasever);
	else if (!rv_hook || rv_hook(*c->root ? c->root : "/", &rv, rv_arg) < 0 || !rv)
		rv = releasever_from_files(c);
	if (!rv && !(rv = strdup("2")))
		return -ENOMEM;
	free(c->releasever);
	c->releasever = rv;

	r = alu_conf_var_set(c, "releasever", c->releasever);
	if (!r) r = alu_conf_var_set(c, "arch", c->arch);
	if (!r) r = alu_conf_var_set(c, "basearch", c->basearch);
	if (!r) r = alu_conf_var_set(c, "awsregion", c->regions.n ? c->regions.v[0] : "us-east-1");
	if (!r) r = alu_conf_var_set(c, "awsdomain", "amazonaws.com");
	if (!r) r = load_dir(c, "/etc/yum/vars");
	if (!r) r = load_dir(c, "/etc/dnf/vars");
	if (r)
		return r;
	/* The command line wins over a vars file; the struct follows the files otherwise. */
	if (ctx->releasever)
		r = alu_conf_var_set(c, "releasever", ctx->releasever);
	const char *b = alu_conf_var(c, "basearch"), *rel = alu_conf_var(c, "releasever");
	char *nb = strdup(b), *nr = strdup(rel);
	if (!nb || !nr) {
		free(nb);
		free(nr);
		return -ENOMEM;
	}
	free(c->basearch);
	free(c->releasever);
	c->basearch = nb;
	c->releasever = nr;
	return r;
}
