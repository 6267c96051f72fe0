/* SPDX-License-Identifier: MIT */
/*
 * Planning one operation: everything that can refuse a package is decided
 * here, before the first byte is written. Steps:
 *   1. every new file: path syntax, no path through a symlink of the same
 *      package, resolution under the root, conflicts with what is on disk;
 *   2. %config fates (rpm's rules, see txn.h);
 *   3. directories to create, parents first;
 *   4. old files to remove (not owned by the new package nor by another);
 *   5. the journal entries, in the order apply will touch the paths;
 *   6. one full read of the payload, checking every digest and size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "util/clock.h"
#include "txn/smap.h"
#include "txn/txn_int.h"

struct pctx {
	struct alu_txn_ctx *c;
	const struct alu_txn_op *op;
	struct alu_oplan *pl;
	struct alu_smap bycanon;  /* canonical target -> new file index */
	struct alu_smap byhpath;  /* header path -> new file index */
	struct alu_smap mkset;    /* directories to create */
	struct alu_smap have;     /* directories seen on disk (keys owned) */
	struct alu_pathmemo dirs; /* header directories resolved */
	struct alu_err *e;
};

static int lexists(int rootfd, const char *canon, struct stat *st)
{
	struct stat tmp;
	return fstatat(rootfd, canon[0] ? canon : ".", st ? st : &tmp, AT_SYMLINK_NOFOLLOW) == 0;
}

static char *cat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

/* @p dir (a copy is kept) into the set @p m of owned keys. */
static int keep(struct alu_smap *m, const char *dir)
{
	char *k = strdup(dir);

	if (!k || alu_smap_put(m, k, 1)) {
		free(k);
		return -ENOMEM;
	}
	return 0;
}

/* Step 3: every missing ancestor of @p canon (and @p canon itself when
 * @p self) joins the set of directories to create. Each is looked at on
 * disk once per plan (x->have remembers those that exist). */
static int need_dirs(struct pctx *x, const char *canon, int self)
{
	struct alu_oplan *pl = x->pl;
	char buf[ALU_PATH_MAX];
	size_t len = strlen(canon);

	memcpy(buf, canon, len + 1);
	for (size_t i = 0; i <= len; i++) {
		if (buf[i] != '/' && !(i == len && self))
			continue;
		buf[i] = 0;
		if (buf[0] && alu_smap_get(&x->mkset, buf) < 0 && alu_smap_get(&x->have, buf) < 0) {
			char **nv;
			if (lexists(x->c->rootfd, buf, NULL)) {
				if (keep(&x->have, buf))
					return -ENOMEM;
			} else {
				nv = realloc(pl->mkdirs, (pl->nmkdirs + 1) * sizeof(*nv));
				if (!nv)
					return -ENOMEM;
				pl->mkdirs = nv;
				if (!(nv[pl->nmkdirs] = strdup(buf)))
					return -ENOMEM;
				if (alu_smap_put(&x->mkset, nv[pl->nmkdirs], 1)) {
					free(nv[pl->nmkdirs]);
					return -ENOMEM;
				}
				pl->nmkdirs++;
			}
		}
		if (i < len)
			buf[i] = '/';
	}
	return 0;
}

/* Step 2: decide what to do with a %config file that exists on disk. */
static int config_fate(struct pctx *x, struct alu_pent *pe)
{
	struct alu_oplan *pl = x->pl;
	char disk[ALU_DIGEST_HEX_MAX];
	const char *odig = NULL;
	struct alu_file of;
	struct stat st;
	int oalgo = pl->algo;

	if (!lexists(x->c->rootfd, pe->canon, &st) || !S_ISREG(st.st_mode))
		return 0;
	for (size_t k = 0; k < pl->noh && !odig; k++) {
		size_t n = alu_hdr_nfiles(pl->oh[k]);
		for (size_t i = 0; i < n; i++)
			if (!alu_hdr_file(pl->oh[k], i, &of) && !strcmp(of.path, pe->hpath)) {
				odig = of.digest;
				oalgo = alu_hdr_digest_algo(pl->oh[k]);
				break;
			}
	}
	if (alu_fs_digest(x->c->rootfd, pe->canon, pl->algo, disk, sizeof(disk)))
		return 0;
	if (!strcmp(disk, pe->digest))
		return 0;                          /* already the new content */
	if (odig) {
		char dold[ALU_DIGEST_HEX_MAX];
		if (oalgo != pl->algo && alu_fs_digest(x->c->rootfd, pe->canon, oalgo, dold, sizeof(dold)))
			return 0;
		if (!strcmp(oalgo != pl->algo ? dold : disk, odig))
			return 0;                  /* not edited: replace */
		if (oalgo == pl->algo && !strcmp(odig, pe->digest)) {
			pe->act = ALU_P_SKIP;      /* edited, package unchanged: keep */
			return 0;
		}
	}
	if (pe->fflags & ALU_FILE_NOREPLACE) {
		char *alt = cat(pe->canon, ".rpmnew");
		if (!alt)
			return -ENOMEM;
		free(pe->canon);
		pe->canon = alt;
		return 0;
	}
	pe->save = cat(pe->canon, odig ? ".rpmsave" : ".rpmorig");
	return pe->save ? 0 : -ENOMEM;
}

/* Step 1 for one file. */
static int plan_file(struct pctx *x, size_t i)
{
	struct alu_oplan *pl = x->pl;
	struct alu_pent *pe = &pl->p[i];
	int rootfd = x->c->rootfd, r;
	char canon[ALU_PATH_MAX], *key;
	struct stat st;

	r = alu_path_resolve_memo(&x->dirs, rootfd, pe->hpath, canon, sizeof(canon), x->e);
	if (r)
		return r;
	if (S_ISDIR(pe->mode)) {
		pe->act = ALU_P_DIR;
		if (lexists(rootfd, canon, &st) && S_ISLNK(st.st_mode)) {
			/* merged /usr: /lib -> usr/lib is kept, as rpm keeps it */
			r = alu_path_resolve(rootfd, pe->hpath, ALU_PATHF_FOLLOW_LAST, canon, sizeof(canon), x->e);
			if (r)
				return r;
			if (!lexists(rootfd, canon, &st) || !S_ISDIR(st.st_mode))
				return alu_err_set(x->e, -ALUE_PATH, "%s is a symlink to something not a directory", pe->hpath);
			pe->act = ALU_P_DIRLINK;
		} else if (lexists(rootfd, canon, &st) && !S_ISDIR(st.st_mode)) {
			return alu_err_set(x->e, -ALUE_PATH, "%s: a file is where the package has a directory", pe->hpath);
		}
	} else {
		if (lexists(rootfd, canon, &st) && S_ISDIR(st.st_mode))
			return alu_err_set(x->e, -ALUE_PATH, "%s: a directory is where the package has a file", pe->hpath);
		if (alu_smap_get(&x->bycanon, canon) >= 0)
			return alu_err_set(x->e, -ALUE_PATH, "%s: two files of the package resolve to /%s", pe->hpath, canon);
		pe->act = S_ISLNK(pe->mode) ? ALU_P_LINK : S_ISREG(pe->mode) ? ALU_P_REG :
			  S_ISCHR(pe->mode) || S_ISBLK(pe->mode) || S_ISFIFO(pe->mode) ||
			  S_ISSOCK(pe->mode) ? ALU_P_SPECIAL : ALU_P_SKIP;
	}
	pe->canon = strdup(canon);
	key = strdup(canon);   /* the map keeps the target even if .rpmnew is chosen */
	if (!pe->canon || !key || alu_smap_put(&x->bycanon, key, (int)i)) {
		free(key);
		return -ENOMEM;
	}
	if (pe->fflags & ALU_FILE_GHOST)
		pe->act = ALU_P_SKIP;
	if ((pe->fflags & ALU_FILE_DOC) && (x->c->o->flags & ALU_TXNF_NODOCS))
		pe->act = ALU_P_SKIP;
	if (pe->act == ALU_P_REG && (pe->fflags & ALU_FILE_CONFIG)) {
		r = config_fate(x, pe);
		if (r)
			return r;
	}
	if (pe->act == ALU_P_SKIP || pe->act == ALU_P_DIRLINK)
		return 0;
	return need_dirs(x, pe->canon, pe->act == ALU_P_DIR);
}

static int new_files(struct pctx *x)
{
	struct alu_oplan *pl = x->pl;
	struct alu_smap links = { 0 }, inodes = { 0 };
	size_t n = alu_hdr_nfiles(pl->nh);
	struct alu_file f;
	char ino[16];
	int r = 0;

	pl->p = calloc(n ? n : 1, sizeof(*pl->p));
	if (!pl->p)
		return -ENOMEM;
	pl->algo = alu_hdr_digest_algo(pl->nh);
	for (size_t i = 0; i < n; i++, pl->np++) {
		struct alu_pent *pe = &pl->p[i];
		r = alu_hdr_file(pl->nh, i, &f);
		if (r)
			return alu_err_set(x->e, r, "bad file list");
		r = alu_path_check(f.path, x->e);
		if (r)
			return r;
		pe->hpath = strdup(f.path);
		if (!pe->hpath)
			return -ENOMEM;
		pe->user = f.user;
		pe->group = f.group;
		pe->linkto = f.linkto;
		pe->digest = f.digest ? f.digest : "";
		pe->mode = f.mode;
		pe->mtime = f.mtime;
		pe->fflags = f.flags;
		pe->inode = f.inode;
		pe->rdev = f.rdev;
		pe->size = f.size;
		pe->jt = pe->jsave = -1;
		pe->lset = (int)i;
		pe->lnext = -1;
		if (S_ISREG(f.mode)) {
			snprintf(ino, sizeof(ino), "%u", f.inode);
			int first = alu_smap_get(&inodes, ino);
			if (first >= 0) {
				/* the set's chain: the map's value moves to its last
				 * member (a replace keeps the stored key, never ino) */
				pe->lset = pl->p[first].lset;
				pl->p[first].lnext = (int)i;
				alu_smap_put(&inodes, ino, (int)i);
			} else {
				alu_smap_put(&inodes, strdup(ino), (int)i);
			}
		}
		if (alu_smap_put(&x->byhpath, pe->hpath, (int)i) ||
		    (S_ISLNK(f.mode) && alu_smap_put(&links, pe->hpath, (int)i))) {
			r = -ENOMEM;
			goto out;
		}
	}
	/* A package must not place files through its own symlinks: with rpm
	 * --root that is how a package writes outside the root. */
	for (size_t i = 0; i < n && links.n; i++) {
		char buf[ALU_PATH_MAX];
		snprintf(buf, sizeof(buf), "%s", pl->p[i].hpath);
		for (char *s = strrchr(buf, '/'); s && s > buf; s = strrchr(buf, '/')) {
			*s = 0;
			if (alu_smap_get(&links, buf) >= 0) {
				r = alu_err_set(x->e, -ALUE_PATH, "%s goes through %s, a symlink of the same package",
						pl->p[i].hpath, buf);
				goto out;
			}
		}
	}
	for (size_t i = 0; i < n && !r; i++)
		r = plan_file(x, i);
	for (size_t i = 0; i < n && !r; i++)
		if (pl->p[i].act == ALU_P_SPECIAL && !S_ISFIFO(pl->p[i].mode)) {
			r = alu_special_probe(x->c->rootfd, &pl->p[i], pl->j.token, x->e);
			break;   /* one device tells for the package */
		}
out:
	for (size_t i = 0; i < inodes.cap; i++)
		free((char *)inodes.k[i]);
	alu_smap_free(&inodes);
	alu_smap_free(&links);
	return r;
}

static int cmp_desc(const void *a, const void *b)
{
	const struct alu_rent *x = a, *y = b;
	if (x->is_dir != y->is_dir)
		return x->is_dir - y->is_dir;
	return -strcmp(x->canon, y->canon);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct owners { const struct alu_txn_op *op; int other; };

static int owner_cb(void *arg, uint64_t id)
{
	struct owners *o = arg;
	for (size_t k = 0; k < o->op->nold; k++)
		if (o->op->old_ids[k] == id)
			return 0;
	o->other = 1;
	return 1;
}

/* Step 4. */
static int old_files(struct pctx *x)
{
	struct alu_oplan *pl = x->pl;
	int rootfd = x->c->rootfd, r;
	char canon[ALU_PATH_MAX];
	struct alu_file f;
	struct stat st;

	for (size_t k = 0; k < pl->noh; k++) {
		size_t n = alu_hdr_nfiles(pl->oh[k]);
		int algo = alu_hdr_digest_algo(pl->oh[k]);
		for (size_t i = 0; i < n; i++) {
			struct owners ow = { x->op, 0 };
			struct alu_rent *re;
			if (alu_hdr_file(pl->oh[k], i, &f) || alu_path_check(f.path, NULL))
				continue;
			if (!strcmp(f.path, "/") || alu_smap_get(&x->byhpath, f.path) >= 0)
				continue;
			if (alu_path_resolve_memo(&x->dirs, rootfd, f.path, canon, sizeof(canon), NULL))
				continue;
			if (alu_smap_get(&x->bycanon, canon) >= 0 || !lexists(rootfd, canon, &st))
				continue;
			alu_state_file_owners(x->c->s, f.path, owner_cb, &ow);
			if (ow.other)
				continue;
			if (S_ISDIR(f.mode) != S_ISDIR(st.st_mode))
				continue;
			re = realloc(pl->rm, (pl->nrm + 1) * sizeof(*re));
			if (!re)
				return -ENOMEM;
			pl->rm = re;
			re = &pl->rm[pl->nrm++];
			memset(re, 0, sizeof(*re));
			re->jt = re->jsave = -1;
			re->is_dir = S_ISDIR(f.mode);
			re->mode = (uint32_t)st.st_mode;
			re->canon = strdup(canon);
			if (!re->canon)
				return -ENOMEM;
			if (S_ISREG(st.st_mode) && (f.flags & ALU_FILE_CONFIG) && !(f.flags & ALU_FILE_GHOST)) {
				char d[ALU_DIGEST_HEX_MAX];
				r = alu_fs_digest(rootfd, canon, algo, d, sizeof(d));
				if (!r && f.digest && strcmp(d, f.digest) && !(re->save = cat(canon, ".rpmsave")))
					return -ENOMEM;
			}
		}
	}
	if (pl->nrm)
		qsort(pl->rm, pl->nrm, sizeof(*pl->rm), cmp_desc);
	return 0;
}

/* Step 5: the journal, in the order apply touches paths. */
static int journal(struct pctx *x)
{
	struct alu_oplan *pl = x->pl;
	struct alu_journal *j = &pl->j;
	int rootfd = x->c->rootfd;

	if (pl->nmkdirs)
		qsort(pl->mkdirs, pl->nmkdirs, sizeof(*pl->mkdirs), cmp_str);
	for (size_t i = 0; i < pl->nmkdirs; i++)
		if (alu_journal_add(j, 'D', 0755, pl->mkdirs[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < pl->np; i++) {
		struct alu_pent *pe = &pl->p[i];
		if (pe->act != ALU_P_REG && pe->act != ALU_P_LINK && pe->act != ALU_P_SPECIAL)
			continue;
		if (pe->save) {
			pe->jt = alu_journal_add(j, 'B', 0, pe->canon);
			pe->jsave = alu_journal_add(j, lexists(rootfd, pe->save, NULL) ? 'B' : 'N', 0, pe->save);
		} else {
			pe->jt = alu_journal_add(j, lexists(rootfd, pe->canon, NULL) ? 'B' : 'N', 0, pe->canon);
		}
		if (pe->jt < 0 || (pe->save && pe->jsave < 0))
			return -ENOMEM;
	}
	for (size_t i = 0; i < pl->nrm; i++) {
		struct alu_rent *re = &pl->rm[i];
		re->jt = alu_journal_add(j, re->is_dir ? 'R' : 'B', re->mode, re->canon);
		if (re->save)
			re->jsave = alu_journal_add(j, lexists(rootfd, re->save, NULL) ? 'B' : 'N', 0, re->save);
		if (re->jt < 0 || (re->save && re->jsave < 0))
			return -ENOMEM;
	}
	return 0;
}

/* Step 6. */
static int check_payload(struct pctx *x, struct alu_rpm *r)
{
	struct alu_oplan *pl = x->pl;
	struct alu_payload *pay = NULL;
	unsigned char *seen = calloc(pl->np ? pl->np : 1, 1);
	static __thread unsigned char buf[65536];
	const char *path;
	int64_t size;
	int rc;

	if (!seen)
		return -ENOMEM;
	rc = alu_payload_open(r, &pay, x->e);
	while (!rc && (rc = alu_payload_next(pay, &path, &size, x->e)) == 1) {
		int i = alu_smap_get(&x->byhpath, path);
		struct alu_pent *pe;
		struct alu_digest d;
		unsigned char md[ALU_DIGEST_MAX];
		uint64_t got = 0;
		ssize_t nr;

		rc = 0;
		if (i < 0) {
			rc = alu_err_set(x->e, -ALUE_CORRUPT, "the payload has %s, which the header does not list", path);
			break;
		}
		pe = &pl->p[i];
		if (!S_ISREG(pe->mode) || (size == 0 && pe->size > 0))
			continue;   /* hard links: only the last of a set carries data */
		if (alu_digest_init(&d, pl->algo)) {
			rc = alu_err_set(x->e, -ALUE_UNSUPPORTED, "file digest algorithm %d", pl->algo);
			break;
		}
		while ((nr = alu_payload_read(pay, buf, sizeof(buf), x->e)) > 0) {
			alu_digest_update(&d, buf, (size_t)nr);
			got += (uint64_t)nr;
		}
		if (nr < 0) {
			rc = (int)nr;
			break;
		}
		if (got != pe->size) {
			rc = alu_err_set(x->e, -ALUE_CORRUPT, "%s: %llu bytes in the payload, %llu in the header",
				path, (unsigned long long)got, (unsigned long long)pe->size);
			break;
		}
		if (pe->digest[0] && !alu_hex_eq(pe->digest, md, alu_digest_final(&d, md))) {
			rc = alu_err_set(x->e, -ALUE_CHECKSUM, "%s: content does not match its digest", path);
			break;
		}
		seen[pe->lset] = 1;
	}
	for (size_t i = 0; !rc && i < pl->np; i++)
		if (S_ISREG(pl->p[i].mode) && pl->p[i].size > 0 && !seen[pl->p[i].lset] &&
		    !(pl->p[i].fflags & ALU_FILE_GHOST))
			rc = alu_err_set(x->e, -ALUE_CORRUPT, "the payload lacks %s", pl->p[i].hpath);
	alu_payload_close(pay);
	free(seen);
	return rc;
}

int alu_oplan_build(struct alu_txn_ctx *c, const struct alu_txn_op *op, struct alu_rpm *r,
		   struct alu_oplan *pl, struct alu_err *e)
{
	struct pctx x = { .c = c, .op = op, .pl = pl, .e = e };
	unsigned char rnd[8];
	int rc = 0;

	memset(pl, 0, sizeof(*pl));
	if ((rc = alu_random(rnd, sizeof(rnd))))
		return rc;
	alu_hex(rnd, sizeof(rnd), pl->j.token);
	pl->nh = r ? r->hdr : NULL;
	if (op->nold) {
		pl->oh = calloc(op->nold, sizeof(*pl->oh));
		if (!pl->oh)
			return -ENOMEM;
	}
	for (size_t k = 0; k < op->nold; k++, pl->noh++) {
		rc = alu_state_header(c->s, op->old_ids[k], &pl->oh[k], e);
		if (rc)
			return rc;
	}
	if (pl->noh)
		alu_hdr_nevra(pl->oh[0], pl->onevra, sizeof(pl->onevra));
	if (pl->nh)
		alu_hdr_nevra(pl->nh, pl->nevra, sizeof(pl->nevra));
	else
		snprintf(pl->nevra, sizeof(pl->nevra), "%s", pl->onevra);
	snprintf(pl->j.op, sizeof(pl->j.op), "%s",
		 op->kind == ALU_TXN_ERASE ? "erase" : op->kind == ALU_TXN_UPGRADE ? "upgrade" : "install");
	if ((size_t)snprintf(pl->j.pkg, sizeof(pl->j.pkg), "%s%s%s", pl->nevra,
			     op->kind == ALU_TXN_UPGRADE && pl->onevra[0] ? " over " : "",
			     op->kind == ALU_TXN_UPGRADE ? pl->onevra : "") >= sizeof(pl->j.pkg)) {
		rc = alu_err_set(e, -ENAMETOOLONG, "%s over %s: package names too long for the journal",
				 pl->nevra, pl->onevra);
		goto out;
	}
	if (pl->nh) {
		rc = new_files(&x);
		if (rc)
			goto out;
	}
	rc = old_files(&x);
	if (!rc)
		rc = journal(&x);
	if (!rc && pl->nh)
		rc = check_payload(&x, r);
out:
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	for (size_t i = 0; i < x.bycanon.cap; i++)
		free((char *)x.bycanon.k[i]);
	alu_smap_free(&x.bycanon);
	alu_smap_free(&x.byhpath);
	alu_smap_free(&x.mkset);
	for (size_t i = 0; i < x.have.cap; i++)
		free((char *)x.have.k[i]);
	alu_smap_free(&x.have);
	alu_pathmemo_free(&x.dirs);
	return rc;
}

void alu_oplan_free(struct alu_oplan *pl)
{
	for (size_t i = 0; i < pl->np; i++) {
		free(pl->p[i].hpath);
		free(pl->p[i].canon);
		free(pl->p[i].save);
	}
	free(pl->p);
	for (size_t i = 0; i < pl->nrm; i++) {
		free(pl->rm[i].canon);
		free(pl->rm[i].save);
	}
	free(pl->rm);
	for (size_t i = 0; i < pl->nmkdirs; i++)
		free(pl->mkdirs[i]);
	free(pl->mkdirs);
	for (size_t i = 0; i < pl->noh; i++)
		alu_hdr_free(pl->oh[i]);
	free(pl->oh);
	alu_journal_free(&pl->j);
	memset(pl, 0, sizeof(*pl));
}
