/* SPDX-License-Identifier: MIT */
/*
 * Scriptlets run with the root's own interpreter, as rpm runs them: the body
 * goes to a file in the root's /var/tmp (or /tmp), then fork, chroot(root),
 * exec "<interpreter> <file> $1". Output (stdout and stderr, through one
 * pipe) is echoed as it comes and kept in the log for history. Under an
 * installroot the chroot is replaced by namespaces, a pivot_root and cut
 * capabilities (sandbox.c, scriptlet_sandbox=).
 *
 * They are skipped, with a warning and a log line, when alupdate does not
 * run as root (no chroot), when the root has no such interpreter (distroless
 * images), and for Lua scriptlets (rpm's embedded interpreter, which we do
 * not have).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "txn/txn_int.h"
#include "util/out.h"

static const char *const kind_name[ALU_SCRIPT_N] = {
	"%pretrans", "%pre", "%post", "%preun", "%postun", "%posttrans",
};

static void skip(struct alu_txn_ctx *c, const char *what, const char *why)
{
	alu_warn("%s skipped: %s", what, why);
	alu_txn_note(c->log, "%s: skipped: %s", what, why);
}

/* Where scriptlets' files are written inside the root, the first usable. */
static const char *const script_dirs[] = { "/var/tmp", "/tmp" };
#define NSCRIPT_DIRS (sizeof(script_dirs) / sizeof(script_dirs[0]))

/* script_dirs[@p i] resolved in the root (@p canon) and opened: 0, or -1. */
static int script_dir(int rootfd, size_t i, char *canon, size_t n, int *dfd)
{
	struct stat st;

	if (alu_path_resolve(rootfd, script_dirs[i], ALU_PATHF_FOLLOW_LAST, canon, n, NULL) ||
	    fstatat(rootfd, canon, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode) ||
	    alu_path_opendir(rootfd, canon, dfd))
		return -1;
	return 0;
}

/* Write @p body to a new file under the root; @p inroot gets its path as
 * the chrooted script sees it. @return 0, -ENAMETOOLONG (@p inroot holds
 * the path cut to @p n), -ENOENT (no usable directory), -errno, -EIO. */
static int script_file(int rootfd, const char *body, char *inroot, size_t n)
{
	unsigned char rnd[6];
	char canon[ALU_PATH_MAX], hex[16];

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -EIO;
	alu_hex(rnd, sizeof(rnd), hex);
	for (size_t i = 0; i < NSCRIPT_DIRS; i++) {
		size_t len = strlen(body);
		int dfd, fd;
		if (script_dir(rootfd, i, canon, sizeof(canon), &dfd))
			continue;
		if ((size_t)snprintf(inroot, n, "/%s/alu-script-%s", canon, hex) >= n) {
			close(dfd);
			return -ENAMETOOLONG;
		}
		fd = openat(dfd, strrchr(inroot, '/') + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
		close(dfd);
		if (fd < 0)
			return -errno;
		if (write(fd, body, len) != (ssize_t)len) {
			close(fd);
			return -EIO;
		}
		close(fd);
		return 0;
	}
	return -ENOENT;
}

void alu_script_sweep(int rootfd)
{
	for (size_t i = 0; i < NSCRIPT_DIRS; i++) {
		char canon[ALU_PATH_MAX];
		struct dirent *de;
		int pfd, dfd;
		DIR *d;

		if (script_dir(rootfd, i, canon, sizeof(canon), &pfd))
			continue;
		dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(pfd);
		d = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			continue;
		}
		while ((de = readdir(d)))
			if (!strncmp(de->d_name, "alu-script-", 11))
				unlinkat(dfd, de->d_name, 0);
		closedir(d);
	}
}

/*
 * In the forked child, before the scriptlet: every fd of ours but 0-2 goes.
 * O_CLOEXEC alone does not do it: under the sandbox the child that waits
 * for the scriptlet (PID namespace, sandbox.c) never execs, and it kept the
 * writer lock, the state db and the package files open for as long as the
 * scriptlet ran, past a kill -9 of alupdate itself. Only async-signal-safe
 * calls here (another thread may have held malloc's lock at fork).
 */
static void close_from_3(void)
{
	struct rlimit rl;
	long max = 65536;

	if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
		return;
	/* kernels before 5.9 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < max)
		max = (long)rl.rlim_cur;
	for (long fd = 3; fd < max; fd++)
		close((int)fd);
}

static void unlink_inroot(int rootfd, const char *inroot)
{
	const char *base;
	int dfd;

	if (!alu_fs_parent(rootfd, inroot + 1, &dfd, &base, NULL)) {
		unlinkat(dfd, base, 0);
		close(dfd);
	}
}

int alu_script_run(struct alu_txn_ctx *c, const struct alu_hdr *h, enum alu_script_kind kind,
		   int arg1, struct alu_err *e)
{
	struct alu_script sc;
	char what[300], nevra[256], canon[ALU_PATH_MAX], file[ALU_PATH_MAX], a1[16], line[4096];
	const char *interp, *argv[64];
	size_t argc = 0, ll = 0;
	int pfd[2], devnull = -1, status, r = 0, contained;
	struct stat st;
	pid_t pid;
	FILE *in;

	alu_hdr_script(h, kind, &sc);
	if (!sc.body && !sc.prog)
		return 0;
	alu_hdr_nevra(h, nevra, sizeof(nevra));
	snprintf(what, sizeof(what), "%s(%s)", kind_name[kind], nevra);
	if (c->o->flags & ALU_TXNF_NOSCRIPTS)
		return 0;
	interp = sc.prog && sc.prog[0] ? sc.prog[0] : "/bin/sh";
	if (!strcmp(interp, "<lua>")) {
		skip(c, what, "Lua scriptlets are not supported");
		return 0;
	}
	if (!c->as_root) {
		skip(c, what, "not running as root");
		return 0;
	}
	if (interp[0] != '/' ||
	    alu_path_resolve(c->rootfd, interp, ALU_PATHF_FOLLOW_LAST, canon, sizeof(canon), NULL) ||
	    fstatat(c->rootfd, canon, &st, 0) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		snprintf(line, sizeof(line), "no %s in the root", interp);
		skip(c, what, line);
		return 0;
	}
	file[0] = 0;
	r = sc.body ? script_file(c->rootfd, sc.body, file, sizeof(file)) : 0;
	if (r) {
		if (r == -ENAMETOOLONG)
			snprintf(line, sizeof(line), "path '%.64s...' is too long", file);
		skip(c, what, r == -ENAMETOOLONG ? line : "no writable /var/tmp or /tmp in the root");
		return 0;
	}
	for (size_t i = 0; sc.prog && sc.prog[i] && argc < 60; i++)
		argv[argc++] = sc.prog[i];
	if (!argc)
		argv[argc++] = interp;
	if (file[0])
		argv[argc++] = file;
	if (arg1 >= 0) {
		snprintf(a1, sizeof(a1), "%d", arg1);
		argv[argc++] = a1;
	}
	argv[argc] = NULL;
	if ((contained = alu_sandbox_choose(c, e)) < 0) {
		r = contained;
		goto out;
	}
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		r = alu_err_set(e, -errno, "%s: pipe: %s", what, strerror(errno));
		goto out;
	}
	fflush(stdout);
	c->nscripts++;   /* from here it may change the root (pkgfile.c) */
	pid = fork();
	if (pid == 0) {
		static const char *const env[] = {
			"PATH=/sbin:/bin:/usr/sbin:/usr/bin:/usr/X11R6/bin", "HOME=/root", NULL };
		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (!contained && fchdir(c->rootfd) < 0)
			_exit(126);
		close_from_3();
		if (contained)
			alu_sandbox_exec(c->o->root, argv, env);
		if (chroot(".") < 0 || chdir("/") < 0)
			_exit(126);
		execve(argv[0], (char *const *)argv, (char *const *)env);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		r = alu_err_set(e, -errno, "%s: fork: %s", what, strerror(errno));
		goto out;
	}
	in = fdopen(pfd[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		ll = strlen(line);
		if (ll && line[ll - 1] == '\n')
			line[--ll] = 0;
		if (alu_out_level() >= ALU_NORMAL)
			printf("%s\n", line);
		alu_txn_note(c->log, "%s: %s", what, line);
	}
	if (in)
		fclose(in);
	else
		close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		alu_txn_note(c->log, "%s: failed, exit status %d", what, code);
		r = alu_err_set(e, -ALUE_SCRIPT, "%s scriptlet failed, exit status %d", what, code);
	} else {
		alu_txn_note(c->log, "%s: ran", what);
	}
out:
	if (devnull >= 0)
		close(devnull);
	if (file[0])
		unlink_inroot(c->rootfd, file);
	return r;
}
