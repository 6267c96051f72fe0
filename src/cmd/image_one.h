/* SPDX-License-Identifier: MIT */
/*
 * One image of `alupdate image patch` (image_one.c): unpacked twice, updated
 * for its own platform, written as a patched manifest; and the report of
 * every image of a run (stdout or --json).
 */
#ifndef ALU_CMD_IMAGE_ONE_H
#define ALU_CMD_IMAGE_ONE_H

#include "cmd/ctx.h"
#include "image/image.h"

enum { ALU_IMG_SKIPPED, ALU_IMG_NOTHING, ALU_IMG_PATCHED };

/** What became of one image. */
struct alu_imgone {
	char platform[128];          /* "linux/arm64/v8" */
	const char *basearch;        /* the packages' architecture; NULL when skipped */
	int result;                  /* ALU_IMG_* */
	int64_t epoch;               /* the new layer's time (SOURCE_DATE_EPOCH or the image's) */
	struct alu_ij *plan;         /* the update's own --json report, or NULL */
	struct alu_image_result res; /* when patched */
};

/**
 * @brief Patch image @p img into the layout @p layout: private roots under
 *        @p tmp (named by @p idx, removed after), the update with
 *        $basearch of the image's platform, the new manifest written.
 *        A platform no Amazon Linux 2 repository serves is skipped.
 * @return 0 (patched, nothing to patch or skipped: see @p out), else the
 *         failure, described in @p e. Free out->plan with alu_ij_free().
 */
int alu_image_one_patch(struct alu_ctx *ctx, struct alu_image *img, const struct alu_ij *desc,
			const char *tmp, size_t idx, const char *layout, char **specs, int nspecs,
			struct alu_imgone *out, struct alu_err *e);

/** @brief Report the run: one image at the top level, an index's platforms in a list. */
void alu_image_one_report(const struct alu_ctx *ctx, const char *src, const char *dst,
			  const struct alu_imgone *v, size_t n, int multi, int patched);

#endif
