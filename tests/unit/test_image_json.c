/* SPDX-License-Identifier: MIT */
/*
 * Table-driven test of the JSON tree (image/image.h): each case is an input
 * and the exact compact text written back, or NULL when it must be refused
 * as malformed (-ALUE_CORRUPT with the byte offset in the message).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"

struct tcase {
	const char *in, *out;
};

static const struct tcase cases[] = {
	/* key order kept, blanks dropped */
	{ " { \"b\" : 1, \"a\" : [true, false, null, -1.5e3] } ", "{\"b\":1,\"a\":[true,false,null,-1.5e3]}" },
	{ "[]", "[]" },
	{ "{}", "{}" },
	/* escapes decoded, written back minimal; \u to UTF-8, a surrogate pair joined */
	{ "\"a\\/b\\n\\u00e9\\ud83d\\ude00\"", "\"a/b\\u000a\xc3\xa9\xf0\x9f\x98\x80\"" },
	{ "\"q\\\"\\\\\"", "\"q\\\"\\\\\"" },
	/* refused */
	{ "{\"a\":1,}", NULL },
	{ "[1 2]", NULL },
	{ "\"open", NULL },
	{ "{\"a\" 1}", NULL },
	{ "tru", NULL },
	{ "1x", NULL },
	{ "[1]]", NULL },
	{ "\"\\x\"", NULL },
	{ "\"tab\there\"", NULL },
	{ "", NULL },
};

int main(void)
{
	int fails = 0;
	char deep[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct alu_err e = { 0 };
		struct alu_ij *v = NULL;
		char *txt = NULL;
		size_t len;
		int r = alu_ij_parse(cases[i].in, strlen(cases[i].in), "case", &v, &e);

		if (!cases[i].out) {
			if (r != -ALUE_CORRUPT || !strstr(e.msg, "at byte")) {
				printf("FAIL %zu: '%s' accepted (%d %s)\n", i, cases[i].in, r, e.msg);
				fails++;
			}
		} else if (r || alu_ij_write(v, &txt, &len) || strcmp(txt, cases[i].out)) {
			printf("FAIL %zu: '%s' -> '%s' (%d %s)\n", i, cases[i].in, txt ? txt : "", r, e.msg);
			fails++;
		}
		free(txt);
		alu_ij_free(v);
	}
	/* nesting is bounded */
	memset(deep, '[', sizeof(deep));
	{
		struct alu_err e = { 0 };
		struct alu_ij *v = NULL;
		if (alu_ij_parse(deep, sizeof(deep), "deep", &v, &e) != -ALUE_CORRUPT || !strstr(e.msg, "deeply")) {
			printf("FAIL: 200 nested arrays accepted\n");
			fails++;
		}
		alu_ij_free(v);
	}
	/* put replaces a member in place and appends new ones */
	{
		struct alu_err e = { 0 };
		struct alu_ij *v = NULL;
		char *txt = NULL;
		size_t len;
		alu_ij_parse("{\"a\":1,\"b\":2}", 13, "put", &v, &e);
		alu_ij_put(v, "a", alu_ij_new(ALU_IJ_STR, "x"));
		alu_ij_put(v, "c", alu_ij_new(ALU_IJ_NUM, "3"));
		alu_ij_write(v, &txt, &len);
		if (strcmp(txt, "{\"a\":\"x\",\"b\":2,\"c\":3}") || strcmp(alu_ij_str(v, "a"), "x")) {
			printf("FAIL: put gave %s\n", txt);
			fails++;
		}
		free(txt);
		alu_ij_free(v);
	}
	printf("%s\n", fails ? "FAILED" : "ok");
	return fails != 0;
}
