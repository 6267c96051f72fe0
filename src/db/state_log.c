/* SPDX-License-Identifier: MIT */
/*
 * The journal (opaque records of an unfinished transaction, owned by the
 * transaction code) and the history (append-only records, sequence keyed).
 * Both are written inside the caller's state transaction, so a journal entry
 * and the package changes it describes commit together.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/state_int.h"

int alu_state_journal_put(struct alu_state_txn *t, const void *key, size_t klen,
			  const void *val, size_t vlen, struct alu_err *e)
{
	MDB_val k = { klen, (void *)key }, v = { vlen, (void *)val };
	int rc;

	if (klen == 0 || klen > ALU_STATE_KEYMAX)
		return alu_err_set(e, -EINVAL, "journal key of %zu bytes", klen);
	rc = mdb_put(t->txn, t->s->dbi[ST_JOURNAL], &k, &v, 0);
	return rc ? st_rc(rc, "journal", e) : 0;
}

int alu_state_journal_del(struct alu_state_txn *t, const void *key, size_t klen, struct alu_err *e)
{
	MDB_val k = { klen, (void *)key };
	int rc;

	if (klen == 0 || klen > ALU_STATE_KEYMAX)
		return alu_err_set(e, -EINVAL, "journal key of %zu bytes", klen);
	rc = mdb_del(t->txn, t->s->dbi[ST_JOURNAL], &k, NULL);
	return rc ? st_rc(rc, "journal", e) : 0;
}

int alu_state_journal_get(struct alu_state *s, const void *key, size_t klen,
			  void **val, size_t *vlen)
{
	MDB_val k = { klen, (void *)key }, v;
	MDB_txn *txn;
	int own, rc, r = 0;

	if (!s->env)
		return -ENOENT;
	if (klen == 0 || klen > ALU_STATE_KEYMAX)
		return -EINVAL;
	if (st_rtxn(s, &txn, &own))
		return -ALUE_DB;
	rc = mdb_get(txn, s->dbi[ST_JOURNAL], &k, &v);
	if (rc) {
		r = rc == MDB_NOTFOUND ? -ENOENT : -ALUE_DB;
	} else {
		*val = malloc(v.mv_size ? v.mv_size : 1);
		if (!*val) {
			r = -ENOMEM;
		} else {
			memcpy(*val, v.mv_data, v.mv_size);
			*vlen = v.mv_size;
		}
	}
	st_rtxn_end(txn, own);
	return r;
}

/* Walk db @p dbi in key order (or reverse); cb gets key and value. */
static int walk(struct alu_state *s, int dbi, int reverse,
		int (*cb)(void *arg, const MDB_val *k, const MDB_val *v), void *arg)
{
	struct st_cursor cur;
	MDB_val k, v;
	int rc, r = 0;

	if (!s->env)
		return 0;
	if (st_cursor_open(s, dbi, &cur))
		return -ALUE_DB;
	rc = mdb_cursor_get(cur.c, &k, &v, reverse ? MDB_LAST : MDB_FIRST);
	while (!rc && !r) {
		r = cb(arg, &k, &v);
		rc = mdb_cursor_get(cur.c, &k, &v, reverse ? MDB_PREV : MDB_NEXT);
	}
	return st_cursor_close(&cur, rc, r);
}

struct jw {
	int (*cb)(void *arg, const void *key, size_t klen, const void *val, size_t vlen);
	int (*hcb)(void *arg, uint64_t seq, const void *rec, size_t len);
	void *arg;
};

static int journal_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct jw *w = arg;

	return w->cb(w->arg, k->mv_data, k->mv_size, v->mv_data, v->mv_size);
}

int alu_state_journal_foreach(struct alu_state *s,
		int (*cb)(void *arg, const void *key, size_t klen, const void *val, size_t vlen),
		void *arg)
{
	struct jw w = { .cb = cb, .arg = arg };

	return walk(s, ST_JOURNAL, 0, journal_one, &w);
}

int alu_state_history_append(struct alu_state_txn *t, const void *rec, size_t len,
			     uint64_t *seq, struct alu_err *e)
{
	unsigned char kb[8];
	MDB_cursor *c = NULL;
	MDB_val k, v;
	uint64_t next = 1;
	int rc;

	rc = mdb_cursor_open(t->txn, t->s->dbi[ST_HISTORY], &c);
	if (!rc) {
		rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
		if (rc == 0)
			next = st_getid(&k) + 1;
		else if (rc == MDB_NOTFOUND)
			rc = 0;
		mdb_cursor_close(c);
	}
	if (rc)
		return st_rc(rc, "history", e);
	st_id(kb, next);
	k = (MDB_val){ 8, kb };
	v = (MDB_val){ len, (void *)rec };
	/* keys are big endian: the new one sorts last, MDB_APPEND is valid */
	rc = mdb_put(t->txn, t->s->dbi[ST_HISTORY], &k, &v, MDB_APPEND);
	if (rc)
		return st_rc(rc, "history", e);
	if (seq)
		*seq = next;
	return 0;
}

int alu_state_history_put(struct alu_state_txn *t, uint64_t seq, const void *rec, size_t len,
			  struct alu_err *e)
{
	unsigned char kb[8];
	MDB_val k = { 8, kb }, v;
	int rc;

	st_id(kb, seq);
	rc = mdb_get(t->txn, t->s->dbi[ST_HISTORY], &k, &v);
	if (rc == MDB_NOTFOUND)
		return alu_err_set(e, -ENOENT, "no history record %llu", (unsigned long long)seq);
	v = (MDB_val){ len, (void *)rec };
	if (!rc)
		rc = mdb_put(t->txn, t->s->dbi[ST_HISTORY], &k, &v, 0);
	return rc ? st_rc(rc, "history", e) : 0;
}

static int history_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct jw *w = arg;

	return w->hcb(w->arg, st_getid(k), v->mv_data, v->mv_size);
}

int alu_state_history_foreach(struct alu_state *s, int reverse,
		int (*cb)(void *arg, uint64_t seq, const void *rec, size_t len), void *arg)
{
	struct jw w = { .hcb = cb, .arg = arg };

	return walk(s, ST_HISTORY, reverse, history_one, &w);
}
