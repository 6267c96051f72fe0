/* SPDX-License-Identifier: MIT */
/*
 * File capabilities (%caps in a spec, RPMTAG_FILECAPS in the header): the
 * text libcap's cap_to_text() wrote, "cap_net_raw=ep" or
 * "= cap_net_admin,cap_net_raw+p", turned into the security.capability
 * xattr the kernel reads (struct vfs_cap_data, revision 2), as rpm sets it
 * after the file's owner and mode (chown clears it). Without this an update
 * of ping or of any %caps file would leave it without its capabilities.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/xattr.h>

#include "txn/txn_int.h"

/* linux/capability.h, in order of their numbers */
static const char *const names[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid",
	"setuid", "setpcap", "linux_immutable", "net_bind_service", "net_broadcast",
	"net_admin", "net_raw", "ipc_lock", "ipc_owner", "sys_module", "sys_rawio",
	"sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
	"audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};
#define NCAPS (sizeof(names) / sizeof(*names))

/* One name list ("cap_a,cap_b", "all" or empty for all) into a bit set. */
static int name_bits(const char *s, size_t n, uint64_t *bits)
{
	*bits = 0;
	if (!n || (n == 3 && !strncasecmp(s, "all", 3))) {
		*bits = (UINT64_C(1) << NCAPS) - 1;
		return 0;
	}
	while (n) {
		size_t k = 0;
		while (k < n && s[k] != ',')
			k++;
		const char *w = s;
		size_t wl = k;
		if (wl > 4 && !strncasecmp(w, "cap_", 4)) {
			w += 4;
			wl -= 4;
		}
		size_t i = 0;
		for (; i < NCAPS; i++)
			if (strlen(names[i]) == wl && !strncasecmp(names[i], w, wl))
				break;
		if (i == NCAPS)
			return -ALUE_CORRUPT;
		*bits |= UINT64_C(1) << i;
		s += k < n ? k + 1 : k;
		n -= k < n ? k + 1 : k;
	}
	return 0;
}

int alu_caps_parse(const char *text, unsigned char out[20])
{
	uint64_t eff = 0, perm = 0, inh = 0;
	const char *p = text;

	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && !strchr("=+- \t", *p))
			p++;
		uint64_t bits;
		if (!strchr("=+-", *p) || !*p || name_bits(start, (size_t)(p - start), &bits))
			return -ALUE_CORRUPT;
		while (*p && strchr("=+-", *p)) {
			char op = *p++;
			int e = 0, i = 0, pp = 0;
			for (; *p && strchr("eipEIP", *p); p++) {
				e |= *p == 'e' || *p == 'E';
				i |= *p == 'i' || *p == 'I';
				pp |= *p == 'p' || *p == 'P';
			}
			if (op == '=') {
				eff &= ~bits;
				perm &= ~bits;
				inh &= ~bits;
			}
			if (op == '-') {
				eff &= e ? ~bits : ~UINT64_C(0);
				inh &= i ? ~bits : ~UINT64_C(0);
				perm &= pp ? ~bits : ~UINT64_C(0);
			} else {
				eff |= e ? bits : 0;
				inh |= i ? bits : 0;
				perm |= pp ? bits : 0;
			}
		}
		if (*p && *p != ' ' && *p != '\t')
			return -ALUE_CORRUPT;
	}
	/* the file's effective set is one bit: on when any capability is effective */
	uint32_t v[5] = { 0x02000000u | (eff ? 1u : 0u), (uint32_t)perm, (uint32_t)inh,
			  (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) };
	for (int k = 0; k < 5; k++)
		for (int b = 0; b < 4; b++)
			out[4 * k + b] = (unsigned char)(v[k] >> (8 * b));
	return 0;
}

int alu_caps_set(int fd, const char *text, const char *path, struct alu_err *e)
{
	unsigned char v[20];

	if (!text || !*text)
		return 0;
	if (alu_caps_parse(text, v))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: file capabilities '%s' are not in cap_to_text() form",
				   path, text);
	if (fsetxattr(fd, "security.capability", v, sizeof(v), 0))
		return alu_err_set(e, -errno, "%s: setting its capabilities (%s): %s", path, text, strerror(errno));
	return 0;
}
