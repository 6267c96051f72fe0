/* SPDX-License-Identifier: MIT */
/*
 * /var/lib/rpmmanifest/container-manifest-2 of Mariner / Azure Linux
 * distroless images: one line per package, the output of
 *   rpm -qa --qf "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t
 *                 %{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n"
 * (the field list of Trivy's rpmqa analyzer, pkg/fanal/analyzer/pkg/rpm/
 * rpmqa.go, and Syft's parse_rpm_manifest.go: both split on tabs and read
 * fields 0, 1, 5-9). rpm prints "(none)" for an absent tag, which the
 * readers rely on for the epoch.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rpmdb/rpmdb_int.h"
#include "util/rootfs.h"

enum { TAG_EPOCH = 1003, TAG_BUILDTIME = 1006, TAG_INSTALLTIME = 1008, TAG_SIZE = 1009,
	TAG_VENDOR = 1011, TAG_ARCH = 1022, TAG_SOURCERPM = 1044, TAG_LONGSIZE = 5009 };

static const char *str_or_none(const struct alu_hdr *h, uint32_t tag)
{
	const char *s = alu_hdr_str(h, tag);

	return s ? s : "(none)";
}

static void num_or_none(const struct alu_hdr *h, uint32_t tag, char *buf, size_t n)
{
	uint64_t v;

	if (alu_hdr_u64(h, tag, &v) == 0)
		snprintf(buf, n, "%" PRIu64, v);
	else
		snprintf(buf, n, "(none)");
}

int alu_rpmdb_manifest_line(const struct alu_hdr *h, char *buf, size_t n)
{
	char itime[24], btime[24], epoch[24], size[24];
	uint32_t epochnum = 0;
	int len;

	num_or_none(h, TAG_INSTALLTIME, itime, sizeof(itime));
	num_or_none(h, TAG_BUILDTIME, btime, sizeof(btime));
	num_or_none(h, TAG_EPOCH, epoch, sizeof(epoch));
	num_or_none(h, TAG_SIZE, size, sizeof(size));
	if (!strcmp(size, "(none)"))
		num_or_none(h, TAG_LONGSIZE, size, sizeof(size));
	alu_hdr_u32(h, TAG_EPOCH, &epochnum);
	len = snprintf(buf, n, "%s\t%s-%s\t%s\t%s\t%s\t%s\t%s\t%s\t%u\t%s\n",
		       str_or_none(h, ALU_TAG_NAME), str_or_none(h, ALU_TAG_VERSION),
		       str_or_none(h, ALU_TAG_RELEASE), itime, btime, str_or_none(h, TAG_VENDOR),
		       epoch, size, str_or_none(h, TAG_ARCH), epochnum, str_or_none(h, TAG_SOURCERPM));
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : len;
}

/* The manifest directory, resolved inside the root as a chroot would
 * (util/rootfs.h: an absolute symlink in the root stays in the root). */
static int mf_dir(const char *root, char *dir, size_t n)
{
	return alu_root_resolve(strcmp(root, "/") ? root : "", ALU_MANIFEST_DIR, dir, n, NULL);
}

int mf_find(const char *root, char *path, size_t n)
{
	char dir[PATH_MAX];
	struct stat st;

	if (mf_dir(root, dir, sizeof(dir)))
		return 0;
	snprintf(path, n, "%s/%s", dir, ALU_MANIFEST2);
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int alu_rpmdb_manifest_path(const char *root, char *path, size_t n)
{
	return mf_find(root, path, n);
}

int mf_write(const char *root, const struct alu_rpmdb_hdr *hs, size_t n, const char *extra,
	     struct alu_err *e)
{
	char dir[PATH_MAX], tmp[64], line[8192];
	struct stat st;
	FILE *f = NULL;
	int dfd, fd, r = mf_dir(root, dir, sizeof(dir));

	if (r)
		return alu_err_set(e, r, "%s%s: %s", root, ALU_MANIFEST_DIR, alu_strerror(r));
	if ((r = alu_root_opendir(dir, 0, &dfd, e)))
		return r;
	if (fstatat(dfd, ALU_MANIFEST2, &st, AT_SYMLINK_NOFOLLOW))
		st.st_mode = 0644;
	snprintf(tmp, sizeof(tmp), ".%s.alupdate-%ld", ALU_MANIFEST2, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0777);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		r = alu_err_set(e, -errno, "%s/%s: %s", dir, tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	for (size_t i = 0; i < n && !r; i++) {
		struct alu_hdr *h = NULL;
		int len;
		r = alu_hdr_parse(hs[i].blob, hs[i].len, "manifest", &h, e);
		if (r)
			break;
		len = alu_rpmdb_manifest_line(h, line, sizeof(line));
		alu_hdr_free(h);
		if (len < 0 || fwrite(line, 1, (size_t)len, f) != (size_t)len)
			r = alu_err_set(e, len < 0 ? len : -EIO, "%s/%s: cannot write", dir, tmp);
	}
	/* lines adoption could not resolve (ops/mfadopt.c): still installed */
	if (!r && extra && *extra && fputs(extra, f) < 0)
		r = alu_err_set(e, -EIO, "%s/%s: cannot write", dir, tmp);
	if (!r && (fflush(f) || fsync(fileno(f))))
		r = alu_err_set(e, -errno, "%s/%s: %s", dir, tmp, strerror(errno));
	if (fclose(f) && !r)
		r = alu_err_set(e, -errno, "%s/%s: %s", dir, tmp, strerror(errno));
	if (!r && renameat(dfd, tmp, dfd, ALU_MANIFEST2))
		r = alu_err_set(e, -errno, "%s/%s: %s", dir, ALU_MANIFEST2, strerror(errno));
	if (r)
		unlinkat(dfd, tmp, 0);
	else
		fsync(dfd);
out:
	close(dfd);
	return r;
}
