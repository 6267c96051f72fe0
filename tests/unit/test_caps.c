/* SPDX-License-Identifier: MIT */
/*
 * File capabilities (txn/caps.c): cap_to_text() forms into the
 * security.capability value. The expected bytes are what libcap's setcap
 * wrote for the same text on Debian 12 (getxattr, in hex); refused forms
 * are not capability text at all.
 */
#include <stdio.h>
#include <string.h>

#include "txn/txn_int.h"

static const struct {
	const char *text, *hex;
} cases[] = {
	{ "cap_net_raw=ep", "0100000200200000000000000000000000000000" },
	{ "cap_net_admin,cap_net_raw=p", "0000000200300000000000000000000000000000" },
	{ "= cap_net_admin,cap_net_raw+p", "0000000200300000000000000000000000000000" },
	{ "cap_sys_admin,cap_bpf+eip", "0100000200002000000020008000000080000000" },
	{ "all=ep", "01000002ffffffff00000000ff01000000000000" },
	{ "all=p cap_kill-p", "00000002dfffffff00000000ff01000000000000" },
	{ "cap_checkpoint_restore=i", "0000000200000000000000000000000000010000" },
	{ "cap_no_such=ep", NULL },
	{ "cap_net_raw", NULL },
	{ "cap_net_raw=ep junk", NULL },
};

int main(void)
{
	int fails = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		unsigned char v[20];
		char hex[41];
		int r = alu_caps_parse(cases[i].text, v);

		for (int k = 0; k < 20; k++)
			sprintf(hex + 2 * k, "%02x", v[k]);
		if (!cases[i].hex ? r != -ALUE_CORRUPT : r || strcmp(hex, cases[i].hex)) {
			printf("FAIL '%s': %d %s, want %s\n", cases[i].text, r, r ? "" : hex,
			       cases[i].hex ? cases[i].hex : "refused");
			fails++;
		}
	}
	printf("%s\n", fails ? "FAILED" : "ok");
	return fails != 0;
}
