/* SPDX-License-Identifier: MIT */
/*
 * AL2023's releasemd.xml (repo/releasemd.h): a table of documents and what
 * they give, either the release versions oldest first (rpmvercmp, not file
 * order) with the first update's notes, or the error and where it names.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "repo/releasemd.h"

static int passed, failed;

#define CHECK(c) do { if (c) passed++; else { failed++; \
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #c); } } while (0)

#define REL(v, n) "<release version=\"" v "\"><update><name>" v "</name><version_string>" v \
	"</version_string><release_notes>" n "</release_notes></update></release>"

static const struct {
	const char *doc;
	int rc;             /* 0 or the error */
	const char *want;   /* versions joined by ' ', or a piece of the message */
} cases[] = {
	/* the real file's encoding name, which expat does not know */
	{ "<?xml version=\"1.0\" encoding=\"utf8\"?><root><releases>" REL("2023.6.20241111", "N2")
	  REL("2023.6.20241010", " N1 ") REL("2023.10.20250101", "") "</releases></root>",
	  0, "2023.6.20241010 2023.6.20241111 2023.10.20250101" },
	{ "<root><releases></releases></root>", 0, "" },
	{ "<root><releases><release/></releases></root>", -ALUE_CORRUPT, "t.xml:1:" },
	{ "<root><releases><release version=\"1 2\"/></releases></root>", -ALUE_CORRUPT, "characters" },
	{ "<updates/>", -ALUE_CORRUPT, "not <root>" },
	{ "", -ALUE_CORRUPT, "t.xml" },
	{ "<root><releases>", -ALUE_CORRUPT, "t.xml:1:" },
};

int main(void)
{
	char base[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct alu_releases r;
		struct alu_err e = { 0 };
		char got[512] = "";
		int rc = alu_releasemd_parse(cases[i].doc, strlen(cases[i].doc), "t.xml", &r, &e);

		CHECK(rc == cases[i].rc);
		if (rc) {
			CHECK(strstr(e.msg, cases[i].want) != NULL);
			CHECK(r.n == 0 && r.v == NULL);
			continue;
		}
		for (size_t j = 0; j < r.n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", j ? " " : "", r.v[j].version);
		CHECK(!strcmp(got, cases[i].want));
		if (i == 0) {
			CHECK(r.v[0].notes && !strcmp(r.v[0].notes, "N1"));
			CHECK(r.v[1].notes && !strcmp(r.v[1].notes, "N2"));
			CHECK(r.v[2].notes == NULL);
		}
		alu_releases_free(&r);
	}
	CHECK(alu_releasemd_base("https://h/core/mirrors/$releasever/$basearch/mirror.list", base, sizeof(base)) == 0);
	CHECK(!strcmp(base, "https://h/core"));
	CHECK(alu_releasemd_base("http://h/2/core/latest/x86_64/mirror.list", base, sizeof(base)) == -ENOENT);
	CHECK(alu_releasemd_base(NULL, base, sizeof(base)) == -ENOENT);
	printf("releasemd: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
