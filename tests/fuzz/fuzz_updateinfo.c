/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/repo/updateinfo.c: the input is updateinfo.xml,
 * fed in two chunks split at a position taken from its first byte. Every
 * string of every advisory is read. Seeds: corpus/updateinfo/.
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

static int adv(void *ud, const struct alu_advrec *a)
{
	(void)ud;
	touch(a->id); touch(a->type); touch(a->severity); touch(a->title); touch(a->issued);
	touch(a->updated); touch(a->description); touch(a->cvss_score); touch(a->cvss_vector);
	for (size_t i = 0; i < a->nrefs; i++) {
		touch(a->refs[i].id); touch(a->refs[i].href); touch(a->refs[i].type); touch(a->refs[i].title);
	}
	for (size_t i = 0; i < a->npkgs; i++) {
		touch(a->pkgs[i].name); touch(a->pkgs[i].version); touch(a->pkgs[i].release);
		touch(a->pkgs[i].arch); touch(a->pkgs[i].src); touch(a->pkgs[i].filename);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_updateinfo *u;
	struct alu_err e = { 0 };
	size_t cut = size ? data[0] % (size + 1) : 0;

	if (alu_updateinfo_new(adv, NULL, &u))
		return 0;
	alu_updateinfo_feed(u, (const char *)data, cut, 0, &e);
	alu_updateinfo_feed(u, (const char *)data + cut, size - cut, 1, &e);
	alu_updateinfo_free(u);
	return 0;
}
