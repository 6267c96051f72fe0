/* SPDX-License-Identifier: MIT */
/*
 * `alupdate rpmdb-export [--format=bdb] DIR`: write the root's installed set
 * (the headers in alupdate's state) as an rpm database into DIR, which must
 * be empty or absent. bdb: Amazon Linux 2's rpm 4.11 Berkeley DB, Packages
 * and its index files, readable by `rpm --dbpath DIR`, db5.3_verify and the
 * scanners. For converting a root's database, repairing one, or handing the
 * installed set to tools. The root is only read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "db/state.h"
#include "rpmdb/bdb_write.h"
#include "util/out.h"

#define OPTS(X) X(OPT_FORMAT, "format", 0, 1)
ALU_OPTS_ENUM(OPTS);
static const struct alu_opt opts[] = { OPTS(ALU_OPT_ENTRY) { 0 } };

struct priv { const char *format; };

struct ids { uint64_t *v; size_t n, cap; };

static int parse(void *p, struct alu_ctx *ctx, int id, const char *arg)
{
	struct priv *pv = p;

	(void)ctx;
	if (id != OPT_FORMAT)
		return -ENOTSUP;
	pv->format = arg;
	return 0;
}

static int add_id(void *arg, const struct alu_instpkg *p)
{
	struct ids *x = arg;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 64;
		uint64_t *v = realloc(x->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = p->id;
	return 0;
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* DIR made (or found empty) and opened; @p made says we created it. */
static int open_dir(const char *dir, int *made, struct alu_err *e)
{
	struct dirent *de;
	DIR *d;
	int fd;

	*made = mkdir(dir, 0755) == 0;
	if (!*made && errno != EEXIST)
		return alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int r = alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
		if (*made)
			rmdir(dir);
		return r;
	}
	d = fdopendir(dup(fd));
	if (!d) {
		close(fd);
		return alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			break;
	closedir(d);
	if (de) {
		close(fd);
		return alu_err_set(e, -ENOTEMPTY, "%s: not empty (the export writes a whole database)", dir);
	}
	return fd;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	struct priv *pv = priv;
	struct alu_rpmdb_hdr *h = NULL;
	struct alu_hdr **hdrs = NULL;
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	struct ids ids = { 0 };
	int r, fd = -1, made = 0;

	if (pv->format && strcmp(pv->format, "bdb")) {
		alu_error("--format=%s: not a format rpmdb-export writes (bdb)", pv->format);
		return 1;
	}
	if (argc != 1) {
		alu_error("usage: alupdate rpmdb-export [--format=bdb] DIR");
		return 1;
	}
	r = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e);
	if (!r)
		r = alu_state_foreach(s, add_id, &ids);
	if (r)
		goto out;
	if (ids.n)
		qsort(ids.v, ids.n, sizeof(*ids.v), id_cmp);
	h = calloc(ids.n + 1, sizeof(*h));
	hdrs = calloc(ids.n + 1, sizeof(*hdrs));
	if (!h || !hdrs) {
		r = -ENOMEM;
		goto out;
	}
	/* 1. the headers, numbered by their state id (stable, never reused) */
	for (size_t i = 0; i < ids.n; i++) {
		if (ids.v[i] == 0 || ids.v[i] > UINT32_MAX) {
			r = alu_err_set(&e, -ALUE_CORRUPT, "package id %llu does not fit an rpm instance",
					(unsigned long long)ids.v[i]);
			goto out;
		}
		r = alu_state_header(s, ids.v[i], &hdrs[i], &e);
		if (r)
			goto out;
		h[i].hnum = (uint32_t)ids.v[i];
		h[i].blob = alu_hdr_blob(hdrs[i], &h[i].len);
	}
	/* 2. the database */
	fd = open_dir(argv[0], &made, &e);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	r = alu_rpmdb_bdb_write(fd, h, ids.n, &e);
	if (r && made)
		rmdir(argv[0]);
	if (!r) {
		if (ctx->json)
			printf("{\"exported\":%zu,\"format\":\"bdb\"}\n", ids.n);
		else
			alu_msg("Exported %zu packages to %s (Berkeley DB, rpm 4.11)", ids.n, argv[0]);
	}
out:
	if (r)
		alu_error("%s", e.msg[0] ? e.msg : alu_strerror(r));
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; hdrs && i < ids.n; i++)
		alu_hdr_free(hdrs[i]);
	free(hdrs);
	free(h);
	free(ids.v);
	alu_state_close(s);
	return r ? 1 : 0;
}

const struct alu_cmd alu_cmd_rpmdb_export = {
	.name = "rpmdb-export",
	.summary = "write the installed set as an rpm database (Berkeley DB) into a directory",
	.usage = "[--format=bdb] DIR",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.opts = opts,
	.priv_size = sizeof(struct priv),
	.parse = parse,
	.run = run,
};
