/* SPDX-License-Identifier: MIT */
/*
 * docker-archive (what `docker save` and skopeo write): manifest.json names
 * a config file and layer tars. Read by turning it into an OCI layout in the
 * private directory (the layers are uncompressed tars, kept as they are with
 * the OCI media type for that), so everything after is the oci: path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "image/image.h"
#include "txn/txn_int.h"
#include "util/fs.h"

#define MT_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* Move the archive member @p name (a clean relative path, a regular file,
 * never through a symlink) into @p oci's blobs; fills a descriptor. */
static int adopt_blob(const char *x, const char *name, const char *oci, const char *mt,
		      struct alu_ij **desc, struct alu_err *e)
{
	char chk[4200], path[4200], dst[4200], hex[65], digest[80], num[32];
	unsigned char md[ALU_DIGEST_MAX], buf[65536];
	struct alu_digest d;
	struct stat st;
	ssize_t k;
	int fd, r;

	if (!name || strlen(name) + 2 > sizeof(chk))
		return alu_err_set(e, -ALUE_CORRUPT, "docker-archive manifest.json: a missing or long file name");
	snprintf(chk, sizeof(chk), "/%s", name);
	if (alu_path_check(chk, e)) {
		alu_err_clear(e);
		return alu_err_set(e, -ALUE_PATH, "docker-archive manifest.json: '%s' escapes the archive", name);
	}
	snprintf(path, sizeof(path), "%s/%s", x, name);
	/* every component but the last was made by our unpack, which makes only
	 * real directories; the last must be a plain file */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		r = alu_err_set(e, -ALUE_CORRUPT, "docker-archive: '%s' is not a regular file in the archive", name);
		if (fd >= 0)
			close(fd);
		return r;
	}
	alu_digest_init(&d, ALU_HASH_SHA256);
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		alu_digest_update(&d, buf, k);
	close(fd);
	alu_digest_final(&d, md);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	snprintf(digest, sizeof(digest), "sha256:%s", hex);
	snprintf(dst, sizeof(dst), "%s/blobs/sha256/%s", oci, hex);
	if (access(dst, F_OK) && rename(path, dst))
		return alu_err_set(e, -errno, "%s: %s", dst, strerror(errno));
	snprintf(num, sizeof(num), "%lld", (long long)st.st_size);
	*desc = alu_ij_new(ALU_IJ_OBJ, NULL);
	if (!*desc || alu_ij_put(*desc, "mediaType", alu_ij_new(ALU_IJ_STR, mt)) ||
	    alu_ij_put(*desc, "digest", alu_ij_new(ALU_IJ_STR, digest)) ||
	    alu_ij_put(*desc, "size", alu_ij_new(ALU_IJ_NUM, num)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	return 0;
}

static int write_json(const char *dir, const char *name, const struct alu_ij *v, struct alu_err *e)
{
	char path[4200], *txt;
	size_t len;
	FILE *f;
	int r = alu_ij_write(v, &txt, &len);

	if (r)
		return alu_err_set(e, r, "out of memory");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fwrite(txt, 1, len, f) != len || fclose(f)) {
		if (f)
			fclose(f);
		r = alu_err_set(e, -EIO, "writing %s", path);
	}
	free(txt);
	return r;
}

int alu_image_docker_read(const char *file, const char *ref, const char *dir, const char *oci,
			  struct alu_err *e)
{
	struct alu_ij *mf = NULL, *m = NULL, *layers, *desc = NULL, *index = NULL, *ms;
	const struct alu_ij *pick = NULL, *ls;
	char path[4200], *buf = NULL, digest[80];
	size_t len;
	int r;

	if ((r = alu_image_archive_read(file, dir, e)))
		return r;
	snprintf(path, sizeof(path), "%s/blobs/sha256", oci);
	if (alu_mkdir_p(path))
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((r = alu_image_read_small(path, 16u << 20, &buf, &len, e)) || (r = alu_ij_parse(buf, len, path, &mf, e)))
		goto out;
	for (size_t i = 0; mf->type == ALU_IJ_ARR && i < mf->n && !pick; i++) {
		const struct alu_ij *tags = alu_ij_get(mf->kids[i], "RepoTags");
		if (!ref)
			pick = mf->kids[i];
		for (size_t j = 0; tags && tags->type == ALU_IJ_ARR && j < tags->n && !pick; j++) {
			const char *t = tags->kids[j]->s, *c = t ? strrchr(t, ':') : NULL;
			size_t tl = t ? strlen(t) : 0, rl = strlen(ref);
			/* "alu/base:1" names "docker.io/alu/base:1"; a bare "1" its tag */
			if (t && (!strcmp(t, ref) || (tl > rl && t[tl - rl - 1] == '/' && !strcmp(t + tl - rl, ref)) ||
				  (c && !strchr(ref, ':') && !strcmp(c + 1, ref))))
				pick = mf->kids[i];
		}
	}
	if (!pick || (!ref && mf->n != 1)) {
		r = alu_err_set(e, -ALUE_NOTFOUND, "%s: %s", file, !pick ? "no image of that name in manifest.json" :
				"several images: name one with docker-archive:FILE:REF");
		goto out;
	}
	r = -ENOMEM;
	if (!(m = alu_ij_new(ALU_IJ_OBJ, NULL)) || !(layers = alu_ij_new(ALU_IJ_ARR, NULL)))
		goto oom;
	if (alu_ij_put(m, "schemaVersion", alu_ij_new(ALU_IJ_NUM, "2")) ||
	    alu_ij_put(m, "mediaType", alu_ij_new(ALU_IJ_STR, MT_MANIFEST)))
		goto oom;
	if ((r = adopt_blob(dir, alu_ij_str(pick, "Config"), oci, MT_CONFIG, &desc, e)) ||
	    (r = alu_ij_put(m, "config", desc)))
		goto out;
	if ((r = alu_ij_put(m, "layers", layers)))
		goto out;
	ls = alu_ij_get(pick, "Layers");
	for (size_t i = 0; ls && ls->type == ALU_IJ_ARR && i < ls->n; i++) {
		desc = NULL;
		if ((r = adopt_blob(dir, ls->kids[i]->s, oci, MT_LAYER_TAR, &desc, e)) ||
		    (r = alu_ij_put(layers, NULL, desc)))
			goto out;
	}
	{
		char *txt;
		size_t n;
		if ((r = alu_ij_write(m, &txt, &n)))
			goto oom;
		r = alu_image_blob_put(oci, txt, n, digest, e);
		free(txt);
		if (r)
			goto out;
		snprintf(path, sizeof(path), "%zu", n);
	}
	r = -ENOMEM;
	if (!(index = alu_ij_new(ALU_IJ_OBJ, NULL)) || alu_ij_put(index, "schemaVersion", alu_ij_new(ALU_IJ_NUM, "2")) ||
	    !(ms = alu_ij_new(ALU_IJ_ARR, NULL)) || alu_ij_put(index, "manifests", ms) ||
	    !(desc = alu_ij_new(ALU_IJ_OBJ, NULL)) || alu_ij_put(ms, NULL, desc) ||
	    alu_ij_put(desc, "mediaType", alu_ij_new(ALU_IJ_STR, MT_MANIFEST)) ||
	    alu_ij_put(desc, "digest", alu_ij_new(ALU_IJ_STR, digest)) ||
	    alu_ij_put(desc, "size", alu_ij_new(ALU_IJ_NUM, path)))
		goto oom;
	if ((r = write_json(oci, "index.json", index, e)))
		goto out;
	snprintf(path, sizeof(path), "%s/oci-layout", oci);
	{
		FILE *f = fopen(path, "w");
		if (!f || fputs("{\"imageLayoutVersion\":\"1.0.0\"}", f) < 0 || fclose(f))
			r = alu_err_set(e, -EIO, "writing %s", path);
	}
	goto out;
oom:
	alu_err_set(e, -ENOMEM, "out of memory");
out:
	alu_ij_free(index);
	alu_ij_free(m);
	alu_ij_free(mf);
	free(buf);
	return r;
}
