/* SPDX-License-Identifier: MIT */
/* libgreet: the shared library of the sample mirror (libgreet.so.1). */
#include <stdio.h>
#include "greet.h"

#ifndef GREET_VERSION
#define GREET_VERSION "0"
#endif

const char *greet_version(void) { return GREET_VERSION; }

void greet(const char *who)
{
	printf("Hello, %s! (libgreet %s)\n", who, GREET_VERSION);
}
