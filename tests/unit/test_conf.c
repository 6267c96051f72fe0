/* SPDX-License-Identifier: MIT */
/* src/conf: INI edge cases, values, substitution, overrides, alupdate.yaml. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_int.h"
#include "util/out.h"

/* $basearch is the machine's: the aarch64 build runs these under qemu-aarch64 */
static const char *host_basearch(void)
{
	static struct utsname u;

	return uname(&u) ? "x86_64" : alu_conf_basearch(u.machine);
}

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) passed++; \
	else { failed++; fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)
#define STREQ(a, b) CHECK((a) && (b) && !strcmp((a), (b)))

static char root[] = "/tmp/alu-test-conf-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX], cmd[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd))
		abort();
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static void rm(const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%s", root, rel);
	unlink(path);
}

static int parse(struct alu_ini *ini, const char *text)
{
	return alu_ini_parse(ini, "t.repo", text, strlen(text));
}

static void test_ini(void)
{
	struct alu_ini ini;
	const struct alu_ini_sec *s;

	CHECK(parse(&ini, "[a]\nKey=v1\nb = v 2 \nc: x:y\n# c=1\n; c=2\n  # indented comment\n") == 0);
	s = alu_ini_section(&ini, "a");
	STREQ(alu_ini_get(s, "key"), "v1");
	STREQ(alu_ini_get(s, "b"), "v 2");
	STREQ(alu_ini_get(s, "c"), "x:y");
	alu_ini_free(&ini);

	/* Continuation lines, across a blank line, and after an empty first value. */
	CHECK(parse(&ini, "[r]\nbaseurl=\n  http://a/\n\n\thttp://b/\nname=x ;comment\nurl=http://h/;x\n") == 0);
	s = alu_ini_section(&ini, "r");
	STREQ(alu_ini_get(s, "baseurl"), "http://a/\nhttp://b/");
	STREQ(alu_ini_get(s, "name"), "x");
	STREQ(alu_ini_get(s, "url"), "http://h/;x");
	alu_ini_free(&ini);

	/* Duplicate sections: the later wins (and moves to its place); duplicate keys: the later value. */
	CHECK(parse(&ini, "[a]\nx=1\n[b]\ny=2\n[a]\nz=3\nz=4\n") == 0);
	CHECK(ini.nsecs == 2);
	STREQ(ini.secs[0].name, "b");
	s = alu_ini_section(&ini, "a");
	CHECK(alu_ini_get(s, "x") == NULL);
	STREQ(alu_ini_get(s, "z"), "4");
	CHECK(s && s->line == 5);
	alu_ini_free(&ini);

	/* Malformed lines are skipped, the rest is read. */
	CHECK(parse(&ini, "orphan=1\n[a\nk=skipped\n[ok]\njunk line\n=novalue\nk=v\n[bad] trailing\nq=1\n[]\n") == 0);
	CHECK(ini.nsecs == 1);
	s = alu_ini_section(&ini, "ok");
	STREQ(alu_ini_get(s, "k"), "v");
	CHECK(s && s->nkv == 1);
	alu_ini_free(&ini);

	/* CRLF, BOM, NUL bytes, no final newline. */
	static const char bin[] = "\xef\xbb\xbf[w]\r\na=1\r\nb=x\0yz\nc=3";
	CHECK(alu_ini_parse(&ini, "t", bin, sizeof(bin) - 1) == 0);
	s = alu_ini_section(&ini, "w");
	STREQ(alu_ini_get(s, "a"), "1");
	STREQ(alu_ini_get(s, "b"), "x");
	STREQ(alu_ini_get(s, "c"), "3");
	alu_ini_free(&ini);

	/* A last line without '=' nor newline, in a buffer with no NUL after it (fuzz find). */
	char *exact = malloc(8);
	memcpy(exact, "[a]\njunk", 8);
	CHECK(alu_ini_parse(&ini, "t", exact, 8) == 0 && ini.nsecs == 1);
	alu_ini_free(&ini);
	free(exact);

	CHECK(parse(&ini, "") == 0 && ini.nsecs == 0);
	alu_ini_free(&ini);
}

static void test_values(void)
{
	long s;

	CHECK(alu_conf_parse_bool("Yes") == 1);
	CHECK(alu_conf_parse_bool("on") == 1);
	CHECK(alu_conf_parse_bool("TRUE") == 1);
	CHECK(alu_conf_parse_bool("1") == 1);
	CHECK(alu_conf_parse_bool("off") == 0);
	CHECK(alu_conf_parse_bool("no") == 0);
	CHECK(alu_conf_parse_bool("false") == 0);
	CHECK(alu_conf_parse_bool("0") == 0);
	CHECK(alu_conf_parse_bool("2") == -EINVAL);
	CHECK(alu_conf_parse_bool("") == -EINVAL);
	CHECK(alu_conf_parse_duration("300", &s) == 0 && s == 300);
	CHECK(alu_conf_parse_duration("90m", &s) == 0 && s == 5400);
	CHECK(alu_conf_parse_duration("6h", &s) == 0 && s == 21600);
	CHECK(alu_conf_parse_duration("2d", &s) == 0 && s == 172800);
	CHECK(alu_conf_parse_duration("10s", &s) == 0 && s == 10);
	CHECK(alu_conf_parse_duration("never", &s) == 0 && s == ALU_CONF_EXPIRE_NEVER);
	CHECK(alu_conf_parse_duration("-1", &s) == 0 && s == ALU_CONF_EXPIRE_NEVER);
	CHECK(alu_conf_parse_duration("6x", &s) == -EINVAL);
	CHECK(alu_conf_parse_duration("h", &s) == -EINVAL);
	CHECK(alu_conf_parse_duration("99999999999999999999d", &s) == -EINVAL);
	STREQ(alu_conf_basearch("i686"), "i386");
	STREQ(alu_conf_basearch("x86_64"), "x86_64");
	STREQ(alu_conf_basearch("armv7l"), "armhfp");
	STREQ(alu_conf_basearch("aarch64"), "aarch64");
}

static void test_subst(void)
{
	struct alu_conf c = { 0 };
	char *out = NULL;

	CHECK(alu_conf_var_set(&c, "basearch", "x86_64") == 0);
	CHECK(alu_conf_var_set(&c, "releasever", "2") == 0);
	CHECK(alu_conf_var_set(&c, "releasever", "3") == 0);
	CHECK(c.vars.n == 2);
	struct { const char *in, *out; } cases[] = {
		{ "/$releasever/$basearch/", "/3/x86_64/" },
		{ "${basearch}x", "x86_64x" },
		{ "$basearchx", "$basearchx" },
		{ "$nope ${nope} $", "$nope ${nope} $" },
		{ "${basearch", "${basearch" },
		{ "$$basearch", "$x86_64" },
		{ "${}", "${}" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		CHECK(alu_conf_subst(&c, cases[i].in, &out) == 0);
		if (out && strcmp(out, cases[i].out))
			fprintf(stderr, "subst('%s') = '%s', want '%s'\n", cases[i].in, out, cases[i].out);
		STREQ(out, cases[i].out);
		free(out);
		out = NULL;
	}
	alu_conf_free(&c);
}

static int load(struct alu_ctx *ctx, struct alu_conf *c, struct alu_err *e)
{
	alu_err_clear(e);
	return alu_conf_load(ctx, c, e);
}

static int fake_rv(const char *r, char **out, void *arg)
{
	(void)r;
	*out = strdup(arg);
	return 0;
}

static void test_load(void)
{
	struct alu_ctx ctx = { .root = root };
	struct alu_conf c;
	struct alu_err e = { 0 };
	const struct alu_repo *r;

	/* An empty root says so. */
	CHECK(load(&ctx, &c, &e) == -ALUE_NOCONF);
	CHECK(strstr(e.msg, "no repository configuration in") != NULL);
	alu_conf_free(&c);

	put("/etc/yum.conf", "[main]\ngpgcheck=1\ntimeout=5\nexclude=foo*\nbogus=1\nretries=abc\n"
		"[inconf]\nbaseurl=file:///x\n");
	put("/etc/yum/vars/awsregion", "  eu-west-1  \nignored\n");
	put("/etc/dnf/vars/product", "core\n");
	put("/etc/os-release", "NAME=x\nVERSION_ID=\"2\"\n");
	put("/etc/yum.repos.d/a.repo",
		"[core]\nname=Core $basearch\nmirrorlist=http://amazonlinux.$awsregion.$awsdomain/$releasever/$product/latest/$basearch/mirror.list\n"
		"priority=10\nenabled=1\nmetadata_expire=300\n"
		"[core-source]\nname=src\nbaseurl=http://h/1/\n  http://h/2/\nenabled=0\ntimeout=9\n"
		"[nourl]\nname=none\n"
		"[bad id!]\nbaseurl=http://x/\n");
	put("/etc/yum.repos.d/b.repo", "[extra]\nmetalink=https://m/?r=$releasever\nenabled=no\nproxy=_none_\n");
	put("/etc/yum.repos.d/ignored.txt", "[nope]\nbaseurl=http://n/\n");
	CHECK(load(&ctx, &c, &e) == 0);
	CHECK(c.gpgcheck == 1 && c.timeout == 5);
	CHECK(c.exclude.n == 1);
	STREQ(c.releasever, "2");
	STREQ(alu_conf_var(&c, "awsregion"), "eu-west-1");
	STREQ(alu_conf_var(&c, "awsdomain"), "amazonaws.com");
	CHECK(c.nrepos == 4);
	r = alu_conf_repo(&c, "core");
	CHECK(r && r->enabled && r->priority == 10 && r->metadata_expire == 300 && r->gpgcheck == 1);
	CHECK(r && r->timeout == 5 && r->cost == 1000);
	if (r) {
		char want[256];
		snprintf(want, sizeof(want), "http://amazonlinux.eu-west-1.amazonaws.com/2/core/latest/%s/mirror.list",
			 host_basearch());
		STREQ(r->mirrorlist, want);
		CHECK(strncmp(r->name, "Core ", 5) == 0 && strchr(r->name, '$') == NULL);
		CHECK(r->line == 1);
	}
	r = alu_conf_repo(&c, "core-source");
	CHECK(r && !r->enabled && r->baseurls.n == 2 && r->timeout == 9);
	r = alu_conf_repo(&c, "extra");
	CHECK(r && !r->enabled && r->proxy == NULL);
	if (r)
		STREQ(r->metalink, "https://m/?r=2");
	CHECK(alu_conf_repo(&c, "inconf") != NULL);
	CHECK(alu_conf_repo(&c, "nourl") == NULL);
	CHECK(alu_conf_repo(&c, "nope") == NULL);
	alu_conf_free(&c);

	/* Overrides: setopt (main, repo glob), enable/disable in order, repofrompath, -x, --nogpgcheck. */
	alu_strv_push(&ctx.setopts, "timeout=11");
	alu_strv_push(&ctx.setopts, "core*.priority=5");
	alu_strv_push(&ctx.setopts, "Core-Source.Cost=7");
	alu_strv_push(&ctx.repo_ops, "-*");
	alu_strv_push(&ctx.repo_ops, "+core*");
	alu_strv_push(&ctx.repo_ops, "-core-source");
	alu_strv_push(&ctx.repofrompath, "local,/srv/repo");
	alu_strv_push(&ctx.repofrompath, "web,http://h/$basearch/");
	alu_strv_push(&ctx.excludes, "bar");
	ctx.nogpgcheck = 1;
	ctx.releasever = "7";
	CHECK(load(&ctx, &c, &e) == 0);
	CHECK(c.timeout == 11 && c.gpgcheck == 0 && c.exclude.n == 2);
	STREQ(c.releasever, "7");
	r = alu_conf_repo(&c, "core");
	CHECK(r && r->enabled && r->priority == 5 && r->gpgcheck == 0 && r->timeout == 11);
	if (r)
		CHECK(strstr(r->mirrorlist, "/7/core/") != NULL);
	r = alu_conf_repo(&c, "core-source");
	CHECK(r && !r->enabled && r->priority == 5 && r->cost == 1000);
	CHECK(alu_conf_repo(&c, "extra") && !alu_conf_repo(&c, "extra")->enabled);
	CHECK(alu_conf_repo(&c, "inconf") && !alu_conf_repo(&c, "inconf")->enabled);
	r = alu_conf_repo(&c, "local");
	CHECK(r && r->enabled && r->baseurls.n == 1);
	if (r)
		STREQ(r->baseurls.v[0], "file:///srv/repo");
	r = alu_conf_repo(&c, "web");
	if (r) {
		char want[128];
		snprintf(want, sizeof(want), "http://h/%s/", host_basearch());
		STREQ(r->baseurls.v[0], want);
	}
	CHECK(c.nrepos == 6);
	alu_conf_free(&c);
	alu_strv_free(&ctx.setopts);
	alu_strv_free(&ctx.repo_ops);
	alu_strv_free(&ctx.repofrompath);
	alu_strv_free(&ctx.excludes);
	ctx.nogpgcheck = 0;
	ctx.releasever = NULL;

	/* Bad command-line overrides fail with a message. */
	/* an unknown key only warns, as yum (issue 13) */
	alu_strv_push(&ctx.setopts, "nosuchkey=1");
	CHECK(load(&ctx, &c, &e) == 0);
	alu_conf_free(&c);
	alu_strv_free(&ctx.setopts);
	alu_strv_push(&ctx.setopts, "gpgcheck=maybe");
	CHECK(load(&ctx, &c, &e) == -ALUE_USAGE && strstr(e.msg, "maybe"));
	alu_conf_free(&c);
	alu_strv_free(&ctx.setopts);
	alu_strv_push(&ctx.setopts, "noequals");
	CHECK(load(&ctx, &c, &e) == -ALUE_USAGE);
	alu_conf_free(&c);
	alu_strv_free(&ctx.setopts);
	alu_strv_push(&ctx.setopts, "core.bogus=1");
	CHECK(load(&ctx, &c, &e) == 0);
	alu_conf_free(&c);
	alu_strv_free(&ctx.setopts);
	alu_strv_push(&ctx.setopts, "core.gpgcheck=maybe");
	CHECK(load(&ctx, &c, &e) == -ALUE_USAGE && strstr(e.msg, "maybe"));
	alu_conf_free(&c);
	alu_strv_free(&ctx.setopts);
	alu_strv_push(&ctx.repo_ops, "+missing");
	CHECK(load(&ctx, &c, &e) == -ALUE_NOTFOUND && strstr(e.msg, "missing"));
	alu_conf_free(&c);
	alu_strv_free(&ctx.repo_ops);
	alu_strv_push(&ctx.repo_ops, "+miss*");
	alu_strv_push(&ctx.repo_ops, "-missing");
	CHECK(load(&ctx, &c, &e) == 0);
	alu_conf_free(&c);
	alu_strv_free(&ctx.repo_ops);
	alu_strv_push(&ctx.repofrompath, "nocomma");
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG);
	alu_conf_free(&c);
	alu_strv_free(&ctx.repofrompath);
	alu_strv_push(&ctx.repofrompath, "core,/x");
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG && strstr(e.msg, "already exists"));
	alu_conf_free(&c);
	alu_strv_free(&ctx.repofrompath);

	/* -c names a missing file. */
	ctx.config = "/nonexistent/yum.conf";
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG && strstr(e.msg, "/nonexistent/yum.conf"));
	alu_conf_free(&c);
	ctx.config = NULL;

	/* dnf.conf wins over yum.conf; the releasever hook over os-release. */
	put("/etc/dnf/dnf.conf", "[main]\ngpgcheck=0\n");
	alu_conf_set_releasever(fake_rv, "2023");
	CHECK(load(&ctx, &c, &e) == 0);
	CHECK(c.gpgcheck == 0 && c.conffile && strstr(c.conffile, "dnf.conf"));
	STREQ(c.releasever, "2023");
	alu_conf_free(&c);
	alu_conf_set_releasever(NULL, NULL);
	rm("/etc/dnf/dnf.conf");
}

static void test_yaml(void)
{
	struct alu_ctx ctx = { .root = root };
	struct alu_conf c;
	struct alu_err e = { 0 };

	put(ALU_CONF_YAML, "regions: [us-west-2, us-east-1]\ncachedir: /var/cache/x\n"
		"metadata_expire: 1h\nboot:\n  update: false\n  severities: [Critical]\n");
	rm("/etc/yum/vars/awsregion");
	CHECK(load(&ctx, &c, &e) == 0);
	CHECK(c.regions.n == 2 && c.boot_update == 0 && c.boot_severities.n == 1);
	STREQ(alu_conf_var(&c, "awsregion"), "us-west-2");
	STREQ(c.boot_severities.v[0], "critical");
	CHECK(c.metadata_expire == 3600);
	CHECK(c.cachedir && strstr(c.cachedir, root) == c.cachedir && strstr(c.cachedir, "/var/cache/x"));
	alu_conf_free(&c);

	put(ALU_CONF_YAML, "regions: [us-west-2\nboot: {\n");
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG);
	CHECK(strstr(e.msg, ALU_CONF_YAML ":3:1: ") != NULL);
	fprintf(stderr, "(expected) %s\n", e.msg);
	alu_conf_free(&c);

	put(ALU_CONF_YAML, "regions:\n  - us-east-1\nfoo: 1\n");
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG);
	CHECK(strstr(e.msg, ALU_CONF_YAML ":3:1: unknown key 'foo'") != NULL);
	fprintf(stderr, "(expected) %s\n", e.msg);
	alu_conf_free(&c);

	put(ALU_CONF_YAML, "boot:\n  update: perhaps\n");
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG && strstr(e.msg, ":2:11:"));
	alu_conf_free(&c);

	put(ALU_CONF_YAML, "boot:\n  severities: [urgent]\n");
	CHECK(load(&ctx, &c, &e) == -ALUE_CONFIG && strstr(e.msg, "urgent"));
	alu_conf_free(&c);

	put(ALU_CONF_YAML, "");
	CHECK(load(&ctx, &c, &e) == 0 && c.boot_update == 1 && c.boot_severities.n == 2);
	alu_conf_free(&c);
	rm(ALU_CONF_YAML);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	test_ini();
	test_values();
	test_subst();
	test_load();
	test_yaml();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", root);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
