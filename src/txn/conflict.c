/* SPDX-License-Identifier: MIT */
/*
 * File conflicts, checked for the whole plan before anything is written,
 * with rpm's rules (lib/transaction.c, rpmfilesCompare in lib/rpmfi.c):
 *
 *   - a path of a new package that another new package of the plan also
 *     ships ("conflicts between attempted installs of A and B"), or that an
 *     installed package owns which the plan does not remove or replace
 *     ("from install of A conflicts with file from package B");
 *   - is a conflict unless the two entries are the same: neither is %ghost,
 *     and they have the same mode (type and permissions; two symlinks may
 *     differ in mode), size, user and group, symlink target, digest
 *     algorithm and digest (regular files), device number (devices). So
 *     identical files and directories are shared, %config files are not
 *     special (two packages with different content in one %config path
 *     conflict, as in rpm);
 *   - two ELF files of different colours (multilib: a 32-bit and a 64-bit
 *     build) are not a conflict, as rpm prefers one colour.
 * ALU_TXNF_REPLACEFILES (--replacefiles) turns the check off.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "txn/smap.h"
#include "txn/txn_int.h"

#define MAX_SHOWN 5   /* the message has room for about that many */

/* An installed package met as an owner: its header and path -> file index. */
struct inst {
	uint64_t id;
	struct alu_hdr *h;
	struct alu_smap paths;
	char **keys;
	size_t nkeys;
	char nevra[256];
};

struct cctx {
	struct alu_txn_ctx *c;
	const struct alu_txn_plan *p;
	struct alu_rpm *rpms;
	uint64_t *gone;          /* ids the plan removes or replaces */
	size_t ngone;
	struct inst *inst;
	size_t ninst;
	char *msg;               /* the problems, one a line */
	size_t mlen, nshown, nall;
	/* for the installed-owner walk */
	const char *path;
	const struct alu_file *nf;
	int nalgo;
	size_t op;
	int r;
};

/* rpmfilesCompare: 1 when @p a and @p b cannot share one path. */
static int differ(const struct alu_file *a, int aalgo, const struct alu_file *b, int balgo)
{
	if ((a->flags | b->flags) & ALU_FILE_GHOST)
		return 0;
	if (a->color && b->color && a->color != b->color)
		return 0;
	if (!(S_ISLNK(a->mode) && S_ISLNK(b->mode)) && a->mode != b->mode)
		return 1;
	if ((S_ISLNK(a->mode) || S_ISREG(a->mode)) && a->size != b->size)
		return 1;
	if (strcmp(a->user, b->user) || strcmp(a->group, b->group))
		return 1;
	if (S_ISLNK(a->mode))
		return strcmp(a->linkto, b->linkto) != 0;
	if (S_ISREG(a->mode))
		return aalgo != balgo || strcmp(a->digest, b->digest) != 0;
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode))
		return a->rdev != b->rdev;
	return 0;
}

static int gone(const struct cctx *x, uint64_t id)
{
	for (size_t i = 0; i < x->ngone; i++)
		if (x->gone[i] == id)
			return 1;
	return 0;
}

static void problem(struct cctx *x, const char *fmt, const char *path, const char *a, const char *b)
{
	char line[4096 + 600];
	size_t l;
	char *nm;

	x->nall++;
	if (x->nshown == MAX_SHOWN)
		return;
	l = (size_t)snprintf(line, sizeof(line), fmt, path, a, b);
	if (l >= sizeof(line))
		l = sizeof(line) - 1;
	nm = realloc(x->msg, x->mlen + l + 4);
	if (!nm)
		return;
	x->msg = nm;
	if (x->mlen) {
		memcpy(x->msg + x->mlen, "\n  ", 3);
		x->mlen += 3;
	}
	memcpy(x->msg + x->mlen, line, l + 1);
	x->mlen += l;
	x->nshown++;
}

/* The installed package @p id with its path map, loaded once. */
static int inst_get(struct cctx *x, uint64_t id, struct inst **out)
{
	struct alu_file *f = malloc(sizeof(*f));
	struct inst *in, *nv;
	size_t n;
	int r;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < x->ninst; i++)
		if (x->inst[i].id == id) {
			*out = &x->inst[i];
			free(f);
			return 0;
		}
	nv = realloc(x->inst, (x->ninst + 1) * sizeof(*nv));
	if (!nv) {
		free(f);
		return -ENOMEM;
	}
	x->inst = nv;
	in = &nv[x->ninst];
	memset(in, 0, sizeof(*in));
	in->id = id;
	r = alu_state_header(x->c->s, id, &in->h, NULL);
	if (r) {
		free(f);
		return r;
	}
	x->ninst++;
	alu_hdr_nevra(in->h, in->nevra, sizeof(in->nevra));
	n = alu_hdr_nfiles(in->h);
	in->keys = calloc(n ? n : 1, sizeof(*in->keys));
	r = in->keys ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && !r; i++) {
		if (alu_hdr_file(in->h, i, f))
			continue;
		in->keys[in->nkeys] = strdup(f->path);
		if (!in->keys[in->nkeys] || alu_smap_put(&in->paths, in->keys[in->nkeys], (int)i))
			r = -ENOMEM;
		else
			in->nkeys++;
	}
	free(f);
	*out = in;
	return r;
}

static int owner_cb(void *arg, uint64_t id)
{
	struct cctx *x = arg;
	struct alu_file *of;
	char nevra[256];
	struct inst *in;
	int k;

	if (gone(x, id))
		return 0;
	x->r = inst_get(x, id, &in);
	if (x->r)
		return 1;
	k = alu_smap_get(&in->paths, x->path);
	if (k < 0)
		return 0;   /* a long path's index key collided: not this path */
	of = malloc(sizeof(*of));
	if (!of) {
		x->r = -ENOMEM;
		return 1;
	}
	if (!alu_hdr_file(in->h, (size_t)k, of) &&
	    differ(x->nf, x->nalgo, of, alu_hdr_digest_algo(in->h))) {
		alu_hdr_nevra(x->rpms[x->op].hdr, nevra, sizeof(nevra));
		problem(x, "file %s from install of %s conflicts with file from package %s",
			x->path, nevra, in->nevra);
	}
	free(of);
	return 0;
}

/* Every file of the plan's new packages, against each other and the root. */
static int check(struct cctx *x)
{
	struct alu_smap seen = { 0 };        /* path -> index into where[] */
	struct { size_t op, file; char *path; } *where = NULL;
	size_t nwhere = 0, cap = 0;
	struct alu_file *f = malloc(sizeof(*f)), *g = malloc(sizeof(*g));
	char a[256], b[256];
	int r = f && g ? 0 : -ENOMEM;

	for (size_t i = 0; i < x->p->nops && !r; i++) {
		const struct alu_hdr *h = x->rpms[i].hdr;
		size_t n;

		if (x->p->ops[i].kind == ALU_TXN_ERASE || !h)
			continue;
		n = alu_hdr_nfiles(h);
		for (size_t k = 0; k < n && !r; k++) {
			int w;
			if (alu_hdr_file(h, k, f) || (f->flags & ALU_FILE_GHOST))
				continue;
			w = alu_smap_get(&seen, f->path);
			if (w >= 0 && where[w].op != i) {
				const struct alu_hdr *oh = x->rpms[where[w].op].hdr;
				if (!alu_hdr_file(oh, where[w].file, g) &&
				    differ(f, alu_hdr_digest_algo(h), g, alu_hdr_digest_algo(oh))) {
					alu_hdr_nevra(oh, a, sizeof(a));
					alu_hdr_nevra(h, b, sizeof(b));
					problem(x, "file %s conflicts between attempted installs of %s and %s",
						f->path, a, b);
				}
			} else if (w < 0) {
				if (nwhere == cap) {
					size_t nc = cap ? cap * 2 : 1024;
					void *nv = realloc(where, nc * sizeof(*where));
					if (!nv) {
						r = -ENOMEM;
						break;
					}
					where = nv;
					cap = nc;
				}
				where[nwhere].op = i;
				where[nwhere].file = k;
				where[nwhere].path = strdup(f->path);
				if (!where[nwhere].path ||
				    alu_smap_put(&seen, where[nwhere].path, (int)nwhere)) {
					free(where[nwhere].path);
					r = -ENOMEM;
					break;
				}
				nwhere++;
			}
			/* directories are shared with installed packages most of the
			 * time: the owner walk runs for them too (mode, owner) */
			x->path = f->path;
			x->nf = f;
			x->nalgo = alu_hdr_digest_algo(h);
			x->op = i;
			x->r = 0;
			alu_state_file_owners(x->c->s, f->path, owner_cb, x);
			r = x->r;
		}
	}
	for (size_t i = 0; i < nwhere; i++)
		free(where[i].path);
	free(where);
	alu_smap_free(&seen);
	free(f);
	free(g);
	return r;
}

int alu_txn_conflicts(struct alu_txn_ctx *c, const struct alu_txn_plan *p, struct alu_rpm *rpms,
		      struct alu_err *e)
{
	struct cctx x = { .c = c, .p = p, .rpms = rpms };
	int r = 0;

	for (size_t i = 0; i < p->nops && !r; i++) {
		uint64_t *nv;
		if (!p->ops[i].nold)
			continue;
		nv = realloc(x.gone, (x.ngone + p->ops[i].nold) * sizeof(*nv));
		if (!nv) {
			r = -ENOMEM;
			break;
		}
		x.gone = nv;
		memcpy(x.gone + x.ngone, p->ops[i].old_ids, p->ops[i].nold * sizeof(*nv));
		x.ngone += p->ops[i].nold;
	}
	if (!r)
		r = check(&x);
	if (r == -ENOMEM)
		alu_err_set(e, r, "out of memory");
	else if (r)
		alu_err_set(e, r, "checking file conflicts: %s", alu_strerror(r));
	else if (x.nall)
		r = alu_err_set(e, -EEXIST, "Transaction check error:\n  %s%s\n"
				"(--replacefiles installs them anyway)",
				x.msg ? x.msg : "", x.nall > x.nshown ? "\n  ..." : "");
	for (size_t i = 0; i < x.ninst; i++) {
		for (size_t k = 0; k < x.inst[i].nkeys; k++)
			free(x.inst[i].keys[k]);
		free(x.inst[i].keys);
		alu_smap_free(&x.inst[i].paths);
		alu_hdr_free(x.inst[i].h);
	}
	free(x.inst);
	free(x.gone);
	free(x.msg);
	return r;
}
