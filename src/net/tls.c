/* SPDX-License-Identifier: MIT */
/*
 * TLS client on BearSSL. The X.509 engine is BearSSL's "minimal" one wrapped
 * in a small class of ours for two things BearSSL does not do:
 *  - IP-address hosts: BearSSL matches server names against dNSName only, so
 *    for an IP literal no name goes to BearSSL (and none to SNI, which must
 *    not carry IPs) and we match the address against the certificate's
 *    iPAddress SAN entries after BearSSL has validated the chain;
 *  - sslverify=0: the chain is not validated at all (accept_any), only the
 *    end-entity key is extracted for the key exchange.
 */
#include "net/net_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EE_MAX 32768 /* end-entity certificate kept for the iPAddress check */
#define CHAIN_MAX 8

struct x509_wrap {
	const br_x509_class *vtable;
	const br_x509_class **inner;  /* BearSSL's minimal engine; NULL: accept_any */
	unsigned index;               /* certificate being received, 0 = end entity */
	br_x509_decoder_context dc;   /* accept_any: the end entity's key */
	unsigned char ip[16];
	size_t iplen;                 /* 0: no address to check */
	unsigned char *ee;
	size_t ee_len;
	int ee_over;
};

struct alu_tls {
	br_ssl_client_context sc;
	br_x509_minimal_context xc;
	struct x509_wrap w;
	br_sslio_context ioc;
	br_x509_certificate chain[CHAIN_MAX];
	size_t nchain;
	br_skey_decoder_context skey;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* DER: read one tag and length; *p moves to the contents. */
static int der(const unsigned char **p, const unsigned char *end, int *tag, size_t *len)
{
	const unsigned char *q = *p;
	size_t l;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	l = *q++;
	if (l & 0x80) {
		int k = l & 0x7f;
		if (k == 0 || k > 3 || end - q < k)
			return -1;
		for (l = 0; k--; )
			l = l << 8 | *q++;
	}
	if ((size_t)(end - q) < l)
		return -1;
	*p = q;
	*len = l;
	return 0;
}

/* Does the certificate carry an iPAddress SAN equal to ip? (RFC 5280 4.2.1.6) */
static int san_has_ip(const unsigned char *c, size_t n, const unsigned char *ip, size_t iplen)
{
	static const unsigned char san_oid[] = { 0x55, 0x1d, 0x11 };
	const unsigned char *p = c, *end = c + n, *tend, *xend;
	size_t l;
	int tag;

	if (der(&p, end, &tag, &l) || tag != 0x30)       /* Certificate */
		return 0;
	if (der(&p, p + l, &tag, &l) || tag != 0x30)     /* TBSCertificate */
		return 0;
	tend = p + l;
	while (p < tend) {
		if (der(&p, tend, &tag, &l))
			return 0;
		if (tag != 0xa3) {                            /* [3] extensions */
			p += l;
			continue;
		}
		if (der(&p, p + l, &tag, &l) || tag != 0x30)
			return 0;
		xend = p + l;
		while (p < xend) {
			const unsigned char *ext, *eend;
			if (der(&p, xend, &tag, &l) || tag != 0x30)
				return 0;
			ext = p;
			eend = p + l;
			p = eend;
			if (der(&ext, eend, &tag, &l) || tag != 0x06)
				return 0;
			int is_san = l == sizeof(san_oid) && !memcmp(ext, san_oid, l);
			ext += l;
			if (!is_san)
				continue;
			if (der(&ext, eend, &tag, &l))
				return 0;
			if (tag == 0x01) {                    /* critical */
				ext += l;
				if (der(&ext, eend, &tag, &l))
					return 0;
			}
			if (tag != 0x04 || der(&ext, ext + l, &tag, &l) || tag != 0x30)
				return 0;
			const unsigned char *gend = ext + l;
			while (ext < gend) {
				if (der(&ext, gend, &tag, &l))
					return 0;
				if (tag == 0x87 && l == iplen && !memcmp(ext, ip, iplen))
					return 1;
				ext += l;
			}
			return 0;
		}
		return 0;
	}
	return 0;
}

static void w_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct x509_wrap *w = (struct x509_wrap *)ctx;

	w->index = 0;
	w->ee_len = 0;
	w->ee_over = 0;
	if (w->inner)
		(*w->inner)->start_chain(w->inner, server_name);
	else
		br_x509_decoder_init(&w->dc, NULL, NULL);
}

static void w_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct x509_wrap *w = (struct x509_wrap *)ctx;

	if (w->inner)
		(*w->inner)->start_cert(w->inner, length);
}

static void w_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct x509_wrap *w = (struct x509_wrap *)ctx;

	if (w->inner)
		(*w->inner)->append(w->inner, buf, len);
	if (w->index != 0)
		return;
	if (!w->inner)
		br_x509_decoder_push(&w->dc, buf, len);
	if (w->iplen && w->ee) {
		if (w->ee_len + len > EE_MAX) {
			w->ee_over = 1;
			return;
		}
		memcpy(w->ee + w->ee_len, buf, len);
		w->ee_len += len;
	}
}

static void w_end_cert(const br_x509_class **ctx)
{
	struct x509_wrap *w = (struct x509_wrap *)ctx;

	if (w->inner)
		(*w->inner)->end_cert(w->inner);
	w->index++;
}

static unsigned w_end_chain(const br_x509_class **ctx)
{
	struct x509_wrap *w = (struct x509_wrap *)ctx;
	unsigned r;

	if (!w->inner)
		return br_x509_decoder_get_pkey(&w->dc) ? 0 : BR_ERR_X509_UNSUPPORTED;
	r = (*w->inner)->end_chain(w->inner);
	if (r == 0 && w->iplen && (w->ee_over || !san_has_ip(w->ee, w->ee_len, w->ip, w->iplen)))
		r = BR_ERR_X509_BAD_SERVER_NAME;
	return r;
}

static const br_x509_pkey *w_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct x509_wrap *w = (const struct x509_wrap *)ctx;

	if (w->inner)
		return (*w->inner)->get_pkey(w->inner, usages);
	if (usages)
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey((br_x509_decoder_context *)&w->dc);
}

static const br_x509_class wrap_vtable = {
	sizeof(struct x509_wrap), w_start_chain, w_start_cert, w_append, w_end_cert,
	w_end_chain, w_get_pkey,
};

static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	int r = alu_sock_read(ctx, buf, len);
	return r > 0 ? r : -1;
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	int r = alu_sock_write(ctx, buf, len);
	return r > 0 ? r : -1;
}

static int add_cert(void *ctx, const char *label, const unsigned char *d, size_t n)
{
	struct alu_tls *t = ctx;
	unsigned char *c;

	if (t->nchain == CHAIN_MAX)
		return 0;
	c = malloc(n);
	if (!c)
		return -ENOMEM;
	memcpy(c, d, n);
	t->chain[t->nchain].data = c;
	t->chain[t->nchain++].data_len = n;
	return 0;
}

static int add_key(void *ctx, const char *label, const unsigned char *d, size_t n)
{
	struct alu_tls *t = ctx;

	br_skey_decoder_init(&t->skey);
	br_skey_decoder_push(&t->skey, d, n);
	return 0;
}

static int client_auth(struct alu_tls *t, const struct alu_net_opts *o, struct alu_err *e)
{
	const char *kp = o->clientkey ? o->clientkey : o->clientcert;
	int r;

	r = alu_pem_each(o->clientcert, "CERTIFICATE", add_cert, t, e);
	if (r >= 0 && t->nchain == 0)
		r = alu_err_set(e, -ALUE_TLS, "%s: no certificate in file", o->clientcert);
	if (r < 0)
		return r;
	r = alu_pem_each(kp, "PRIVATE KEY", add_key, t, e);
	if (r < 0)
		return r;
	if (r == 0 || br_skey_decoder_last_error(&t->skey))
		return alu_err_set(e, -ALUE_TLS, "%s: no usable RSA or EC private key", kp);
	if (br_skey_decoder_key_type(&t->skey) == BR_KEYTYPE_RSA)
		br_ssl_client_set_single_rsa(&t->sc, t->chain, t->nchain,
			br_skey_decoder_get_rsa(&t->skey), br_rsa_pkcs1_sign_get_default());
	else
		br_ssl_client_set_single_ec(&t->sc, t->chain, t->nchain,
			br_skey_decoder_get_ec(&t->skey), BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
			br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
	return 0;
}

void alu_tls_free(struct alu_tls *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nchain; i++)
		free(t->chain[i].data);
	free(t->w.ee);
	free(t);
}

static const char *tls_errstr(int err, char *buf, size_t n)
{
	switch (err) {
	case BR_ERR_X509_NOT_TRUSTED: return "certificate is not trusted (unknown CA)";
	case BR_ERR_X509_BAD_SERVER_NAME: return "certificate does not match the host name";
	case BR_ERR_X509_EXPIRED: return "certificate expired or not yet valid";
	case BR_ERR_X509_BAD_SIGNATURE: return "certificate signature is invalid";
	case BR_ERR_X509_NOT_CA: return "issuer is not a CA";
	case BR_ERR_X509_UNSUPPORTED: return "unsupported certificate";
	case BR_ERR_BAD_VERSION: case BR_ERR_UNSUPPORTED_VERSION:
		return "no common protocol version";
	case BR_ERR_BAD_CIPHER_SUITE: return "no common cipher suite";
	case BR_ERR_NO_CLIENT_AUTH: return "server requires a client certificate";
	case BR_ERR_IO: return "connection closed during handshake";
	}
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		snprintf(buf, n, "server sent alert %d", err - BR_ERR_RECV_FATAL_ALERT);
	else
		snprintf(buf, n, "BearSSL error %d", err);
	return buf;
}

const char *alu_tls_strerr(const struct alu_conn *c)
{
	static char buf[64];
	int err;

	if (!c->tls)
		return NULL;
	err = br_ssl_engine_last_error(&c->tls->sc.eng);
	return err ? tls_errstr(err, buf, sizeof(buf)) : NULL;
}

int alu_tls_start(struct alu_net *n, struct alu_conn *c, const char *host,
	const struct alu_net_opts *o, struct alu_err *e)
{
	const struct alu_trust *tr = NULL;
	struct alu_tls *t;
	const char *sni = host;
	int r;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	c->tls = t;
	if (!o->insecure) {
		r = alu_trust_get(n, o->cacert, &tr, e);
		if (r)
			return r;
	}
	br_ssl_client_init_full(&t->sc, &t->xc, tr ? tr->ta : NULL, tr ? tr->n : 0);
	t->w.vtable = &wrap_vtable;
	t->w.inner = o->insecure ? NULL : &t->xc.vtable;
	if (inet_pton(AF_INET, host, t->w.ip) == 1)
		t->w.iplen = 4;
	else if (inet_pton(AF_INET6, host, t->w.ip) == 1)
		t->w.iplen = 16;
	if (t->w.iplen) {
		sni = NULL;
		if (!o->insecure && !(t->w.ee = malloc(EE_MAX)))
			return -ENOMEM;
		if (o->insecure)
			t->w.iplen = 0;
	}
	br_ssl_engine_set_x509(&t->sc.eng, &t->w.vtable);
	br_ssl_engine_set_buffer(&t->sc.eng, t->iobuf, sizeof(t->iobuf), 1);
	if (o->clientcert) {
		r = client_auth(t, o, e);
		if (r)
			return r;
	}
	if (!br_ssl_client_reset(&t->sc, sni, 0))
		return alu_err_set(e, -ALUE_TLS, "https://%s: TLS setup failed", host);
	br_sslio_init(&t->ioc, &t->sc.eng, low_read, c, low_write, c);
	/* flushing with nothing to send drives the handshake to its end */
	if (br_sslio_flush(&t->ioc) == 0 && br_ssl_engine_current_state(&t->sc.eng) != BR_SSL_CLOSED)
		return 0;
	if (c->err) {
		char eb[128];
		return alu_err_set(e, c->err, "https://%s: TLS handshake: %s", host,
			alu_conn_strerr(c, eb, sizeof(eb)));
	}
	char b[64];
	r = br_ssl_engine_last_error(&t->sc.eng);
	return alu_err_set(e, -ALUE_TLS, "https://%s: TLS handshake: %s", host,
		r ? tls_errstr(r, b, sizeof(b)) : "connection closed");
}

int alu_tls_read(struct alu_conn *c, void *p, size_t n)
{
	int r = br_sslio_read(&c->tls->ioc, p, n);

	if (r > 0)
		return r;
	if (c->err)
		return -1;
	/* a close_notify, or a TCP close without it: both end the stream; a
	 * missing close_notify can only shorten a body, which the framing or
	 * the checksum catches */
	if (br_ssl_engine_last_error(&c->tls->sc.eng) == 0 || c->eof) {
		c->eof = 1;
		return 0;
	}
	c->err = -ALUE_TLS;
	return -1;
}

int alu_tls_write(struct alu_conn *c, const void *p, size_t n)
{
	if (br_sslio_write_all(&c->tls->ioc, p, n) || br_sslio_flush(&c->tls->ioc)) {
		if (!c->err)
			c->err = c->eof ? -ALUE_NET : -ALUE_TLS;
		return -1;
	}
	return 0;
}
