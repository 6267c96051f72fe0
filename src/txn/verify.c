/* SPDX-License-Identifier: MIT */
/*
 * rpm -V: compare the files of an installed package with its header. The
 * checks per file type are rpm's (lib/verify.c): directories skip digest,
 * size, mtime and link target; symlinks skip digest, size, mtime and mode;
 * only regular files get all of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "txn/txn_int.h"

char *alu_txn_vflags(const struct alu_vfile *f, char *buf)
{
	static const char letters[] = "SM5DLUGTP";

	for (int i = 0; i < 9; i++) {
		unsigned bit = 1u << i;
		buf[i] = (f->untested & bit) ? '?' : (f->diff & bit) ? letters[i] : '.';
	}
	buf[9] = 0;
	return buf;
}

static unsigned check(int rootfd, const struct alu_ids *ids, const struct alu_file *f,
		      const char *canon, int algo, unsigned *untested)
{
	unsigned d = 0;
	struct stat st;

	if (fstatat(rootfd, canon[0] ? canon : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return ALU_VF_MISSING;
	if (S_ISREG(f->mode)) {
		if ((uint64_t)st.st_size != f->size)
			d |= ALU_VF_SIZE;
		if (S_ISREG(st.st_mode) && f->digest && f->digest[0]) {
			char hex[ALU_DIGEST_HEX_MAX];
			if (alu_fs_digest(rootfd, canon, algo, hex, sizeof(hex)))
				*untested |= ALU_VF_DIGEST;
			else if (strcmp(hex, f->digest))
				d |= ALU_VF_DIGEST;
		}
		if ((uint32_t)st.st_mtime != f->mtime)
			d |= ALU_VF_MTIME;
	}
	if (!S_ISLNK(f->mode) && st.st_mode != f->mode)
		d |= ALU_VF_MODE;
	if ((S_ISCHR(f->mode) || S_ISBLK(f->mode)) &&
	    (!(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) || (uint32_t)st.st_rdev != f->rdev))
		d |= ALU_VF_RDEV;
	if (S_ISLNK(f->mode)) {
		char t[ALU_PATH_MAX];
		ssize_t n = S_ISLNK(st.st_mode) ? readlinkat(rootfd, canon, t, sizeof(t) - 1) : -1;
		if (n < 0 || (t[n] = 0, strcmp(t, f->linkto)))
			d |= ALU_VF_LINK;
	}
	if (f->user) {
		const char *u = alu_ids_uname(ids, st.st_uid);
		if (!u || strcmp(u, f->user))
			d |= ALU_VF_USER;
	}
	if (f->group) {
		const char *g = alu_ids_gname(ids, st.st_gid);
		if (!g || strcmp(g, f->group))
			d |= ALU_VF_GROUP;
	}
	return d;
}

int alu_txn_verify(struct alu_state *s, const char *root, uint64_t id,
		   int (*cb)(void *arg, const struct alu_vfile *f), void *arg,
		   struct alu_err *e)
{
	struct alu_ids ids = { 0 };
	struct alu_hdr *h = NULL;
	char canon[ALU_PATH_MAX];
	struct alu_file f;
	int rootfd, r, algo;
	size_t n, nstates = 0;
	const uint8_t *fstates;

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return alu_err_set(e, -errno, "%s: %s", root, strerror(errno));
	r = alu_state_header(s, id, &h, e);
	if (r)
		goto out;
	alu_ids_load(rootfd, &ids);
	algo = alu_hdr_digest_algo(h);
	n = alu_hdr_nfiles(h);
	fstates = alu_hdr_chars(h, ALU_TAG_FILESTATES, &nstates);
	for (size_t i = 0; i < n && !r; i++) {
		struct alu_vfile v = { 0 };
		if (alu_hdr_file(h, i, &f) || (f.flags & ALU_FILE_GHOST))
			continue;
		/* rpm -V leaves out files the install left out (--nodocs) */
		if (fstates && i < nstates && fstates[i] == ALU_FSTATE_NOTINSTALLED)
			continue;
		v.path = f.path;
		v.fflags = f.flags;
		if (alu_path_resolve(rootfd, f.path, S_ISDIR(f.mode) ? ALU_PATHF_FOLLOW_LAST : 0,
				     canon, sizeof(canon), NULL))
			v.diff = ALU_VF_MISSING;
		else
			v.diff = check(rootfd, &ids, &f, canon, algo, &v.untested);
		if (v.diff || v.untested)
			r = cb(arg, &v);
	}
out:
	alu_hdr_free(h);
	alu_ids_free(&ids);
	close(rootfd);
	return r;
}
