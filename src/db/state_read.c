/* SPDX-License-Identifier: MIT */
/* Read side: listings and index lookups, each in one read transaction. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db/state_int.h"

int st_cursor_open(struct alu_state *s, int dbi, struct st_cursor *cur)
{
	cur->c = NULL;
	if (st_rtxn(s, &cur->txn, &cur->own))
		return -ALUE_DB;
	if (mdb_cursor_open(cur->txn, s->dbi[dbi], &cur->c)) {
		st_rtxn_end(cur->txn, cur->own);
		return -ALUE_DB;
	}
	return 0;
}

int st_cursor_close(struct st_cursor *cur, int rc, int r)
{
	if (rc && rc != MDB_NOTFOUND && !r)
		r = -ALUE_DB;
	mdb_cursor_close(cur->c);
	st_rtxn_end(cur->txn, cur->own);
	return r;
}

/* Call @p cb with the record of id @p idv (an 8-byte index value). */
static int emit(struct alu_state *s, MDB_txn *txn, MDB_val *idv, alu_instpkg_cb cb, void *arg)
{
	struct alu_instpkg p;
	MDB_val val;
	int rc = mdb_get(txn, s->dbi[ST_PKGS], idv, &val);

	if (rc == MDB_NOTFOUND)
		return -ENOENT;
	if (rc)
		return -ALUE_DB;
	if (st_rec_decode(idv, &val, &p))
		return -ALUE_CORRUPT;
	return cb(arg, &p);
}

/* Walk the dupsort index @p dbi: every value (@p key NULL) or those of one key. */
static int walk_index(struct alu_state *s, int dbi, const char *k, alu_instpkg_cb pcb,
		      alu_id_cb icb, void *arg)
{
	struct st_key key;
	struct st_cursor cur;
	MDB_val kv, v;
	int rc, r = 0;

	if (!s->env)
		return 0;
	if (st_cursor_open(s, dbi, &cur))
		return -ALUE_DB;
	if (k) {
		st_key(&key, k, strlen(k));
		kv = key.v;
		rc = mdb_cursor_get(cur.c, &kv, &v, MDB_SET_KEY);
	} else {
		rc = mdb_cursor_get(cur.c, &kv, &v, MDB_FIRST);
	}
	while (!rc && !r) {
		if (v.mv_size != 8) {
			r = -ALUE_CORRUPT;
			break;
		}
		if (pcb) {
			r = emit(s, cur.txn, &v, pcb, arg);
			if (r == -ENOENT)   /* a dangling index entry: skip, as rpm does */
				r = 0;
		} else {
			r = icb(arg, st_getid(&v));
		}
		rc = mdb_cursor_get(cur.c, &kv, &v, k ? MDB_NEXT_DUP : MDB_NEXT);
	}
	return st_cursor_close(&cur, rc, r);
}

int alu_state_foreach(struct alu_state *s, alu_instpkg_cb cb, void *arg)
{
	return walk_index(s, ST_NAME, NULL, cb, NULL, arg);
}

int alu_state_find_name(struct alu_state *s, const char *name, alu_instpkg_cb cb, void *arg)
{
	return walk_index(s, ST_NAME, name, cb, NULL, arg);
}

int alu_state_file_owners(struct alu_state *s, const char *path, alu_id_cb cb, void *arg)
{
	return walk_index(s, ST_FILE, path, NULL, cb, arg);
}

int alu_state_what_provides(struct alu_state *s, const char *cap, alu_id_cb cb, void *arg)
{
	return walk_index(s, ST_PROVIDE, cap, NULL, cb, arg);
}

int alu_state_get(struct alu_state *s, uint64_t id, alu_instpkg_cb cb, void *arg)
{
	unsigned char idb[8];
	MDB_val key = { 8, idb };
	MDB_txn *txn;
	int own, r;

	if (!s->env)
		return -ENOENT;
	st_id(idb, id);
	if (st_rtxn(s, &txn, &own))
		return -ALUE_DB;
	r = emit(s, txn, &key, cb, arg);
	st_rtxn_end(txn, own);
	return r;
}

size_t alu_state_count(struct alu_state *s)
{
	MDB_stat st;
	MDB_txn *txn;
	int own;
	size_t n = 0;

	if (!s->env || st_rtxn(s, &txn, &own))
		return 0;
	if (!mdb_stat(txn, s->dbi[ST_PKGS], &st))
		n = st.ms_entries;
	st_rtxn_end(txn, own);
	return n;
}

int alu_state_header(struct alu_state *s, uint64_t id, struct alu_hdr **out, struct alu_err *e)
{
	unsigned char idb[8];
	char what[64];
	MDB_val key = { 8, idb }, val;
	MDB_txn *txn;
	int own, rc, r;

	if (!s->env)
		return alu_err_set(e, -ENOENT, "no installed package with id %llu", (unsigned long long)id);
	st_id(idb, id);
	if (st_rtxn(s, &txn, &own))
		return alu_err_set(e, -ALUE_DB, "%s: cannot read", s->dir);
	rc = mdb_get(txn, s->dbi[ST_HDR], &key, &val);
	if (rc == MDB_NOTFOUND)
		r = alu_err_set(e, -ENOENT, "no installed package with id %llu", (unsigned long long)id);
	else if (rc)
		r = st_rc(rc, s->dir, e);
	else {
		snprintf(what, sizeof(what), "installed package %llu", (unsigned long long)id);
		r = alu_hdr_parse(val.mv_data, val.mv_size, what, out, e);
	}
	st_rtxn_end(txn, own);
	return r;
}
