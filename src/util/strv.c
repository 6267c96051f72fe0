/* SPDX-License-Identifier: MIT */
#include "util/strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int push_n(struct alu_strv *sv, const char *s, size_t len)
{
	char *copy;

	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = realloc(sv->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	copy = strndup(s, len);
	if (!copy)
		return -ENOMEM;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

int alu_strv_push(struct alu_strv *sv, const char *s)
{
	return push_n(sv, s, strlen(s));
}

int alu_strv_push_split(struct alu_strv *sv, const char *s)
{
	int r;

	while (*s) {
		size_t len = strcspn(s, ", \t\n");
		if (len) {
			r = push_n(sv, s, len);
			if (r)
				return r;
		}
		s += len;
		s += strspn(s, ", \t\n");
	}
	return 0;
}

int alu_strv_has(const struct alu_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void alu_strv_free(struct alu_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}
