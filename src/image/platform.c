/* SPDX-License-Identifier: MIT */
/*
 * The images a source names: one manifest, or the platforms of an index.
 * index.json's entry chosen by ref.name may itself be an image index (what
 * `skopeo copy --all`, `buildah manifest push --all` and registries write for
 * multi-arch images), or index.json may list one manifest per platform under
 * the same name. Either way the set is the list of manifest descriptors, and
 * the patched layout keeps that shape: the same index, with the digests of
 * the platforms that were patched replaced and every other entry (with its
 * platform, annotations and blobs) kept as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "image/image.h"

static const char *const MT_INDEX = "application/vnd.oci.image.index.v1+json";

static struct alu_ij *clone(const struct alu_ij *v)
{
	struct alu_ij *c = NULL;
	struct alu_err e = { 0 };
	char *txt;
	size_t len;

	if (alu_ij_write(v, &txt, &len))
		return NULL;
	alu_ij_parse(txt, len, "a descriptor", &c, &e);
	free(txt);
	return c;
}

static const char *ref_of(const struct alu_ij *d)
{
	return alu_ij_str(alu_ij_get(d, "annotations"), "org.opencontainers.image.ref.name");
}

/* One image of several platforms: every entry gives one, under one name. */
static int all_have_platform(const struct alu_ij *const *v, size_t n)
{
	const char *r0 = ref_of(v[0]);

	for (size_t i = 0; i < n; i++) {
		const char *r = ref_of(v[i]);
		if (!alu_ij_get(v[i], "platform") || (!r != !r0) || (r && strcmp(r, r0)))
			return 0;
	}
	return n > 1;
}

int alu_image_set_open(const char *dir, const char *ref, struct alu_image_set *set, struct alu_err *e)
{
	char path[4200], *buf = NULL;
	struct alu_ij *ms;
	struct alu_ij *match[ALU_IMAGE_MAXPLAT];
	size_t len, n = 0;
	int r;

	memset(set, 0, sizeof(*set));
	snprintf(path, sizeof(path), "%s/oci-layout", dir);
	if (access(path, F_OK))
		return alu_err_set(e, -ENOENT, "%s: not an OCI layout (no oci-layout file)", dir);
	snprintf(path, sizeof(path), "%s/index.json", dir);
	if ((r = alu_image_read_small(path, 16u << 20, &buf, &len, e)))
		return r;
	r = alu_ij_parse(buf, len, path, &set->top, e);
	free(buf);
	if (r)
		return r;
	ms = alu_ij_get(set->top, "manifests");
	if (!ms || ms->type != ALU_IJ_ARR || !ms->n)
		return alu_err_set(e, -ALUE_CORRUPT, "%s/index.json: no manifests", dir);
	for (size_t i = 0; i < ms->n && n < ALU_IMAGE_MAXPLAT; i++)
		if (!ref || (ref_of(ms->kids[i]) && !strcmp(ref_of(ms->kids[i]), ref)))
			match[n++] = ms->kids[i];
	if (!n)
		return alu_err_set(e, -ALUE_NOTFOUND, "%s/index.json: no image named '%s'", dir, ref);
	if (n > 1 && !all_have_platform((const struct alu_ij *const *)match, n))
		return alu_err_set(e, -ALUE_USAGE, "%s holds %zu images: name one with oci:%s:REF", dir, n, dir);
	if (n > 1) {
		/* one manifest per platform listed in index.json itself */
		set->flat = 1;
		set->n = n;
		memcpy(set->descs, match, n * sizeof(*match));
		return 0;
	}
	set->picked = match[0];
	if (alu_ij_str(set->picked, "mediaType") && !strcmp(alu_ij_str(set->picked, "mediaType"), MT_INDEX)) {
		if ((r = alu_image_read_desc(dir, set->picked, &set->nested, e)))
			return r;
		ms = alu_ij_get(set->nested, "manifests");
		if (!ms || ms->type != ALU_IJ_ARR || !ms->n)
			return alu_err_set(e, -ALUE_CORRUPT, "index %s: no manifests", alu_ij_str(set->picked, "digest"));
		if (ms->n > ALU_IMAGE_MAXPLAT)
			return alu_err_set(e, -ALUE_UNSUPPORTED, "index %s: more than %d platforms",
					   alu_ij_str(set->picked, "digest"), ALU_IMAGE_MAXPLAT);
		set->n = ms->n;
		memcpy(set->descs, ms->kids, ms->n * sizeof(*ms->kids));
		return 0;
	}
	set->n = 1;
	set->descs[0] = set->picked;
	return 0;
}

void alu_image_set_close(struct alu_image_set *set)
{
	alu_ij_free(set->top);
	alu_ij_free(set->nested);
	memset(set, 0, sizeof(*set));
}

const char *alu_image_platform(const struct alu_ij *desc, const struct alu_ij *config, char *out,
			       size_t n)
{
	const struct alu_ij *p = alu_ij_get(desc, "platform");
	/* the config says what the binaries are; the index entry only points at it */
	const char *os = alu_ij_str(config, "os") ?: alu_ij_str(p, "os");
	const char *arch = alu_ij_str(config, "architecture") ?: alu_ij_str(p, "architecture");
	const char *var = alu_ij_str(config, "variant") ?: alu_ij_str(p, "variant");
	const char *base;

	snprintf(out, n, "%s/%s%s%s", os ?: "?", arch ?: "?", var ? "/" : "", var ?: "");
	if (!os || strcmp(os, "linux") || !arch)
		return NULL;
	base = alu_conf_basearch(arch);
	return !strcmp(base, "x86_64") || !strcmp(base, "aarch64") ? base : NULL;
}

int alu_image_set_write(struct alu_image_set *set, const char *layout, const char *const *digest,
			const uint64_t *size, const char *ref, struct alu_err *e)
{
	struct alu_ij *top = alu_ij_new(ALU_IJ_OBJ, NULL), *ms = alu_ij_new(ALU_IJ_ARR, NULL);
	char num[32], d[80], path[4200], *txt = NULL;
	size_t len;
	int r = -ENOMEM;

	if (!top || !ms || alu_ij_put(top, "schemaVersion", alu_ij_new(ALU_IJ_NUM, "2")))
		goto out;
	if (alu_ij_str(set->top, "mediaType") &&
	    alu_ij_put(top, "mediaType", alu_ij_new(ALU_IJ_STR, alu_ij_str(set->top, "mediaType"))))
		goto out;
	for (size_t i = 0; i < set->n; i++) {
		if (!digest[i])
			continue;
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size[i]);
		if (alu_ij_put(set->descs[i], "digest", alu_ij_new(ALU_IJ_STR, digest[i])) ||
		    alu_ij_put(set->descs[i], "size", alu_ij_new(ALU_IJ_NUM, num)))
			goto out;
	}
	if (set->nested) {
		/* the platform index is a blob of its own, named by index.json */
		if ((r = alu_ij_write(set->nested, &txt, &len)))
			goto out;
		if ((r = alu_image_blob_put(layout, txt, len, d, e)))
			goto out;
		free(txt);
		txt = NULL;
		snprintf(num, sizeof(num), "%zu", len);
		r = -ENOMEM;
		if (alu_ij_put(set->picked, "digest", alu_ij_new(ALU_IJ_STR, d)) ||
		    alu_ij_put(set->picked, "size", alu_ij_new(ALU_IJ_NUM, num)))
			goto out;
	}
	for (size_t i = 0; i < (set->flat ? set->n : 1); i++) {
		struct alu_ij *c = clone(set->flat ? set->descs[i] : set->picked), *an;
		if (!c || alu_ij_put(ms, NULL, c))
			goto out;
		if (ref && (!(an = alu_ij_get(c, "annotations")) || an->type != ALU_IJ_OBJ) &&
		    (!(an = alu_ij_new(ALU_IJ_OBJ, NULL)) || alu_ij_put(c, "annotations", an)))
			goto out;
		if (ref && alu_ij_put(an, "org.opencontainers.image.ref.name", alu_ij_new(ALU_IJ_STR, ref)))
			goto out;
	}
	if (alu_ij_put(top, "manifests", ms))
		goto out;
	ms = NULL;
	if ((r = alu_ij_write(top, &txt, &len)))
		goto out;
	snprintf(path, sizeof(path), "%s/index.json", layout);
	FILE *f = fopen(path, "w");
	if (!f || fwrite(txt, 1, len, f) != len || fclose(f)) {
		if (f)
			fclose(f);
		r = alu_err_set(e, -EIO, "writing %s", path);
		goto out;
	}
	r = 0;
out:
	if (r == -ENOMEM)
		alu_err_set(e, r, "out of memory");
	free(txt);
	alu_ij_free(ms);
	alu_ij_free(top);
	return r;
}
