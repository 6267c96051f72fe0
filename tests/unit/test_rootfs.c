/* SPDX-License-Identifier: MIT */
/* util/rootfs: lexical in-root paths, the no-symlink walk, regular-file reads;
 * and the INI reader's linear duplicate handling (order kept). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"
#include "util/rootfs.h"

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) passed++; \
	else { failed++; fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static const struct { const char *in, *out; } norms[] = {
	{ "/", "/" }, { "", "/" }, { "/a/b", "/a/b" }, { "a//b/", "/a/b" }, { "/./a/./", "/a" },
	{ "/..", "/" }, { "/../../..", "/" }, { "/a/../../b", "/b" }, { "/a/b/..", "/a" },
	{ "/a/..b/c", "/a/..b/c" }, { "/var/cache/../../../../etc", "/etc" },
};

static void test_norm(void)
{
	char out[PATH_MAX], *j;

	for (size_t i = 0; i < sizeof(norms) / sizeof(*norms); i++) {
		CHECK(alu_root_norm(norms[i].in, out, sizeof(out)) == 0);
		if (strcmp(out, norms[i].out))
			fprintf(stderr, "norm(%s) = %s, want %s\n", norms[i].in, out, norms[i].out);
		CHECK(!strcmp(out, norms[i].out));
	}
	CHECK(alu_root_norm("/abcdef", out, 4) == -ENAMETOOLONG);
	j = alu_root_join("/r/", "/../../etc/yum.conf");
	CHECK(j && !strcmp(j, "/r/etc/yum.conf"));
	free(j);
	j = alu_root_join("/r", "/..");
	CHECK(j && !strcmp(j, "/r"));
	free(j);
	j = alu_root_join("", "/var/../x");
	CHECK(j && !strcmp(j, "/x"));
	free(j);
}

static char top[] = "/tmp/alu-test-rootfs-XXXXXX";

static void sh(const char *fmt, const char *arg)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg, arg, arg);
	if (system(cmd))
		abort();
}

static void test_walk(void)
{
	char p[PATH_MAX];
	struct alu_err e = { 0 };
	size_t n = 0;
	off_t size;
	int fd;

	if (!mkdtemp(top))
		abort();
	sh("mkdir -p %s/root/var/cache %s/host && echo secret > %s/host/f && "
	   "ln -s %s/host %s/root/var/cache/alupdate", top);
	sh("ln -s /etc/real.conf %s/root/etc.conf; mkdir -p %s/root/etc; echo in-root > %s/root/etc/real.conf; "
	   "mkfifo %s/root/fifo", top);
	snprintf(p, sizeof(p), "%s/root", top);
	CHECK(alu_root_set(p) == 0);

	/* a symlinked directory of ours is refused, never followed */
	snprintf(p, sizeof(p), "%s/root/var/cache/alupdate/cache.mdb", top);
	CHECK(alu_root_opendir(p, ALU_ROOTF_CREATE, &fd, &e) == -ALUE_PATH);
	CHECK(strstr(e.msg, "is a symlink") != NULL);
	alu_err_clear(&e);
	snprintf(p, sizeof(p), "%s/root/var/cache/alupdate", top);
	CHECK(alu_root_rm_files(p, NULL, &n, &e) == -ALUE_PATH && n == 0);
	alu_err_clear(&e);
	snprintf(p, sizeof(p), "%s/host/f", top);
	CHECK(access(p, F_OK) == 0);
	snprintf(p, sizeof(p), "%s/root/var/cache/alupdate/x.part", top);
	CHECK(alu_root_open(p, O_RDWR | O_CREAT, 0644, 0, &fd, &e) == -ALUE_PATH);
	alu_err_clear(&e);
	/* a missing file's unlink is fine; "..' is refused */
	snprintf(p, sizeof(p), "%s/root/var/nothing/x", top);
	CHECK(alu_root_unlink(p, &e) == 0 && e.code == 0);
	snprintf(p, sizeof(p), "%s/root/var/../../host", top);
	CHECK(alu_root_opendir(p, 0, &fd, &e) == -ALUE_PATH);
	alu_err_clear(&e);
	/* creating through the walk */
	snprintf(p, sizeof(p), "%s/root/var/lib/alupdate/keys", top);
	CHECK(alu_root_mkdirs(p, &e) == 0);

	/* reads: an absolute symlink resolves inside the root; a FIFO is refused */
	snprintf(p, sizeof(p), "%s/root/etc.conf", top);
	CHECK(alu_root_open_read(p, &fd, &size, &e) == 0 && size == 8);
	if (!e.code)
		close(fd);
	snprintf(p, sizeof(p), "%s/root/fifo", top);
	CHECK(alu_root_open_read(p, &fd, &size, &e) == -ALUE_PATH);
	CHECK(strstr(e.msg, "not a regular file") != NULL);
	alu_err_clear(&e);
	sh("ln -s /proc/self/status %s/root/st; ln -s ../../../../../../etc/passwd %s/root/up", top);
	snprintf(p, sizeof(p), "%s/root/st", top);
	CHECK(alu_root_open_read(p, &fd, &size, &e) == -ENOENT);   /* <root>/proc/... */
	alu_err_clear(&e);
	snprintf(p, sizeof(p), "%s/root/up", top);
	CHECK(alu_root_open_read(p, &fd, &size, &e) == -ENOENT);   /* ".." stops at the root */
	alu_err_clear(&e);
	/* where a path really is, as a chroot resolves it: never the host's */
	{
		char root[PATH_MAX], out[PATH_MAX], want[PATH_MAX];
		snprintf(root, sizeof(root), "%s/root", top);
		CHECK(alu_root_resolve(root, "/etc.conf", out, sizeof(out), &e) == 0);
		snprintf(want, sizeof(want), "%s/root/etc/real.conf", top);
		CHECK(!strcmp(out, want));
		CHECK(alu_root_resolve(root, "/var/../../up", out, sizeof(out), &e) == 0);
		snprintf(want, sizeof(want), "%s/root/etc/passwd", top);   /* missing leaf: kept */
		CHECK(!strcmp(out, want));
		/* var/cache/alupdate -> <top>/host: that path inside the root does not exist */
		CHECK(alu_root_resolve(root, "/var/cache/alupdate/cache.mdb", out, sizeof(out), &e) == -ENOENT);
		alu_err_clear(&e);
		CHECK(alu_root_resolve(root, "/", out, sizeof(out), &e) == 0 && !strcmp(out, root));
	}
	/* the host's own /proc/kmsg-like files are refused outside a root too */
	alu_root_set("/");
	CHECK(alu_root_open_read("/proc/self/status", &fd, &size, &e) == -ALUE_PATH);
	alu_err_clear(&e);
	sh("rm -rf %s", top);
}

static void test_ini_dups(void)
{
	static const char text[] = "[a]\nk=1\n[b]\nk=2\n[a]\nk=3\n[c]\n[b]\nk=4\n";
	struct alu_ini ini;

	CHECK(alu_ini_parse(&ini, "t.repo", text, strlen(text)) == 0);
	CHECK(ini.nsecs == 3);
	if (ini.nsecs == 3) {
		CHECK(!strcmp(ini.secs[0].name, "a") && !strcmp(alu_ini_get(&ini.secs[0], "k"), "3"));
		CHECK(!strcmp(ini.secs[1].name, "c"));
		CHECK(!strcmp(ini.secs[2].name, "b") && !strcmp(alu_ini_get(&ini.secs[2], "k"), "4"));
	}
	alu_ini_free(&ini);
}

int main(void)
{
	test_norm();
	test_walk();
	test_ini_dups();
	printf("rootfs: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
