/* SPDX-License-Identifier: MIT */
/* A small string -> int map (open addressing, FNV-1a) for the planner's
 * path sets. Keys are borrowed: they must outlive the map. */
#ifndef ALU_TXN_SMAP_H
#define ALU_TXN_SMAP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct alu_smap {
	const char **k;
	int *v;
	size_t cap, n;
};

static inline uint64_t alu_smap_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

/** @return the value of @p key, or -1. */
static inline int alu_smap_get(const struct alu_smap *m, const char *key)
{
	if (!m->cap)
		return -1;
	for (size_t i = alu_smap_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->k[i])
			return -1;
		if (!strcmp(m->k[i], key))
			return m->v[i];
	}
}

/** Insert or replace. @return 0 or -ENOMEM. */
static inline int alu_smap_put(struct alu_smap *m, const char *key, int val)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct alu_smap nm = { calloc(nc, sizeof(char *)), calloc(nc, sizeof(int)), nc, 0 };
		if (!nm.k || !nm.v) {
			free(nm.k);
			free(nm.v);
			return -ENOMEM;
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->k[i])
				alu_smap_put(&nm, m->k[i], m->v[i]);
		free(m->k);
		free(m->v);
		*m = nm;
	}
	for (size_t i = alu_smap_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->k[i]) {
			m->k[i] = key;
			m->v[i] = val;
			m->n++;
			return 0;
		}
		if (!strcmp(m->k[i], key)) {
			m->v[i] = val;
			return 0;
		}
	}
}

static inline void alu_smap_free(struct alu_smap *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

#endif
