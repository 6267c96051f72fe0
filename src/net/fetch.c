/* SPDX-License-Identifier: MIT */
/*
 * GET over HTTP/1.1: one request and response on a (possibly kept-alive)
 * connection, redirects, Range resume, retries with backoff. The body goes
 * to a sink, either a file (the .part of a download) or memory; fetch_file.c
 * wraps the file case with checksums and the rename.
 */
#include "net/fetch.h"
#include "net/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDIRECTS_MAX 5
#define DRAIN_MAX (256 * 1024) /* an error or redirect body worth reading to keep the connection */
enum { GOT = 0, REDIRECT = 1, RESTART = 2 };

int alu_sink_reset(struct alu_sink *s)
{
	s->have = 0;
	s->len = 0;
	if (s->fd >= 0 && (ftruncate(s->fd, 0) || lseek(s->fd, 0, SEEK_SET) < 0))
		return -errno;
	return 0;
}

int alu_sink_write(struct alu_sink *s, const char *p, size_t n, const char *url,
	struct alu_err *e)
{
	if (s->fd < 0) {
		if (s->len + n > s->max)
			return alu_err_set(e, -ALUE_HTTP, "%s: larger than %zu bytes", url, s->max);
		if (s->len + n + 1 > s->cap) {
			size_t cap = s->cap ? s->cap : 16384;
			while (cap < s->len + n + 1)
				cap *= 2;
			char *m = realloc(s->mem, cap);
			if (!m)
				return -ENOMEM;
			s->mem = m;
			s->cap = cap;
		}
		memcpy(s->mem + s->len, p, n);
		s->len += n;
		s->mem[s->len] = 0;
	} else {
		if (s->fmax && s->have + n > s->fmax) {
			s->over = 1;
			return alu_err_set(e, -ALUE_HTTP, "%s: larger than the %llu bytes expected", url,
				(unsigned long long)s->fmax);
		}
		while (n) {
			ssize_t w = write(s->fd, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return alu_err_set(e, -errno, "%s: write: %s", s->path, strerror(errno));
			p += w;
			n -= (size_t)w;
			s->have += (uint64_t)w;
		}
		return 0;
	}
	s->have += n;
	return 0;
}

/* Location may be absolute, scheme-relative, path-absolute or relative. */
static int resolve(const char *cur, const char *loc, char **out)
{
	const char *s = strstr(cur, "://");
	size_t i = 0;

	while (isalnum((unsigned char)loc[i]) || loc[i] == '+' || loc[i] == '-' || loc[i] == '.')
		i++;
	if (i && !strncmp(loc + i, "://", 3))
		return alu_url_join("", loc, out);
	if (loc[0] == '/' && loc[1] == '/') {
		if (asprintf(out, "%.*s:%s", (int)(s - cur), cur, loc) < 0)
			return -ENOMEM;
		return 0;
	}
	if (loc[0] == '/')
		return alu_url_join(cur, loc, out);
	/* relative to the directory of the current path, query dropped */
	size_t end = strcspn(cur, "?#");
	const char *slash = cur + end;
	while (slash > s + 3 && slash[-1] != '/')
		slash--;
	if (asprintf(out, "%.*s%s%s", (int)(slash - cur), cur, slash == s + 3 ? "/" : "", loc) < 0)
		return -ENOMEM;
	return 0;
}

static int build_request(char *req, size_t n, const struct alu_url *u, const char *url,
	const struct alu_net_opts *o, uint64_t from)
{
	char host[ALU_NET_HOST_MAX + 16], range[48] = "", auth[400] = "", pauth[400] = "";
	int dflt = u->port == (strcmp(u->scheme, "https") ? 80 : 443);
	/* a plain-http proxy is sent the absolute URL; https tunnels via CONNECT */
	int absolute = o->proxy && !strcmp(u->scheme, "http");
	int k;

	snprintf(host, sizeof(host), "%s%s%s", u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "");
	if (!dflt)
		snprintf(host + strlen(host), sizeof(host) - strlen(host), ":%d", u->port);
	if (from)
		snprintf(range, sizeof(range), "Range: bytes=%llu-\r\n", (unsigned long long)from);
	if (u->userinfo[0]) {
		char cred[360];
		alu_net_basic_auth(u->userinfo, cred, sizeof(cred));
		snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", cred);
	}
	if (absolute) {
		struct alu_url pu;
		if (alu_url_parse(&pu, o->proxy, NULL) == 0)
			alu_net_proxy_auth(o, &pu, pauth, sizeof(pauth));
		alu_url_free(&pu);
	}
	k = snprintf(req, n, "GET %s%s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: alupdate/" ALU_VERSION
		"\r\nAccept: */*\r\nAccept-Encoding: identity\r\n%s%s%sConnection: keep-alive\r\n\r\n",
		absolute ? "http://" : "", absolute ? host : "", u->path, host, range, auth, pauth);
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

static int io_error(struct alu_conn *c, const char *url, const char *when, int *retry,
	struct alu_err *e)
{
	char eb[160];

	*retry = 1;
	return alu_err_set(e, c->err ? c->err : -ALUE_NET, "%s: %s: %s", url, when,
		alu_conn_strerr(c, eb, sizeof(eb)));
}

/* Read the body, framed by Content-Length, chunks, or the end of the connection. */
static int body(struct alu_conn *c, struct alu_http_head *h, struct alu_sink *s,
	struct alu_progress *pg, const char *url, int *retry, struct alu_err *e)
{
	struct alu_http_chunked ck = { 0 };
	uint64_t want = h->length >= 0 ? (uint64_t)h->length : 0, got = 0;
	uint64_t total = h->status == 206 && h->range_total > 0 ? (uint64_t)h->range_total
		: h->length >= 0 ? s->have + (uint64_t)h->length : 0;
	int r;

	if (s->fd < 0 && h->length > 0 && (uint64_t)h->length > s->max)
		return alu_err_set(e, -ALUE_HTTP, "%s: larger than %zu bytes", url, s->max);
	/* a file's size is known from the metadata: say so before reading any of it */
	if (s->fd >= 0 && s->fmax && h->length > 0 && s->have + (uint64_t)h->length > s->fmax) {
		s->over = 1;
		return alu_err_set(e, -ALUE_HTTP, "%s: larger than the %llu bytes expected (Content-Length %lld)",
			url, (unsigned long long)s->fmax, (long long)h->length);
	}
	while (h->chunked ? !ck.done : h->length >= 0 ? got < want : 1) {
		int n = alu_conn_fill(c);
		size_t take, used;
		if (n < 0)
			return io_error(c, url, "reading body", retry, e);
		if (n == 0) {
			if (!h->chunked && h->length < 0)
				break; /* close-delimited body */
			*retry = 1;
			if (h->chunked)
				return alu_err_set(e, -ALUE_NET, "%s: short read (chunked body cut after %llu bytes)",
					url, (unsigned long long)got);
			return alu_err_set(e, -ALUE_NET, "%s: short read (got %llu of %llu bytes)", url,
				(unsigned long long)got, (unsigned long long)want);
		}
		char *p = c->rbuf + c->rpos;
		if (h->chunked) {
			r = alu_http_chunked_feed(&ck, p, (size_t)n, &used, &take);
			if (r)
				return alu_err_set(e, r, "%s: malformed chunked body", url);
			c->rpos += used;
		} else {
			take = (size_t)n;
			if (h->length >= 0 && take > want - got)
				take = (size_t)(want - got);
			c->rpos += take;
		}
		r = alu_sink_write(s, p, take, url, e);
		if (r)
			return r;
		got += take;
		alu_progress_update(pg, s->have, total);
	}
	if (h->chunked || h->length >= 0)
		return 0;
	h->close = 1;
	return 0;
}

/* Skip a body we do not want, if it is small; otherwise the connection goes. */
static void drain(struct alu_conn *c, struct alu_http_head *h)
{
	struct alu_sink s = { .fd = -1, .max = DRAIN_MAX };
	struct alu_progress pg = { 0 };
	int retry;

	if (h->status == 204 || h->status == 304)
		return;
	if (h->chunked || (h->length >= 0 && h->length <= DRAIN_MAX)) {
		if (body(c, h, &s, &pg, "", &retry, NULL) == 0) {
			free(s.mem);
			return;
		}
		free(s.mem);
	}
	h->close = 1;
}

/* One request and its response on one connection. */
static int exchange(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	struct alu_sink *s, struct alu_progress *pg, char **location, int *retry, struct alu_err *e)
{
	struct alu_http_head h = { 0 };
	struct alu_url u;
	struct alu_conn *c = NULL;
	char req[8192];
	int r, stale, keep = 0;

	r = alu_url_parse(&u, url, e);
	if (r)
		goto out;
	if (!strcmp(u.scheme, "file")) {
		r = alu_err_set(e, -ALUE_UNSUPPORTED, "%s: redirect to a file URL refused", url);
		goto out;
	}
	if (build_request(req, sizeof(req), &u, url, o, s->have)) {
		r = alu_err_set(e, -ALUE_CONFIG, "%s: URL too long", url);
		goto out;
	}
	do {
		size_t used;
		int done = 0;

		r = alu_conn_get(n, &u, o, &c, e);
		if (r) {
			*retry = r != -ALUE_TLS && r != -ALUE_CONFIG && r != -ENOMEM;
			goto out;
		}
		/* an idle connection the server has closed fails at once: retry on a new one */
		stale = c->reused;
		if (alu_conn_write(c, req, strlen(req)))
			goto io;
		while (!done) {
			int k = alu_conn_fill(c);
			if (k <= 0)
				goto io;
			stale = 0;
			r = alu_http_head_feed(&h, c->rbuf + c->rpos, (size_t)k, &used);
			c->rpos += used;
			if (r < 0) {
				r = alu_err_set(e, r, "%s: malformed HTTP response", url);
				goto out;
			}
			if (r == 1 && h.status < 200 && h.status != 101) {
				alu_http_head_free(&h); /* 100 Continue, 103 Early Hints */
				continue;
			}
			done = r;
		}
		break;
io:
		if (!stale) {
			r = io_error(c, url, h.len ? "reading response" : "waiting for response", retry, e);
			goto out;
		}
		alu_conn_close(c);
		c = NULL;
	} while (1);

	if (h.status >= 300 && h.status <= 399 && h.status != 304 && h.location) {
		*location = h.location;
		h.location = NULL;
		drain(c, &h);
		keep = !h.close;
		r = REDIRECT;
	} else if (h.status == 416 && s->have) {
		drain(c, &h);
		keep = !h.close;
		r = RESTART;
	} else if (h.status < 200 || h.status > 299) {
		*retry = h.status >= 500 || h.status == 408 || h.status == 429;
		drain(c, &h);
		keep = !h.close;
		r = alu_err_set(e, -ALUE_HTTP, "%s: HTTP %d %s", url, h.status, h.reason);
	} else if (h.status == 206 && (!s->have || h.range_start != (int64_t)s->have)) {
		r = RESTART;
	} else {
		if (h.status != 206 && s->have && (r = alu_sink_reset(s)) != 0)
			goto out;
		r = body(c, &h, s, pg, url, retry, e);
		keep = r == 0 && !h.close;
	}
out:
	if (c)
		alu_conn_put(n, c, keep);
	alu_http_head_free(&h);
	alu_url_free(&u);
	return r;
}

static int http_get(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	struct alu_sink *s, int *retry, struct alu_err *e)
{
	struct alu_progress pg;
	char *cur = NULL, *loc = NULL;
	int r, hops = 0, restarts = 0;

	if (o->query && *o->query)
		r = asprintf(&cur, "%s%c%s", url, strchr(url, '?') ? '&' : '?', o->query) < 0;
	else
		r = !(cur = strdup(url));
	if (r)
		return -ENOMEM;
	alu_progress_start(&pg, o, url);
	for (;;) {
		*retry = 0;
		r = exchange(n, cur, o, s, &pg, &loc, retry, e);
		if (r == RESTART && restarts++ == 0) {
			r = alu_sink_reset(s);
			if (r)
				break;
			continue;
		}
		if (r == RESTART) {
			r = alu_err_set(e, -ALUE_HTTP, "%s: server ignores byte ranges", url);
			break;
		}
		if (r != REDIRECT)
			break;
		if (++hops > REDIRECTS_MAX) {
			r = alu_err_set(e, -ALUE_HTTP, "%s: more than %d redirects", url, REDIRECTS_MAX);
			break;
		}
		char *next;
		r = resolve(cur, loc, &next);
		free(loc);
		loc = NULL;
		if (r)
			break;
		if (!alu_url_step_ok(cur, next)) {
			r = alu_err_set(e, -ALUE_HTTP, "%s: redirect to %s refused (https never leads to http, "
				"nor http(s) to file://)", url, next);
			free(next);
			break;
		}
		free(cur);
		cur = next;
	}
	alu_progress_end(&pg);
	free(loc);
	free(cur);
	return r;
}

static void backoff(const struct alu_net_opts *o, int attempt)
{
	long ms = o->backoff_ms > 0 ? o->backoff_ms : ALU_NET_BACKOFF_DEFAULT;
	struct timespec ts;

	while (attempt-- > 0 && ms < ALU_NET_BACKOFF_MAX)
		ms *= 2;
	if (ms > ALU_NET_BACKOFF_MAX)
		ms = ALU_NET_BACKOFF_MAX;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int alu_fetch(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	struct alu_sink *s, struct alu_err *e)
{
	int attempt = 0, r, retry;

	for (;;) {
		struct alu_err le = { 0 };
		r = http_get(n, url, o, s, &retry, &le);
		if (r == 0)
			return 0;
		if (!retry || attempt >= o->retries || r == -ENOMEM || le.code == 0) {
			if (le.code)
				return alu_err_set(e, r, "%s", le.msg);
			return alu_err_set(e, r, "%s: %s", url, alu_strerror(r));
		}
		backoff(o, attempt++);
		if (s->fd < 0)
			alu_sink_reset(s);
	}
}
