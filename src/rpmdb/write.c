/* SPDX-License-Identifier: MIT */
/*
 * The write step of a sync: every header of the state, in id order (the
 * id is the package's hnum: ids only grow, as rpm's instance numbers do),
 * into a new database beside the old, switched in; then the record of what
 * was written. The order makes a kill -9 at any point safe:
 *   1. build and fsync the new database (the old one is untouched);
 *   2. record it as "rpmdb_pending" in the state;
 *   3. switch it in (dbswitch.c);
 *   4. record it as "rpmdb_sync", drop "rpmdb_pending".
 * A run cut between 2 and 4 leaves a database whose digest is the pending
 * one's or the last sync's: the next sync knows it as its own either way.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpmdb/rpmdb_int.h"
#include "util/clock.h"

int alu_rpmdb_test_point(const char *point)
{
	const char *at = getenv("ALU_RPMDB_KILL_AT");

	if (at && !strcmp(at, point))
		kill(getpid(), SIGKILL);
	return 0;
}

int alu_rpmdb_no_exchange(void)
{
	const char *v = getenv("ALU_RPMDB_NO_EXCHANGE");

	return v && *v == '1';
}

struct hset {
	struct alu_rpmdb_hdr *v;
	uint64_t *dig;
	size_t n, cap;
};

static int collect(void *arg, uint64_t id, const void *blob, size_t len)
{
	struct hset *hs = arg;
	void *copy;

	if (id > UINT32_MAX)
		return -ERANGE;
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? 2 * hs->cap : 512;
		struct alu_rpmdb_hdr *nv = realloc(hs->v, cap * sizeof(*nv));
		uint64_t *nd = nv ? realloc(hs->dig, cap * sizeof(*nd)) : NULL;
		if (nv)
			hs->v = nv;
		if (!nd)
			return -ENOMEM;
		hs->dig = nd;
		hs->cap = cap;
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, blob, len);
	hs->v[hs->n] = (struct alu_rpmdb_hdr){ (uint32_t)id, copy, len };
	hs->dig[hs->n++] = rec_blobdig(blob, len);
	return 0;
}

static void hset_free(struct hset *hs)
{
	for (size_t i = 0; i < hs->n; i++)
		free((void *)hs->v[i].blob);
	free(hs->v);
	free(hs->dig);
}

/* The database file inside the directory of a @p kind database. */
static const char *db_file(enum alu_rpmdb_kind kind)
{
	return kind == ALU_RPMDB_SQLITE ? "rpmdb.sqlite" : "Packages";
}

/* Steps 1-4 for the database at @p path. */
static int write_db(struct alu_state *s, const char *root, const char *path,
		    enum alu_rpmdb_kind kind, const struct hset *hs, struct alu_err *e)
{
	struct rec pend = { 0 };
	char file[PATH_MAX + 64];
	struct sw w;
	int r = sw_begin(root, path, &w, e);

	if (r)
		return r;
	sw_path(&w, db_file(kind), file, sizeof(file));
	if (kind == ALU_RPMDB_SQLITE)
		r = alu_rpmdb_sqlite_write(file, hs->v, hs->n, e);
	else
		r = alu_rpmdb_bdb_write(w.nfd, hs->v, hs->n, e);
	alu_rpmdb_test_point("build");
	if (!r)
		alu_clock_touch(file);
	if (!r && (r = rec_stat(file, &pend, 1)))
		alu_err_set(e, r, "%s: %s", file, strerror(-r));
	if (!r) {
		pend.v = calloc(hs->n ? hs->n : 1, sizeof(*pend.v));
		if (!pend.v)
			r = alu_err_set(e, -ENOMEM, "out of memory");
		for (size_t i = 0; pend.v && i < hs->n; i++)
			pend.v[i] = (struct rec_ent){ hs->v[i].hnum, hs->dig[i] };
		pend.n = hs->n;
	}
	if (!r)
		r = rec_store(s, "rpmdb_pending", &pend, e);
	alu_rpmdb_test_point("pending");
	if (!r)
		r = sw_commit(&w, e);
	sw_end(&w);
	alu_rpmdb_test_point("record");
	/* step 4 in one commit: the record, the pending one gone, the stamp */
	if (!r) {
		struct alu_state_txn *t = NULL;
		r = alu_state_txn_begin(s, &t, e);
		if (!r)
			r = rec_put(t, "rpmdb_sync", &pend, e);
		if (!r)
			r = rec_put(t, "rpmdb_pending", NULL, e);
		if (!r)
			r = alu_state_rpmdb_stamp(t, path, e);
		if (!r)
			r = alu_state_txn_commit(t, e);
		else
			alu_state_txn_abort(t);
	}
	rec_free(&pend);
	return r;
}

int rpmdb_write(struct alu_state *s, const char *root, const char *path, enum alu_rpmdb_kind kind,
		int manifest, struct alu_rpmdb_report *rep, struct alu_err *e)
{
	struct hset hs = { 0 };
	int r = alu_state_foreach_blob(s, collect, &hs);

	if (r) {
		alu_err_set(e, r, "reading the installed headers: %s", alu_strerror(r));
		goto out;
	}
	if (path)
		r = write_db(s, root, path, kind, &hs, e);
	if (!r && manifest) {
		char *extra = NULL;
		size_t xlen;
		alu_state_meta_get(s, "rpmdb_manifest_extra", (void **)&extra, &xlen);
		r = mf_write(root, hs.v, hs.n, extra, e);
		free(extra);
		if (!r && !path) {
			/* a manifest-only root: the record says which state it shows */
			struct rec mr = { .v = calloc(hs.n ? hs.n : 1, sizeof(*mr.v)), .n = hs.n };
			if (!mr.v) {
				r = alu_err_set(e, -ENOMEM, "out of memory");
				goto out;
			}
			for (size_t i = 0; i < hs.n; i++)
				mr.v[i] = (struct rec_ent){ hs.v[i].hnum, hs.dig[i] };
			r = rec_store(s, "rpmdb_sync", &mr, e);
			rec_free(&mr);
		}
		rep->manifest = !r;
	}
	if (!r) {
		rep->written = 1;
		rep->count = hs.n;
	}
out:
	hset_free(&hs);
	return r;
}
