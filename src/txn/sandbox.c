/* SPDX-License-Identifier: MIT */
/*
 * The contained mode of scriptlets. A plain chroot does not hold a hostile
 * root's /bin/sh: as root it can chroot again to climb out, open_by_handle_at
 * a host file, mknod the host's disk, see and signal host processes, reach
 * the network. Here the scriptlet instead runs
 *
 *   1. in new mount, PID, network, IPC and UTS namespaces (unshare(2); the
 *      child forked after it is PID 1 of the new PID namespace, and when it
 *      ends every process it left behind ends with it);
 *   2. with the mount tree made private (nothing propagates to the host),
 *      the root bind-mounted onto itself and made "/" by pivot_root(2), the
 *      old "/" detached: no host mount is reachable at all. Where pivot_root
 *      cannot work ("/" is an initramfs) a chroot in the private namespace
 *      is used, with CAP_SYS_CHROOT gone so it cannot be undone;
 *   3. with a fresh /proc of its own PID namespace on the root's /proc (when
 *      the root has that directory; failure is ignored): ps shows only the
 *      scriptlet, /proc/1/root is the root;
 *   4. with only lo, down, as network (the new network namespace);
 *   5. with the capability bounding set cut to what package scripts use
 *      (chown, DAC override, fowner, fsetid, kill, setuid/setgid, setfcap,
 *      net_bind_service, net_raw, audit_write; Docker's default set without
 *      mknod, sys_chroot and setpcap). For uid 0 the bounding set is what
 *      execve() grants, so the exec'd shell and all it starts stay within it.
 *
 * Cost: two forks instead of one plus a handful of mounts; see the
 * measurement in the header of tests/e2e/test_hostile_root.py.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "txn/txn_int.h"
#include "util/out.h"

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

/* capability numbers (linux/capability.h, not shipped with musl) */
enum {
	CAP_CHOWN_ = 0, CAP_DAC_OVERRIDE_ = 1, CAP_FOWNER_ = 3, CAP_FSETID_ = 4, CAP_KILL_ = 5,
	CAP_SETGID_ = 6, CAP_SETUID_ = 7, CAP_SETPCAP_ = 8, CAP_NET_BIND_SERVICE_ = 10,
	CAP_NET_RAW_ = 13, CAP_AUDIT_WRITE_ = 29, CAP_SETFCAP_ = 31,
};
#define KEEP_CAPS ((1ull << CAP_CHOWN_) | (1ull << CAP_DAC_OVERRIDE_) | (1ull << CAP_FOWNER_) | \
	(1ull << CAP_FSETID_) | (1ull << CAP_KILL_) | (1ull << CAP_SETGID_) | (1ull << CAP_SETUID_) | \
	(1ull << CAP_NET_BIND_SERVICE_) | (1ull << CAP_NET_RAW_) | (1ull << CAP_AUDIT_WRITE_) | \
	(1ull << CAP_SETFCAP_))

int alu_txn_sandbox_parse(const char *s)
{
	if (!s || !*s || !strcmp(s, "auto"))
		return ALU_SANDBOX_AUTO;
	if (!strcmp(s, "namespaces"))
		return ALU_SANDBOX_NAMESPACES;
	if (!strcmp(s, "chroot"))
		return ALU_SANDBOX_CHROOT;
	return -EINVAL;
}

/* Can this process make the namespaces? A child tries, so that nothing of
 * ours changes: 0 yes, else the errno of unshare(2). */
static int probe(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(NS_FLAGS) ? (errno & 0x7f) : 0);
	if (pid < 0)
		return errno;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return ECHILD;
	return WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
}

int alu_sandbox_choose(struct alu_txn_ctx *c, struct alu_err *e)
{
	int mode = c->o->sandbox, err;

	if (c->sandbox)
		return c->sandbox == 1 ? 1 : 0;
	if (mode == ALU_SANDBOX_CHROOT || (mode == ALU_SANDBOX_AUTO && !strcmp(c->o->root, "/"))) {
		c->sandbox = 2;
		return 0;
	}
	err = probe();
	if (!err) {
		c->sandbox = 1;
		return 1;
	}
	if (mode == ALU_SANDBOX_NAMESPACES)
		return alu_err_set(e, -ALUE_SCRIPT, "scriptlet_sandbox=namespaces: cannot create "
			"namespaces here (unshare: %s); refusing to run scriptlets uncontained",
			strerror(err));
	alu_warn("scriptlets run in a plain chroot of %s: namespaces are not available here "
		"(unshare: %s); a hostile root's /bin/sh could escape it "
		"(--setopt=scriptlet_sandbox=chroot silences this)", c->o->root, strerror(err));
	alu_txn_note(c->log, "scriptlets: plain chroot (unshare: %s)", strerror(err));
	c->sandbox = 2;
	return 0;
}

static void die(const char *what)
{
	/* stderr is the scriptlet's output pipe: this line lands in the log */
	dprintf(2, "alupdate: scriptlet sandbox: %s: %s\n", what, strerror(errno));
	_exit(126);
}

struct cap_hdr { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static void drop_caps(void)
{
	struct cap_hdr h = { 0x20080522, 0 };   /* _LINUX_CAPABILITY_VERSION_3 */
	struct cap_data d[2];

	for (int cap = 0; cap < 64; cap++) {
		if (cap == CAP_SETPCAP_ || (KEEP_CAPS >> cap & 1))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EINVAL)
			break;   /* beyond the kernel's last capability */
	}
	/* last: dropping from the bounding set needs it */
	if (prctl(PR_CAPBSET_DROP, CAP_SETPCAP_, 0, 0, 0))
		die("dropping capabilities");
	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)KEEP_CAPS;
	d[1].effective = d[1].permitted = (uint32_t)(KEEP_CAPS >> 32);
	if (syscall(SYS_capset, &h, d))
		die("capset");
}

/* PID 1 of the new namespaces: make the root "/", then exec. */
static void inside(const char *root, const char *const *argv, const char *const *env)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("making mounts private");
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL))
		die("bind-mounting the root");
	if (chdir(root))
		die("chdir to the root");
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		/* the old "/" is stacked under the new one: detach it */
		if (umount2(".", MNT_DETACH))
			die("detaching the host's mounts");
	} else if (chroot(".")) {
		die("chroot");
	}
	if (chdir("/"))
		die("chdir /");
	/* a /proc of this PID namespace; a root without /proc has none */
	mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	drop_caps();
	execve(argv[0], (char *const *)argv, (char *const *)env);
	_exit(127);
}

void alu_sandbox_exec(const char *root, const char *const *argv, const char *const *env)
{
	int status;
	pid_t pid;

	if (unshare(NS_FLAGS))
		die("unshare");
	pid = fork();
	if (pid == 0)
		inside(root, argv, env);
	if (pid < 0)
		die("fork");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (WIFSIGNALED(status)) {
		/* end as the scriptlet ended, for the parent's message */
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 126);
}
