/* SPDX-License-Identifier: MIT */
/*
 * TCP connections: non-blocking connect bounded by the timeout, reads and
 * writes bounded by poll(), an idle pool for keep-alive, and the proxy
 * CONNECT tunnel for https.
 */
#include "net/net_int.h"
#include "net/http.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int alu_net_new(struct alu_net **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void alu_net_free(struct alu_net *n)
{
	if (!n)
		return;
	while (n->idle) {
		struct alu_conn *c = n->idle;
		n->idle = c->next;
		alu_conn_close(c);
	}
	alu_trust_free_all(n->trust);
	free(n);
}

unsigned alu_net_connections(const struct alu_net *n)
{
	return n->nconnect;
}

void alu_conn_close(struct alu_conn *c)
{
	if (!c)
		return;
	alu_tls_free(c->tls);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static int wait_fd(struct alu_conn *c, short ev)
{
	struct pollfd pfd = { .fd = c->fd, .events = ev };
	int r;

	do
		r = poll(&pfd, 1, c->timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		c->err = -ALUE_TIMEOUT;
		return -1;
	}
	if (r < 0) {
		c->err = -ALUE_NET;
		c->err_errno = errno;
		return -1;
	}
	return 0;
}

/* After a recv() or send() that failed with errno: 0 when the call should be
 * made again (interrupted, or the socket became ready for @p ev), -1 with
 * the error latched in @p c. */
static int wait_retry(struct alu_conn *c, short ev)
{
	if (errno == EINTR)
		return 0;
	if (errno != EAGAIN && errno != EWOULDBLOCK) {
		c->err = -ALUE_NET;
		c->err_errno = errno;
		return -1;
	}
	return wait_fd(c, ev);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* dnf's minrate: a peer that sends fewer than ALU_NET_MINRATE bytes a second,
 * averaged over one timeout period, is given up on like one that sends
 * nothing; otherwise a trickle would keep a transfer alive for ever. */
static int too_slow(struct alu_conn *c, size_t got)
{
	int64_t t = now_ms();

	if (!c->win_start)
		c->win_start = t;
	c->win_bytes += got;
	if (t - c->win_start < c->timeout_ms)
		return 0;
	if (c->win_bytes * 1000 < (uint64_t)ALU_NET_MINRATE * (uint64_t)(t - c->win_start)) {
		c->err = -ALUE_TIMEOUT;
		c->slow = 1;
		return 1;
	}
	c->win_start = t;
	c->win_bytes = 0;
	return 0;
}

int alu_sock_read(struct alu_conn *c, void *p, size_t n)
{
	for (;;) {
		ssize_t r = recv(c->fd, p, n, 0);
		if (r > 0)
			return too_slow(c, (size_t)r) ? -1 : (int)r;
		if (r == 0) {
			c->eof = 1;
			return 0;
		}
		if (wait_retry(c, POLLIN))
			return -1;
	}
}

int alu_sock_write(struct alu_conn *c, const void *p, size_t n)
{
	/* a request starts: the low-speed window starts with it */
	c->win_start = 0;
	c->win_bytes = 0;
	for (;;) {
		ssize_t r = send(c->fd, p, n, MSG_NOSIGNAL);
		if (r >= 0)
			return (int)r;
		if (wait_retry(c, POLLOUT))
			return -1;
	}
}

int alu_conn_fill(struct alu_conn *c)
{
	int r;

	if (c->rpos < c->rlen)
		return (int)(c->rlen - c->rpos);
	c->rpos = c->rlen = 0;
	if (c->err)
		return -1;
	r = c->tls ? alu_tls_read(c, c->rbuf, sizeof(c->rbuf))
		: alu_sock_read(c, c->rbuf, sizeof(c->rbuf));
	if (r > 0)
		c->rlen = (size_t)r;
	return r;
}

int alu_conn_write(struct alu_conn *c, const void *p, size_t n)
{
	if (c->tls)
		return alu_tls_write(c, p, n);
	while (n) {
		int r = alu_sock_write(c, p, n);
		if (r < 0)
			return -1;
		p = (const char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

const char *alu_conn_strerr(const struct alu_conn *c, char *buf, size_t n)
{
	if (c->err == -ALUE_TIMEOUT && c->slow)
		snprintf(buf, n, "too slow: under %d bytes/s for %d s", ALU_NET_MINRATE,
			 c->timeout_ms / 1000);
	else if (c->err == -ALUE_TIMEOUT)
		snprintf(buf, n, "timed out after %d s", c->timeout_ms / 1000);
	else if (c->err_errno)
		snprintf(buf, n, "%s", strerror(c->err_errno));
	else if (c->tls && alu_tls_strerr(c))
		snprintf(buf, n, "TLS: %s", alu_tls_strerr(c));
	else
		snprintf(buf, n, "connection closed by peer");
	return buf;
}

/* Try each address of host in turn; the timeout bounds each attempt. */
static int tcp_connect(struct alu_conn *c, const char *host, int port, const char *what,
	struct alu_err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL, *a;
	char ps[8];
	int r, saved = 0, timed_out = 0;

	snprintf(ps, sizeof(ps), "%d", port);
	r = getaddrinfo(host, ps, &hints, &ai);
	if (r)
		return alu_err_set(e, -ALUE_NET, "%s: resolve %s: %s", what, host,
			r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	for (a = ai; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			a->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		c->fd = fd;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			socklen_t sl = sizeof(saved);
			c->err = 0;
			if (wait_fd(c, POLLOUT) == 0 &&
					getsockopt(fd, SOL_SOCKET, SO_ERROR, &saved, &sl) == 0 && saved == 0)
				break;
			if (c->err == -ALUE_TIMEOUT)
				timed_out = 1;
			else if (c->err)
				saved = c->err_errno;
		} else {
			saved = errno;
		}
		close(fd);
		c->fd = -1;
	}
	freeaddrinfo(ai);
	c->err = 0;
	c->err_errno = 0;
	if (c->fd < 0) {
		if (timed_out && !saved)
			return alu_err_set(e, -ALUE_TIMEOUT, "%s: connect to %s port %d: timed out after %d s",
				what, host, port, c->timeout_ms / 1000);
		return alu_err_set(e, -ALUE_NET, "%s: connect to %s port %d: %s", what, host, port,
			strerror(saved ? saved : ECONNREFUSED));
	}
	return 0;
}

static void b64(const char *in, char *out, size_t outn)
{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = strlen(in), o = 0;

	for (size_t i = 0; i < n && o + 5 < outn; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}
	out[o] = 0;
}

void alu_net_basic_auth(const char *userinfo, char *out, size_t outn)
{
	char dec[256];
	size_t o = 0;

	/* userinfo is percent-encoded in the URL; the header wants it raw */
	for (const char *p = userinfo; *p && o + 1 < sizeof(dec); p++) {
		if (p[0] == '%' && p[1] && p[2]) {
			char hx[3] = { p[1], p[2], 0 };
			char *end;
			long v = strtol(hx, &end, 16);
			if (!*end) {
				dec[o++] = (char)v;
				p += 2;
				continue;
			}
		}
		dec[o++] = *p;
	}
	dec[o] = 0;
	b64(dec, out, outn);
}

void alu_net_proxy_auth(const struct alu_net_opts *o, const struct alu_url *pu, char *out,
	size_t outn)
{
	char cred[360];

	out[0] = 0;
	if (o->proxy_username) {
		char raw[256];
		snprintf(raw, sizeof(raw), "%s:%s", o->proxy_username,
			o->proxy_password ? o->proxy_password : "");
		b64(raw, cred, sizeof(cred));
	} else if (pu->userinfo[0]) {
		alu_net_basic_auth(pu->userinfo, cred, sizeof(cred));
	} else {
		return;
	}
	snprintf(out, outn, "Proxy-Authorization: Basic %s\r\n", cred);
}

/* Ask the proxy for a tunnel; the answer must be 2xx and have no body. */
static int proxy_connect(struct alu_conn *c, const struct alu_url *u, const struct alu_url *pu,
	const struct alu_net_opts *o, const char *what, struct alu_err *e)
{
	char req[1024], auth[400] = "";
	struct alu_http_head h = { 0 };
	int r = 0, done = 0;

	alu_net_proxy_auth(o, pu, auth, sizeof(auth));
	const char *lb = u->ipv6 ? "[" : "", *rb = u->ipv6 ? "]" : "";
	snprintf(req, sizeof(req), "CONNECT %s%s%s:%d HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
		"User-Agent: alupdate/" ALU_VERSION "\r\n%s\r\n",
		lb, u->host, rb, u->port, lb, u->host, rb, u->port, auth);
	if (alu_conn_write(c, req, strlen(req)))
		goto io;
	while (!done) {
		size_t used;
		int n = alu_conn_fill(c);
		if (n <= 0)
			goto io;
		r = alu_http_head_feed(&h, c->rbuf + c->rpos, (size_t)n, &used);
		c->rpos += used;
		if (r < 0) {
			r = alu_err_set(e, -ALUE_HTTP, "%s: proxy %s: malformed response", what, pu->host);
			goto out;
		}
		done = r;
	}
	r = 0;
	if (h.status < 200 || h.status > 299)
		r = alu_err_set(e, -ALUE_HTTP, "%s: proxy %s refused CONNECT: HTTP %d %s", what,
			pu->host, h.status, h.reason);
	goto out;
io: {
		char eb[128];
		r = alu_err_set(e, c->err ? c->err : -ALUE_NET, "%s: proxy %s: %s", what, pu->host,
			alu_conn_strerr(c, eb, sizeof(eb)));
	}
out:
	alu_http_head_free(&h);
	return r;
}

static void make_key(char *key, size_t n, const struct alu_url *u, const struct alu_net_opts *o)
{
	/* a connection is only shared by requests that would set it up the same way */
	snprintf(key, n, "%s://%s:%d %s %s %d %s %s %s", u->scheme, u->host, u->port,
		o->proxy ? o->proxy : "", o->proxy_username ? o->proxy_username : "", o->insecure, o->cacert ? o->cacert : "",
		o->clientcert ? o->clientcert : "", o->clientkey ? o->clientkey : "");
}

int alu_conn_get(struct alu_net *n, const struct alu_url *u, const struct alu_net_opts *o,
	struct alu_conn **out, struct alu_err *e)
{
	char key[ALU_CONN_KEY_MAX], what[ALU_NET_HOST_MAX + 16];
	struct alu_conn **pp, *c;
	struct alu_url pu = { 0 };
	int tls = !strcmp(u->scheme, "https"), r;

	*out = NULL;
	make_key(key, sizeof(key), u, o);
	for (pp = &n->idle; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->key, key)) {
			c = *pp;
			*pp = c->next;
			c->next = NULL;
			c->reused = 1;
			c->timeout_ms = (o->timeout > 0 ? o->timeout : ALU_NET_TIMEOUT_DEFAULT) * 1000;
			*out = c;
			return 0;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	memcpy(c->key, key, sizeof(key));
	c->timeout_ms = (o->timeout > 0 ? o->timeout : ALU_NET_TIMEOUT_DEFAULT) * 1000;
	snprintf(what, sizeof(what), "%s://%s%s%s", u->scheme, u->ipv6 ? "[" : "", u->host,
		u->ipv6 ? "]" : "");
	if (o->proxy) {
		r = alu_url_parse(&pu, o->proxy, e);
		if (!r && strcmp(pu.scheme, "http"))
			r = alu_err_set(e, -ALUE_CONFIG, "proxy %s: only http:// proxies are supported",
				o->proxy);
		if (!r)
			r = tcp_connect(c, pu.host, pu.port, what, e);
		if (!r && tls)
			r = proxy_connect(c, u, &pu, o, what, e);
	} else {
		r = tcp_connect(c, u->host, u->port, what, e);
	}
	if (!r)
		n->nconnect++;
	if (!r && tls)
		r = alu_tls_start(n, c, u->host, o, e);
	alu_url_free(&pu);
	if (r) {
		alu_conn_close(c);
		return r;
	}
	*out = c;
	return 0;
}

void alu_conn_put(struct alu_net *n, struct alu_conn *c, int reusable)
{
	struct alu_conn **pp;
	unsigned k = 0;

	if (!c)
		return;
	if (!reusable || c->err || c->eof || c->rpos < c->rlen) {
		alu_conn_close(c);
		return;
	}
	c->reused = 0;
	c->next = n->idle;
	n->idle = c;
	/* drop the oldest beyond the limit */
	for (pp = &n->idle; *pp; pp = &(*pp)->next) {
		if (++k > ALU_NET_POOL_MAX) {
			struct alu_conn *old = *pp;
			*pp = NULL;
			while (old) {
				struct alu_conn *nx = old->next;
				alu_conn_close(old);
				old = nx;
			}
			break;
		}
	}
}
