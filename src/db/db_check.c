/* SPDX-License-Identifier: MIT */
/*
 * A damaged LMDB file must give a message, never a SIGBUS.
 *
 * LMDB maps data.mdb and reads pages straight from the map: a file cut
 * short (full disk, an interrupted copy, a truncate) has meta pages that
 * promise pages the file does not hold, and the first read of one kills the
 * process with SIGBUS. So, before the environment is used:
 *   1. both meta pages are read with pread(): the magic, the version and the
 *      page size must be LMDB's;
 *   2. the newer meta's last page must lie inside the file, and the roots of
 *      its two trees (free list, main) at or below that last page.
 * The meta layout below is LMDB 0.9's on a 64-bit (or 32-bit) build; the
 * offsets are computed from the sizes of size_t, as lmdb.h declares them.
 *
 * What the check cannot see (garbage inside pages that are in range) is
 * caught by LMDB's own page checks (MDB_CORRUPTED, MDB_PAGE_NOTFOUND); a
 * fault while reading a page anyway (a file cut while in use) reaches the
 * SIGBUS handler here, which names the file and exits with status 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "db/db.h"

#define LMDB_MAGIC 0xBEEFC0DEu
#define LMDB_VERSION 1u
#define P_META 0x08
#define P_INVALID (~(size_t)0)

/* Offsets in a meta page (struct MDB_page header, then struct MDB_meta). */
#define PGHDR (sizeof(size_t) + 8)                  /* pgno, pad, flags, lower, upper */
#define M_MAGIC PGHDR
#define M_DBS (PGHDR + 8 + 2 * sizeof(size_t))      /* after magic, version, address, mapsize */
#define DB_SIZE (8 + 5 * sizeof(size_t))            /* pad, flags, depth, 4 counts, root */
#define DB_ROOT (8 + 4 * sizeof(size_t))
#define M_LAST (M_DBS + 2 * DB_SIZE)
#define M_TXNID (M_LAST + sizeof(size_t))
#define META_END (M_TXNID + sizeof(size_t))

struct meta {
	uint32_t psize;
	size_t root[2], last, txnid;
};

static size_t get_sz(const unsigned char *b, size_t off)
{
	size_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint32_t get_u32(const unsigned char *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b + off, sizeof(v));
	return v;
}

/* Read the meta page at @p off. @return 0, or a sentence in @p why. */
static int read_meta(int fd, off_t off, struct meta *m, char *why, size_t n)
{
	unsigned char b[META_END];
	ssize_t got = pread(fd, b, sizeof(b), off);
	uint16_t flags;

	if (got != (ssize_t)sizeof(b)) {
		snprintf(why, n, "meta page at byte %lld cannot be read (%s)", (long long)off,
			 got < 0 ? strerror(errno) : "the file ends before it");
		return -1;
	}
	memcpy(&flags, b + sizeof(size_t) + 2, 2);
	if (!(flags & P_META) || get_u32(b, M_MAGIC) != LMDB_MAGIC) {
		snprintf(why, n, "no LMDB meta page at byte %lld (not an LMDB file)", (long long)off);
		return -1;
	}
	if (get_u32(b, M_MAGIC + 4) != LMDB_VERSION) {
		snprintf(why, n, "LMDB data version %u, this alupdate reads %u",
			 get_u32(b, M_MAGIC + 4), LMDB_VERSION);
		return -1;
	}
	/* LMDB keeps the page size in the free list db's pad field */
	m->psize = get_u32(b, M_DBS);
	m->root[0] = get_sz(b, M_DBS + DB_ROOT);
	m->root[1] = get_sz(b, M_DBS + DB_SIZE + DB_ROOT);
	m->last = get_sz(b, M_LAST);
	m->txnid = get_sz(b, M_TXNID);
	if (m->psize < 512 || m->psize > 65536 || (m->psize & (m->psize - 1))) {
		snprintf(why, n, "meta page at byte %lld: page size %u", (long long)off, m->psize);
		return -1;
	}
	return 0;
}

int alu_db_check_file(const char *path, struct alu_err *e)
{
	struct meta m[2], *cur;
	struct stat st;
	char why[256];
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = alu_err_set(e, -ALUE_CORRUPT, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size == 0)
		goto out;   /* a new environment: LMDB writes its meta pages */
	if (read_meta(fd, 0, &m[0], why, sizeof(why)) ||
	    read_meta(fd, m[0].psize, &m[1], why, sizeof(why))) {
		r = alu_err_set(e, -ALUE_CORRUPT, "%s: damaged database: %s", path, why);
		goto out;
	}
	cur = m[1].txnid > m[0].txnid ? &m[1] : &m[0];
	/* the size after the metas: a writer extends the file before it writes
	 * the meta that counts the new pages, and never shrinks it */
	if (fstat(fd, &st) < 0) {
		r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (cur->last >= (size_t)st.st_size / cur->psize) {
		r = alu_err_set(e, -ALUE_CORRUPT, "%s: damaged database: truncated (%lld bytes, its"
				" pages need %llu)", path, (long long)st.st_size,
				(unsigned long long)(cur->last + 1) * cur->psize);
		goto out;
	}
	for (int i = 0; i < 2; i++)
		if (cur->root[i] != P_INVALID && (cur->root[i] > cur->last || cur->root[i] < 2)) {
			r = alu_err_set(e, -ALUE_CORRUPT, "%s: damaged database: a tree root (page %llu)"
					" outside its %llu pages", path,
					(unsigned long long)cur->root[i], (unsigned long long)cur->last + 1);
			goto out;
		}
out:
	close(fd);
	return r;
}

/* ---- the SIGBUS safety net ----------------------------------------------- */

#define GUARD_MAX 8

/* The handler only compares addresses: it never touches an environment,
 * which may have been closed without alu_db_close(). */
static struct {
	MDB_env *env;          /* identity only */
	char *lo, *hi;         /* the map */
	char path[512];
} guard[GUARD_MAX];

static void put(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	const char *hit = NULL;

	(void)sig; (void)uc;
	for (int i = 0; i < GUARD_MAX && !hit; i++)
		if (guard[i].env && (char *)si->si_addr >= guard[i].lo &&
		    (char *)si->si_addr < guard[i].hi)
			hit = guard[i].path;
	put("alupdate: error: ");
	if (!hit)   /* not in a known map: name every open database */
		for (int i = 0, n = 0; i < GUARD_MAX; i++)
			if (guard[i].env) {
				put(n++ ? " or " : "");
				put(guard[i].path);
			}
	put(hit ? hit : "");
	put(": damaged database: a page could not be read (the file was truncated or the disk"
	    " failed; the metadata cache is rebuilt by `alupdate makecache`, the installed-package"
	    " state by `alupdate adopt`)\n");
	_exit(1);
}

/* The map of @p env's data file, from /proc/self/maps (LMDB's envinfo only
 * gives the address a FIXEDMAP environment asked for). */
static int map_range(MDB_env *env, char **lo, char **hi)
{
	unsigned long a, b, ino;
	unsigned maj, mnr;
	struct stat st;
	char line[512];
	FILE *f;
	int fd;

	*lo = *hi = NULL;
	if (mdb_env_get_fd(env, &fd) || fstat(fd, &st) < 0)
		return -1;
	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &a, &b, &maj, &mnr, &ino) == 5 &&
		    ino == st.st_ino && maj == major(st.st_dev) && mnr == minor(st.st_dev)) {
			if (!*lo || (char *)a < *lo)
				*lo = (char *)a;
			if ((char *)b > *hi)
				*hi = (char *)b;
		}
	fclose(f);
	return *lo ? 0 : -1;
}

void alu_db_guard(MDB_env *env, const char *path)
{
	static int installed;
	char *lo, *hi;

	if (!installed) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, NULL);
		installed = 1;
	}
	map_range(env, &lo, &hi);
	for (int i = 0; i < GUARD_MAX; i++)
		if (guard[i].env == env) {
			guard[i].lo = lo;
			guard[i].hi = hi;
			if (path)
				snprintf(guard[i].path, sizeof(guard[i].path), "%s", path);
			return;
		}
	for (int i = 0; i < GUARD_MAX; i++)
		if (!guard[i].env && path) {
			snprintf(guard[i].path, sizeof(guard[i].path), "%s", path);
			guard[i].lo = lo;
			guard[i].hi = hi;
			guard[i].env = env;
			return;
		}
}

void alu_db_trim(MDB_env *env)
{
	for (int i = 0; i < GUARD_MAX; i++)
		if (guard[i].env == env && guard[i].lo && guard[i].hi > guard[i].lo) {
			(void)madvise(guard[i].lo, (size_t)(guard[i].hi - guard[i].lo), MADV_DONTNEED);
			return;
		}
}

void alu_db_close(MDB_env *env)
{
	if (!env)
		return;
	for (int i = 0; i < GUARD_MAX; i++)
		if (guard[i].env == env)
			guard[i].env = NULL;
	mdb_env_close(env);
}
