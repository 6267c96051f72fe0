/* SPDX-License-Identifier: MIT */
/*
 * OCI image layouts: index.json, blobs by sha256, the manifest and config
 * chosen from them. Every blob is checked against the digest and size that
 * named it before it is used, so a layout that was tampered with is refused
 * before anything is unpacked.
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

#define META_MAX (16u << 20)   /* index, manifest, config: small JSON */

void alu_image_sha256_hex(const void *p, size_t len, char *hex)
{
	struct alu_digest d;
	unsigned char md[ALU_DIGEST_MAX];

	alu_digest_init(&d, ALU_HASH_SHA256);
	alu_digest_update(&d, p, len);
	alu_digest_final(&d, md);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

int alu_image_blob_path(const char *dir, const char *digest, char *out, size_t n,
			struct alu_err *e)
{
	size_t i;

	if (!digest)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: a descriptor has no digest", dir);
	if (strncmp(digest, "sha256:", 7))
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: digest '%.80s' is not sha256", dir, digest);
	for (i = 7; digest[i]; i++)
		if (!strchr("0123456789abcdef", digest[i]))
			break;
	if (i != 7 + 64 || digest[i])
		return alu_err_set(e, -ALUE_CORRUPT, "%s: malformed digest '%.80s'", dir, digest);
	if ((size_t)snprintf(out, n, "%s/blobs/sha256/%s", dir, digest + 7) >= n)
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", dir);
	return 0;
}

int alu_image_blob_verify(const char *path, const char *digest, struct alu_err *e)
{
	struct alu_digest d;
	unsigned char md[ALU_DIGEST_MAX], buf[65536];
	char hex[65];
	ssize_t k;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return alu_err_set(e, -errno, "blob %s: %s", path, strerror(errno));
	alu_digest_init(&d, ALU_HASH_SHA256);
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		alu_digest_update(&d, buf, k);
	close(fd);
	if (k < 0)
		return alu_err_set(e, -EIO, "blob %s: read error", path);
	alu_digest_final(&d, md);
	for (int i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	if (strcmp(hex, digest + 7))
		return alu_err_set(e, -ALUE_CHECKSUM, "blob %s: its content has digest sha256:%s, not %s",
				   path, hex, digest);
	return 0;
}

int alu_image_read_small(const char *path, size_t max, char **out, size_t *len, struct alu_err *e)
{
	struct stat st;
	char *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return alu_err_set(e, -ALUE_CORRUPT, "%s: not a regular file of at most %zu bytes", path, max);
	}
	p = malloc(st.st_size + 1);
	if (!p || read(fd, p, st.st_size) != st.st_size) {
		free(p);
		close(fd);
		return alu_err_set(e, -EIO, "%s: read error", path);
	}
	close(fd);
	p[st.st_size] = 0;
	*out = p;
	*len = st.st_size;
	return 0;
}

/* Read the JSON blob a descriptor names, checking its digest and size. */
static int read_desc(const char *dir, const struct alu_ij *desc, struct alu_ij **out,
		     struct alu_err *e)
{
	const char *digest = alu_ij_str(desc, "digest");
	struct alu_ij *size = alu_ij_get(desc, "size");
	char path[4200], hex[65], *buf = NULL;
	size_t len;
	int r;

	if ((r = alu_image_blob_path(dir, digest, path, sizeof(path), e)))
		return r;
	if ((r = alu_image_read_small(path, META_MAX, &buf, &len, e)))
		return r;
	alu_image_sha256_hex(buf, len, hex);
	if (strcmp(hex, digest + 7))
		r = alu_err_set(e, -ALUE_CHECKSUM, "blob %s: its content has digest sha256:%s, not %s",
				path, hex, digest);
	else if (!size || size->type != ALU_IJ_NUM || strtoull(size->s, NULL, 10) != len)
		r = alu_err_set(e, -ALUE_CHECKSUM, "blob %s: size %zu is not the descriptor's %s",
				path, len, size && size->s ? size->s : "(none)");
	else
		r = alu_ij_parse(buf, len, path, out, e);
	free(buf);
	return r;
}

int alu_image_read_desc(const char *dir, const struct alu_ij *desc, struct alu_ij **out,
			struct alu_err *e)
{
	return read_desc(dir, desc, out, e);
}

int alu_image_open_desc(const char *dir, const struct alu_ij *desc, struct alu_image *img,
			struct alu_err *e)
{
	char path[4200];
	const struct alu_ij *cfg, *layers;
	const char *mt = alu_ij_str(desc, "mediaType");
	int r;

	memset(img, 0, sizeof(*img));
	snprintf(img->dir, sizeof(img->dir), "%s", dir);
	if (mt && strcmp(mt, "application/vnd.oci.image.manifest.v1+json"))
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: manifest media type %s is not handled",
				   dir, mt);
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", alu_ij_str(desc, "digest") ?: "");
	if ((r = read_desc(dir, desc, &img->manifest, e)))
		return r;
	cfg = alu_ij_get(img->manifest, "config");
	if ((r = read_desc(dir, cfg, &img->config, e)))
		return r;
	layers = alu_ij_get(img->manifest, "layers");
	if (!layers || layers->type != ALU_IJ_ARR)
		return alu_err_set(e, -ALUE_CORRUPT, "manifest %s: no layers array", img->manifest_digest);
	if (layers->n > ALU_IMAGE_MAXLAYERS)
		return alu_err_set(e, -ALUE_UNSUPPORTED, "manifest %s: more than %d layers",
				   img->manifest_digest, ALU_IMAGE_MAXLAYERS);
	for (size_t i = 0; i < layers->n; i++) {
		const char *d = alu_ij_str(layers->kids[i], "digest");
		if ((r = alu_image_blob_path(dir, d, path, sizeof(path), e)))
			return r;
		snprintf(img->layer_digest[i], sizeof(img->layer_digest[i]), "%s", d);
	}
	img->nlayers = layers->n;
	return 0;
}

void alu_image_close(struct alu_image *img)
{
	alu_ij_free(img->index);
	alu_ij_free(img->manifest);
	alu_ij_free(img->config);
	img->index = img->manifest = img->config = NULL;
}

int alu_image_blob_put(const char *dir, const void *p, size_t len, char *digest, struct alu_err *e)
{
	char hex[65], path[4200], tmp[4300];
	int fd;

	alu_image_sha256_hex(p, len, hex);
	snprintf(digest, 80, "sha256:%s", hex);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, hex);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	if (write(fd, p, len) != (ssize_t)len || fsync(fd)) {
		close(fd);
		unlink(tmp);
		return alu_err_set(e, -EIO, "%s: write error", tmp);
	}
	close(fd);
	if (rename(tmp, path))
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	return 0;
}
