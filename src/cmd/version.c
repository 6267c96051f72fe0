/* SPDX-License-Identifier: MIT */
/* `alupdate version` / `--version`: our version and every bundled library's. */
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <bzlib.h>
#include <expat.h>
#include <libfyaml.h>
#include <lmdb.h>
#include <lzma.h>
#include <solv/solvversion.h>
#include <sqlite3.h>
#include <zlib.h>
#include <zstd.h>

#include "conf/conf.h"
#include "crypto/digest.h"
#include "crypto/fips.h"
#include "cmd/cmd.h"

#ifndef ALU_VERSION
#define ALU_VERSION "0.0.0"
#endif
#ifndef ALU_BEARSSL_VERSION
#define ALU_BEARSSL_VERSION "unknown"
#endif

/* the architecture this binary is built for: what it refuses other roots by */
#if defined(__x86_64__)
#define ALU_BUILD_ARCH "x86_64"
#elif defined(__aarch64__)
#define ALU_BUILD_ARCH "aarch64"
#elif defined(__i386__)
#define ALU_BUILD_ARCH "i386"
#else
#define ALU_BUILD_ARCH "unknown"
#endif

/* version reads no configuration: the host and --setopt=fips= decide */
static int fips_requested(const struct alu_ctx *ctx)
{
	int on = alu_fips_host();

	for (size_t i = 0; i < ctx->setopts.n; i++)
		if (!strncmp(ctx->setopts.v[i], "fips=", 5) && alu_conf_parse_bool(ctx->setopts.v[i] + 5) == 1)
			on = 1;
	return on;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv; (void)ctx; (void)argc; (void)argv;
	printf("alupdate %s\n", ALU_VERSION);
	printf("  architecture: %s%s%s (sha256 on %s)\n", ALU_BUILD_ARCH,
	       ctx->forcearch ? ", acting as " : "", ctx->forcearch ? ctx->forcearch : "",
	       alu_sha256_impl());
	printf("  FIPS mode: %s (crypto by BearSSL, which is not FIPS 140 validated)\n",
	       fips_requested(ctx) ? "on" : "off");
	printf("  bearssl %s\n", ALU_BEARSSL_VERSION);
	printf("  bzip2 %s\n", BZ2_bzlibVersion());
	printf("  expat %s\n", XML_ExpatVersion());
	printf("  libarchive %s\n", archive_version_string());
	printf("  libfyaml %s\n", fy_library_version());
	printf("  libsolv %s\n", solv_version);
	printf("  lmdb %s\n", mdb_version(NULL, NULL, NULL));
	printf("  sqlite %s\n", sqlite3_libversion());
	printf("  xz %s\n", lzma_version_string());
	printf("  zlib %s\n", zlibVersion());
	printf("  zstd %s\n", ZSTD_versionString());
	return 0;
}

const struct alu_cmd alu_cmd_version = {
	.name = "version",
	.summary = "print the versions of alupdate and its libraries",
	.run = run,
};
