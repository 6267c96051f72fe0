/* SPDX-License-Identifier: MIT */
/*
 * The public downloads: to a file (via <dest>.part, fsync, size and sha256
 * checks, rename) or to memory, from http(s) or file:// URLs.
 */
#include "net/fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "util/rootfs.h"

#define MEM_MAX_DEFAULT (64u << 20)
#define COPY_BUF 65536

static const struct alu_net_opts no_opts;

static int is_file_url(const char *url)
{
	return !strncasecmp(url, "file://", 7);
}

/*
 * file:// reads get the network's time limit: a file on a hung NFS or FUSE
 * mount (or one that trickles) blocks in read() where no poll() helps, so
 * an interval timer interrupts the open and each read (the handler is
 * installed without SA_RESTART) after `timeout` seconds without progress.
 */
static volatile sig_atomic_t file_alarm;

static void on_alarm(int sig)
{
	(void)sig;
	file_alarm = 1;
}

static void arm(int secs)
{
	struct itimerval it = { { 0, 0 }, { secs, 0 } };

	file_alarm = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* file:// sources: what is missing or unreadable is a mirror failure, not a
 * local one; a FIFO, a device or a /proc file is refused at once (opened
 * with O_NONBLOCK and checked, util/rootfs.h) instead of read forever */
static int open_source(const char *url, int timeout, int *fd, struct alu_err *e)
{
	struct alu_err le = { 0 };
	struct alu_url u;
	int r = alu_url_parse(&u, url, e);

	if (r)
		return r;
	arm(timeout);
	r = alu_root_open_read(u.path, fd, NULL, &le);
	disarm();
	if (r == -EINTR && file_alarm)
		r = alu_err_set(e, -ALUE_TIMEOUT, "%s: no answer from the file system in %d s", url, timeout);
	else if (r == -ALUE_PATH)
		r = alu_err_set(e, -ALUE_NOTFOUND, "%s: %s", url, le.msg);
	else if (r)
		r = alu_err_set(e, r == -ENOENT ? -ALUE_NOTFOUND : -ALUE_NET, "%s: %s", url,
			strerror(-r));
	alu_url_free(&u);
	return r;
}

static int copy_file(const char *url, const struct alu_net_opts *o, struct alu_sink *s,
		     struct alu_err *e)
{
	int timeout = o->timeout > 0 ? o->timeout : ALU_NET_TIMEOUT_DEFAULT;
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	char *buf;
	int fd, r;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);
	r = open_source(url, timeout, &fd, e);
	if (r)
		goto out;
	buf = malloc(COPY_BUF);
	if (!buf) {
		close(fd);
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k;

		arm(timeout);
		k = read(fd, buf, COPY_BUF);
		disarm();
		if (k < 0 && errno == EINTR && file_alarm) {
			r = alu_err_set(e, -ALUE_TIMEOUT, "%s: read: no data in %d s", url, timeout);
			break;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = alu_err_set(e, -ALUE_NET, "%s: read: %s", url, strerror(errno));
			break;
		}
		if (k == 0)
			break;
		r = alu_sink_write(s, buf, (size_t)k, url, e);
		if (r)
			break;
	}
	free(buf);
	close(fd);
out:
	sigaction(SIGALRM, &old, NULL);
	return r;
}

static int digest_fd(int fd, int algo, char hex[ALU_DIGEST_HEX_MAX])
{
	struct alu_digest h;
	unsigned char d[ALU_DIGEST_MAX], *buf;
	size_t dl;
	off_t off = 0;

	if (alu_digest_init(&h, algo))
		return -ALUE_UNSUPPORTED;
	buf = malloc(COPY_BUF);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k = pread(fd, buf, COPY_BUF, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(buf);
			return -errno;
		}
		if (k == 0)
			break;
		alu_digest_update(&h, buf, (size_t)k);
		off += k;
	}
	free(buf);
	dl = alu_digest_final(&h, d);
	alu_hex(d, dl, hex);
	return 0;
}

/* Does the .part hold exactly what was promised? 1 yes, 0 no, <0 I/O error. */
static int check(int fd, const char *url, int algo, const char *sha, uint64_t size,
	uint64_t have, struct alu_err *e)
{
	char hex[ALU_DIGEST_HEX_MAX];
	int r;

	if (size && have != size)
		return alu_err_set(e, -ALUE_CHECKSUM, "%s: size %llu, expected %llu", url,
			(unsigned long long)have, (unsigned long long)size);
	if (!sha)
		return 0;
	r = digest_fd(fd, algo, hex);
	if (r)
		return r;
	if (strcasecmp(hex, sha))
		return alu_err_set(e, -ALUE_CHECKSUM, "%s: %s %s, expected %s", url,
			alu_digest_name(algo), hex, sha);
	return 0;
}

static int sync_dir(const char *path)
{
	char *dup = strdup(path);
	int fd, r = 0;

	if (!dup)
		return -ENOMEM;
	if (alu_root_opendir(dirname(dup), 0, &fd, NULL))
		fd = -1;
	if (fd >= 0) {
		if (fsync(fd) && errno != EINVAL)
			r = -errno;
		close(fd);
	}
	free(dup);
	return r;
}

static int fetch_part(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	struct alu_sink *s, struct alu_err *e)
{
	if (is_file_url(url)) {
		int r = alu_sink_reset(s);
		return r ? alu_err_set(e, r, "%s: %s", s->path, strerror(-r)) : copy_file(url, o, s, e);
	}
	return alu_fetch(n, url, o, s, e);
}

int alu_net_get_file(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	const char *dest, const char *expect_sha256, uint64_t expect_size, struct alu_err *e)
{
	struct alu_sink s = { .fd = -1, .fmax = expect_size };
	struct stat st;
	char *part = NULL;
	int r, resumed, algo;

	if (!o)
		o = &no_opts;
	algo = o->expect_algo ? o->expect_algo : ALU_HASH_SHA256;
	if (asprintf(&part, "%s.part", dest) < 0)
		return -ENOMEM;
	s.path = part;
	/* under the root, the .part and its directory are reached without
	 * following a symlink (util/rootfs.h): the root cannot make this write
	 * to a host file */
	r = alu_root_open(part, O_RDWR | O_CREAT, 0644, 0, &s.fd, e);
	if (r)
		goto out;
	if (fstat(s.fd, &st) || lseek(s.fd, 0, SEEK_END) < 0) {
		r = alu_err_set(e, -errno, "%s: %s", part, strerror(errno));
		goto out;
	}
	s.have = (uint64_t)st.st_size;
	/* only a checksum makes resuming safe: without one the old bytes may be
	 * of another version of the file, or from another mirror */
	if (s.have && (!expect_sha256 || (expect_size && s.have > expect_size)) &&
			(r = alu_sink_reset(&s)) != 0)
		goto out;
	/* a .part that is already whole (the rename was missed) needs no request */
	resumed = s.have > 0;
	if (!(resumed && expect_sha256 && s.have == expect_size &&
			check(s.fd, url, algo, expect_sha256, expect_size, s.have, NULL) == 0)) {
		r = fetch_part(n, url, o, &s, e);
		if (r)
			goto keep;
		struct alu_err le = { 0 };
		r = check(s.fd, url, algo, expect_sha256, expect_size, s.have, &le);
		if (r == -ALUE_CHECKSUM && resumed) {
			/* the old bytes may be what is wrong: one more try from zero */
			r = alu_sink_reset(&s);
			if (!r)
				r = fetch_part(n, url, o, &s, e);
			if (r)
				goto keep;
			alu_err_clear(&le);
			r = check(s.fd, url, algo, expect_sha256, expect_size, s.have, &le);
		}
		if (r) {
			alu_root_unlink(part, NULL);
			r = le.code ? alu_err_set(e, r, "%s", le.msg) : alu_err_set(e, r, "%s: %s",
				part, strerror(-r));
			goto out;
		}
	}
	if (!o->transient && fsync(s.fd)) {
		r = alu_err_set(e, -errno, "%s: fsync: %s", part, strerror(errno));
		goto out;
	}
	if ((r = alu_root_rename(part, dest, e)))
		goto out;
	r = o->transient ? 0 : sync_dir(dest);
	goto out;
keep:
	/* a network failure keeps the .part for a resume when a checksum will guard it;
	 * one that reached the expected size and still failed (a body running on
	 * beyond it) holds nothing worth resuming */
	if (s.have == 0 || !expect_sha256 || s.over || (expect_size && s.have >= expect_size))
		alu_root_unlink(part, NULL);
out:
	if (s.fd >= 0)
		close(s.fd);
	free(part);
	return r;
}

int alu_net_get_mem(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	size_t max, char **buf, size_t *len, struct alu_err *e)
{
	struct alu_sink s = { .fd = -1, .max = max ? max : MEM_MAX_DEFAULT };
	int r;

	*buf = NULL;
	*len = 0;
	if (!o)
		o = &no_opts;
	r = is_file_url(url) ? copy_file(url, o, &s, e) : alu_fetch(n, url, o, &s, e);
	if (!r && !s.mem) {
		s.mem = calloc(1, 1);
		if (!s.mem)
			r = -ENOMEM;
	}
	if (r) {
		free(s.mem);
		return r;
	}
	*buf = s.mem;
	*len = s.len;
	return 0;
}
