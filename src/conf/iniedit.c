/* SPDX-License-Identifier: MIT */
/* Line-preserving INI edits (conf/iniedit.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/iniedit.h"

struct line {
	const char *p;
	size_t n;          /* without the line end */
	size_t full;       /* with it */
};

/* "[name]" -> name into @p sec (0 when the line is no section header). */
static int section_of(const struct line *l, char *sec, size_t sn)
{
	const char *s = l->p, *end = l->p + l->n;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (end - s < 2 || *s != '[' || end[-1] != ']' || (size_t)(end - s - 2) >= sn)
		return 0;
	memcpy(sec, s + 1, (size_t)(end - s - 2));
	sec[end - s - 2] = 0;
	return 1;
}

/* Where the value of @p key starts on line @p l (after the separator and
 * its spaces), or NULL when the line does not set @p key. */
static const char *value_of(const struct line *l, const char *key, size_t *seplen_out)
{
	const char *s = l->p, *end = l->p + l->n, *k;
	size_t kl;

	if (s < end && isspace((unsigned char)*s))
		return NULL;   /* a continuation line */
	if (s == end || *s == '#' || *s == ';')
		return NULL;
	k = s;
	while (s < end && *s != '=' && *s != ':')
		s++;
	if (s == end)
		return NULL;
	kl = (size_t)(s - k);
	while (kl && isspace((unsigned char)k[kl - 1]))
		kl--;
	if (kl != strlen(key) || strncasecmp(k, key, kl))
		return NULL;
	*seplen_out = (size_t)(s - k) - kl;   /* spaces before the separator */
	s++;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static int is_continuation(const struct line *l)
{
	return l->n && (l->p[0] == ' ' || l->p[0] == '\t') && strspn(l->p, " \t") < l->n;
}

static int split(const char *text, size_t len, struct line **out, size_t *n)
{
	size_t cap = 16;
	struct line *v = malloc(cap * sizeof(*v));

	*n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t full = nl ? (size_t)(nl - (text + i)) + 1 : len - i;
		size_t nn = nl ? full - 1 : full;
		if (*n == cap) {
			struct line *t = realloc(v, (cap *= 2) * sizeof(*v));
			if (!t) {
				free(v);
				return -ENOMEM;
			}
			v = t;
		}
		if (nn && text[i + nn - 1] == '\r')
			nn--;
		v[(*n)++] = (struct line){ text + i, nn, full };
		i += full;
	}
	*out = v;
	return 0;
}

int alu_ini_edit_has(const char *text, size_t len, const char *section)
{
	struct line *v;
	size_t n;
	char sec[512];
	int hit = 0;

	if (split(text, len, &v, &n))
		return 0;
	for (size_t i = 0; i < n && !hit; i++)
		hit = section_of(&v[i], sec, sizeof(sec)) && !strcmp(sec, section);
	free(v);
	return hit;
}

int alu_ini_edit_set(const char *text, size_t len, const char *section, const char *key,
		     const char *value, char **out, size_t *outlen)
{
	struct line *v;
	size_t n, cap, o = 0, seplen = 0, last_set = (size_t)-1, style = (size_t)-1;
	char sec[512], *b;
	int in = 0, found = 0, done = 0, rc;

	if (strchr(value, '\n') || strchr(value, '\r'))
		return -EINVAL;
	if ((rc = split(text, len, &v, &n)))
		return rc;
	cap = len + strlen(key) + strlen(value) + 8;
	if (!(b = malloc(cap + 1))) {
		free(v);
		return -ENOMEM;
	}
	/* 1. where the section's settings end (a key it lacks goes there) */
	for (size_t i = 0; i < n; i++) {
		if (section_of(&v[i], sec, sizeof(sec))) {
			in = !strcmp(sec, section);
			if (in) {
				found = 1;
				last_set = i;
			}
			continue;
		}
		if (in && (value_of(&v[i], key, &seplen) || (v[i].n && !isspace((unsigned char)v[i].p[0]) &&
		    v[i].p[0] != '#' && v[i].p[0] != ';' && memchr(v[i].p, '=', v[i].n)) || is_continuation(&v[i]))) {
			if (style == (size_t)-1 && !is_continuation(&v[i]))
				style = i;
			last_set = i;
		}
	}
	if (!found) {
		free(v);
		free(b);
		return -ENOENT;
	}
	/* 2. copy, replacing the key's first line and dropping its repeats */
	in = 0;
	for (size_t i = 0; i < n; i++) {
		const char *val;
		if (section_of(&v[i], sec, sizeof(sec)))
			in = !strcmp(sec, section);
		else if (in && (val = value_of(&v[i], key, &seplen))) {
			if (!done) {
				size_t pre = (size_t)(val - v[i].p);
				memcpy(b + o, v[i].p, pre);
				o += pre;
				o += (size_t)(stpcpy(b + o, value) - (b + o));
				memcpy(b + o, v[i].p + v[i].n, v[i].full - v[i].n);   /* its line end */
				o += v[i].full - v[i].n;
				done = 1;
			}
			while (i + 1 < n && is_continuation(&v[i + 1]))
				i++;
			continue;
		}
		memcpy(b + o, v[i].p, v[i].full);
		o += v[i].full;
		if (i == last_set && !done) {
			/* the key is new: "key = value" when the section writes it so */
			int spaced = style != (size_t)-1 && memmem(v[style].p, v[style].n, " = ", 3);
			if (v[i].full == v[i].n)   /* the last line had no newline */
				b[o++] = '\n';
			o += (size_t)(stpcpy(b + o, key) - (b + o));
			o += (size_t)(stpcpy(b + o, spaced ? " = " : "=") - (b + o));
			o += (size_t)(stpcpy(b + o, value) - (b + o));
			b[o++] = '\n';
			done = 1;
		}
	}
	b[o] = 0;
	free(v);
	*out = b;
	*outlen = o;
	return 0;
}
