/* SPDX-License-Identifier: MIT */
/*
 * Table-driven test of alu_ini_edit_set() (conf/iniedit.h): each case is the
 * text before, the edit, and the exact text after (or the error). The rest
 * of the file must come out byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/iniedit.h"

struct tcase {
	const char *in, *sec, *key, *val, *out;
	int rc;
};

static const struct tcase cases[] = {
	/* a key replaced in place, its spacing kept */
	{ "[a]\nenabled = 1\nx=2\n", "a", "enabled", "0", "[a]\nenabled = 0\nx=2\n", 0 },
	{ "[a]\nenabled=1\n", "a", "ENABLED", "0", "[a]\nenabled=0\n", 0 },
	{ "[a]\nenabled:1\n", "a", "enabled", "0", "[a]\nenabled:0\n", 0 },
	/* only the named section changes */
	{ "[a]\nenabled=1\n[b]\nenabled=1\n", "b", "enabled", "0", "[a]\nenabled=1\n[b]\nenabled=0\n", 0 },
	/* a missing key goes after the section's last setting, in its style */
	{ "[a]\nname = A\n\n# next\n[b]\nx=1\n", "a", "priority", "5",
	  "[a]\nname = A\npriority = 5\n\n# next\n[b]\nx=1\n", 0 },
	{ "[a]\nname=A", "a", "cost", "7", "[a]\nname=A\ncost=7\n", 0 },
	{ "[a]\n", "a", "cost", "7", "[a]\ncost=7\n", 0 },
	/* continuation lines go with the value they continue; repeats go */
	{ "[a]\nbaseurl=u1\n  u2\nenabled=1\nbaseurl=u3\n", "a", "baseurl", "v",
	  "[a]\nbaseurl=v\nenabled=1\n", 0 },
	/* comments and CRLF line ends stay */
	{ "# c\r\n[a]\r\n; c2\r\nenabled=1\r\n", "a", "enabled", "0", "# c\r\n[a]\r\n; c2\r\nenabled=0\r\n", 0 },
	/* a commented-out key is not the key */
	{ "[a]\n#enabled=1\nname=A\n", "a", "enabled", "0", "[a]\n#enabled=1\nname=A\nenabled=0\n", 0 },
	{ "[a]\nx=1\n", "b", "enabled", "0", NULL, -ENOENT },
	{ "[a]\nx=1\n", "a", "x", "1\n[evil]", NULL, -EINVAL },
};

int main(void)
{
	int failed = 0;
	size_t n = sizeof(cases) / sizeof(*cases);

	for (size_t i = 0; i < n; i++) {
		const struct tcase *c = &cases[i];
		char *out = NULL;
		size_t len = 0;
		int rc = alu_ini_edit_set(c->in, strlen(c->in), c->sec, c->key, c->val, &out, &len);

		if (rc != c->rc || (!rc && (strlen(out) != len || strcmp(out, c->out)))) {
			fprintf(stderr, "case %zu: rc %d (want %d), got:\n%s\nwant:\n%s\n", i, rc, c->rc,
				out ? out : "(none)", c->out ? c->out : "(none)");
			failed++;
		}
		free(out);
	}
	if (alu_ini_edit_has("[a]\n [b] \n", 10, "b") != 1 || alu_ini_edit_has("[a]\n", 4, "b") != 0) {
		fprintf(stderr, "alu_ini_edit_has\n");
		failed++;
	}
	printf("%zu cases, %d failed\n", n + 1, failed);
	return failed != 0;
}
