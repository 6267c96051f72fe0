/* SPDX-License-Identifier: MIT */
/*
 * Amazon Linux 2023's list of releases, `core/releasemd.xml` beside the
 * versioned repositories (`core/mirrors/<release>/<arch>/mirror.list`):
 *
 *   <root><releases>
 *     <release version="2023.6.20241010">
 *       <update><name>..</name><version_string>..</version_string>
 *               <release_notes>URL</release_notes></update>
 *     </release> ...
 *   </releases></root>
 *
 * The real file declares encoding "utf8", a name expat does not know; it is
 * read as UTF-8 whatever it declares. What `check-release-update` reads
 * (dnf's release-notification on AL2023). Part of the repository layer.
 */
#ifndef ALU_REPO_RELEASEMD_H
#define ALU_REPO_RELEASEMD_H

#include <stddef.h>

#include "util/err.h"

struct alu_release {
	char *version;        /* release@version, e.g. "2023.6.20241111" */
	char *notes;          /* update/release_notes, or NULL */
};

struct alu_releases {
	struct alu_release *v;   /* sorted oldest first (rpmvercmp of version) */
	size_t n;
};

/** Largest releasemd.xml accepted (bytes). */
#define ALU_RELEASEMD_MAX (8u << 20)

/**
 * @brief Parse releasemd.xml text @p buf of @p len bytes.
 * @param where names the file (its URL) in messages.
 * @return 0; -ALUE_CORRUPT "WHERE:LINE:COL: ..." (not XML, no <root>, a
 *         <release> without a version, or one whose version is not
 *         made of [0-9A-Za-z._+~-]); -ENOMEM. On error @p out holds nothing.
 */
int alu_releasemd_parse(const char *buf, size_t len, const char *where, struct alu_releases *out,
			struct alu_err *e);

/** @brief Release @p r; leaves it empty. NULL-safe. */
void alu_releases_free(struct alu_releases *r);

/**
 * @brief The mirror base of an AL2023 versioned repository: @p mirrorlist
 *        ".../core/mirrors/$releasever/$basearch/mirror.list" -> ".../core"
 *        in @p out.
 * @return 0, or -ENOENT when @p mirrorlist is not of that layout.
 */
int alu_releasemd_base(const char *mirrorlist, char *out, size_t n);

#endif
