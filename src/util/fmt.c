/* SPDX-License-Identifier: MIT */
#include "util/fmt.h"

#include <stdio.h>

void alu_fmt_size(unsigned long long n, char *buf, size_t len)
{
	static const char *const u[] = { "", "k", "M", "G", "T" };
	double v = (double)n;
	int i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu", n);
	else
		snprintf(buf, len, "%.*f %s", v < 10 ? 1 : 0, v, u[i]);
}
