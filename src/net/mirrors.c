/* SPDX-License-Identifier: MIT */
/*
 * Mirror sets: base URLs in failover order. A mirror that fails is marked
 * with the reason and passed over for the rest of the run while a healthy
 * one remains; when none does, all are tried again, because a run that
 * gives up for good after one hiccup of each mirror helps nobody.
 */
#include "net/net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int alu_mirrors_add(struct alu_mirrors *m, const char *url)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 4;
		struct alu_mirror *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n].url = strdup(url);
	m->v[m->n].failure = NULL;
	if (!m->v[m->n].url)
		return -ENOMEM;
	m->n++;
	return 0;
}

void alu_mirrors_free(struct alu_mirrors *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].url);
		free(m->v[i].failure);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* Copy line with $basearch / ${basearch} replaced. */
static char *expand(const char *s, size_t n, const char *basearch)
{
	static const char v1[] = "$basearch", v2[] = "${basearch}";
	size_t cap = n + 1, o = 0;
	char *r;

	if (basearch)
		cap += 4 * strlen(basearch) * (n / (sizeof(v1) - 1) + 1);
	r = malloc(cap);
	if (!r)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = 0;
		if (basearch && n - i >= sizeof(v2) - 1 && !memcmp(s + i, v2, sizeof(v2) - 1))
			k = sizeof(v2) - 1;
		else if (basearch && n - i >= sizeof(v1) - 1 && !memcmp(s + i, v1, sizeof(v1) - 1))
			k = sizeof(v1) - 1;
		if (k) {
			size_t bl = strlen(basearch);
			memcpy(r + o, basearch, bl);
			o += bl;
			i += k;
		} else {
			r[o++] = s[i++];
		}
	}
	r[o] = 0;
	return r;
}

int alu_mirrors_from_list(struct alu_mirrors *m, const char *text, size_t len,
	const char *basearch, struct alu_err *e)
{
	const char *p = text, *end = text + len;
	unsigned line = 0, found = 0;
	int r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p;
		line++;
		p = nl ? nl + 1 : end;
		while (s < le && (*s == ' ' || *s == '\t'))
			s++;
		while (le > s && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
			le--;
		if (s == le || *s == '#')
			continue;
		char *url = expand(s, (size_t)(le - s), basearch);
		if (!url)
			return -ENOMEM;
		struct alu_url u;
		r = alu_url_parse(&u, url, NULL);
		alu_url_free(&u);
		if (r) {
			r = alu_err_set(e, -ALUE_CORRUPT, "mirror list line %u: not a URL: %.200s", line, url);
			free(url);
			return r;
		}
		r = alu_mirrors_add(m, url);
		free(url);
		if (r)
			return r;
		found++;
	}
	if (!found)
		return alu_err_set(e, -ALUE_CORRUPT, "mirror list has no URL");
	return 0;
}

int alu_mirrors_from_url_list(struct alu_mirrors *m, const char *text, size_t len,
	const char *basearch, const char *list_url, struct alu_err *e)
{
	size_t first = m->n;
	int r = alu_mirrors_from_list(m, text, len, basearch, e);

	for (size_t i = first; !r && i < m->n; i++)
		if (!alu_url_step_ok(list_url, m->v[i].url))
			r = alu_err_set(e, -ALUE_CORRUPT, "mirror list %s: %s refused (a list fetched over "
				"http(s) never leads to file://, one over https never to http)", list_url,
				m->v[i].url);
	/* all or nothing: a refused list adds no mirror */
	while (r && m->n > first) {
		m->n--;
		free(m->v[m->n].url);
		free(m->v[m->n].failure);
	}
	return r;
}

/* Failures that speak of the mirror, not of this machine. */
static int mirror_fault(int r)
{
	return r == -ALUE_NET || r == -ALUE_TIMEOUT || r == -ALUE_TLS || r == -ALUE_HTTP ||
		r == -ALUE_CHECKSUM || r == -ALUE_NOTFOUND || r == -ALUE_UNSUPPORTED ||
		r == -ALUE_CONFIG || r == -ALUE_TRUNCATED || r == -ALUE_CORRUPT;
}

struct req {
	const char *dest, *sha;
	uint64_t size;
	size_t max;
	char **buf;
	size_t *len;
};

static int try_one(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	const struct req *q, struct alu_err *e)
{
	if (q->dest)
		return alu_net_get_file(n, url, o, q->dest, q->sha, q->size, e);
	return alu_net_get_mem(n, url, o, q->max, q->buf, q->len, e);
}

/* The reason without the URL the message starts with: the mirror is named anyway. */
static const char *reason(const char *msg, const char *url)
{
	size_t k = strlen(url);

	if (!strncmp(msg, url, k) && msg[k] == ':' && msg[k + 1] == ' ')
		return msg + k + 2;
	return msg;
}

/* Mirrors the loop below will still try after position k. */
static size_t left_after(const struct alu_mirrors *m, size_t k, size_t healthy)
{
	size_t left = 0;

	for (size_t j = k + 1; j < m->n; j++)
		left += !healthy || !m->v[(m->current + j) % m->n].failure;
	return left;
}

static int get(struct alu_net *n, struct alu_mirrors *m, const char *rel,
	const struct alu_net_opts *o, const struct req *q, struct alu_err *e)
{
	size_t healthy = 0;
	int r = 0;

	if (!m->n)
		return alu_err_set(e, -ALUE_CONFIG, "%s: no mirror or baseurl to fetch from", rel);

	if (m->current >= m->n)
		m->current = 0;
	for (size_t i = 0; i < m->n; i++)
		healthy += !m->v[i].failure;
	for (size_t k = 0; k < m->n; k++) {
		size_t i = (m->current + k) % m->n;
		struct alu_err le = { 0 };
		char *url;

		if (healthy && m->v[i].failure)
			continue;
		/* what a repository names is read under its base, never beside it */
		if (!alu_url_rel_within(m->v[i].url, rel))
			return alu_err_set(e, -ALUE_CORRUPT, "location '%.300s' refused: it leaves the repository "
				"%s (absolute, a URL, or '..' above the base)", rel, m->v[i].url);
		r = alu_url_join(m->v[i].url, rel, &url);
		if (r)
			return r;
		/* While another mirror is left, it is the retry: failing over at
		 * once beats AL2's retries=7 with backoff on a dead mirror. */
		struct alu_net_opts oo = o ? *o : (struct alu_net_opts){ 0 };
		if (left_after(m, k, healthy))
			oo.retries = 0;
		r = try_one(n, url, &oo, q, &le);
		if (r == 0) {
			free(m->v[i].failure);
			m->v[i].failure = NULL;
			m->current = i;
			free(url);
			return 0;
		}
		if (!mirror_fault(r)) {
			free(url);
			return le.code ? alu_err_set(e, r, "%s", le.msg) : r;
		}
		free(m->v[i].failure);
		m->v[i].failure = strdup(le.code ? reason(le.msg, url) : alu_strerror(r));
		free(url);
		if (!m->v[i].failure)
			return -ENOMEM;
	}
	/* every mirror failed: say what each one did */
	char msg[sizeof(e->msg)];
	size_t o2 = (size_t)snprintf(msg, sizeof(msg), "all %zu mirrors failed for %s", m->n, rel);
	for (size_t i = 0; i < m->n && o2 < sizeof(msg); i++)
		o2 += (size_t)snprintf(msg + o2, sizeof(msg) - o2, "%s %s: %s", i ? ";" : ":",
			m->v[i].url, m->v[i].failure ? m->v[i].failure : "not tried");
	return alu_err_set(e, -ALUE_MIRRORS, "%s", msg);
}

int alu_mirrors_get_file(struct alu_net *n, struct alu_mirrors *m, const char *relpath,
	const struct alu_net_opts *o, const char *dest, const char *expect_sha256,
	uint64_t expect_size, struct alu_err *e)
{
	struct req q = { .dest = dest, .sha = expect_sha256, .size = expect_size };

	return get(n, m, relpath, o, &q, e);
}

int alu_mirrors_get_mem(struct alu_net *n, struct alu_mirrors *m, const char *relpath,
	const struct alu_net_opts *o, size_t max, char **buf, size_t *len, struct alu_err *e)
{
	struct req q = { .max = max, .buf = buf, .len = len };

	return get(n, m, relpath, o, &q, e);
}
