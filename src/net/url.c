/* SPDX-License-Identifier: MIT */
/*
 * URL parsing and joining. Only what repositories use: http, https, file.
 * Percent-encoding is left as found: mirrors publish paths already encoded
 * and re-encoding would change what the server sees.
 */
#include "net/net.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

void alu_url_free(struct alu_url *u)
{
	free(u->path);
	u->path = NULL;
}

static int parse_port(const char *p, size_t n, int *port)
{
	long v = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* authority = [userinfo "@"] host [":" port]; host = name | IPv4 | "[" IPv6 "]" */
static int parse_authority(struct alu_url *u, const char *a, size_t n, const char *url,
	struct alu_err *e)
{
	const char *at = memrchr(a, '@', n);
	const char *h, *end = a + n, *colon = NULL;
	size_t hn;

	if (at) {
		if ((size_t)(at - a) >= sizeof(u->userinfo))
			return alu_err_set(e, -ALUE_CONFIG, "%s: user information too long", url);
		memcpy(u->userinfo, a, (size_t)(at - a));
		u->userinfo[at - a] = 0;
		a = at + 1;
	}
	if (a < end && *a == '[') {
		const char *rb = memchr(a, ']', (size_t)(end - a));
		if (!rb)
			return alu_err_set(e, -ALUE_CONFIG, "%s: unterminated [IPv6] address", url);
		h = a + 1;
		hn = (size_t)(rb - h);
		u->ipv6 = 1;
		if (rb + 1 < end) {
			if (rb[1] != ':')
				return alu_err_set(e, -ALUE_CONFIG, "%s: junk after ']'", url);
			colon = rb + 1;
		}
		for (size_t i = 0; i < hn; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' && h[i] != '.')
				return alu_err_set(e, -ALUE_CONFIG, "%s: bad IPv6 address", url);
	} else {
		h = a;
		colon = memchr(a, ':', (size_t)(end - a));
		hn = (size_t)((colon ? colon : end) - a);
		for (size_t i = 0; i < hn; i++) {
			unsigned char c = (unsigned char)h[i];
			if (!isalnum(c) && c != '-' && c != '.' && c != '_' && c != '%')
				return alu_err_set(e, -ALUE_CONFIG, "%s: bad character in host name", url);
		}
	}
	if (hn == 0)
		return alu_err_set(e, -ALUE_CONFIG, "%s: empty host", url);
	if (hn >= sizeof(u->host))
		return alu_err_set(e, -ALUE_CONFIG, "%s: host name too long", url);
	memcpy(u->host, h, hn);
	u->host[hn] = 0;
	lower(u->host);
	if (colon && parse_port(colon + 1, (size_t)(end - colon - 1), &u->port))
		return alu_err_set(e, -ALUE_CONFIG, "%s: bad port", url);
	return 0;
}

int alu_url_parse(struct alu_url *u, const char *url, struct alu_err *e)
{
	const char *sep = strstr(url, "://");
	const char *auth, *p;
	size_t sn;
	int r;

	memset(u, 0, sizeof(*u));
	for (sn = 0; url + sn < (sep ? sep : url); sn++)
		if (!isalnum((unsigned char)url[sn]) && url[sn] != '+' && url[sn] != '-' && url[sn] != '.')
			break;
	if (!sep || url + sn != sep || sn == 0)
		return alu_err_set(e, -ALUE_CONFIG, "%s: not a URL (scheme://...)", url);
	if (sn >= sizeof(u->scheme))
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: unsupported URL scheme", url);
	memcpy(u->scheme, url, sn);
	u->scheme[sn] = 0;
	lower(u->scheme);
	auth = sep + 3;
	if (!strcmp(u->scheme, "file")) {
		/* file:///path or file://localhost/path; file:/path has no "://" */
		if (!strncmp(auth, "localhost/", 10))
			auth += 9;
		if (*auth != '/')
			return alu_err_set(e, -ALUE_CONFIG, "%s: file URL without an absolute path", url);
		u->path = strdup(auth);
		return u->path ? 0 : -ENOMEM;
	}
	if (!strcmp(u->scheme, "http"))
		u->port = 80;
	else if (!strcmp(u->scheme, "https"))
		u->port = 443;
	else
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: unsupported URL scheme '%s'", url, u->scheme);
	p = auth + strcspn(auth, "/?#");
	r = parse_authority(u, auth, (size_t)(p - auth), url, e);
	if (r)
		return r;
	/* the fragment is never sent */
	size_t pn = strcspn(p, "#");
	u->path = malloc(pn + 2);
	if (!u->path)
		return -ENOMEM;
	if (*p != '/') {
		u->path[0] = '/';
		memcpy(u->path + 1, p, pn);
		u->path[pn + 1] = 0;
	} else {
		memcpy(u->path, p, pn);
		u->path[pn] = 0;
	}
	for (const char *c = u->path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return alu_err_set(e, -ALUE_CONFIG, "%s: space or control character in path", url);
	return 0;
}

static int has_scheme(const char *s)
{
	size_t i = 0;

	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return i > 0 && !strncmp(s + i, "://", 3);
}

int alu_url_join(const char *base, const char *rel, char **out)
{
	size_t bn = strlen(base), rn;
	const char *q;
	char *r;

	*out = NULL;
	if (has_scheme(rel)) {
		*out = strdup(rel);
		return *out ? 0 : -ENOMEM;
	}
	/* a query on the base (signed mirror URLs) stays at the end */
	q = strchr(base, '?');
	if (q)
		bn = (size_t)(q - base);
	if (rel[0] == '/') {
		/* absolute path: keep scheme and authority of base */
		const char *s = strstr(base, "://");
		if (s && s < base + bn) {
			const char *slash = memchr(s + 3, '/', (size_t)(base + bn - s - 3));
			bn = slash ? (size_t)(slash - base) : bn;
		}
	} else {
		while (rel[0] == '.' && rel[1] == '/')
			rel += 2;
	}
	rn = strlen(rel);
	r = malloc(bn + 1 + rn + (q ? strlen(q) : 0) + 1);
	if (!r)
		return -ENOMEM;
	memcpy(r, base, bn);
	if (rel[0] != '/' && (bn == 0 || r[bn - 1] != '/'))
		r[bn++] = '/';
	memcpy(r + bn, rel, rn);
	r[bn + rn] = 0;
	if (q)
		strcat(r, q);
	*out = r;
	return 0;
}

/* A segment that is "..", also when written with percent-encoding ("%2e%2E"). */
static int dotdot(const char *s, size_t n)
{
	int dots = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] == '%' && n - i >= 3 && s[i + 1] == '2' &&
			 (s[i + 2] == 'e' || s[i + 2] == 'E')) {
			dots++;
			i += 2;
		} else {
			return 0;
		}
	}
	return dots == 2;
}

/* Directory depth of a URL's path ("http://h/a/b/" and "file:///a/b": 2). */
static int depth_of(const char *url)
{
	const char *p = strstr(url, "://");
	int d = 0;

	if (!p)
		return 0;
	p += 3;
	if (strncasecmp(url, "file:", 5))
		p += strcspn(p, "/?#");
	else if (!strncmp(p, "localhost/", 10))
		p += 9;
	while (*p && *p != '?' && *p != '#') {
		size_t n = strcspn(p, "/?#");
		if (n && !dotdot(p, n) && !(n == 1 && *p == '.'))
			d++;
		p += n;
		if (*p == '/')
			p++;
	}
	return d;
}

int alu_url_rel_within(const char *base, const char *rel)
{
	const char *p = rel;
	int d = 0, low = 0, file = !strncasecmp(base, "file:", 5);

	if (!*rel || has_scheme(rel) || *rel == '/' || strchr(rel, '\\'))
		return 0;
	while (*p && *p != '?' && *p != '#') {
		size_t n = strcspn(p, "/?#");
		if (dotdot(p, n))
			d--;
		else if (n && !(n == 1 && *p == '.'))
			d++;
		if (d < low)
			low = d;
		p += n;
		if (*p == '/')
			p++;
	}
	/* a file:// repository is a directory of this machine: nothing above it
	 * is the repository's. Over http(s) the server owns every path of the
	 * host, and real repositories climb out of their base (Amazon Linux 2:
	 * "../../../../../blobstore/<sha>/x.rpm"); only above the root is refused. */
	return file ? low >= 0 : depth_of(base) + low >= 0;
}

static int scheme_of(const char *url)
{
	if (!strncasecmp(url, "https://", 8))
		return 3;
	if (!strncasecmp(url, "http://", 7))
		return 2;
	if (!strncasecmp(url, "file://", 7))
		return 1;
	return 0;
}

int alu_url_step_ok(const char *from, const char *to)
{
	int f = scheme_of(from), t = scheme_of(to);

	/* from the network never to this machine's files; from TLS never to plain text */
	if (f >= 2 && t == 1)
		return 0;
	if (f == 3 && t == 2)
		return 0;
	return 1;
}
