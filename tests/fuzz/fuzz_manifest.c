/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for alu_rpmdb_manifest_parse(): the bytes are one
 * container-manifest-2 line from an image. A line it accepts must have
 * produced bounded, non-empty name, version, release and arch fields, and
 * writing those fields back in the manifest's layout must parse to the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb/rpmdb_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_rpmdb_mline m, again;
	char *line = malloc(size + 1), back[1200];

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;   /* a NUL inside ends the line, as fgets would */
	if (!alu_rpmdb_manifest_parse(line, &m)) {
		if (!*m.name || !*m.ver || !*m.rel || !*m.arch ||
		    strlen(m.name) >= sizeof(m.name) || strlen(m.arch) >= sizeof(m.arch))
			abort();
		/* the tab-free fields round-trip through the writer's layout */
		if (!strchr(m.name, '\t') && !strchr(m.ver, '\t') && !strchr(m.rel, '\t')) {
			snprintf(back, sizeof(back), "%s\t%s-%s\t%u\t0\tv\t%u\t0\t%s\t0\tx.src.rpm", m.name, m.ver,
				 m.rel, m.itime, m.epoch, m.arch);
			if (alu_rpmdb_manifest_parse(back, &again) || strcmp(again.name, m.name) ||
			    strcmp(again.ver, m.ver) || strcmp(again.rel, m.rel) ||
			    strcmp(again.arch, m.arch) || again.epoch != m.epoch || again.itime != m.itime)
				abort();
		}
	}
	free(line);
	return 0;
}
