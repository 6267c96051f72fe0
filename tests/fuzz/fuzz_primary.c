/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/repo/primary_xml.c (and repomd.c): the input is
 * fed as primary.xml in two chunks split at a position taken from its first
 * byte, so chunk boundaries are fuzzed too; the same bytes are then parsed
 * as repomd.xml. Every string of every record is read so the sanitizers see
 * any bad pointer. Seeds: corpus/primary/ (createrepo_c output).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static void touch(const char *s)
{
	sink += strlen(s);
}

static int pkg(void *ud, const struct alu_pkgrec *p)
{
	(void)ud;
	touch(p->name); touch(p->arch); touch(p->version); touch(p->release); touch(p->pkgid);
	touch(p->summary); touch(p->description); touch(p->location); touch(p->sourcerpm);
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		for (size_t i = 0; i < p->ndeps[t]; i++) {
			touch(p->deps[t][i].name);
			touch(p->deps[t][i].evr);
		}
	for (size_t i = 0; i < p->nfiles; i++)
		touch(p->files[i]);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_primary_xml *p;
	struct alu_repomd md;
	struct alu_err e = { 0 };
	size_t cut = size ? data[0] % (size + 1) : 0;

	if (alu_primary_xml_new(pkg, NULL, &p))
		return 0;
	alu_primary_xml_feed(p, (const char *)data, cut, 0, &e);
	alu_primary_xml_feed(p, (const char *)data + cut, size - cut, 1, &e);
	alu_primary_xml_free(p);
	alu_err_clear(&e);
	if (!alu_repomd_parse((const char *)data, size, "fuzz", &md, &e))
		for (size_t i = 0; i < md.n; i++)
			touch(md.v[i].href);
	alu_repomd_free(&md);
	return 0;
}
