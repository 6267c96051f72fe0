/* SPDX-License-Identifier: MIT */
/*
 * Encodings of the state environment.
 *
 * Package record (pkgs value), version 1, little endian:
 *   0  u8  format (1)          1  u8  reason      2  u16 reserved (0)
 *   4  u32 epoch               8  u32 installtime 12 u32 reserved (0)
 *   16 u64 installed size
 *   24 name NUL version NUL release NUL arch NUL repo NUL
 * Strings are NUL-terminated in the record so readers can point into the
 * map instead of copying.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/state_int.h"

enum { REC_FMT = 1, REC_FIXED = 24 };

const char *alu_state_reason_str(int reason)
{
	switch (reason) {
	case ALU_REASON_USER: return "user";
	case ALU_REASON_DEP: return "dep";
	case ALU_REASON_ADOPTED: return "adopted";
	}
	return "unknown";
}

void st_key(struct st_key *k, const void *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;   /* FNV-1a 64 */
	static const char hex[] = "0123456789abcdef";
	size_t pre = ALU_STATE_KEYMAX - 17;

	if (n <= ALU_STATE_KEYMAX) {
		k->v.mv_data = (void *)p;
		k->v.mv_size = n;
		return;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ull;
	/* the NUL cannot occur in a path or capability: no clash with short keys */
	memcpy(k->buf, p, pre);
	k->buf[pre] = 0;
	for (int i = 0; i < 16; i++)
		k->buf[pre + 1 + i] = hex[(h >> (60 - 4 * i)) & 15];
	k->v.mv_data = k->buf;
	k->v.mv_size = ALU_STATE_KEYMAX;
}

void st_id(unsigned char out[8], uint64_t id)
{
	for (int i = 0; i < 8; i++)
		out[i] = (unsigned char)(id >> (56 - 8 * i));
}

uint64_t st_getid(const MDB_val *v)
{
	const unsigned char *p = v->mv_data;
	uint64_t id = 0;

	if (v->mv_size != 8)
		return 0;
	for (int i = 0; i < 8; i++)
		id = id << 8 | p[i];
	return id;
}

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int st_rec_encode(const struct alu_instpkg *p, unsigned char **out, size_t *len)
{
	const char *s[5] = { p->name, p->version, p->release, p->arch, p->repo ? p->repo : "" };
	size_t n = REC_FIXED, o = REC_FIXED;
	unsigned char *b;

	for (int i = 0; i < 5; i++)
		n += strlen(s[i]) + 1;
	b = calloc(1, n);
	if (!b)
		return -ENOMEM;
	b[0] = REC_FMT;
	b[1] = (unsigned char)p->reason;
	put32(b + 4, p->epoch);
	put32(b + 8, p->installtime);
	put32(b + 16, (uint32_t)p->size);
	put32(b + 20, (uint32_t)(p->size >> 32));
	for (int i = 0; i < 5; i++) {
		size_t l = strlen(s[i]) + 1;
		memcpy(b + o, s[i], l);
		o += l;
	}
	*out = b;
	*len = n;
	return 0;
}

int st_rec_decode(const MDB_val *key, const MDB_val *val, struct alu_instpkg *p)
{
	const unsigned char *b = val->mv_data;
	const char **s[5] = { &p->name, &p->version, &p->release, &p->arch, &p->repo };
	size_t o = REC_FIXED;

	if (val->mv_size < REC_FIXED + 5 || b[0] != REC_FMT)
		return -ALUE_CORRUPT;
	p->id = st_getid(key);
	p->reason = b[1];
	p->epoch = get32(b + 4);
	p->installtime = get32(b + 8);
	p->size = get32(b + 16) | (uint64_t)get32(b + 20) << 32;
	for (int i = 0; i < 5; i++) {
		const unsigned char *z = memchr(b + o, 0, val->mv_size - o);
		if (!z)
			return -ALUE_CORRUPT;
		*s[i] = (const char *)b + o;
		o = (size_t)(z - b) + 1;
		if (i < 4 && o >= val->mv_size)
			return -ALUE_CORRUPT;
	}
	return 0;
}

int st_rc(int rc, const char *what, struct alu_err *e)
{
	if (rc == MDB_MAP_FULL)
		return alu_err_set(e, -ALUE_NOSPACE, "%s: the state database is full", what);
	return alu_db_rc(rc, what, e);
}

int st_rtxn(struct alu_state *s, MDB_txn **txn, int *own)
{
	if (s->wtxn) {
		*txn = s->wtxn->txn;
		*own = 0;
		return 0;
	}
	*own = 1;
	return mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn) ? -ALUE_DB : 0;
}

void st_rtxn_end(MDB_txn *txn, int own)
{
	if (own)
		mdb_txn_abort(txn);
}

int st_meta_get(struct alu_state *s, MDB_txn *txn, const char *k, MDB_val *v)
{
	MDB_val key = { strlen(k), (void *)k };
	int rc = mdb_get(txn, s->dbi[ST_META], &key, v);

	return rc == MDB_NOTFOUND ? -ENOENT : rc ? -ALUE_DB : 0;
}

int st_meta_put(struct alu_state *s, MDB_txn *txn, const char *k, const void *v, size_t n)
{
	MDB_val key = { strlen(k), (void *)k }, val = { n, (void *)v };
	int rc = mdb_put(txn, s->dbi[ST_META], &key, &val, 0);

	return rc == MDB_MAP_FULL ? -ALUE_NOSPACE : rc ? -ALUE_DB : 0;
}
