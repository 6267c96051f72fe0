/* SPDX-License-Identifier: MIT */
/* yum's no-use options and naming a bad option; see yumopts.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/yumopts.h"
#include "util/out.h"

static int level(const char *arg, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(arg, &end, 10);
	return !*arg || *end || errno || *out < 0 || *out > 10 ? -EINVAL : 0;
}

int alu_yumopt_apply(int which, const char *arg)
{
	long v;

	switch (which) {
	case ALU_YUMOPT_DEBUGLEVEL:
		if (level(arg, &v))
			return -EINVAL;
		/* yum's -q is debuglevel 0: the scripts' "yum -d0 -e0" means quiet */
		if (v == 0)
			alu_out_set_level(ALU_QUIET);
		return 0;
	case ALU_YUMOPT_ERRORLEVEL:
		return level(arg, &v);
	default:
		/* plugins (alupdate has the security, versionlock and priorities
		 * behaviour built in), colour, rpm's verbosity, -t (yum's
		 * default), --obsoletes (always on): nothing to change */
		return 0;
	}
}

void alu_yumopt_typed(int argc, char **argv, int prev, int now, int c, int optopt,
		      char *buf, size_t n)
{
	const char *tok;
	size_t len;

	/* a missing argument: the option was the last word */
	if (c == ':')
		tok = argv[argc - 1];
	else
		tok = now > prev && now - 1 < argc ? argv[now - 1] : prev < argc ? argv[prev] : NULL;
	if (!tok) {
		snprintf(buf, n, "'-%c'", optopt);
		return;
	}
	if (tok[0] == '-' && tok[1] == '-') {
		len = strcspn(tok, "=");
		snprintf(buf, n, "'%.*s'", (int)len, tok);
		return;
	}
	/* a short one: the letter, and the word it stood in when that had more */
	if (optopt && (strlen(tok) != 2 || tok[1] != optopt))
		snprintf(buf, n, "'-%c' (in '%s')", optopt, tok);
	else
		snprintf(buf, n, "'%s'", tok);
}
