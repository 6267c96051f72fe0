/* SPDX-License-Identifier: MIT */
/*
 * Writing a planned operation to the root (steps 2d and 2e of txn.h). Every
 * path was resolved and every digest checked by plan.c; here each change is
 * made so that the journal can undo it: a file that exists is hard-linked to
 * its backup name before it is replaced or removed, new content goes to a
 * temporary name beside its target and is renamed over it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "txn/smap.h"
#include "txn/txn_int.h"
#include "util/out.h"

/* Numeric owner of a file as the root names it; unknown names become root
 * with a warning, as rpm does. */
static void owner(struct alu_txn_ctx *c, const struct alu_pent *pe, uid_t *uid, gid_t *gid)
{
	uint32_t u = 0, g = 0;

	if (pe->user && alu_ids_uid(&c->ids, pe->user, &u)) {
		alu_warn("user %s does not exist in the root - using root", pe->user);
		u = 0;
	}
	if (pe->group && alu_ids_gid(&c->ids, pe->group, &g)) {
		alu_warn("group %s does not exist in the root - using root", pe->group);
		g = 0;
	}
	*uid = u;
	*gid = g;
}

/* When running as root, give @p name in @p dfd (a symlink itself, not its
 * target) the owner @p pe names. Best effort: symlinks and directories are
 * placed even when this fails; regular files check their fchown(). */
static void chown_at(struct alu_txn_ctx *c, const struct alu_pent *pe, int dfd, const char *name)
{
	uid_t u;
	gid_t g;

	if (!c->as_root)
		return;
	owner(c, pe, &u, &g);
	fchownat(dfd, name, u, g, AT_SYMLINK_NOFOLLOW);
}

/* Put the temporary @p tmp of @p pe in place: keep backups first, move an
 * edited config aside when planned. */
static int place(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_pent *pe,
		 int dfd, const char *base, const char *tmp, struct alu_err *e)
{
	int r = alu_fs_backup(&pl->j, pe->jt, dfd, base, e);

	if (r)
		return r;
	if (pe->save) {
		const char *sbase = strrchr(pe->save, '/') ? strrchr(pe->save, '/') + 1 : pe->save;
		r = alu_fs_backup(&pl->j, pe->jsave, dfd, sbase, e);
		if (r)
			return r;
		if (renameat(dfd, base, dfd, sbase) < 0)
			return alu_err_set(e, -errno, "/%s: %s", pe->save, strerror(errno));
		alu_txn_note(c->log, "warning: %s saved as /%s", pe->hpath, pe->save);
		alu_warn("%s saved as /%s", pe->hpath, pe->save);
	}
	if (renameat(dfd, tmp, dfd, base) < 0)
		return alu_err_set(e, -errno, "/%s: %s", pe->canon, strerror(errno));
	if (strcmp(pe->canon + strlen(pe->canon) - (strlen(pe->canon) >= 7 ? 7 : 0), ".rpmnew") == 0) {
		alu_txn_note(c->log, "warning: %s created as /%s", pe->hpath, pe->canon);
		alu_warn("%s created as /%s", pe->hpath, pe->canon);
	}
	pe->written = 1;
	return 0;
}

static int write_reg(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_pent *pe,
		     struct alu_payload *pay, struct alu_err *e)
{
	static __thread unsigned char buf[65536];
	unsigned char md[ALU_DIGEST_MAX];
	struct timespec ts[2] = { { pe->mtime, 0 }, { pe->mtime, 0 } };
	struct alu_digest d;
	const char *base;
	char tmp[64];
	int dfd, fd = -1, r;
	ssize_t n;

	r = alu_dirs_parent(c->dirs, pe->canon, &dfd, &base, e);
	if (r)
		return r;
	/* a fresh name: the token is new to this operation */
	alu_journal_tmpname(&pl->j, (size_t)pe->jt, 0, tmp, sizeof(tmp));
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = alu_err_set(e, -errno, "/%s: %s", pe->canon, strerror(errno));
		goto out;
	}
	r = alu_digest_init(&d, pl->algo);
	if (r)
		goto out;
	while ((n = alu_payload_read(pay, buf, sizeof(buf), e)) > 0) {
		alu_digest_update(&d, buf, (size_t)n);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				r = alu_err_set(e, errno == ENOSPC ? -ALUE_NOSPACE : -errno, "/%s: %s",
						pe->canon, strerror(errno));
				goto out;
			}
			off += w;
		}
	}
	if (n < 0) {
		r = (int)n;
		goto out;
	}
	/* Checked again: the package file could have changed since planning. */
	if (pe->digest[0] && !alu_hex_eq(pe->digest, md, alu_digest_final(&d, md))) {
		r = alu_err_set(e, -ALUE_CHECKSUM, "%s: content does not match its digest", pe->hpath);
		goto out;
	}
	if (c->as_root) {
		uid_t u;
		gid_t g;
		owner(c, pe, &u, &g);
		if (fchown(fd, u, g) < 0) {
			r = alu_err_set(e, -errno, "/%s: chown: %s", pe->canon, strerror(errno));
			goto out;
		}
	}
	if (fchmod(fd, pe->mode & 07777) < 0 || futimens(fd, ts) < 0) {
		r = alu_err_set(e, -errno, "/%s: %s", pe->canon, strerror(errno));
		goto out;
	}
	{
		size_t ncaps = 0;
		const char *const *caps = alu_hdr_strv(pl->nh, ALU_TAG_FILECAPS, &ncaps);
		size_t i = (size_t)(pe - pl->p);
		if (c->as_root && caps && ncaps == pl->np && (r = alu_caps_set(fd, caps[i], pe->hpath, e)))
			goto out;
	}
	r = alu_durable_note(c, fd);   /* synced before the commit (durable.c) */
	if (r) {
		r = alu_err_set(e, r, "/%s: fsync: %s", pe->canon, strerror(-r));
		goto out;
	}
	close(fd);
	fd = -1;
	r = place(c, pl, pe, dfd, base, tmp, e);
out:
	if (fd >= 0) {
		close(fd);
		unlinkat(dfd, tmp, 0);
	}
	return r;
}

/* Another name of the hard-link set whose data went to @p lead. */
static int write_hardlink(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_pent *pe,
			  const struct alu_pent *lead, struct alu_err *e)
{
	const char *base, *lbase;
	int dfd, ldfd, r;
	char tmp[64];

	r = alu_dirs_parent(c->dirs, lead->canon, &ldfd, &lbase, e);
	if (!r)
		r = alu_dirs_parent(c->dirs, pe->canon, &dfd, &base, e);
	if (r)
		return r;
	alu_journal_tmpname(&pl->j, (size_t)pe->jt, 0, tmp, sizeof(tmp));
	if (linkat(ldfd, lbase, dfd, tmp, 0) < 0)
		return alu_err_set(e, -errno, "/%s: link: %s", pe->canon, strerror(errno));
	r = place(c, pl, pe, dfd, base, tmp, e);
	if (r)
		unlinkat(dfd, tmp, 0);
	return r;
}

/* A symlink, device node, FIFO or socket: made under its temporary name,
 * given its owner, mode and mtime, then placed. */
static int write_node(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_pent *pe,
		      struct alu_err *e)
{
	struct timespec ts[2] = { { pe->mtime, 0 }, { pe->mtime, 0 } };
	const char *base;
	char tmp[64];
	int dfd, r;

	r = alu_dirs_parent(c->dirs, pe->canon, &dfd, &base, e);
	if (r)
		return r;
	alu_journal_tmpname(&pl->j, (size_t)pe->jt, 0, tmp, sizeof(tmp));
	if (pe->act == ALU_P_LINK) {
		if (symlinkat(pe->linkto, dfd, tmp) < 0)
			return alu_err_set(e, -errno, "/%s: symlink: %s", pe->canon, strerror(errno));
	} else if ((r = alu_fs_mknod(dfd, tmp, pe->mode, pe->rdev))) {
		return alu_err_set(e, r, "%s: cannot create the %s (mknod: %s)", pe->hpath,
				   alu_special_kind(pe->mode), strerror(-r));
	}
	chown_at(c, pe, dfd, tmp);
	/* a symlink's own mode means nothing (and cannot be set) */
	if (pe->act != ALU_P_LINK && fchmodat(dfd, tmp, pe->mode & 07777, 0) < 0)
		r = alu_err_set(e, -errno, "/%s: chmod: %s", pe->canon, strerror(errno));
	if (!r) {
		utimensat(dfd, tmp, ts, AT_SYMLINK_NOFOLLOW);
		r = place(c, pl, pe, dfd, base, tmp, e);
	}
	if (r)
		unlinkat(dfd, tmp, 0);
	return r;
}

static int dir_meta(struct alu_txn_ctx *c, struct alu_pent *pe, struct alu_err *e)
{
	struct timespec ts[2] = { { pe->mtime, 0 }, { pe->mtime, 0 } };
	const char *base;
	int dfd, r;

	if (!pe->canon[0])
		return 0;   /* the root itself ("/" in the filesystem package) */
	r = alu_dirs_parent(c->dirs, pe->canon, &dfd, &base, e);
	if (r)
		return r;
	if (mkdirat(dfd, base, 0755) < 0 && errno != EEXIST)
		return alu_err_set(e, -errno, "/%s: mkdir: %s", pe->canon, strerror(errno));
	chown_at(c, pe, dfd, base);
	if (fchmodat(dfd, base, pe->mode & 07777, 0) < 0)
		return alu_err_set(e, -errno, "/%s: chmod: %s", pe->canon, strerror(errno));
	utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

int alu_apply_files(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_rpm *r,
		    struct alu_err *e)
{
	struct alu_smap byhpath = { 0 };
	struct alu_payload *pay = NULL;
	struct alu_dirs dirs;
	const char *path;
	int64_t size;
	int rc = 0;

	alu_dirs_init(&dirs, c->rootfd);
	c->dirs = &dirs;
	/* 1. directories, parents first */
	for (size_t i = 0; i < pl->nmkdirs && !rc; i++) {
		const char *base;
		int dfd;
		rc = alu_dirs_parent(&dirs, pl->mkdirs[i], &dfd, &base, e);
		if (!rc && mkdirat(dfd, base, 0755) < 0 && errno != EEXIST)
			rc = alu_err_set(e, -errno, "/%s: mkdir: %s", pl->mkdirs[i], strerror(errno));
	}
	for (size_t i = 0; i < pl->np && !rc; i++)
		if (alu_smap_put(&byhpath, pl->p[i].hpath, (int)i))
			rc = -ENOMEM;
	/* 2. regular files in payload order, hard links after their data */
	if (!rc)
		rc = alu_payload_open(r, &pay, e);
	while (!rc && (rc = alu_payload_next(pay, &path, &size, e)) == 1) {
		int i = alu_smap_get(&byhpath, path);
		struct alu_pent *pe;
		rc = 0;
		if (i < 0) {
			rc = alu_err_set(e, -ALUE_CORRUPT, "the payload has %s, which the header does not list", path);
			break;
		}
		pe = &pl->p[i];
		if (pe->act != ALU_P_REG || (size == 0 && pe->size > 0))
			continue;
		rc = write_reg(c, pl, pe, pay, e);
		/* the other names of its set, by the set's chain: a scan of every
		 * file here made a 50,000-file package quadratic */
		for (int k = pe->size > 0 ? pe->lset : -1; !rc && k >= 0; k = pl->p[k].lnext) {
			struct alu_pent *o = &pl->p[k];
			if (o != pe && o->act == ALU_P_REG && !o->written)
				rc = write_hardlink(c, pl, o, pe, e);
		}
	}
	alu_payload_close(pay);
	for (size_t i = 0; i < pl->np && !rc; i++) {
		struct alu_pent *pe = &pl->p[i];
		if (pe->act == ALU_P_REG && !pe->written)
			rc = alu_err_set(e, -ALUE_CORRUPT, "the payload lacks %s", pe->hpath);
		else if (pe->act == ALU_P_LINK || pe->act == ALU_P_SPECIAL)
			rc = write_node(c, pl, pe, e);
	}
	/* 3. directory metadata last: writing into a directory changes its mtime */
	for (size_t i = 0; i < pl->np && !rc; i++)
		if (pl->p[i].act == ALU_P_DIR)
			rc = dir_meta(c, &pl->p[i], e);
	alu_smap_free(&byhpath);
	alu_dirs_free(&dirs);
	c->dirs = NULL;
	if (rc == -ENOMEM)
		alu_err_set(e, rc, "out of memory");
	return rc;
}

int alu_apply_removals(struct alu_txn_ctx *c, struct alu_oplan *pl, struct alu_err *e)
{
	struct alu_dirs dirs;
	int rc = 0;

	alu_dirs_init(&dirs, c->rootfd);
	for (size_t i = 0; i < pl->nrm && !rc; i++) {
		struct alu_rent *re = &pl->rm[i];
		const char *base;
		int dfd;

		if (alu_dirs_parent(&dirs, re->canon, &dfd, &base, NULL))
			continue;   /* its directory is already gone */
		if (re->is_dir) {
			;   /* after the commit, by alu_journal_cleanup() */
		} else if (re->save) {
			const char *sbase = strrchr(re->save, '/') ? strrchr(re->save, '/') + 1 : re->save;
			rc = alu_fs_backup(&pl->j, re->jsave, dfd, sbase, e);
			if (!rc)
				rc = alu_fs_backup(&pl->j, re->jt, dfd, base, e);
			if (!rc && renameat(dfd, base, dfd, sbase) < 0)
				rc = alu_err_set(e, -errno, "/%s: %s", re->save, strerror(errno));
			if (!rc) {
				alu_txn_note(c->log, "warning: /%s saved as /%s", re->canon, re->save);
				alu_warn("/%s saved as /%s", re->canon, re->save);
			}
		} else {
			rc = alu_fs_backup(&pl->j, re->jt, dfd, base, e);
			if (!rc && unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
				rc = alu_err_set(e, -errno, "/%s: %s", re->canon, strerror(errno));
		}
	}
	alu_dirs_free(&dirs);
	return rc;
}
