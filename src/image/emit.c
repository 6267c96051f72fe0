/* SPDX-License-Identifier: MIT */
/*
 * Building the patched image: the source's layers unpacked into a root
 * (checked blob by blob), and the destination layout written next to its
 * final name and renamed into place only when complete, so a failure leaves
 * no DST behind (the caller removes the temporary layout on failure).
 * Unchanged layers are shared: hard-linked when the two
 * layouts are on one filesystem, copied otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/image.h"
#include "util/fs.h"

static const char *const MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

int alu_image_rmtree(const char *path)
{
	char *slash = strrchr(path, '/'), dir[4096];
	int fd, r;

	if (!slash)
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = alu_image_remove_at(fd, slash + 1);
	close(fd);
	return r;
}

int alu_image_unpack_all(const struct alu_image *img, const char *root, struct alu_err *e)
{
	char path[4200];
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", root, strerror(errno));
	for (size_t i = 0; i < img->nlayers && !r; i++) {
		if (!(r = alu_image_blob_path(img->dir, img->layer_digest[i], path, sizeof(path), e)) &&
		    !(r = alu_image_blob_verify(path, img->layer_digest[i], e)))
			r = alu_image_unpack(fd, path, img->layer_digest[i], e);
	}
	close(fd);
	return r;
}

static int share(const char *from, const char *to, struct alu_err *e)
{
	char buf[65536];
	ssize_t k;
	int in, out, r = 0;

	if (!link(from, to))
		return 0;
	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (in < 0 || out < 0)
		r = -errno;
	while (!r && (k = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, k) != k)
			r = -EIO;
	if (in >= 0)
		close(in);
	if (out >= 0 && (close(out) || r))
		r = r ? r : -errno;
	return r ? alu_err_set(e, r, "copying %s to %s: %s", from, to, strerror(-r)) : 0;
}

static int put_json(const char *dir, const struct alu_ij *v, char *digest, size_t *size,
		    struct alu_err *e)
{
	char *txt;
	size_t len;
	int r = alu_ij_write(v, &txt, &len);

	if (r)
		return alu_err_set(e, r, "out of memory");
	r = alu_image_blob_put(dir, txt, len, digest, e);
	free(txt);
	*size = len;
	return r;
}

static int put_file(const char *dir, const char *name, const char *txt, struct alu_err *e)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fputs(txt, f) < 0 || fclose(f)) {
		if (f)
			fclose(f);
		return alu_err_set(e, -EIO, "writing %s", path);
	}
	return 0;
}

static struct alu_ij *num(unsigned long long v)
{
	char s[32];

	snprintf(s, sizeof(s), "%llu", v);
	return alu_ij_new(ALU_IJ_NUM, s);
}

static struct alu_ij *desc(const char *mt, const char *digest, uint64_t size)
{
	struct alu_ij *d = alu_ij_new(ALU_IJ_OBJ, NULL);

	if (d && (alu_ij_put(d, "mediaType", alu_ij_new(ALU_IJ_STR, mt)) ||
		  alu_ij_put(d, "digest", alu_ij_new(ALU_IJ_STR, digest)) ||
		  alu_ij_put(d, "size", num(size)))) {
		alu_ij_free(d);
		return NULL;
	}
	return d;
}

/* Get member @p key of @p o, creating it with @p type when absent. */
static struct alu_ij *member(struct alu_ij *o, const char *key, enum alu_ij_type type)
{
	struct alu_ij *v = alu_ij_get(o, key);

	if (v && v->type == type)
		return v;
	v = alu_ij_new(type, NULL);
	if (v && alu_ij_put(o, key, v))
		return NULL;
	return v;
}

static int new_config(struct alu_image *img, const struct alu_image_layer *l, const char *created,
		      const char *created_by, const char *comment)
{
	struct alu_ij *rootfs = member(img->config, "rootfs", ALU_IJ_OBJ);
	struct alu_ij *ids = rootfs ? member(rootfs, "diff_ids", ALU_IJ_ARR) : NULL;
	struct alu_ij *hist = member(img->config, "history", ALU_IJ_ARR);
	struct alu_ij *h = alu_ij_new(ALU_IJ_OBJ, NULL);

	if (!ids || !hist || !h || alu_ij_put(ids, NULL, alu_ij_new(ALU_IJ_STR, l->diff_id)) ||
	    alu_ij_put(h, "created", alu_ij_new(ALU_IJ_STR, created)) ||
	    alu_ij_put(h, "created_by", alu_ij_new(ALU_IJ_STR, created_by)) ||
	    alu_ij_put(h, "comment", alu_ij_new(ALU_IJ_STR, comment)) || alu_ij_put(hist, NULL, h) ||
	    alu_ij_put(img->config, "created", alu_ij_new(ALU_IJ_STR, created)))
		return -ENOMEM;
	return 0;
}

int alu_image_emit_begin(const char *dst, char *tmp, size_t n, struct alu_err *e)
{
	char path[4200];

	if (!access(dst, F_OK))
		return alu_err_set(e, -EEXIST, "%s already exists: not overwritten", dst);
	snprintf(tmp, n, "%s.alupdate-tmp", dst);
	alu_image_rmtree(tmp);
	snprintf(path, sizeof(path), "%s/blobs/sha256", tmp);
	if (alu_mkdir_p(path))
		return alu_err_set(e, -errno, "creating %s: %s", path, strerror(errno));
	return 0;
}

static int share_blob(const struct alu_image *img, const char *tmp, const char *digest,
		      struct alu_err *e)
{
	char path[4400], dpath[4400];
	int r;

	if ((r = alu_image_blob_path(img->dir, digest, path, sizeof(path), e)) ||
	    (r = alu_image_blob_path(tmp, digest, dpath, sizeof(dpath), e)))
		return r;
	return access(dpath, F_OK) ? share(path, dpath, e) : 0;
}

int alu_image_emit_keep(const struct alu_image *img, const char *tmp, struct alu_err *e)
{
	int r = share_blob(img, tmp, img->manifest_digest, e);

	if (!r)
		r = share_blob(img, tmp, alu_ij_str(alu_ij_get(img->manifest, "config"), "digest"), e);
	for (size_t i = 0; !r && i < img->nlayers; i++)
		r = share_blob(img, tmp, img->layer_digest[i], e);
	return r;
}

int alu_image_emit_one(struct alu_image *img, const char *orig, const char *cur,
		       const char *const *skip, const struct alu_image_out *opt, const char *tmp,
		       struct alu_image_result *res, struct alu_err *e)
{
	struct alu_ij *layers, *cfg;
	size_t size;
	int r;

	memset(res, 0, sizeof(*res));
	/* 1. the unchanged layers, shared */
	for (size_t i = 0; i < img->nlayers; i++)
		if ((r = share_blob(img, tmp, img->layer_digest[i], e)))
			return r;
	/* 2. the new layer */
	if ((r = alu_image_diff(orig, cur, skip, opt->epoch, tmp, &res->layer, e)))
		return r;
	/* 3. config, manifest */
	if (new_config(img, &res->layer, opt->created, opt->created_by, opt->comment))
		return alu_err_set(e, -ENOMEM, "out of memory");
	if ((r = put_json(tmp, img->config, res->config_digest, &size, e)))
		return r;
	cfg = alu_ij_get(img->manifest, "config");
	layers = alu_ij_get(img->manifest, "layers");
	if (alu_ij_put(cfg, "digest", alu_ij_new(ALU_IJ_STR, res->config_digest)) ||
	    alu_ij_put(cfg, "size", num(size)) ||
	    alu_ij_put(layers, NULL, desc(MT_LAYER, res->layer.digest, res->layer.size)))
		return alu_err_set(e, -ENOMEM, "out of memory");
	if ((r = put_json(tmp, img->manifest, res->manifest_digest, &size, e)))
		return r;
	res->manifest_size = size;
	return 0;
}

int alu_image_emit_finish(const char *tmp, const char *dst, struct alu_err *e)
{
	int r;

	if ((r = put_file(tmp, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", e)))
		return r;
	if (!access(dst, F_OK))
		return alu_err_set(e, -EEXIST, "%s already exists: not overwritten", dst);
	if (rename(tmp, dst))
		return alu_err_set(e, -errno, "renaming %s to %s: %s", tmp, dst, strerror(errno));
	return 0;
}
