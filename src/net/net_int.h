/* SPDX-License-Identifier: MIT */
/*
 * Internals of src/net shared between its files: connections (TCP, TLS,
 * proxy), trust anchors, progress lines. Not for use outside src/net.
 */
#ifndef ALU_NET_INT_H
#define ALU_NET_INT_H

#include <bearssl.h>
#include <stdint.h>

#include "net/net.h"

#define ALU_CONN_RBUF 16384
#define ALU_NET_POOL_MAX 8     /* idle connections kept */
#define ALU_CONN_KEY_MAX 600

/* A set of trust anchors decoded from one PEM bundle. */
struct alu_trust {
	struct alu_trust *next;
	char *path;
	br_x509_trust_anchor *ta;
	size_t n, cap;
};

struct alu_tls;

/* One TCP connection, plain or TLS, possibly through a proxy. */
struct alu_conn {
	struct alu_conn *next;     /* in the idle pool */
	char key[ALU_CONN_KEY_MAX]; /* "scheme://host:port proxy" */
	int fd;
	int timeout_ms;
	int err;                   /* first transport error: -ALUE_TIMEOUT or -ALUE_NET */
	int err_errno;
	int eof;                   /* the peer closed its side */
	int reused;                /* taken from the pool: may have been closed by the server */
	int slow;                  /* err is -ALUE_TIMEOUT because of ALU_NET_MINRATE */
	int64_t win_start;         /* low-speed window: start (ms, monotonic) ... */
	uint64_t win_bytes;        /* ... and bytes read since */
	struct alu_tls *tls;       /* NULL for plain TCP */
	char rbuf[ALU_CONN_RBUF];
	size_t rpos, rlen;
};

struct alu_net {
	struct alu_conn *idle;
	unsigned nconnect;
	struct alu_trust *trust;
};

/* conn.c: open (connect, proxy CONNECT, TLS handshake) or take from the pool */
int alu_conn_get(struct alu_net *n, const struct alu_url *u, const struct alu_net_opts *o,
	struct alu_conn **out, struct alu_err *e);
/* give back after a complete response that allows reuse; else closes */
void alu_conn_put(struct alu_net *n, struct alu_conn *c, int reusable);
void alu_conn_close(struct alu_conn *c);
/* buffered read: fills c->rbuf; returns bytes available (>0), 0 at EOF, <0 error */
int alu_conn_fill(struct alu_conn *c);
int alu_conn_write(struct alu_conn *c, const void *p, size_t n);
/* describe c->err for a message */
const char *alu_conn_strerr(const struct alu_conn *c, char *buf, size_t n);

/* raw socket I/O with the connection's timeout, used by conn.c and tls.c */
int alu_sock_read(struct alu_conn *c, void *p, size_t n);
int alu_sock_write(struct alu_conn *c, const void *p, size_t n);

/* "Basic" credentials (base64) for a percent-encoded "user:pass" */
void alu_net_basic_auth(const char *userinfo, char *out, size_t outn);
/* "Proxy-Authorization: Basic ...\r\n" for o and its parsed proxy URL, or "" */
void alu_net_proxy_auth(const struct alu_net_opts *o, const struct alu_url *pu, char *out,
	size_t outn);

/* tls.c */
int alu_tls_start(struct alu_net *n, struct alu_conn *c, const char *host,
	const struct alu_net_opts *o, struct alu_err *e);
void alu_tls_free(struct alu_tls *t);
int alu_tls_read(struct alu_conn *c, void *p, size_t n);
int alu_tls_write(struct alu_conn *c, const void *p, size_t n);
/* describe the last TLS error */
const char *alu_tls_strerr(const struct alu_conn *c);

/* trust.c: the anchors of a PEM bundle (cached in n for the run) */
int alu_trust_get(struct alu_net *n, const char *path, const struct alu_trust **out,
	struct alu_err *e);
void alu_trust_free_all(struct alu_trust *t);
/* the DER blocks of a PEM file whose label ends in @p suffix ("CERTIFICATE",
 * "PRIVATE KEY"); calls cb for each; returns count or <0 */
int alu_pem_each(const char *path, const char *suffix,
	int (*cb)(void *ctx, const char *label, const unsigned char *der, size_t n), void *ctx,
	struct alu_err *e);

/* progress.c */
struct alu_progress {
	const char *label;
	int on;                   /* drawing at all */
	uint64_t total, done, base;
	uint64_t t0_ms, last_ms;
	int drawn;
};
void alu_progress_start(struct alu_progress *p, const struct alu_net_opts *o, const char *url);
void alu_progress_update(struct alu_progress *p, uint64_t done, uint64_t total);
void alu_progress_end(struct alu_progress *p);
uint64_t alu_now_ms(void);

#endif
