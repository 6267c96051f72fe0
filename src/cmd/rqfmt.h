/* SPDX-License-Identifier: MIT */
/*
 * repoquery's package view and --queryformat: rpm's "%{tag}" syntax (also
 * "%-20{tag}" widths, "\n" and "\t" escapes) over the fields yum-utils and
 * dnf offer. Tags are matched ignoring case. Used by repoquery.c.
 */
#ifndef ALU_CMD_RQFMT_H
#define ALU_CMD_RQFMT_H

#include <stdint.h>
#include <stdio.h>

/** One package, repository or installed; strings borrowed ("" when unknown). */
struct rq_pkg {
	const char *name, *version, *release, *arch, *repoid;
	uint32_t epoch;
	const char *summary, *description, *url, *license, *vendor, *group;
	const char *buildhost, *sourcerpm, *packager, *location, *pkgid;
	uint64_t size;           /* download size (repositories), installed size (installed) */
	uint64_t installedsize, packagesize, archivesize, buildtime;
	int installed;
};

/** yum-utils' and dnf's default format. */
#define RQ_DEFAULT_QF "%{name}-%{epoch}:%{version}-%{release}.%{arch}"

/**
 * @brief Check @p fmt: every tag known, every brace closed.
 * @param[out] bad the offending tag or text (for the message), size @p n.
 * @return 0 or -EINVAL.
 */
int rq_qf_check(const char *fmt, char *bad, size_t n);

/** @brief Print @p fmt for @p p (checked with rq_qf_check() first), then a newline. */
void rq_qf_print(FILE *f, const char *fmt, const struct rq_pkg *p);

#endif
