/* SPDX-License-Identifier: MIT */
/*
 * alu_rpmdb_sync(): the state and the root's rpm database brought into
 * agreement (model in rpmdb_out.h). The three sets:
 *   B  what the last write (or the last agreement) recorded: id + digest;
 *   S  the state now (ids);
 *   R  the rpm database now (digests of its header blobs).
 * rpm's changes are R against B: digests that appeared are adopted, B's
 * packages whose digest went are removed. The state's own changes are S
 * against B and are kept. The database is written when S is not B.
 * With no record yet (first sync after adoption), B is the state itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "rpmdb/rpmdb_int.h"

enum { TAG_INSTALLTIME = 1008 };

void alu_rpmdb_report_free(struct alu_rpmdb_report *r)
{
	alu_strv_free(&r->changes);
}

/* ---- S: the state's ids, and (for a missing record) their digests ------- */

struct ids {
	struct rec_ent *v;
	size_t n, cap;
	int with_dig;
};

static int ids_cb(void *arg, uint64_t id, const void *blob, size_t len)
{
	struct ids *x = arg;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 512;
		struct rec_ent *nv = realloc(x->v, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		x->v = nv;
		x->cap = cap;
	}
	x->v[x->n++] = (struct rec_ent){ id, x->with_dig ? rec_blobdig(blob, len) : 0 };
	return 0;
}

static int same_ids(const struct rec_ent *a, size_t na, const struct rec_ent *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (a[i].id != b[i].id)
			return 0;
	return 1;
}

/* ---- R against B --------------------------------------------------------- */

struct radd { uint64_t dig; void *blob; size_t len; };

struct rwalk {
	const struct rec *b;
	unsigned char *seen;          /* per B entry */
	struct radd *add;
	size_t nadd, cap;
	uint64_t *rdig;               /* every R digest, in R order */
	size_t nr, rcap;
};

static const struct rec_ent *find_dig(const struct rec *b, uint64_t dig, size_t *at)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->v[i].dig == dig) {
			*at = i;
			return &b->v[i];
		}
	return NULL;
}

static int r_cb(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	struct rwalk *w = arg;
	uint64_t dig = rec_blobdig(blob, len);
	size_t at;

	(void)hnum;
	if (w->nr == w->rcap) {
		size_t cap = w->rcap ? 2 * w->rcap : 512;
		uint64_t *nv = realloc(w->rdig, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		w->rdig = nv;
		w->rcap = cap;
	}
	w->rdig[w->nr++] = dig;
	if (find_dig(w->b, dig, &at) && !w->seen[at]) {
		w->seen[at] = 1;
		return 0;
	}
	if (w->nadd == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct radd *nv = realloc(w->add, cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		w->add = nv;
		w->cap = cap;
	}
	w->add[w->nadd].blob = malloc(len);
	if (!w->add[w->nadd].blob)
		return -ENOMEM;
	memcpy(w->add[w->nadd].blob, blob, len);
	w->add[w->nadd].len = len;
	w->add[w->nadd++].dig = dig;
	return 0;
}

static void rwalk_free(struct rwalk *w)
{
	for (size_t i = 0; i < w->nadd; i++)
		free(w->add[i].blob);
	free(w->add);
	free(w->seen);
	free(w->rdig);
}

/* What a removed package was, to carry over to a changed header of it. */
struct gone { char nevra[512]; int reason; char repo[256]; int used; };

static int get_cb(void *arg, const struct alu_instpkg *p)
{
	struct gone *g = arg;

	if (p->epoch)
		snprintf(g->nevra, sizeof(g->nevra), "%s-%u:%s-%s.%s", p->name, p->epoch, p->version,
			 p->release, p->arch);
	else
		snprintf(g->nevra, sizeof(g->nevra), "%s-%s-%s.%s", p->name, p->version, p->release, p->arch);
	g->reason = p->reason;
	snprintf(g->repo, sizeof(g->repo), "%s", p->repo ? p->repo : "");
	return 0;
}

static void pkg_nevra(const struct alu_hdr *h, char *buf, size_t n)
{
	struct alu_pkginfo pi;

	alu_hdr_info(h, &pi);
	if (pi.epoch)
		snprintf(buf, n, "%s-%u:%s-%s.%s", pi.name, pi.epoch, pi.version, pi.release,
			 pi.arch && *pi.arch ? pi.arch : "(none)");
	else
		snprintf(buf, n, "%s-%s-%s.%s", pi.name, pi.version, pi.release,
			 pi.arch && *pi.arch ? pi.arch : "(none)");
}

/* Apply rpm's changes (R against B) to the state in one transaction, and
 * make @p nb the new B: R's packages under their state ids. */
static int readopt(struct alu_state *s, const char *path, struct rwalk *w, struct rec *nb,
		   struct alu_rpmdb_report *rep, struct alu_err *e)
{
	const struct rec *b = w->b;
	struct gone *g = calloc(b->n ? b->n : 1, sizeof(*g));
	struct alu_state_txn *t = NULL;
	size_t ng = 0;
	char line[600];
	int r = 0;

	nb->v = calloc(w->nr ? w->nr : 1, sizeof(*nb->v));
	if (!g || !nb->v) {
		free(g);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	r = alu_state_txn_begin(s, &t, e);
	for (size_t i = 0; !r && i < b->n; i++) {
		if (w->seen[i]) {
			nb->v[nb->n++] = b->v[i];
			continue;
		}
		/* gone from R; gone from S too when alupdate removed it since */
		if (alu_state_get(s, b->v[i].id, get_cb, &g[ng]) != 0)
			continue;
		r = alu_state_remove(t, b->v[i].id, e);
		if (!r)
			ng++;
	}
	for (size_t i = 0; !r && i < w->nadd; i++) {
		struct alu_hdr *h = NULL;
		uint32_t itime = 0;
		int reason = ALU_REASON_ADOPTED;
		const char *repo = "";
		uint64_t id = 0;
		char nevra[512], what[PATH_MAX + 32];

		snprintf(what, sizeof(what), "%s: a package rpm added", path);
		r = alu_hdr_parse(w->add[i].blob, w->add[i].len, what, &h, e);
		if (r)
			break;
		pkg_nevra(h, nevra, sizeof(nevra));
		for (size_t k = 0; k < ng; k++)
			if (!g[k].used && !strcmp(g[k].nevra, nevra)) {
				g[k].used = 1;   /* the same package, its header rewritten by rpm */
				reason = g[k].reason;
				repo = g[k].repo;
				break;
			}
		alu_hdr_u32(h, TAG_INSTALLTIME, &itime);
		r = alu_state_add(t, h, reason, repo, itime ? itime : 1, &id, e);
		alu_hdr_free(h);
		if (r)
			break;
		nb->v[nb->n++] = (struct rec_ent){ id, w->add[i].dig };
		if (reason == ALU_REASON_ADOPTED) {
			snprintf(line, sizeof(line), "+%s", nevra);
			alu_strv_push(&rep->changes, line);
			rep->added++;
		}
	}
	for (size_t k = 0; !r && k < ng; k++)
		if (!g[k].used) {
			snprintf(line, sizeof(line), "-%s", g[k].nevra);
			alu_strv_push(&rep->changes, line);
			rep->removed++;
		}
	if (!r)
		r = alu_state_txn_commit(t, e);
	else
		alu_state_txn_abort(t);
	free(g);
	if (!r)
		rep->readopted = 1;
	return r;
}

/* rpm killed mid-write leaves its last changes in rpmdb.sqlite-wal, which
 * the read-only reader (immutable=1) does not see: fold them into the file
 * first, as rpm's own next open would. Under rpm's lock, so no rpm writes. */
static int checkpoint_wal(const char *path, struct alu_err *e)
{
	char wal[4200];
	struct stat st;
	sqlite3 *db = NULL;
	int rc;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (stat(wal, &st) || st.st_size == 0)
		return 0;
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		alu_err_set(e, -ALUE_DB, "%s: cannot fold in %s: %s", path, wal,
			    db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -ALUE_DB;
}

/* The record of an agreement found without writing, and the stamp that
 * alu_state_info()'s rpmdb_changed compares against. */
static int store_sync(struct alu_state *s, const char *path, const struct rec *rec,
		      struct alu_err *e)
{
	struct alu_state_txn *t = NULL;
	int r = rec_store(s, "rpmdb_sync", rec, e);

	if (!r && path)
		r = alu_state_txn_begin(s, &t, e);
	if (!r && path && !(r = alu_state_rpmdb_stamp(t, path, e)))
		r = alu_state_txn_commit(t, e);
	else if (t)
		alu_state_txn_abort(t);
	return r;
}

int alu_rpmdb_forget(struct alu_state *s, struct alu_err *e)
{
	int r = rec_store(s, "rpmdb_sync", NULL, e);

	return r ? r : rec_store(s, "rpmdb_pending", NULL, e);
}

static int ent_cmp(const void *a, const void *b)
{
	const struct rec_ent *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Is the file at @p path what @p rec or @p pend describes? Refreshes the
 * stamp in @p rec when only it moved; adopts @p pend when that is the one. */
static int known_file(const char *path, struct rec *rec, struct rec *pend, int *stamp_moved)
{
	struct rec cur = { 0 };

	if (rec_stat(path, &cur, 0))
		return 0;
	if (cur.size == rec->size && cur.mtime_ns == rec->mtime_ns)
		return 1;
	if (rec_stat(path, &cur, 1))
		return 0;
	if (rec->sha[0] && !strcmp(cur.sha, rec->sha)) {
		rec->size = cur.size;
		rec->mtime_ns = cur.mtime_ns;
		*stamp_moved = 1;
		return 1;
	}
	if (pend && pend->v && !strcmp(cur.sha, pend->sha)) {
		/* a run was cut after its switch, before its record: it is ours */
		rec_free(rec);
		*rec = *pend;
		memset(pend, 0, sizeof(*pend));
		rec->size = cur.size;
		rec->mtime_ns = cur.mtime_ns;
		*stamp_moved = 1;
		return 1;
	}
	return 0;
}

int alu_rpmdb_sync(struct alu_state *s, const char *root, unsigned flags,
		   struct alu_rpmdb_report *rep, struct alu_err *e)
{
	struct rec rec = { 0 }, pend = { 0 }, nb = { 0 };
	struct ids sids = { 0 };
	struct rwalk w = { 0 };
	struct alu_err le = { 0 };
	enum alu_rpmdb_kind kind = 0;
	char path[4096], mf[4096];
	int r, has_db, has_mf, has_rec, changed = 0, moved = 0, lockfd = -1;

	memset(rep, 0, sizeof(*rep));
	r = alu_rpmdb_recover(root, rep->recovered, sizeof(rep->recovered), e);
	if (r)
		return r;
	r = alu_rpmdb_find(root, path, sizeof(path), &kind, &le);
	if (r && r != -ENOENT)
		return alu_err_set(e, r, "%s", le.msg);
	has_db = r == 0;
	has_mf = mf_find(root, mf, sizeof(mf));
	if (!has_db && !has_mf)
		return 0;
	snprintf(rep->path, sizeof(rep->path), "%s", has_db ? path : mf);
	if (has_db && (r = sw_rpmlock(path, 30, &lockfd, e)))
		return r;
	if (has_db && kind == ALU_RPMDB_SQLITE && (r = checkpoint_wal(path, e)))
		goto out;
	has_rec = rec_load(s, "rpmdb_sync", &rec) == 0;
	rec_load(s, "rpmdb_pending", &pend);
	if (has_db)
		changed = !has_rec || !known_file(path, &rec, &pend, &moved);
	if (changed) {
		if (!has_rec) {
			/* no record: the state is the base, digests and all */
			struct ids all = { .with_dig = 1 };
			r = alu_state_foreach_blob(s, ids_cb, &all);
			rec.v = all.v;
			rec.n = all.n;
			if (r) {
				alu_err_set(e, r, "reading the installed headers: %s", alu_strerror(r));
				goto out;
			}
		}
		w.b = &rec;
		w.seen = calloc(rec.n ? rec.n : 1, 1);
		if (!w.seen) {
			r = alu_err_set(e, -ENOMEM, "out of memory");
			goto out;
		}
		r = alu_rpmdb_foreach(path, kind, r_cb, &w, e);
		if (r)
			goto out;
		int same = w.nadd == 0;
		for (size_t i = 0; same && i < rec.n; i++)
			same = w.seen[i];
		if (same) {
			nb.v = rec.v;
			nb.n = rec.n;
			rec.v = NULL;
		} else if ((r = readopt(s, path, &w, &nb, rep, e))) {
			goto out;
		}
		qsort(nb.v, nb.n, sizeof(*nb.v), ent_cmp);
		if ((r = rec_stat(path, &nb, 1)))
			goto out;
		rec_free(&rec);
		rec = nb;
		memset(&nb, 0, sizeof(nb));
		moved = 1;
	}
	r = alu_state_foreach_blob(s, ids_cb, &sids);
	if (r) {
		alu_err_set(e, r, "reading the installed state: %s", alu_strerror(r));
		goto out;
	}
	/* a manifest-only root not adopted yet (ops/mfadopt.c): never written empty */
	if (!has_db && !has_rec && !sids.n)
		goto out;
	if (same_ids(sids.v, sids.n, rec.v, rec.n) && (has_rec || changed || !has_mf)) {
		if (moved)
			r = store_sync(s, has_db ? path : NULL, &rec, e);
		goto out;
	}
	if (flags & ALU_RPMDBF_NOWRITE) {
		if (moved)
			r = store_sync(s, has_db ? path : NULL, &rec, e);
		goto out;
	}
	r = rpmdb_write(s, root, has_db ? path : NULL, kind, has_mf, rep, e);
	rep->write_failed = r != 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	rwalk_free(&w);
	free(sids.v);
	rec_free(&rec);
	rec_free(&pend);
	rec_free(&nb);
	return r;
}
