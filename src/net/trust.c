/* SPDX-License-Identifier: MIT */
/*
 * Trust anchors from a PEM bundle: each CERTIFICATE block is decoded with
 * BearSSL's X.509 decoder and reduced to what an anchor needs (subject DN,
 * public key, CA flag). Certificates BearSSL can not use (Ed25519 keys, say)
 * are skipped, as a system bundle may hold a few.
 */
#include "net/net_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PEM_FILE_MAX (16u << 20)

static const char *const system_bundles[] = {
	"/etc/pki/tls/certs/ca-bundle.crt",             /* Amazon Linux, RHEL, Fedora */
	"/etc/ssl/certs/ca-certificates.crt",           /* Debian, Ubuntu, Alpine */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/ca-bundle.pem",                        /* SUSE */
	"/etc/ssl/cert.pem",
	NULL,
};

struct vbuf {
	unsigned char *p;
	size_t n, cap;
	int oom;
};

static void vbuf_append(void *ctx, const void *data, size_t len)
{
	struct vbuf *v = ctx;

	if (v->oom)
		return;
	if (v->n + len > v->cap) {
		size_t cap = v->cap ? v->cap : 2048;
		while (cap < v->n + len)
			cap *= 2;
		unsigned char *p = realloc(v->p, cap);
		if (!p) {
			v->oom = 1;
			return;
		}
		v->p = p;
		v->cap = cap;
	}
	memcpy(v->p + v->n, data, len);
	v->n += len;
}

static int read_all(const char *path, unsigned char **out, size_t *len, struct alu_err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	*out = NULL;
	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || st.st_size > PEM_FILE_MAX) {
		close(fd);
		return alu_err_set(e, -EFBIG, "%s: not a regular file of sensible size", path);
	}
	*out = malloc((size_t)st.st_size + 2);
	if (!*out) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, *out + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	/* a last line without newline would leave the final END unseen */
	(*out)[got] = '\n';
	*len = got + 1;
	return 0;
}

int alu_pem_each(const char *path, const char *suffix,
	int (*cb)(void *ctx, const char *label, const unsigned char *der, size_t n), void *ctx,
	struct alu_err *e)
{
	br_pem_decoder_context pc;
	struct vbuf der = { 0 };
	unsigned char *buf;
	size_t len = 0, off = 0, sl = strlen(suffix);
	char label[128] = "";
	int r, count = 0, in = 0;

	r = read_all(path, &buf, &len, e);
	if (r)
		return r;
	br_pem_decoder_init(&pc);
	while (off < len) {
		off += br_pem_decoder_push(&pc, buf + off, len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ: {
			const char *nm = br_pem_decoder_name(&pc);
			size_t nl = strlen(nm);
			in = nl >= sl && !strcmp(nm + nl - sl, suffix);
			snprintf(label, sizeof(label), "%s", nm);
			der.n = 0;
			br_pem_decoder_setdest(&pc, in ? vbuf_append : NULL, &der);
			break;
		}
		case BR_PEM_END_OBJ:
			if (in) {
				if (der.oom) {
					r = -ENOMEM;
					goto out;
				}
				r = cb(ctx, label, der.p, der.n);
				if (r < 0)
					goto out;
				count++;
			}
			in = 0;
			break;
		case BR_PEM_ERROR:
			r = alu_err_set(e, -ALUE_CORRUPT, "%s: malformed PEM", path);
			goto out;
		}
	}
	r = count;
out:
	free(der.p);
	free(buf);
	return r;
}

static int add_anchor(void *ctx, const char *label, const unsigned char *der, size_t n)
{
	struct alu_trust *t = ctx;
	br_x509_decoder_context dc;
	struct vbuf dn = { 0 };
	const br_x509_pkey *pk;
	br_x509_trust_anchor *ta;

	br_x509_decoder_init(&dc, vbuf_append, &dn);
	br_x509_decoder_push(&dc, der, n);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || dn.oom) {
		free(dn.p);
		return dn.oom ? -ENOMEM : 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		ta = realloc(t->ta, cap * sizeof(*ta));
		if (!ta) {
			free(dn.p);
			return -ENOMEM;
		}
		t->ta = ta;
		t->cap = cap;
	}
	ta = &t->ta[t->n];
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = dn.p;
	ta->dn.len = dn.n;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		const br_rsa_public_key *k = &pk->key.rsa;
		unsigned char *b = malloc(k->nlen + k->elen);
		if (!b) {
			free(dn.p);
			return -ENOMEM;
		}
		memcpy(b, k->n, k->nlen);
		memcpy(b + k->nlen, k->e, k->elen);
		ta->pkey.key.rsa = (br_rsa_public_key){ b, k->nlen, b + k->nlen, k->elen };
	} else if (pk->key_type == BR_KEYTYPE_EC) {
		const br_ec_public_key *k = &pk->key.ec;
		unsigned char *b = malloc(k->qlen);
		if (!b) {
			free(dn.p);
			return -ENOMEM;
		}
		memcpy(b, k->q, k->qlen);
		ta->pkey.key.ec = (br_ec_public_key){ k->curve, b, k->qlen };
	} else {
		free(dn.p);
		return 0;
	}
	t->n++;
	return 0;
}

static void trust_free(struct alu_trust *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->ta[i].dn.data);
		/* the modulus and exponent, or the point, share one allocation */
		if (t->ta[i].pkey.key_type == BR_KEYTYPE_RSA)
			free(t->ta[i].pkey.key.rsa.n);
		else
			free(t->ta[i].pkey.key.ec.q);
	}
	free(t->ta);
	free(t->path);
	free(t);
}

void alu_trust_free_all(struct alu_trust *t)
{
	while (t) {
		struct alu_trust *nx = t->next;
		trust_free(t);
		t = nx;
	}
}

int alu_trust_get(struct alu_net *n, const char *path, const struct alu_trust **out,
	struct alu_err *e)
{
	struct alu_trust *t;
	int r;

	*out = NULL;
	if (!path)
		path = getenv("SSL_CERT_FILE");
	for (size_t i = 0; !path && system_bundles[i]; i++)
		if (access(system_bundles[i], R_OK) == 0)
			path = system_bundles[i];
	if (!path)
		return alu_err_set(e, -ALUE_TLS, "no CA bundle found (set sslcacert)");
	for (t = n->trust; t; t = t->next) {
		if (!strcmp(t->path, path)) {
			*out = t;
			return 0;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->path = strdup(path))) {
		free(t);
		return -ENOMEM;
	}
	r = alu_pem_each(path, "CERTIFICATE", add_anchor, t, e);
	if (r >= 0 && t->n == 0)
		r = alu_err_set(e, -ALUE_TLS, "%s: no usable CA certificate", path);
	if (r < 0) {
		if (r == -ENOMEM)
			alu_err_set(e, r, "%s: out of memory", path);
		trust_free(t);
		return r;
	}
	t->next = n->trust;
	n->trust = t;
	*out = t;
	return 0;
}
