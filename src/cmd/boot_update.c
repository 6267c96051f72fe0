/* SPDX-License-Identifier: MIT */
/*
 * `alupdate boot-update`: apply the launch-time policy once per launch
 * (src/ops/boot.h), or, with --set-policy, change it in alupdate.yaml.
 *
 * The update runs in a child process (its own process group) whose output
 * goes to stdout and to <root>/var/log/alupdate-boot-update.log. At the
 * timeout the group is killed with SIGKILL: a transaction is safe to kill at
 * any point (each package commits on its own; the journal lets the next
 * writing run roll back a package cut half way), so boot is never held up
 * longer than the timeout. Only a run that succeeded writes the stamp.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "conf/conf.h"
#include "ops/boot.h"
#include "util/fs.h"
#include "util/out.h"
#include "util/rootfs.h"

#define OPTS(X) \
	X(OPT_SET_POLICY, "set-policy", 0, 1) \
	X(OPT_SEVERITY, "severity", 0, 1) \
	X(OPT_TIMEOUT, "timeout", 0, 1)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv {
	const char *set_policy;
	struct alu_strv severity;
	long timeout;   /* 0: alupdate.yaml's */
};

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *d = p;
	int r;

	(void)ctx;
	switch (id) {
	case OPT_SET_POLICY: d->set_policy = arg; return 0;
	case OPT_SEVERITY:
		r = alu_strv_push_split(&d->severity, arg);
		for (size_t i = 0; i < d->severity.n; i++)
			for (char *c = d->severity.v[i]; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
		return r;
	case OPT_TIMEOUT:
		return alu_conf_parse_duration(arg, &d->timeout) || d->timeout <= 0 ? -EINVAL : 0;
	}
	return -ENOTSUP;
}

static FILE *logf_;

static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logline(const char *fmt, ...)
{
	char ts[32], msg[2048];
	time_t now = time(NULL);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	alu_msg("boot-update: %s", msg);
	if (logf_) {
		fprintf(logf_, "%s boot-update: %s\n", ts, msg);
		fflush(logf_);
	}
}

static int set_policy(struct priv *d, struct alu_ctx *ctx, const struct alu_conf *c)
{
	static const char *const sev[] = { "critical", "important", "medium", "moderate", "low" };
	const char *p = d->set_policy;
	struct alu_err e = { 0 };

	if (strcmp(p, "security") && strcmp(p, "bugfix") && strcmp(p, "all") && strcmp(p, "none")) {
		alu_error("--set-policy %s: must be security, bugfix, all or none", p);
		return 1;
	}
	if (d->severity.n && strcmp(p, "security")) {
		alu_error("--severity applies to --set-policy security only");
		return 1;
	}
	for (size_t i = 0; i < d->severity.n; i++) {
		size_t j = 0;
		while (j < 5 && strcmp(sev[j], d->severity.v[i]))
			j++;
		if (j == 5) {
			alu_error("--severity: unknown severity '%s' (critical, important, medium, moderate, low)",
				  d->severity.v[i]);
			return 1;
		}
	}
	if (alu_boot_policy_write(ctx->root, p, !strcmp(p, "security") && !d->severity.n ?
				  &c->boot_severities : &d->severity,
				  d->timeout ? d->timeout : c->boot_timeout, &e)) {
		alu_error("%s", e.msg);
		return 1;
	}
	alu_msg("boot-update policy: %s", p);
	return 0;
}

/* The child: one `update -y` with the policy's filter. */
static int child(struct alu_ctx *ctx, const struct alu_conf *c, const char *policy)
{
	ctx->assumeyes = 1;
	ctx->assumeno = 0;
	if (!strcmp(policy, "security")) {
		/* yum ORs its filters: --security would add every security
		 * advisory to the severities' ones; severities alone select
		 * security advisories of those severities */
		if (!c->boot_severities.n)
			ctx->filter.types |= ALU_ADV_SECURITY;
		for (size_t i = 0; i < c->boot_severities.n; i++)
			if (alu_strv_push(&ctx->filter.severities, c->boot_severities.v[i]))
				return 1;
	} else if (!strcmp(policy, "bugfix")) {
		ctx->filter.types |= ALU_ADV_BUGFIX;
	}
	return alu_cmd_ops_run(ctx, "boot-update", ALU_OPS_UPDATE, NULL, 0);
}

/* Run the child, copying its output, for at most @p timeout seconds.
 * @return its exit code, or -ETIMEDOUT after killing it. */
static int supervise(struct alu_ctx *ctx, const struct alu_conf *c, const char *policy, long timeout)
{
	struct timespec t0, t;
	int fds[2], st = 0;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	fflush(NULL);
	if ((pid = fork()) < 0)
		return -errno;
	if (!pid) {
		setpgid(0, 0);
		close(fds[0]);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[1]);
		st = child(ctx, c, policy);
		fflush(NULL);
		_exit(st);
	}
	setpgid(pid, pid);
	close(fds[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = { fds[0], POLLIN, 0 };
		char buf[4096];
		long left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout * 1000 - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pf, 1, (int)(left > 60000 ? 60000 : left)) < 0) {
			if (left > 0 && errno == EINTR)
				continue;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			close(fds[0]);
			return -ETIMEDOUT;
		}
		if (!pf.revents)
			continue;
		if ((n = read(fds[0], buf, sizeof(buf))) <= 0)
			break;
		fwrite(buf, 1, (size_t)n, stdout);
		fflush(stdout);
		if (logf_)
			fwrite(buf, 1, (size_t)n, logf_);
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(void *p, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *d = p;
	struct alu_conf c;
	struct alu_err e = { 0 };
	char id[512], line[1024], path[4096];
	const char *policy;
	long timeout;
	int rc = 1, r;

	(void)argv;
	if (argc) {
		alu_error("boot-update takes no arguments");
		goto out_sev;
	}
	if (alu_conf_load(ctx, &c, &e)) {
		alu_error("%s", e.msg);
		goto out_sev;
	}
	if (d->set_policy) {
		rc = set_policy(d, ctx, &c);
		goto out;
	}
	if (d->severity.n) {
		alu_error("--severity goes with --set-policy security");
		goto out;
	}
	policy = c.boot_update ? c.boot_policy : "none";
	timeout = d->timeout ? d->timeout : c.boot_timeout;
	if (alu_boot_id(ctx->root, id, sizeof(id), &e)) {
		alu_error("%s", e.msg);
		goto out;
	}
	if (alu_boot_stamp_done(ctx->root, id, line, sizeof(line))) {
		alu_msg("boot-update: already done for this launch (%s)", id);
		rc = 0;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/var/log", strcmp(ctx->root, "/") ? ctx->root : "");
	if (!alu_root_mkdirs(path, NULL)) {
		int lfd;
		snprintf(path, sizeof(path), "%s%s", strcmp(ctx->root, "/") ? ctx->root : "", ALU_BOOT_LOG);
		/* the log lies in the root: never appended through a symlink */
		if (!alu_root_open(path, O_WRONLY | O_CREAT | O_APPEND, 0644, 0, &lfd, NULL) &&
		    !(logf_ = fdopen(lfd, "a")))
			close(lfd);
	}
	logline("launch %s, policy %s, timeout %lds", id, policy, timeout);
	if (!strcmp(policy, "security")) {
		char sv[256] = "";
		for (size_t i = 0; i < c.boot_severities.n; i++)
			snprintf(sv + strlen(sv), sizeof(sv) - strlen(sv), "%s%s", i ? "," : "",
				 c.boot_severities.v[i]);
		logline("security updates of severity %s", sv);
	}
	r = strcmp(policy, "none") ? supervise(ctx, &c, policy, timeout) : 0;
	if (r == -ETIMEDOUT) {
		logline("timed out after %lds: the update was stopped (a package cut half way is rolled back by the next run); no stamp written",
			timeout);
	} else if (r) {
		logline("failed (exit %d): no stamp written, the next run tries again", r);
	} else if (alu_boot_stamp_write(ctx->root, id, policy, &e)) {
		logline("%s", e.msg);
	} else {
		logline("done (%s)", !strcmp(policy, "none") ? "policy none: nothing installed" : "policy applied");
		rc = 0;
	}
	if (logf_)
		fclose(logf_);
	logf_ = NULL;
out:
	alu_conf_free(&c);
out_sev:
	alu_strv_free(&d->severity);
	return rc;
}

const struct alu_cmd alu_cmd_boot_update = {
	.name = "boot-update",
	.summary = "apply the launch-time update policy once per launch; --set-policy changes it",
	.usage = "[--set-policy security|bugfix|all|none] [--severity S,...] [--timeout SECS]",
	.flags = ALU_CMDF_WRITES_ROOT,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
