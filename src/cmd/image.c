/* SPDX-License-Identifier: MIT */
/*
 * `alupdate image patch SRC DST [PACKAGE...]`: patch a container image with
 * no daemon. SRC's layers are unpacked twice into a private directory (one
 * root to update, one untouched to compare with), the update runs on the
 * first as `--installroot` would (default filter --security; -y, --assumeno
 * and every filter work), and src/image writes the difference as one new
 * layer into DST. SRC is only read. An image index (multi-arch) has each
 * platform an Amazon Linux 2 mirror serves (x86_64, aarch64) patched with
 * $basearch of that platform, the others kept as they are, and DST is the
 * same index with the patched manifests (image_one.c).
 *
 * `alupdate image unpack SRC DIR`: the root the patch would work on (this
 * machine's platform of an index), with the same checks: what the layers
 * hold, owners, modes, hard links, device nodes and extended attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/image_one.h"
#include "conf/conf.h"
#include "image/image.h"
#include "util/out.h"

struct ref {
	int archive;        /* 1 oci-archive:FILE, 2 docker-archive:FILE (source only), 0 oci:DIR */
	char path[4096];    /* the DIR or FILE */
	const char *tag;
	char dir[4200];     /* the layout read or written: path, or one in the private directory */
};

static int parse_ref(const char *s, struct ref *r, struct alu_err *e)
{
	const char *rest;
	char *colon;

	memset(r, 0, sizeof(*r));
	if (!strncmp(s, "oci:", 4)) {
		rest = s + 4;
	} else if (!strncmp(s, "oci-archive:", 12)) {
		rest = s + 12;
		r->archive = 1;
	} else if (!strncmp(s, "docker-archive:", 15)) {
		rest = s + 15;
		r->archive = 2;
	} else {
		return alu_err_set(e, -ALUE_USAGE, "'%s': images are oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:REF]", s);
	}
	snprintf(r->path, sizeof(r->path), "%s", rest);
	/* docker refs hold a colon of their own (name:tag): the file ends at the first */
	if ((colon = strchr(r->path, ':'))) {
		*colon = 0;
		r->tag = rest + (colon - r->path) + 1;
	}
	if (!r->path[0])
		return alu_err_set(e, -ALUE_USAGE, "'%s': no %s", s, r->archive ? "file" : "directory");
	snprintf(r->dir, sizeof(r->dir), "%s", r->path);
	return 0;
}

/* SRC's layout: oci: as it is, an archive unpacked into @p tmp first. */
static int source_layout(struct ref *src, const char *tmp, struct alu_err *e)
{
	char x[4200];
	int r;

	if (!src->archive)
		return 0;
	snprintf(src->dir, sizeof(src->dir), "%s/src", tmp);
	snprintf(x, sizeof(x), "%s/docker", tmp);
	r = src->archive == 1 ? alu_image_archive_read(src->path, src->dir, e) :
		alu_image_docker_read(src->path, src->tag, x, src->dir, e);
	if (!r && src->archive == 2)
		src->tag = NULL;  /* the layout made from it holds that image alone */
	return r;
}

/* The private directory: named for the source, not random: the state
 * records the root's path, and the same input must give the same bytes. */
static int private_dir(const char *src, char *tmp, size_t n, struct alu_err *e)
{
	const char *tdir = getenv("TMPDIR");
	char hex[65];

	alu_image_sha256_hex(src, strlen(src), hex);
	snprintf(tmp, n, "%s/alupdate-image-%.16s", tdir && *tdir ? tdir : "/tmp", hex);
	if (!mkdir(tmp, 0700))
		return 0;
	if (errno == EEXIST)
		return alu_err_set(e, -EEXIST, "%s exists: another patch of this image is running, or remove it", tmp);
	return alu_err_set(e, -errno, "%s: %s", tmp, strerror(errno));
}

static int patch(struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_err e = { 0 };
	struct alu_image_set set = { 0 };
	struct alu_imgone *v = NULL;
	struct ref src, dst;
	char tmp[4096], lay[4300];
	const char *digest[ALU_IMAGE_MAXPLAT] = { 0 };
	uint64_t size[ALU_IMAGE_MAXPLAT] = { 0 };
	int r, made = 0, patched = 0;
	int64_t epoch = 0;
	size_t done = 0;

	if (argc < 3) {
		alu_error("usage: alupdate image patch SRC DST [PACKAGE...]");
		return 1;
	}
	if ((r = parse_ref(argv[1], &src, &e)) || (r = parse_ref(argv[2], &dst, &e)))
		goto out;
	if (!access(dst.path, F_OK)) {
		r = alu_err_set(&e, -EEXIST, "%s already exists: not overwritten", dst.path);
		goto out;
	}
	if ((r = private_dir(argv[1], tmp, sizeof(tmp), &e)))
		goto out;
	made = 1;
	if (dst.archive == 2) {
		r = alu_err_set(&e, -ALUE_UNSUPPORTED, "%s: docker-archive is read only; write oci: or oci-archive:", argv[2]);
		goto out;
	}
	if ((r = source_layout(&src, tmp, &e)))
		goto out;
	if (dst.archive)
		snprintf(dst.dir, sizeof(dst.dir), "%s/dst", tmp);
	if ((r = alu_image_set_open(src.dir, src.tag, &set, &e)))
		goto out;
	if (!(v = calloc(set.n, sizeof(*v)))) {
		r = alu_err_set(&e, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = alu_image_emit_begin(dst.dir, lay, sizeof(lay), &e)))
		goto out;
	for (; done < set.n; done++) {
		struct alu_image img;
		if (!(r = alu_image_open_desc(src.dir, set.descs[done], &img, &e)))
			r = alu_image_one_patch(ctx, &img, set.descs[done], tmp, done, lay, argv + 3,
						argc - 3, &v[done], &e);
		alu_image_close(&img);
		if (r)
			goto out;
		if (v[done].result == ALU_IMG_PATCHED) {
			digest[done] = v[done].res.manifest_digest;
			size[done] = v[done].res.manifest_size;
			epoch = patched++ ? epoch : v[done].epoch;
		}
	}
	if (patched && ((r = alu_image_set_write(&set, lay, digest, size, dst.tag ? dst.tag : src.tag, &e)) ||
			(r = alu_image_emit_finish(lay, dst.dir, &e))))
		goto out;
	if (patched && dst.archive && (r = alu_image_archive_write(dst.dir, dst.path, epoch, &e)))
		goto out;
	alu_image_one_report(ctx, argv[1], argv[2], v, set.n, set.n > 1 || set.nested, patched);
out:
	if (made) {
		alu_image_rmtree(lay);
		alu_image_rmtree(tmp);
	}
	for (size_t i = 0; v && i < set.n; i++)
		alu_ij_free(v[i].plan);
	free(v);
	alu_image_set_close(&set);
	if (r)
		alu_error("image patch: %s", e.msg[0] ? e.msg : alu_strerror(r));
	return r ? 1 : 0;
}

/* `image unpack SRC DIR`: the root the patch works on, with the same checks. */
static int unpack(struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_err e = { 0 };
	struct alu_image_set set = { 0 };
	struct alu_image img = { 0 };
	struct ref src;
	char tmp[4096], plat[128];
	const char *want, *base;
	struct utsname u;
	int r, made = 0, created = 0;
	size_t i = 0;

	want = alu_conf_basearch(ctx->forcearch ? ctx->forcearch : uname(&u) ? "x86_64" : u.machine);
	if (argc != 3) {
		alu_error("usage: alupdate image unpack SRC DIR");
		return 1;
	}
	if ((r = parse_ref(argv[1], &src, &e)))
		goto out;
	if (!access(argv[2], F_OK)) {
		r = alu_err_set(&e, -EEXIST, "%s already exists: not overwritten", argv[2]);
		goto out;
	}
	if ((r = private_dir(argv[1], tmp, sizeof(tmp), &e)))
		goto out;
	made = 1;
	if ((r = source_layout(&src, tmp, &e)) || (r = alu_image_set_open(src.dir, src.tag, &set, &e)))
		goto out;
	for (; i < set.n; i++) {
		alu_image_close(&img);
		if ((r = alu_image_open_desc(src.dir, set.descs[i], &img, &e)))
			goto out;
		base = alu_image_platform(set.descs[i], img.config, plat, sizeof(plat));
		if (set.n == 1 || (base && !strcmp(base, want)))
			break;
	}
	if (i == set.n) {
		r = alu_err_set(&e, -ALUE_NOTFOUND, "%s: no image of this machine's platform (%s) in the index",
				argv[1], want);
		goto out;
	}
	if (mkdir(argv[2], 0755)) {
		r = alu_err_set(&e, -errno, "%s: %s", argv[2], strerror(errno));
		goto out;
	}
	created = 1;
	r = alu_image_unpack_all(&img, argv[2], &e);
out:
	if (r && created) {
		char d[4200];
		snprintf(d, sizeof(d), "%s%s", strchr(argv[2], '/') ? "" : "./", argv[2]);
		alu_image_rmtree(d);
	}
	if (made)
		alu_image_rmtree(tmp);
	alu_image_close(&img);
	alu_image_set_close(&set);
	if (r)
		alu_error("image unpack: %s", e.msg[0] ? e.msg : alu_strerror(r));
	return r ? 1 : 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	if (argc >= 1 && !strcmp(argv[0], "patch"))
		return patch(ctx, argc, argv);
	if (argc >= 1 && !strcmp(argv[0], "unpack"))
		return unpack(ctx, argc, argv);
	alu_error("usage: alupdate image patch SRC DST [PACKAGE...] | image unpack SRC DIR (oci:DIR[:REF], oci-archive:FILE[:REF], docker-archive:FILE[:REF])");
	return 1;
}

const struct alu_cmd alu_cmd_image = {
	.name = "image",
	.summary = "patch a container image (OCI layout) without a daemon: one new layer with the updates",
	.usage = "patch SRC DST [PACKAGE...] | unpack SRC DIR",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN | ALU_OPTG_FILTER,
	.run = run,
};
