/* SPDX-License-Identifier: MIT */
/* INI reader with yum's (iniparse/ConfigParser) leniency; see conf_int.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"
#include "util/out.h"
#include "util/rootfs.h"

#define INI_MAX_BYTES (16u << 20)   /* a .repo file is a few KiB; refuse absurd ones */

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\f' || ch == '\v';
}

/* Trim blanks at both ends of [p, p+n) and return a malloc'd copy. */
static char *dup_trim(const char *p, size_t n)
{
	while (n && is_blank((unsigned char)*p)) {
		p++;
		n--;
	}
	while (n && is_blank((unsigned char)p[n - 1]))
		n--;
	return strndup(p, n);
}

/* ConfigParser ends a value at ';' when a blank precedes it. */
static size_t value_len(const char *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (p[i] == ';' && is_blank((unsigned char)p[i - 1]))
			return i;
	return n;
}

static void sec_clear(struct alu_ini_sec *s)
{
	for (size_t i = 0; i < s->nkv; i++) {
		free(s->kv[i].key);
		free(s->kv[i].val);
	}
	free(s->kv);
	free(s->name);
	memset(s, 0, sizeof(*s));
}

/*
 * A repeated [name] replaces the earlier section. The earlier one is only
 * marked dead here (name NULL; its name string moves to the new section, so
 * the index's borrowed key stays valid) and the array is compacted once at
 * the end: a file with 100,000 sections parses in linear time.
 */
static struct alu_ini_sec *sec_add(struct alu_ini *ini, const char *name, int line)
{
	int prev = alu_smap_get(&ini->names, name);
	char *own = NULL;

	if (prev >= 0) {
		struct alu_ini_sec *o = &ini->secs[prev];
		alu_warn("%s:%d: section [%s] repeats the one at line %d; the later one wins",
			ini->file, line, name, o->line);
		own = o->name;
		o->name = NULL;
		sec_clear(o);
	}
	if (ini->nsecs == ini->cap) {
		size_t cap = ini->cap ? ini->cap * 2 : 8;
		struct alu_ini_sec *v = realloc(ini->secs, cap * sizeof(*v));
		if (!v) {
			free(own);
			return NULL;
		}
		ini->secs = v;
		ini->cap = cap;
	}
	struct alu_ini_sec *s = &ini->secs[ini->nsecs];
	memset(s, 0, sizeof(*s));
	if (!own && !(own = strdup(name)))
		return NULL;
	s->name = own;
	s->line = line;
	if (ini->nsecs > (size_t)INT32_MAX || alu_smap_put(&ini->names, s->name, (int)ini->nsecs)) {
		free(own);
		s->name = NULL;
		return NULL;
	}
	ini->nsecs++;
	return s;
}

/* Drop the sections a later [name] replaced, keeping file order. */
static void sec_compact(struct alu_ini *ini)
{
	size_t w = 0;

	alu_smap_free(&ini->names);
	for (size_t i = 0; i < ini->nsecs; i++)
		if (ini->secs[i].name)
			ini->secs[w++] = ini->secs[i];
	ini->nsecs = w;
}

/* Set key (replacing an earlier value, as ConfigParser does). */
static struct alu_ini_kv *kv_set(struct alu_ini_sec *s, char *key, char *val, int line)
{
	for (size_t i = 0; i < s->nkv; i++) {
		if (strcmp(s->kv[i].key, key))
			continue;
		free(key);
		free(s->kv[i].val);
		s->kv[i].val = val;
		s->kv[i].line = line;
		return &s->kv[i];
	}
	if (s->nkv == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct alu_ini_kv *v = realloc(s->kv, cap * sizeof(*v));
		if (!v) {
			free(key);
			free(val);
			return NULL;
		}
		s->kv = v;
		s->cap = cap;
	}
	s->kv[s->nkv] = (struct alu_ini_kv){ key, val, line };
	return &s->kv[s->nkv++];
}

static int append_line(struct alu_ini_kv *kv, const char *p, size_t n)
{
	char *part = dup_trim(p, value_len(p, n));
	size_t a, b;
	char *v;

	if (!part)
		return -ENOMEM;
	a = strlen(kv->val);
	b = strlen(part);
	v = realloc(kv->val, a + b + 2);
	if (!v) {
		free(part);
		return -ENOMEM;
	}
	/* An empty first value ("baseurl=" then indented URLs) takes no "\n". */
	if (a)
		v[a++] = '\n';
	memcpy(v + a, part, b + 1);
	kv->val = v;
	free(part);
	return 0;
}

/* One line, NUL-free, without its "\n" or "\r". */
static int parse_line(struct alu_ini *ini, const char *p, size_t n, int line,
		      struct alu_ini_sec **cur, int *cur_idx_kv, int *skipping)
{
	size_t i = 0, sep;
	char *key, *val;

	while (i < n && is_blank((unsigned char)p[i]))
		i++;
	if (i == n || p[i] == '#' || p[i] == ';')
		return 0;
	if (i > 0 && *cur && *cur_idx_kv >= 0)
		return append_line(&(*cur)->kv[*cur_idx_kv], p + i, n - i);
	if (p[i] == '[') {
		const char *end = memchr(p + i, ']', n - i);
		size_t rest;
		*cur = NULL;
		*cur_idx_kv = -1;
		*skipping = 1;
		if (!end) {
			alu_warn("%s:%d: section header without ']' (skipped with its keys)", ini->file, line);
			return 0;
		}
		rest = (size_t)(p + n - end - 1);
		for (size_t k = 0; k < rest; k++) {
			char ch = end[1 + k];
			if (ch == '#' || ch == ';')
				break;
			if (!is_blank((unsigned char)ch)) {
				alu_warn("%s:%d: text after ']' in a section header (skipped with its keys)",
					ini->file, line);
				return 0;
			}
		}
		char *name = dup_trim(p + i + 1, (size_t)(end - p - i - 1));
		if (!name)
			return -ENOMEM;
		if (!*name) {
			alu_warn("%s:%d: empty section name (skipped with its keys)", ini->file, line);
			free(name);
			return 0;
		}
		*cur = sec_add(ini, name, line);
		free(name);
		if (!*cur)
			return -ENOMEM;
		*skipping = 0;
		return 0;
	}
	*cur_idx_kv = -1;
	if (*skipping)
		return 0;
	/* The line is not NUL-terminated: search within it only. */
	for (sep = i; sep < n && p[sep] != '=' && p[sep] != ':'; sep++)
		;
	if (sep >= n) {
		alu_warn("%s:%d: not a 'key=value' line (skipped)", ini->file, line);
		return 0;
	}
	if (!*cur) {
		alu_warn("%s:%d: key outside of any [section] (skipped)", ini->file, line);
		return 0;
	}
	key = dup_trim(p + i, sep - i);
	if (!key)
		return -ENOMEM;
	if (!*key) {
		alu_warn("%s:%d: empty key (skipped)", ini->file, line);
		free(key);
		return 0;
	}
	for (char *k = key; *k; k++)
		*k = (char)tolower((unsigned char)*k);
	val = dup_trim(p + sep + 1, value_len(p + sep + 1, n - sep - 1));
	if (!val) {
		free(key);
		return -ENOMEM;
	}
	struct alu_ini_kv *kv = kv_set(*cur, key, val, line);
	if (!kv)
		return -ENOMEM;
	*cur_idx_kv = (int)(kv - (*cur)->kv);
	return 0;
}

int alu_ini_parse(struct alu_ini *ini, const char *file, const char *buf, size_t len)
{
	struct alu_ini_sec *cur = NULL;
	int kv_idx = -1, skipping = 0, line = 0, r = 0;
	size_t pos = 0;

	memset(ini, 0, sizeof(*ini));
	if (!(ini->file = strdup(file ? file : "(config)")))
		return -ENOMEM;
	while (pos < len) {
		const char *p = buf + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		size_t content;

		pos += n + (nl ? 1 : 0);
		line++;
		content = strnlen(p, n);
		if (content < n)
			alu_warn("%s:%d: NUL byte in line (rest of the line ignored)", ini->file, line);
		n = content;
		if (n && p[n - 1] == '\r')
			n--;
		/* A UTF-8 byte order mark is not part of the first line. */
		if (line == 1 && n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
			p += 3;
			n -= 3;
		}
		r = parse_line(ini, p, n, line, &cur, &kv_idx, &skipping);
		if (r)
			break;
	}
	sec_compact(ini);
	return r;
}

int alu_ini_load(struct alu_ini *ini, const char *path, const char *shown, struct alu_err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, r;

	memset(ini, 0, sizeof(*ini));
	if (!shown)
		shown = path;
	/* resolved inside the root; a FIFO or device is refused, not read
	 * (util/rootfs.h) */
	{
		struct alu_err le = { 0 };
		off_t size;
		r = alu_root_open_read(path, &fd, &size, &le);
		if (r == -ALUE_PATH)
			return alu_err_set(e, -ALUE_CONFIG, "%s: not a regular file", shown);
		if (r)
			return alu_err_set(e, r, "%s: %s", shown, strerror(-r));
		st.st_size = size;
	}
	if ((unsigned long long)st.st_size > INI_MAX_BYTES) {
		r = alu_err_set(e, -ALUE_CONFIG, "%s: not a regular file of sane size", shown);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = alu_err_set(e, -errno, "%s: %s", shown, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	r = alu_ini_parse(ini, shown, buf, got);
out:
	free(buf);
	close(fd);
	return r;
}

void alu_ini_free(struct alu_ini *ini)
{
	alu_smap_free(&ini->names);
	for (size_t i = 0; i < ini->nsecs; i++)
		sec_clear(&ini->secs[i]);
	free(ini->secs);
	free(ini->file);
	memset(ini, 0, sizeof(*ini));
}

const struct alu_ini_sec *alu_ini_section(const struct alu_ini *ini, const char *name)
{
	for (size_t i = 0; i < ini->nsecs; i++)
		if (!strcmp(ini->secs[i].name, name))
			return &ini->secs[i];
	return NULL;
}

const char *alu_ini_get(const struct alu_ini_sec *s, const char *key)
{
	for (size_t i = 0; s && i < s->nkv; i++)
		if (!strcmp(s->kv[i].key, key))
			return s->kv[i].val;
	return NULL;
}
