/* SPDX-License-Identifier: MIT */
/*
 * The run's context: what the global and shared option groups said. main.c
 * fills it before a command's run() is called; commands read it and hand the
 * parts they need to the library layers.
 */
#ifndef ALU_CMD_CTX_H
#define ALU_CMD_CTX_H

#include "util/strv.h"

/* Advisory filters shared by update, check-update, updateinfo, list. */
struct alu_filter {
	unsigned types;              /* ALU_ADV_* bits; 0 = no type filter */
	struct alu_strv severities;  /* lowercased, as given to --sec-severity */
	struct alu_strv advisories;  /* ids or globs */
	struct alu_strv cves;        /* ids or globs; bare numbers kept as given */
	struct alu_strv bzs;
};

enum {
	ALU_ADV_SECURITY = 1 << 0,
	ALU_ADV_BUGFIX = 1 << 1,
	ALU_ADV_ENHANCEMENT = 1 << 2,
	ALU_ADV_NEWPACKAGE = 1 << 3,
};

struct alu_ctx {
	const char *root;          /* --installroot; "/" when not given */
	const char *config;        /* -c/--config; NULL: <root>/etc/yum.conf or dnf.conf */
	const char *releasever;    /* --releasever; NULL: from system-release */
	const char *forcearch;     /* --forcearch, or image patch's image platform: act as this architecture; NULL: uname's */
	int assumeyes, assumeno;
	int json;
	int cacheonly;             /* -C */
	int nogpgcheck;
	int nowait;
	int noscripts, nodocs;
	int replacefiles;          /* --replacefiles: file conflicts do not refuse a package */
	int downloadonly;
	const char *downloaddir;
	int skip_broken;
	int best;                  /* --best 1, --nobest -1 (dnf), 0 when not given */
	int showduplicates;        /* list/info: every available version, not the newest only */
	struct alu_strv setopts;   /* "key=value" or "repoid.key=value", in order */
	struct alu_strv repo_ops;  /* "+glob" enable, "-glob" disable, in order */
	struct alu_strv repofrompath; /* "id,url" */
	struct alu_strv excludes;
	struct alu_filter filter;
};

#endif
