/* SPDX-License-Identifier: MIT */
/* repoquery --queryformat (cmd/rqfmt.h). */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/rqfmt.h"

enum { T_STR, T_NUM };

struct tag {
	const char *name;
	int kind;
	size_t off;
};

#define S(n, f) { n, T_STR, offsetof(struct rq_pkg, f) }
#define N(n, f) { n, T_NUM, offsetof(struct rq_pkg, f) }
static const struct tag tags[] = {
	S("name", name), S("version", version), S("release", release), S("arch", arch),
	S("repoid", repoid), S("repo", repoid), S("reponame", repoid), S("summary", summary),
	S("description", description), S("url", url), S("license", license), S("vendor", vendor),
	S("group", group), S("buildhost", buildhost), S("sourcerpm", sourcerpm),
	S("packager", packager), S("location", location), S("relativepath", location),
	S("pkgid", pkgid), S("checksum", pkgid),
	N("size", size), N("installedsize", installedsize), N("packagesize", packagesize),
	N("archivesize", archivesize), N("buildtime", buildtime),
	/* composed */
	{ "epoch", T_NUM, 0 }, { "evr", T_STR, 0 }, { "nevra", T_STR, 0 }, { "envra", T_STR, 0 },
	{ "nvra", T_STR, 0 }, { "nvr", T_STR, 0 }, { "ui_nevra", T_STR, 0 },
};

static const struct tag *find(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(tags) / sizeof(*tags); i++)
		if (strlen(tags[i].name) == n && !strncasecmp(tags[i].name, s, n))
			return &tags[i];
	return NULL;
}

/* The value of @p t into @p buf. */
static const char *value(const struct tag *t, const struct rq_pkg *p, char *buf, size_t n)
{
	const char *nm = t->name;

	if (!strcmp(nm, "epoch"))
		snprintf(buf, n, "%" PRIu32, p->epoch);
	else if (!strcmp(nm, "evr") && p->epoch)
		snprintf(buf, n, "%" PRIu32 ":%s-%s", p->epoch, p->version, p->release);
	else if (!strcmp(nm, "evr"))
		snprintf(buf, n, "%s-%s", p->version, p->release);
	else if (!strcmp(nm, "nevra"))
		snprintf(buf, n, "%s-%" PRIu32 ":%s-%s.%s", p->name, p->epoch, p->version, p->release, p->arch);
	else if (!strcmp(nm, "envra"))
		snprintf(buf, n, "%" PRIu32 ":%s-%s-%s.%s", p->epoch, p->name, p->version, p->release, p->arch);
	else if (!strcmp(nm, "nvra"))
		snprintf(buf, n, "%s-%s-%s.%s", p->name, p->version, p->release, p->arch);
	else if (!strcmp(nm, "nvr"))
		snprintf(buf, n, "%s-%s-%s", p->name, p->version, p->release);
	else if (!strcmp(nm, "ui_nevra") && p->epoch)
		snprintf(buf, n, "%s-%" PRIu32 ":%s-%s.%s", p->name, p->epoch, p->version, p->release, p->arch);
	else if (!strcmp(nm, "ui_nevra"))
		snprintf(buf, n, "%s-%s-%s.%s", p->name, p->version, p->release, p->arch);
	else if (t->kind == T_NUM)
		snprintf(buf, n, "%" PRIu64, *(const uint64_t *)((const char *)p + t->off));
	else
		return *(const char *const *)((const char *)p + t->off);
	return buf;
}

/* One "%[-][width]{tag}" at @p s (after the '%'): its parts. */
static const char *spec(const char *s, int *left, int *width, const char **tag, size_t *tn)
{
	*left = *s == '-';
	s += *left;
	*width = 0;
	while (*s >= '0' && *s <= '9' && *width < 1000)
		*width = *width * 10 + (*s++ - '0');
	if (*s != '{')
		return NULL;
	*tag = ++s;
	while (*s && *s != '}')
		s++;
	if (!*s)
		return NULL;
	*tn = (size_t)(s - *tag);
	return s + 1;
}

int rq_qf_check(const char *fmt, char *bad, size_t n)
{
	for (const char *s = fmt; *s;) {
		const char *tag, *next;
		size_t tn;
		int left, width;

		if (*s++ != '%' || *s == '%') {
			s += s[-1] == '%';
			continue;
		}
		if (!(next = spec(s, &left, &width, &tag, &tn))) {
			snprintf(bad, n, "%%%.20s", s);
			return -EINVAL;
		}
		/* rpm's ":date" style modifiers are not offered */
		if (!find(tag, tn)) {
			snprintf(bad, n, "%%{%.*s}", (int)tn, tag);
			return -EINVAL;
		}
		s = next;
	}
	return 0;
}

void rq_qf_print(FILE *f, const char *fmt, const struct rq_pkg *p)
{
	char buf[2048];

	for (const char *s = fmt; *s;) {
		const char *tag, *next;
		size_t tn;
		int left, width;

		if (*s == '\\' && (s[1] == 'n' || s[1] == 't')) {
			fputc(s[1] == 'n' ? '\n' : '\t', f);
			s += 2;
			continue;
		}
		if (*s != '%') {
			fputc(*s++, f);
			continue;
		}
		if (s[1] == '%') {
			fputc('%', f);
			s += 2;
			continue;
		}
		if (!(next = spec(s + 1, &left, &width, &tag, &tn))) {
			fputc(*s++, f);
			continue;
		}
		fprintf(f, left ? "%-*s" : "%*s", width, value(find(tag, tn), p, buf, sizeof(buf)));
		s = next;
	}
	fputc('\n', f);
}
