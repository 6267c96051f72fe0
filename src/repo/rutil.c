/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_int.h"

#define RCHUNK_MIN 16384

struct rchunk {
	struct rchunk *next;
	size_t used, cap;
	char data[];
};

void *rarena_alloc(struct rarena *a, size_t n)
{
	struct rchunk *c = a->head;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t min = a->chunk ? a->chunk : RCHUNK_MIN;
		size_t cap = n > min ? n : min;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

char *rarena_strndup(struct rarena *a, const char *s, size_t n)
{
	char *p = rarena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

char *rarena_strdup(struct rarena *a, const char *s)
{
	return rarena_strndup(a, s, strlen(s));
}

void rarena_reset(struct rarena *a)
{
	struct rchunk *c = a->head;

	if (!c)
		return;
	/* keep the oldest chunk (the tail): it is the common working size */
	while (c->next) {
		struct rchunk *n = c->next;
		free(c);
		c = n;
	}
	c->used = 0;
	a->head = c;
}

void rarena_free(struct rarena *a)
{
	while (a->head) {
		struct rchunk *n = a->head->next;
		free(a->head);
		a->head = n;
	}
}

int rvec_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *p;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	while (nc < need)
		nc *= 2;
	if (nc > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*v, nc * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = nc;
	return 0;
}

uint32_t rdep_flags(const char *s)
{
	if (!s || !s[0] || !s[1] || s[2])
		return 0;
	if (!strcmp(s, "EQ"))
		return ALU_DEP_EQUAL;
	if (!strcmp(s, "LT"))
		return ALU_DEP_LESS;
	if (!strcmp(s, "LE"))
		return ALU_DEP_LESS | ALU_DEP_EQUAL;
	if (!strcmp(s, "GT"))
		return ALU_DEP_GREATER;
	if (!strcmp(s, "GE"))
		return ALU_DEP_GREATER | ALU_DEP_EQUAL;
	return 0;
}

char *rdep_evr(struct rarena *a, const char *epoch, const char *ver, const char *rel)
{
	size_t ne, nv, nr;
	char *p, *o;

	if (!ver || !*ver)
		return rarena_strdup(a, "");
	if (!epoch || !*epoch || !strcmp(epoch, "0"))
		epoch = "";
	if (!rel)
		rel = "";
	ne = strlen(epoch);
	nv = strlen(ver);
	nr = strlen(rel);
	o = p = rarena_alloc(a, ne + nv + nr + 3);
	if (!p)
		return NULL;
	if (ne) {
		memcpy(o, epoch, ne);
		o += ne;
		*o++ = ':';
	}
	memcpy(o, ver, nv);
	o += nv;
	if (nr) {
		*o++ = '-';
		memcpy(o, rel, nr);
		o += nr;
	}
	*o = 0;
	return p;
}

int rparse_u64(const char *s, int empty_ok, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s) {
		*out = 0;
		return empty_ok ? 0 : -1;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}
