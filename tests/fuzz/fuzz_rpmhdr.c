/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/rpm: the bytes are a header blob (alu_hdr_parse,
 * both as given and cut to the size their own index count and data size
 * declare) and a package file (alu_rpm_openfd on a memfd). Whatever parses
 * is walked through every getter: tags by type, package info, dependencies,
 * files, scriptlets, payload kind. Nothing may crash, leak or read out of
 * bounds. Seeds: tests/fuzz/seeds/rpmhdr (packages and their header blobs).
 */
#include "rpm/rpm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t sink;

static void walk(const struct alu_hdr *h)
{
	struct alu_pkginfo p;
	struct alu_script s;
	struct alu_file f;
	struct alu_dep *d;
	char nevra[256];
	size_t n, blen;
	uint32_t tag, type, count, v32;
	uint64_t v64;

	for (size_t i = 0; alu_hdr_tag(h, i, &tag, &type, &count) == 0; i++) {
		const char *const *sv = alu_hdr_strv(h, tag, &n);
		const uint32_t *uv;
		const char *str = alu_hdr_str(h, tag);

		for (size_t k = 0; sv && k < n; k++)
			sink += strlen(sv[k]);
		if (str)
			sink += strlen(str);
		uv = alu_hdr_u32v(h, tag, &n);
		for (size_t k = 0; uv && k < n; k++)
			sink += uv[k];
		for (size_t k = 0; k < count && k < 64 && alu_hdr_u64_at(h, tag, k, &v64) == 0; k++)
			sink += (size_t)v64;
		if (alu_hdr_u32(h, tag, &v32) == 0)
			sink += v32;
		if (alu_hdr_u64(h, tag, &v64) == 0)
			sink += (size_t)v64;
		if (alu_hdr_bin(h, tag, &blen))
			sink += blen;
	}
	alu_hdr_info(h, &p);
	sink += strlen(p.name) + strlen(p.arch) + strlen(p.summary) + strlen(p.payload_compressor);
	sink += strlen(alu_hdr_nevra(h, nevra, sizeof(nevra)));
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		if (alu_hdr_deps(h, (enum alu_deptype)t, &d, &n) == 0) {
			for (size_t k = 0; k < n; k++)
				sink += strlen(d[k].name) + strlen(d[k].evr) + d[k].flags +
					(size_t)alu_dep_is_rich(&d[k]);
			free(d);
		}
	}
	n = alu_hdr_nfiles(h);
	for (size_t i = 0; i < n && i < 4096; i++)
		if (alu_hdr_file(h, i, &f) == 0)
			sink += strlen(f.path) + strlen(f.user) + strlen(f.group) + strlen(f.linkto) +
				strlen(f.digest) + f.mode + f.inode;
	sink += (size_t)alu_hdr_digest_algo(h);
	for (int k = 0; k < ALU_SCRIPT_N; k++) {
		alu_hdr_script(h, (enum alu_script_kind)k, &s);
		if (s.body)
			sink += strlen(s.body);
		for (size_t j = 0; s.prog && s.prog[j]; j++)
			sink += strlen(s.prog[j]);
	}
}

static void parse(const uint8_t *data, size_t size)
{
	struct alu_err e = { 0 };
	struct alu_hdr *h = NULL;

	if (alu_hdr_parse(data, size, "fuzz", &h, &e) == 0) {
		walk(h);
		alu_hdr_free(h);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_err e = { 0 };
	struct alu_rpm r;
	uint64_t need;
	int fd;

	parse(data, size);
	if (size >= 8) {
		need = 8 + 16 * (uint64_t)((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
			data[2] << 8 | data[3]) +
			((uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 | data[6] << 8 | data[7]);
		if (need < size)
			parse(data, (size_t)need);
	}
	fd = memfd_create("fuzz.rpm", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	if (alu_rpm_openfd(fd, "fuzz.rpm", &r, &e) == 0) {
		walk(r.sig);
		walk(r.hdr);
		sink += (size_t)alu_rpm_payload_kind(&r);
	}
	alu_rpm_close(&r);
	return 0;
}
