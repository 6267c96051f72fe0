/* SPDX-License-Identifier: MIT */
/*
 * Adoption: import every header of the root's rpm database as an installed
 * package (reason "adopted"), inside the caller's write transaction, so a
 * bad database leaves nothing written. The rpm database is only read.
 * Where yum kept its yumdb (/var/lib/yum/yumdb/<n>/<pkgid>-<n>-<v>-<r>-<a>/),
 * its from_repo gives the origin repo, so `list installed` shows
 * "@amzn2-core" as yum did rather than "installed".
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "db/state_int.h"
#include "util/rootfs.h"

enum { TAG_INSTALLTIME = 1008 };

struct import {
	struct alu_state *s;
	MDB_txn *txn;
	const char *path;
	size_t n;
	struct alu_err *e;
};

/* yumdb's from_repo for the package, or "" (the yumdb is optional). */
static void yumdb_repo(const char *root, const struct alu_pkginfo *pi, char *out, size_t n)
{
	char dir[4200], suffix[1024], p[8400];
	struct dirent *de;
	size_t sl;
	DIR *d;

	out[0] = 0;
	snprintf(dir, sizeof(dir), "%s/var/lib/yum/yumdb/%c", strcmp(root, "/") ? root : "", pi->name[0]);
	sl = (size_t)snprintf(suffix, sizeof(suffix), "-%s-%s-%s-%s", pi->name, pi->version,
			      pi->release, pi->arch);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		FILE *f;

		/* <pkgid>-: the checksum part has no '-', so the suffix decides */
		if (l <= sl || strcmp(de->d_name + l - sl, suffix) || memchr(de->d_name, '-', l - sl))
			continue;
		snprintf(p, sizeof(p), "%s/%s/from_repo", dir, de->d_name);
		f = alu_root_fopen(p);
		if (f) {
			if (fgets(out, (int)n, f))
				out[strcspn(out, "\r\n")] = 0;
			else
				out[0] = 0;
			fclose(f);
		}
		break;
	}
	closedir(d);
}

static int import_one(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	struct import *im = arg;
	struct alu_err le = { 0 };
	struct alu_hdr *h = NULL;
	struct alu_pkginfo pi;
	char what[4200], repo[256] = "";
	uint32_t t = 0;
	int r;

	snprintf(what, sizeof(what), "%s: package #%u", im->path, hnum);
	r = alu_hdr_parse(blob, len, what, &h, &le);
	if (r)
		return alu_err_set(im->e, r, "%s", le.msg[0] ? le.msg : what);
	alu_hdr_u32(h, TAG_INSTALLTIME, &t);
	if (alu_hdr_info(h, &pi) == 0 && pi.name && *pi.name && pi.version && pi.release && pi.arch)
		yumdb_repo(im->s->root, &pi, repo, sizeof(repo));
	r = st_add(im->s, im->txn, h, ALU_REASON_ADOPTED, repo, t ? t : 1, NULL, &le);
	alu_hdr_free(h);
	if (r)
		return alu_err_set(im->e, r, "%s: %s", what, le.msg);
	im->n++;
	return 0;
}

int st_stamp(const char *path, char *buf, size_t n)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	snprintf(buf, n, "%lld.%09ld %lld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		 (long long)st.st_size);
	return 0;
}

int st_import(struct alu_state *s, MDB_txn *txn, const char *path, enum alu_rpmdb_kind kind,
	      size_t *count, struct alu_err *e)
{
	static const int drop[] = { ST_PKGS, ST_HDR, ST_NAME, ST_FILE, ST_PROVIDE };
	struct import im = { .s = s, .txn = txn, .path = path, .e = e };
	char stamp[128];
	int r, rc;

	for (size_t i = 0; i < sizeof(drop) / sizeof(*drop); i++) {
		rc = mdb_drop(txn, s->dbi[drop[i]], 0);
		if (rc)
			return st_rc(rc, s->dir, e);
	}
	r = alu_rpmdb_foreach(path, kind, import_one, &im, e);
	if (r)
		return r;
	r = st_meta_put(s, txn, "adopted_from", path, strlen(path));
	if (!r && !st_stamp(path, stamp, sizeof(stamp)))
		r = st_meta_put(s, txn, "rpmdb_stamp", stamp, strlen(stamp));
	if (r)
		return alu_err_set(e, r, "%s: cannot record the adoption", s->dir);
	if (count)
		*count = im.n;
	return 0;
}

int alu_state_adopt(struct alu_state *s, size_t *count, char *from, struct alu_err *e)
{
	enum alu_rpmdb_kind kind;
	char path[4096];
	MDB_txn *txn;
	int r, rc;

	if (s->rdonly || !s->env)
		return alu_err_set(e, -EROFS, "%s: state opened read-only", s->dir);
	if (s->wtxn)
		return alu_err_set(e, -EBUSY, "%s: a write transaction is open", s->dir);
	r = alu_rpmdb_find(s->root, path, sizeof(path), &kind, e);
	if (r)
		return r;
	/* a full map is grown and the whole import redone: still one transaction */
	for (int tries = 0;; tries++) {
		rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		if (rc)
			return st_rc(rc, s->dir, e);
		struct alu_err le = { 0 };
		r = st_import(s, txn, path, kind, count, &le);
		if (r) {
			mdb_txn_abort(txn);
		} else {
			rc = mdb_txn_commit(txn);
			r = rc ? st_rc(rc, s->dir, &le) : 0;
		}
		if (r != -ALUE_NOSPACE || tries == 4 || alu_db_grow(s->env)) {
			if (r)
				return alu_err_set(e, r, "%s", le.msg);
			break;
		}
	}
	snprintf(s->info.adopted_from, sizeof(s->info.adopted_from), "%s", path);
	s->info.rpmdb_changed = 0;
	if (from)
		snprintf(from, 4096, "%s", path);
	return 0;
}
