/* SPDX-License-Identifier: MIT */
/* greet: a program linked against libgreet.so.1. */
#include <stdio.h>
#include <string.h>
#include "greet.h"

#ifndef PROG_VERSION
#define PROG_VERSION "0"
#endif

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("greet %s (libgreet %s)\n", PROG_VERSION, greet_version());
		return 0;
	}
	greet(argc > 1 ? argv[1] : "world");
	return 0;
}
