/* SPDX-License-Identifier: MIT */
/* FIPS mode (crypto/fips.h): one flag the configuration sets. */
#include <stdio.h>

#include "crypto/digest.h"
#include "crypto/fips.h"

static int fips_mode;

int alu_fips_host(void)
{
	FILE *f = fopen("/proc/sys/crypto/fips_enabled", "re");
	int c;

	if (!f)
		return 0;
	c = fgetc(f);
	fclose(f);
	return c == '1';
}

void alu_fips_set(int on)
{
	fips_mode = on != 0;
}

int alu_fips_on(void)
{
	return fips_mode;
}

int alu_fips_weak_hash(int algo)
{
	return fips_mode && (algo == ALU_HASH_MD5 || algo == ALU_HASH_SHA1);
}
