/* SPDX-License-Identifier: MIT */
/* Write side: one write transaction per alu_state; packages and their indexes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "db/state_int.h"

int alu_state_txn_begin(struct alu_state *s, struct alu_state_txn **out, struct alu_err *e)
{
	struct alu_state_txn *t;
	int rc;

	if (s->rdonly || !s->env)
		return alu_err_set(e, -EROFS, "%s: state opened read-only", s->dir);
	if (s->wtxn)
		return alu_err_set(e, -EBUSY, "%s: a write transaction is already open", s->dir);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	rc = mdb_txn_begin(s->env, NULL, 0, &t->txn);
	if (rc) {
		free(t);
		return st_rc(rc, s->dir, e);
	}
	t->s = s;
	s->wtxn = t;
	*out = t;
	return 0;
}

int alu_state_txn_commit(struct alu_state_txn *t, struct alu_err *e)
{
	struct alu_state *s = t->s;
	int rc = mdb_txn_commit(t->txn);

	s->wtxn = NULL;
	free(t);
	return rc ? st_rc(rc, s->dir, e) : 0;
}

void alu_state_txn_abort(struct alu_state_txn *t)
{
	if (!t)
		return;
	mdb_txn_abort(t->txn);
	t->s->wtxn = NULL;
	free(t);
}

static int next_id(struct alu_state *s, MDB_txn *txn, uint64_t *id)
{
	unsigned char b[8];
	MDB_val v;
	int r = st_meta_get(s, txn, "next_id", &v);

	*id = r == 0 ? st_getid(&v) : 1;
	if (r && r != -ENOENT)
		return r;
	if (*id == 0)
		return -ALUE_CORRUPT;
	st_id(b, *id + 1);
	return st_meta_put(s, txn, "next_id", b, 8);
}

/* Put or delete (@p del) one index entry key -> id. */
static int index_op(MDB_txn *txn, MDB_dbi dbi, const char *k, size_t kn, const unsigned char id[8], int del)
{
	struct st_key key;
	MDB_val val = { 8, (void *)id };
	int rc;

	if (kn == 0)
		return 0;
	st_key(&key, k, kn);
	if (del) {
		rc = mdb_del(txn, dbi, &key.v, &val);
		return rc == MDB_NOTFOUND ? 0 : rc;
	}
	rc = mdb_put(txn, dbi, &key.v, &val, MDB_NODUPDATA);
	return rc == MDB_KEYEXIST ? 0 : rc;
}

/* The file and provide entries of @p h, added or deleted. */
static int index_hdr(struct alu_state *s, MDB_txn *txn, const struct alu_hdr *h,
		     const unsigned char id[8], int del, struct alu_err *e)
{
	struct alu_file *f = malloc(sizeof(*f));
	struct alu_dep *deps = NULL;
	size_t n = alu_hdr_nfiles(h), nd = 0;
	int r = 0, rc = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < n && !r; i++) {
		r = alu_hdr_file(h, i, f);
		if (r) {
			alu_err_set(e, r, "header file %zu: bad file arrays", i);
			break;
		}
		rc = index_op(txn, s->dbi[ST_FILE], f->path, strlen(f->path), id, del);
		if (rc)
			r = st_rc(rc, "file index", e);
	}
	if (!r)
		r = alu_hdr_deps(h, ALU_PROVIDES, &deps, &nd);
	for (size_t i = 0; i < nd && !r; i++) {
		rc = index_op(txn, s->dbi[ST_PROVIDE], deps[i].name, strlen(deps[i].name), id, del);
		if (rc)
			r = st_rc(rc, "provide index", e);
	}
	free(deps);
	free(f);
	return r;
}

int st_add(struct alu_state *s, MDB_txn *txn, const struct alu_hdr *h, int reason,
	   const char *repo, uint32_t installtime, uint64_t *idp, struct alu_err *e)
{
	struct alu_pkginfo info;
	struct alu_instpkg p = { 0 };
	unsigned char idb[8], *rec = NULL;
	const void *blob;
	size_t reclen, bloblen;
	MDB_val key = { 8, idb }, val;
	uint64_t id;
	int r, rc;

	r = alu_hdr_info(h, &info);
	/* rpm keeps imported OpenPGP keys as arch-less gpg-pubkey "packages" */
	if (!r && !info.arch && info.name && !strcmp(info.name, "gpg-pubkey"))
		info.arch = "(none)";
	if (r || !info.name || !*info.name || !info.version || !info.release || !info.arch)
		return alu_err_set(e, -ALUE_CORRUPT, "header lacks name, version, release or arch");
	r = next_id(s, txn, &id);
	if (r)
		return alu_err_set(e, r, "%s: cannot allocate a package id", s->dir);
	st_id(idb, id);
	p = (struct alu_instpkg){ .id = id, .name = info.name, .version = info.version,
		.release = info.release, .arch = info.arch, .epoch = info.epoch, .size = info.size,
		.installtime = installtime ? installtime : (uint32_t)alu_now(), .reason = reason,
		.repo = repo ? repo : "" };
	r = st_rec_encode(&p, &rec, &reclen);
	if (r)
		return r;
	val = (MDB_val){ reclen, rec };
	rc = mdb_put(txn, s->dbi[ST_PKGS], &key, &val, MDB_NOOVERWRITE);
	free(rec);
	if (!rc) {
		blob = alu_hdr_blob(h, &bloblen);
		val = (MDB_val){ bloblen, (void *)blob };
		rc = mdb_put(txn, s->dbi[ST_HDR], &key, &val, 0);
	}
	if (!rc)
		rc = index_op(txn, s->dbi[ST_NAME], info.name, strlen(info.name), idb, 0);
	if (rc)
		return st_rc(rc, s->dir, e);
	r = index_hdr(s, txn, h, idb, 0, e);
	if (!r && idp)
		*idp = id;
	return r;
}

int alu_state_add(struct alu_state_txn *t, const struct alu_hdr *h, int reason,
		  const char *repo, uint32_t installtime, uint64_t *id, struct alu_err *e)
{
	return st_add(t->s, t->txn, h, reason, repo, installtime, id, e);
}

int alu_state_remove(struct alu_state_txn *t, uint64_t id, struct alu_err *e)
{
	struct alu_state *s = t->s;
	struct alu_instpkg p;
	struct alu_hdr *h = NULL;
	unsigned char idb[8];
	MDB_val key = { 8, idb }, val, hv;
	int r, rc;

	st_id(idb, id);
	rc = mdb_get(t->txn, s->dbi[ST_PKGS], &key, &val);
	if (rc == MDB_NOTFOUND)
		return alu_err_set(e, -ENOENT, "no installed package with id %llu", (unsigned long long)id);
	if (!rc)
		rc = mdb_get(t->txn, s->dbi[ST_HDR], &key, &hv);
	if (rc)
		return st_rc(rc, s->dir, e);
	if (st_rec_decode(&key, &val, &p))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: package record %llu is corrupt", s->dir,
				   (unsigned long long)id);
	r = alu_hdr_parse(hv.mv_data, hv.mv_size, p.name, &h, e);
	if (r)
		return r;
	rc = index_op(t->txn, s->dbi[ST_NAME], p.name, strlen(p.name), idb, 1);
	if (rc) {
		r = st_rc(rc, s->dir, e);
		goto out;
	}
	r = index_hdr(s, t->txn, h, idb, 1, e);
	if (r)
		goto out;
	rc = mdb_del(t->txn, s->dbi[ST_HDR], &key, NULL);
	if (!rc)
		rc = mdb_del(t->txn, s->dbi[ST_PKGS], &key, NULL);
	if (rc)
		r = st_rc(rc, s->dir, e);
out:
	alu_hdr_free(h);
	return r;
}

int alu_state_set_reason(struct alu_state_txn *t, uint64_t id, int reason, struct alu_err *e)
{
	struct alu_state *s = t->s;
	unsigned char idb[8], *copy;
	MDB_val key = { 8, idb }, val;
	int rc;

	st_id(idb, id);
	rc = mdb_get(t->txn, s->dbi[ST_PKGS], &key, &val);
	if (rc == MDB_NOTFOUND)
		return alu_err_set(e, -ENOENT, "no installed package with id %llu", (unsigned long long)id);
	if (rc)
		return st_rc(rc, s->dir, e);
	if (val.mv_size < 2)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: package record %llu is corrupt", s->dir,
				   (unsigned long long)id);
	/* the value points into the read-only map: change a copy */
	copy = malloc(val.mv_size);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, val.mv_data, val.mv_size);
	copy[1] = (unsigned char)reason;
	val.mv_data = copy;
	rc = mdb_put(t->txn, s->dbi[ST_PKGS], &key, &val, 0);
	free(copy);
	return rc ? st_rc(rc, s->dir, e) : 0;
}
