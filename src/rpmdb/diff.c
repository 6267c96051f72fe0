/* SPDX-License-Identifier: MIT */
/* `verify --rpmdb`: the state's headers against the rpm database's, by content. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpmdb/rpmdb_int.h"

struct side {
	struct { uint64_t dig; char *nevra; int matched; } *v;
	size_t n, cap;
};

static int add(struct side *sd, const void *blob, size_t len)
{
	struct alu_hdr *h = NULL;
	char buf[600];

	if (sd->n == sd->cap) {
		size_t cap = sd->cap ? 2 * sd->cap : 256;
		void *nv = realloc(sd->v, cap * sizeof(*sd->v));
		if (!nv)
			return -ENOMEM;
		sd->v = nv;
		sd->cap = cap;
	}
	if (alu_hdr_parse(blob, len, "header", &h, NULL))
		snprintf(buf, sizeof(buf), "(unreadable header)");
	else
		alu_hdr_nevra(h, buf, sizeof(buf));
	alu_hdr_free(h);
	sd->v[sd->n].dig = rec_blobdig(blob, len);
	sd->v[sd->n].matched = 0;
	sd->v[sd->n].nevra = strdup(buf);
	return sd->v[sd->n++].nevra ? 0 : -ENOMEM;
}

static int s_cb(void *arg, uint64_t id, const void *blob, size_t len)
{
	(void)id;
	return add(arg, blob, len);
}

static int r_cb(void *arg, uint32_t hnum, const void *blob, size_t len)
{
	(void)hnum;
	return add(arg, blob, len);
}

static void side_free(struct side *sd)
{
	for (size_t i = 0; i < sd->n; i++)
		free(sd->v[i].nevra);
	free(sd->v);
}

int alu_rpmdb_diff(struct alu_state *s, const char *root, struct alu_strv *out, char *path,
		   struct alu_err *e)
{
	struct side st = { 0 }, rd = { 0 };
	enum alu_rpmdb_kind kind;
	char line[700];
	int r;

	path[0] = 0;
	r = alu_rpmdb_find(root, path, 4096, &kind, e);
	if (r)
		return r;
	r = alu_state_foreach_blob(s, s_cb, &st);
	if (r) {
		alu_err_set(e, r, "reading the installed state: %s", alu_strerror(r));
		goto out;
	}
	r = alu_rpmdb_foreach(path, kind, r_cb, &rd, e);
	if (r)
		goto out;
	for (size_t i = 0; i < st.n; i++)
		for (size_t j = 0; j < rd.n; j++)
			if (!rd.v[j].matched && rd.v[j].dig == st.v[i].dig) {
				rd.v[j].matched = st.v[i].matched = 1;
				break;
			}
	for (size_t i = 0; i < st.n; i++) {
		if (st.v[i].matched)
			continue;
		for (size_t j = 0; j < rd.n; j++)
			if (!rd.v[j].matched && !strcmp(rd.v[j].nevra, st.v[i].nevra)) {
				rd.v[j].matched = st.v[i].matched = 1;
				snprintf(line, sizeof(line), "header differs: %s", st.v[i].nevra);
				alu_strv_push(out, line);
				break;
			}
		if (!st.v[i].matched) {
			snprintf(line, sizeof(line), "only in alupdate's state: %s", st.v[i].nevra);
			alu_strv_push(out, line);
		}
	}
	for (size_t j = 0; j < rd.n; j++)
		if (!rd.v[j].matched) {
			snprintf(line, sizeof(line), "only in the rpm database: %s", rd.v[j].nevra);
			alu_strv_push(out, line);
		}
out:
	side_free(&st);
	side_free(&rd);
	return r;
}
