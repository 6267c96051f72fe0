/* SPDX-License-Identifier: MIT */
/*
 * Small records other modules keep in the state's meta db (the rpm
 * database write-back's "rpmdb_*"), and a walk of the raw header blobs in
 * id order for writers that need every header as stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/state_int.h"

int alu_state_meta_get(struct alu_state *s, const char *key, void **val, size_t *len)
{
	MDB_txn *txn;
	MDB_val v;
	int own, r;

	*val = NULL;
	*len = 0;
	if (!s->env)
		return -ENOENT;
	if (st_rtxn(s, &txn, &own))
		return -ALUE_DB;
	r = st_meta_get(s, txn, key, &v);
	if (!r) {
		*val = malloc(v.mv_size + 1);
		if (*val) {
			memcpy(*val, v.mv_data, v.mv_size);
			((char *)*val)[v.mv_size] = 0;
			*len = v.mv_size;
		} else {
			r = -ENOMEM;
		}
	}
	st_rtxn_end(txn, own);
	return r;
}

int alu_state_meta_put(struct alu_state_txn *t, const char *key, const void *val, size_t len,
		       struct alu_err *e)
{
	int r;

	if (!val) {
		MDB_val k = { strlen(key), (void *)key };
		int rc = mdb_del(t->txn, t->s->dbi[ST_META], &k, NULL);
		return rc == MDB_NOTFOUND ? 0 : rc ? st_rc(rc, t->s->dir, e) : 0;
	}
	r = st_meta_put(t->s, t->txn, key, val, len);
	return r ? alu_err_set(e, r, "%s: cannot write meta '%s'", t->s->dir, key) : 0;
}

int alu_state_rpmdb_stamp(struct alu_state_txn *t, const char *path, struct alu_err *e)
{
	char stamp[128];
	int r = st_stamp(path, stamp, sizeof(stamp));

	if (r)
		return alu_err_set(e, r, "%s: %s", path, strerror(-r));
	r = st_meta_put(t->s, t->txn, "adopted_from", path, strlen(path));
	if (!r)
		r = st_meta_put(t->s, t->txn, "rpmdb_stamp", stamp, strlen(stamp));
	if (r)
		return alu_err_set(e, r, "%s: cannot record the rpm database's stamp", t->s->dir);
	snprintf(t->s->info.adopted_from, sizeof(t->s->info.adopted_from), "%s", path);
	t->s->info.rpmdb_changed = 0;
	return 0;
}

int alu_state_foreach_blob(struct alu_state *s,
			   int (*cb)(void *arg, uint64_t id, const void *blob, size_t len), void *arg)
{
	struct st_cursor cur;
	MDB_val k, v;
	int rc, r = 0;

	if (!s->env)
		return 0;
	if (st_cursor_open(s, ST_HDR, &cur))
		return -ALUE_DB;
	for (rc = mdb_cursor_get(cur.c, &k, &v, MDB_FIRST); !rc && !r;
	     rc = mdb_cursor_get(cur.c, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 8) {
			r = -ALUE_CORRUPT;
			break;
		}
		r = cb(arg, st_getid(&k), v.mv_data, v.mv_size);
	}
	return st_cursor_close(&cur, rc, r);
}
