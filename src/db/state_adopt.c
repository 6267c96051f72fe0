/* SPDX-License-Identifier: MIT */
/*
 * Adoption: import every header of the root's rpm database as an installed
 * package (reason "adopted"), inside the caller's write transaction, so a
 * bad database leaves nothing written. The rpm database is only read.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "db/state_int.h"

enum { TAG_INSTALLTIME = 1008 };

struct import {
	struct alu_state *s;
	MDB_txn *txn;
	const char *path;
	size_t n;
	struct alu_err *e;
};

static int import_one(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	struct import *im = arg;
	struct alu_err le = { 0 };
	struct alu_hdr *h = NULL;
	char what[4200];
	uint32_t t = 0;
	int r;

	snprintf(what, sizeof(what), "%s: package #%u", im->path, hnum);
	r = alu_hdr_parse(blob, len, what, &h, &le);
	if (r)
		return alu_err_set(im->e, r, "%s", le.msg[0] ? le.msg : what);
	alu_hdr_u32(h, TAG_INSTALLTIME, &t);
	r = st_add(im->s, im->txn, h, ALU_REASON_ADOPTED, "", t ? t : 1, NULL, &le);
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
