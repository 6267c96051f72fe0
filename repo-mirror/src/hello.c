/* SPDX-License-Identifier: MIT */
/* hello: a static program, so it runs in a sample root without a libc package. */
#include <stdio.h>
#include <string.h>

#ifndef HELLO_VERSION
#define HELLO_VERSION "0"
#endif

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("hello %s\n", HELLO_VERSION);
		return 0;
	}
	printf("Hello, world! (hello %s)\n", HELLO_VERSION);
	return 0;
}
