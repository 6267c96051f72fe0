/* SPDX-License-Identifier: MIT */
/* The names inside a dependency, for the revdeps index and the solver's
 * reduced load (cache.h). */
#include <ctype.h>
#include <string.h>

#include "db/cache.h"

static int is_op(const char *s, size_t n)
{
	static const char *const words[] = { "and", "or", "if", "else", "unless", "with",
		"without", NULL };

	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == n && !memcmp(words[i], s, n))
			return 1;
	return 0;
}

static int is_cmp(const char *s, size_t n)
{
	return n && strspn(s, "<=>") >= n;
}

int alu_cache_dep_names(const char *dep, int (*cb)(void *ud, const char *s, size_t n), void *ud)
{
	const char *p = dep;
	int version = 0, rc;

	if (*p != '(')
		return cb(ud, dep, strlen(dep));
	while (*p) {
		const char *start;
		int depth = 0;
		if (isspace((unsigned char)*p) || *p == '(' || *p == ')') {
			p++;
			continue;
		}
		/* a name runs through balanced parentheses, as libsolv reads it:
		 * "libc.so.6()(64bit)" */
		for (start = p; *p && !isspace((unsigned char)*p); p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && depth-- == 0)
				break;
		}
		if (version) {
			version = 0;
			continue;
		}
		if (is_cmp(start, (size_t)(p - start))) {
			version = 1;
			continue;
		}
		if (!is_op(start, (size_t)(p - start)) && (rc = cb(ud, start, (size_t)(p - start))))
			return rc;
	}
	return 0;
}
