/* SPDX-License-Identifier: MIT */
/*
 * OCI image layouts patched without a daemon (`alupdate image patch`).
 *
 * An image is read from an OCI layout directory (oci-layout, index.json,
 * blobs/sha256/<hex>): every blob is checked against its digest and size
 * before it is used. Its layers are unpacked in order into a private root
 * with our own openat() walk (no symlink is followed, no `..` or absolute
 * name accepted, whiteouts `.wh.NAME` and `.wh..wh..opq` applied). After the
 * update, the difference between that root and a second, untouched unpack
 * becomes one new gzip layer, written reproducibly: entries sorted by name,
 * mtimes clamped to one epoch, owners numeric, gzip with no name and mtime.
 *
 * JSON is read into a small tree (alu_ij) that keeps the order of object
 * keys, so a config written back differs from the original only where we
 * changed it.
 */
#ifndef ALU_IMAGE_IMAGE_H
#define ALU_IMAGE_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* ---- JSON (json_tree.c) ---- */

enum alu_ij_type { ALU_IJ_NULL, ALU_IJ_BOOL, ALU_IJ_NUM, ALU_IJ_STR, ALU_IJ_ARR, ALU_IJ_OBJ };

/** A JSON value. Numbers and literals keep their text in @c s. Objects keep
 *  their keys in order (keys[i] names kids[i]). Everything below a root is
 *  owned by it and freed with alu_ij_free(). */
struct alu_ij {
	enum alu_ij_type type;
	char *s;               /* STR: the decoded string; NUM/BOOL/NULL: the literal */
	size_t n;              /* ARR/OBJ: number of kids */
	struct alu_ij **kids;
	char **keys;           /* OBJ only */
};

/**
 * @brief Parse @p len bytes of JSON.
 * @param what names the input in messages (a blob digest, a file).
 * @param[out] out the tree, owned by the caller (alu_ij_free()).
 * @return 0, -ALUE_CORRUPT (malformed: the byte offset is in the message), -ENOMEM.
 */
int alu_ij_parse(const char *buf, size_t len, const char *what, struct alu_ij **out,
		 struct alu_err *e);
/** @brief Free a tree (NULL is fine). */
void alu_ij_free(struct alu_ij *v);
/** @return the member @p key of object @p o, or NULL (also when @p o is not an object). */
struct alu_ij *alu_ij_get(const struct alu_ij *o, const char *key);
/** @return the string of member @p key, or NULL when absent or not a string. */
const char *alu_ij_str(const struct alu_ij *o, const char *key);
/** @return a new value of @p type (for STR/NUM, a copy of @p s), or NULL (no memory). */
struct alu_ij *alu_ij_new(enum alu_ij_type type, const char *s);
/** @brief Append @p kid to array @p a, or set member @p key of object @p a
 *         (replacing an existing one in place). Takes @p kid. @return 0, -ENOMEM. */
int alu_ij_put(struct alu_ij *a, const char *key, struct alu_ij *kid);
/**
 * @brief Serialise compactly (no blanks, keys in their order).
 * @param[out] out malloc'd NUL-terminated text, @p len its length.
 * @return 0, -ENOMEM.
 */
int alu_ij_write(const struct alu_ij *v, char **out, size_t *len);

/* ---- layouts and blobs (layout.c) ---- */

#define ALU_IMAGE_MAXLAYERS 256

/** An opened image: the manifest chosen from index.json and its config. */
struct alu_image {
	char dir[4096];
	struct alu_ij *index, *manifest, *config;
	char manifest_digest[80];
	size_t nlayers;
	char layer_digest[ALU_IMAGE_MAXLAYERS][80];
};

#define ALU_IMAGE_MAXPLAT 64

/**
 * @brief Open the manifest @p desc names in layout @p dir, and its config
 *        (both verified: sha256, size).
 * @return 0, -ALUE_CORRUPT, -ALUE_CHECKSUM, -ALUE_UNSUPPORTED (media type,
 *         digests other than sha256, too many layers).
 */
int alu_image_open_desc(const char *dir, const struct alu_ij *desc, struct alu_image *img,
			struct alu_err *e);
/** @brief Read and parse the JSON blob descriptor @p desc names (digest and size checked). */
int alu_image_read_desc(const char *dir, const struct alu_ij *desc, struct alu_ij **out,
			struct alu_err *e);
/** @brief Release what alu_image_open() allocated. */
void alu_image_close(struct alu_image *img);
/**
 * @brief The path of blob @p digest under @p dir (validated: "sha256:" + 64 hex).
 * @return 0, -ALUE_UNSUPPORTED (other algorithm), -ALUE_CORRUPT (malformed digest).
 */
int alu_image_blob_path(const char *dir, const char *digest, char *out, size_t n,
			struct alu_err *e);
/** @brief Check the file @p path against @p digest ("sha256:hex"). @return 0, -ALUE_CHECKSUM, -errno. */
int alu_image_blob_verify(const char *path, const char *digest, struct alu_err *e);
/**
 * @brief Store @p len bytes as a blob of layout @p dir.
 * @param[out] digest "sha256:<hex>" (80 bytes).
 * @return 0, -errno.
 */
int alu_image_blob_put(const char *dir, const void *p, size_t len, char *digest, struct alu_err *e);
/** @brief Read the regular file @p path (not a symlink) of at most @p max bytes;
 *         *out is malloc'd and NUL-terminated. @return 0, -errno, -ALUE_CORRUPT. */
int alu_image_read_small(const char *path, size_t max, char **out, size_t *len, struct alu_err *e);
/** @brief Hex sha256 of a memory block into @p hex (65 bytes). */
void alu_image_sha256_hex(const void *p, size_t len, char *hex);

/* ---- the images a source names (platform.c) ---- */

/** The manifests of one source: descs[] point into top or nested. */
struct alu_image_set {
	struct alu_ij *top;        /* index.json */
	struct alu_ij *nested;     /* the platform index picked, or NULL */
	struct alu_ij *picked;     /* index.json's entry (NULL when flat) */
	int flat;                  /* several platforms listed in index.json itself */
	size_t n;
	struct alu_ij *descs[ALU_IMAGE_MAXPLAT];
};

/**
 * @brief Open layout @p dir and find the images named @p ref (annotation
 *        org.opencontainers.image.ref.name; NULL: the only one): one
 *        manifest, the platforms of an image index it names, or the
 *        entries of index.json that share the name and each give a platform.
 * @return 0, -ENOENT (not a layout), -ALUE_NOTFOUND (no such ref),
 *         -ALUE_USAGE (several images, none named), -ALUE_CORRUPT, -ALUE_CHECKSUM.
 */
int alu_image_set_open(const char *dir, const char *ref, struct alu_image_set *set, struct alu_err *e);
/** @brief Release what alu_image_set_open() read. */
void alu_image_set_close(struct alu_image_set *set);
/**
 * @brief The platform of one image, as "os/arch[/variant]" in @p out, from
 *        its config (the index entry's platform when the config lacks it).
 * @return the basearch its packages are for ("x86_64", "aarch64": the ones
 *         Amazon Linux 2 mirrors serve), or NULL for any other platform.
 */
const char *alu_image_platform(const struct alu_ij *desc, const struct alu_ij *config, char *out,
			       size_t n);
/**
 * @brief Write the index of @p set into @p layout: entry i gets manifest
 *        @p digest[i] and @p size[i] when digest[i] is not NULL, and keeps
 *        its own otherwise; a platform index is written as a new blob and
 *        index.json names it. @p ref (or NULL) becomes the ref.name.
 * @return 0, -ENOMEM, -EIO.
 */
int alu_image_set_write(struct alu_image_set *set, const char *layout, const char *const *digest,
			const uint64_t *size, const char *ref, struct alu_err *e);

/* ---- layers (unpack.c, diff.c) ---- */

/**
 * @brief Apply the tar layer at @p blob (gzip, zstd, xz or plain) on the
 *        directory @p rootfd: whiteouts applied, nothing created or removed
 *        outside it (a `..`, an absolute name, a name through a symlink, a
 *        hard link out are refused).
 * @param what the layer's digest, for messages.
 * @return 0, -ALUE_PATH, -ALUE_CORRUPT (not a tar layer), -errno.
 */
int alu_image_unpack(int rootfd, const char *blob, const char *what, struct alu_err *e);

/** What alu_image_diff() wrote. */
struct alu_image_layer {
	char digest[80];       /* sha256 of the gzip blob */
	char diff_id[80];      /* sha256 of the tar */
	uint64_t size;         /* blob size */
	size_t changed, removed;
};

/**
 * @brief Write as one gzip tar layer what differs from @p orig in @p cur:
 *        new and changed entries, `.wh.NAME` for removed ones. Paths under
 *        @p skip (relative, NULL-terminated list) are left out.
 * @param layout the destination layout; the blob goes into its blobs/sha256/.
 * @param epoch the latest mtime an entry gets (later ones are clamped to it).
 * @return 0, -errno, -ALUE_CORRUPT.
 */
int alu_image_diff(const char *orig, const char *cur, const char *const *skip, int64_t epoch,
		   const char *layout, struct alu_image_layer *out, struct alu_err *e);

/* ---- extended attributes (xattr.c) ---- */

struct archive_entry;

/** The extended attributes of one entry, sorted by name. */
struct alu_image_xattrs {
	size_t n;
	char **key;            /* point into names */
	void **val;
	size_t *len;
	char *names;
};

/**
 * @brief Set on @p name in directory @p dfd (never followed) the extended
 *        attributes the tar entry @p ent carries; call after chown/chmod
 *        (chown clears security.capability).
 * @param what, rel the layer and the entry, for messages.
 * @return 0, -errno (the filesystem cannot hold one: named).
 */
int alu_image_xattr_apply(int dfd, const char *name, struct archive_entry *ent, const char *what,
			  const char *rel, struct alu_err *e);
/** @brief Read the extended attributes of @p name in @p dfd (not followed).
 *  @return 0 (none, or a filesystem without them: n == 0), -errno, -ENOMEM;
 *          free with alu_image_xattr_free() in every case. */
int alu_image_xattr_list(int dfd, const char *name, struct alu_image_xattrs *x);
/** @return 1 when @p a and @p b hold the same names and values. */
int alu_image_xattr_same(const struct alu_image_xattrs *a, const struct alu_image_xattrs *b);
/** @brief Release what alu_image_xattr_list() read. */
void alu_image_xattr_free(struct alu_image_xattrs *x);

/** @brief Remove @p name in directory @p dfd, recursively, following no symlink.
 *  @return 0, -errno. */
int alu_image_remove_at(int dfd, const char *name);
/** @brief Remove the tree at @p path (absolute or relative with a '/'). @return 0, -errno. */
int alu_image_rmtree(const char *path);

/**
 * @brief Record in @p root's state the rpm database it adopted by its path
 *        inside the root ("/var/lib/rpm/rpmdb.sqlite"), not the private
 *        root's host path, so that alupdate run in a container of the image
 *        finds the two in agreement (restamp.c).
 * @return 0 (also when the root has no rpm database), -ALUE_PATH, -ALUE_DB, -errno.
 */
int alu_image_restamp(const char *root, struct alu_err *e);

/* ---- oci-archive (archive.c) ---- */

/**
 * @brief Unpack the oci-archive @p file into the new directory @p dir, with
 *        alu_image_unpack()'s guards.
 * @return 0, -errno, -ALUE_PATH, -ALUE_CORRUPT.
 */
int alu_image_archive_read(const char *file, const char *dir, struct alu_err *e);
/**
 * @brief Write the layout @p dir as the tar @p file (via "<file>.alupdate-tmp",
 *        renamed when complete), entries sorted, every mtime @p epoch.
 * @return 0, -errno, -EIO.
 */
int alu_image_archive_write(const char *dir, const char *file, int64_t epoch, struct alu_err *e);

/**
 * @brief Turn the docker-archive @p file (docker save, skopeo) into the OCI
 *        layout @p oci: unpacked into the new directory @p dir first, the
 *        config and layer files of the image @p ref (a RepoTags entry or its
 *        tag; NULL: the only one) moved into blobs (layers stay plain tars).
 * @return 0, -ALUE_NOTFOUND, -ALUE_PATH (a name escaping the archive),
 *         -ALUE_CORRUPT, -errno.
 */
int alu_image_docker_read(const char *file, const char *ref, const char *dir, const char *oci,
			  struct alu_err *e);

/* ---- the patched image (emit.c) ---- */

/**
 * @brief Verify and unpack every layer of @p img, in order, into @p root.
 * @return 0, or what alu_image_blob_verify() or alu_image_unpack() return.
 */
int alu_image_unpack_all(const struct alu_image *img, const char *root, struct alu_err *e);

/** What the new image says about itself. */
struct alu_image_out {
	int64_t epoch;            /* mtime of the new layer's entries */
	const char *created;      /* RFC 3339 time of the epoch: config and history */
	const char *created_by;   /* the history entry */
	const char *comment;
};

struct alu_image_result {
	struct alu_image_layer layer;
	char config_digest[80], manifest_digest[80];
	uint64_t manifest_size;
};

/**
 * @brief Start the layout @p dst: "<dst>.alupdate-tmp" (in @p tmp), empty,
 *        with its blobs/sha256.
 * @return 0, -EEXIST (dst exists), -errno.
 */
int alu_image_emit_begin(const char *dst, char *tmp, size_t n, struct alu_err *e);
/**
 * @brief Write one patched image into the layout @p tmp: @p img's layers
 *        shared, one new layer of what differs between @p orig and @p cur
 *        (paths under @p skip left out), the config with the layer's diff_id
 *        and a history entry appended, the manifest. Changes @p img's
 *        manifest and config in memory.
 * @return 0, -errno, or alu_image_diff()'s codes.
 */
int alu_image_emit_one(struct alu_image *img, const char *orig, const char *cur,
		       const char *const *skip, const struct alu_image_out *opt, const char *tmp,
		       struct alu_image_result *res, struct alu_err *e);
/** @brief Share into @p tmp every blob of @p img as it is (manifest, config,
 *         layers): a platform kept unpatched. @return 0, -errno. */
int alu_image_emit_keep(const struct alu_image *img, const char *tmp, struct alu_err *e);
/** @brief Write oci-layout and rename @p tmp to @p dst (index.json written
 *         already). @return 0, -errno. */
int alu_image_emit_finish(const char *tmp, const char *dst, struct alu_err *e);

#endif
