/* SPDX-License-Identifier: MIT */
/*
 * The package file applied is the file that was checked. The caller checked
 * each package file (its checksum against the repository's metadata, its
 * signature) before the run; the run opens every file once, checks it again
 * on that fd and applies from it. But scriptlets run in between: a %post of
 * an earlier package runs as root in the root, where the package cache is,
 * and could rewrite or replace a later package's file. So right before each
 * package, when any scriptlet ran since its file was last checked, the path
 * must still name the open file and the file must still have its digest;
 * otherwise the package is refused, naming it and the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "txn/txn_int.h"

static const char *nevra(struct alu_rpm *r, char *buf, size_t n)
{
	if (!r->hdr || !alu_hdr_nevra(r->hdr, buf, n) || !buf[0])
		snprintf(buf, n, "%s", r->what);
	return buf;
}

/* The digest of the whole of @p r's file, from its fd, against @p expect
 * (hex); NULL: only taken, into pf->sum. @p why ends the mismatch message. */
static int digest(const struct alu_txn_op *op, struct alu_rpm *r, struct alu_pkgfile *pf,
		  const char *expect, const char *why, struct alu_err *e)
{
	unsigned char md[ALU_DIGEST_MAX];
	char nv[256];
	size_t len;
	int rc = 0;

	if (lseek(r->fd, 0, SEEK_SET) < 0)   /* the rpm code reads with pread() */
		rc = -errno;
	if (!rc)
		rc = alu_digest_fd(r->fd, pf->algo, md, &len, NULL);
	if (rc)
		return alu_err_set(e, rc, "%s: %s: %s", nevra(r, nv, sizeof(nv)), op->rpm_path,
				   alu_strerror(rc));
	if (expect && !alu_hex_eq(expect, md, len))
		return alu_err_set(e, -ALUE_CHECKSUM, "%s: %s changed after it was checked (%s): refused",
				   nevra(r, nv, sizeof(nv)), op->rpm_path, why);
	alu_hex(md, len, pf->sum);
	return 0;
}

int alu_pkgfile_first(struct alu_txn_ctx *c, const struct alu_txn_op *op, struct alu_rpm *r,
		      struct alu_pkgfile *pf, struct alu_err *e)
{
	struct stat st;
	int rc;

	memset(pf, 0, sizeof(*pf));
	pf->algo = op->sum ? op->sum_algo : ALU_HASH_SHA256;
	if (fstat(r->fd, &st) < 0)
		return alu_err_set(e, -errno, "%s: %s", op->rpm_path, strerror(errno));
	pf->dev = st.st_dev;
	pf->ino = st.st_ino;
	rc = digest(op, r, pf, op->sum, "its checksum no longer matches the metadata", e);
	pf->checked_at = c->nscripts;
	return rc;
}

int alu_pkgfile_again(struct alu_txn_ctx *c, const struct alu_txn_op *op, struct alu_rpm *r,
		      struct alu_pkgfile *pf, struct alu_err *e)
{
	char nv[256], sum[sizeof(pf->sum)];
	struct stat st;

	if (pf->checked_at == c->nscripts)
		return 0;   /* nothing ran that could have changed it */
	if (stat(op->rpm_path, &st) < 0 || st.st_dev != pf->dev || st.st_ino != pf->ino)
		return alu_err_set(e, -ALUE_CHECKSUM,
			"%s: %s was replaced after it was checked (while scriptlets of earlier packages ran): refused",
			nevra(r, nv, sizeof(nv)), op->rpm_path);
	memcpy(sum, pf->sum, sizeof(sum));
	pf->checked_at = c->nscripts;
	return digest(op, r, pf, sum, "while scriptlets of earlier packages ran", e);
}
