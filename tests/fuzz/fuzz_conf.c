/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for src/conf: the bytes are a .repo file. They go through
 * the INI reader, then every key of every section is applied as [main] (for
 * a section named "main") or to a repository, with variable substitution and
 * the value parsers, and the effective settings are rendered as `config`
 * shows them. Malformed input must only ever produce warnings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_int.h"
#include "util/out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alu_conf c = { 0 };
	struct alu_ini ini;
	struct alu_strv items = { 0 };

	alu_out_set_level(ALU_QUIET);
	if (alu_ini_parse(&ini, "fuzz.repo", (const char *)data, size))
		goto out;
	if (!(c.root = strdup("")) || alu_conf_var_set(&c, "basearch", "x86_64") ||
	    alu_conf_var_set(&c, "releasever", "2") || alu_conf_var_set(&c, "awsregion", "us-east-1"))
		goto out;
	for (size_t i = 0; i < ini.nsecs; i++) {
		const struct alu_ini_sec *s = &ini.secs[i];
		struct alu_repo r = { 0 };
		int is_main = !strcmp(s->name, "main");

		if (!is_main && alu_conf_inherit(&c, &r))
			break;
		for (size_t k = 0; k < s->nkv; k++)
			alu_conf_apply(&c, is_main ? NULL : &r, s->kv[k].key, s->kv[k].val);
		if (!is_main) {
			r.id = strdup(s->name);
			if (r.id)
				alu_conf_items(&c, &r, &items);
			(void)alu_conf_valid_id(s->name);
		}
		alu_conf_repo_free(&r);
	}
	alu_conf_items(&c, NULL, &items);
out:
	alu_strv_free(&items);
	alu_conf_free(&c);
	alu_ini_free(&ini);
	return 0;
}
