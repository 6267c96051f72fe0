/* SPDX-License-Identifier: MIT */
/*
 * Test tool for src/net (not part of alupdate): fetch URLs from the command
 * line the way the repo layer will.
 *
 *   net_get [options] URL DEST [URL DEST ...]      alu_net_get_file, one alu_net
 *   net_get [options] -m MIRROR... -- REL DEST ... alu_mirrors_get_file
 *   net_get [options] --mem URL                    alu_net_get_mem, body on stdout
 *
 * options: --timeout S --retries N --backoff MS --insecure --cacert F
 *          --cert F --key F --proxy URL --proxy-user U --proxy-password P --query Q --sha256 HEX --size N
 *          --mirrorlist FILE --basearch A --progress --max N
 * Prints "connections: N" on stderr at the end; errors as "error: MSG".
 */
#include "net/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct alu_net_opts o = { 0 };
	struct alu_mirrors m = { 0 };
	struct alu_net *n;
	struct alu_err e = { 0 };
	const char *sha = NULL, *mirrorlist = NULL, *basearch = NULL;
	unsigned long long size = 0;
	size_t max = 0;
	int mem = 0, mirrors = 0, i, r = 0;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--insecure")) { o.insecure = 1; continue; }
		if (!strcmp(a, "--progress")) { o.progress = 1; continue; }
		if (!strcmp(a, "--mem")) { mem = 1; continue; }
		i++;
		if (!strcmp(a, "--timeout")) o.timeout = atoi(v);
		else if (!strcmp(a, "--retries")) o.retries = atoi(v);
		else if (!strcmp(a, "--backoff")) o.backoff_ms = atoi(v);
		else if (!strcmp(a, "--cacert")) o.cacert = v;
		else if (!strcmp(a, "--cert")) o.clientcert = v;
		else if (!strcmp(a, "--key")) o.clientkey = v;
		else if (!strcmp(a, "--proxy")) o.proxy = v;
		else if (!strcmp(a, "--query")) o.query = v;
		else if (!strcmp(a, "--proxy-user")) o.proxy_username = v;
		else if (!strcmp(a, "--proxy-password")) o.proxy_password = v;
		else if (!strcmp(a, "--sha256")) sha = v;
		else if (!strcmp(a, "--size")) size = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--max")) max = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--mirrorlist")) mirrorlist = v;
		else if (!strcmp(a, "--basearch")) basearch = v;
		else if (!strcmp(a, "--mirror")) {
			mirrors = 1;
			if (alu_mirrors_add(&m, v))
				return 2;
		} else {
			fprintf(stderr, "net_get: unknown option %s\n", a);
			return 2;
		}
	}
	if (alu_net_new(&n))
		return 2;
	if (mirrorlist) {
		FILE *f = fopen(mirrorlist, "rb");
		char buf[65536];
		size_t k = f ? fread(buf, 1, sizeof(buf), f) : 0;
		if (f)
			fclose(f);
		r = alu_mirrors_from_list(&m, buf, k, basearch, &e);
		mirrors = 1;
	}
	for (; !r && i < argc; i += mem ? 1 : 2) {
		if (mem) {
			char *buf;
			size_t len;
			r = mirrors ? alu_mirrors_get_mem(n, &m, argv[i], &o, max, &buf, &len, &e)
				: alu_net_get_mem(n, argv[i], &o, max, &buf, &len, &e);
			if (!r) {
				fwrite(buf, 1, len, stdout);
				free(buf);
			}
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "net_get: URL without DEST\n");
			r = 2;
			break;
		}
		r = mirrors ? alu_mirrors_get_file(n, &m, argv[i], &o, argv[i + 1], sha, size, &e)
			: alu_net_get_file(n, argv[i], &o, argv[i + 1], sha, size, &e);
		if (!r && mirrors)
			fprintf(stderr, "mirror: %s\n", m.v[m.current].url);
	}
	for (size_t k = 0; k < m.n; k++)
		if (m.v[k].failure)
			fprintf(stderr, "failed: %s: %s\n", m.v[k].url, m.v[k].failure);
	if (r)
		fprintf(stderr, "error: %s (%s)\n", e.code ? e.msg : "-", alu_strerror(r));
	fprintf(stderr, "connections: %u\n", alu_net_connections(n));
	alu_mirrors_free(&m);
	alu_net_free(n);
	return r ? 1 : 0;
}
