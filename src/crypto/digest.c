/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "util/rootfs.h"

static const br_hash_class *digest_class(int algo)
{
	switch (algo) {
	case ALU_HASH_MD5: return &br_md5_vtable;
	case ALU_HASH_SHA1: return &br_sha1_vtable;
	case ALU_HASH_SHA224: return &br_sha224_vtable;
	case ALU_HASH_SHA256: return alu_sha256_fast();
	case ALU_HASH_SHA384: return &br_sha384_vtable;
	case ALU_HASH_SHA512: return &br_sha512_vtable;
	}
	return NULL;
}

int alu_digest_init(struct alu_digest *d, int algo)
{
	const br_hash_class *c = digest_class(algo);

	d->algo = 0;
	if (!c)
		return -ALUE_UNSUPPORTED;
	d->algo = algo;
	c->init(&d->ctx.vtable);
	return 0;
}

void alu_digest_update(struct alu_digest *d, const void *p, size_t n)
{
	if (n)
		d->ctx.vtable->update(&d->ctx.vtable, p, n);
}

size_t alu_digest_final(const struct alu_digest *d, void *out)
{
	d->ctx.vtable->out(&d->ctx.vtable, out);
	return alu_digest_len(d->algo);
}

size_t alu_digest_len(int algo)
{
	const br_hash_class *c = digest_class(algo);

	return c ? (c->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK : 0;
}

static const struct {
	const char *name;
	int algo;
} names[] = {
	{"md5", ALU_HASH_MD5}, {"sha1", ALU_HASH_SHA1}, {"sha", ALU_HASH_SHA1},
	{"sha224", ALU_HASH_SHA224}, {"sha256", ALU_HASH_SHA256},
	{"sha384", ALU_HASH_SHA384}, {"sha512", ALU_HASH_SHA512},
};

const char *alu_digest_name(int algo)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].algo == algo)
			return names[i].name;
	return "unknown";
}

int alu_digest_by_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
		if (!strcasecmp(names[i].name, name))
			return names[i].algo;
	return -ALUE_UNSUPPORTED;
}

int alu_digest_buf(int algo, const void *p, size_t n, void *out)
{
	struct alu_digest d;

	if (alu_digest_init(&d, algo) < 0)
		return -ALUE_UNSUPPORTED;
	alu_digest_update(&d, p, n);
	return (int)alu_digest_final(&d, out);
}

int alu_digest_fd(int fd, int algo, void *out, size_t *outlen, uint64_t *size)
{
	struct alu_digest d;
	unsigned char buf[65536];
	uint64_t total = 0;
	ssize_t r;

	if (alu_digest_init(&d, algo) < 0)
		return -ALUE_UNSUPPORTED;
	for (;;) {
		r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		alu_digest_update(&d, buf, (size_t)r);
		total += (uint64_t)r;
	}
	*outlen = alu_digest_final(&d, out);
	if (size)
		*size = total;
	return 0;
}

int alu_digest_file(const char *path, int algo, void *out, size_t *outlen,
		    struct alu_err *e)
{
	int fd, rc;

	if (!digest_class(algo))
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: unsupported digest algorithm %d",
				   path, algo);
	/* a file of the root's (a cached package) is resolved inside it and
	 * must be a regular file: a FIFO planted there is an error, not a hang */
	if (alu_root_inside(path)) {
		if ((rc = alu_root_open_read(path, &fd, NULL, e)))
			return rc;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
	}
	rc = alu_digest_fd(fd, algo, out, outlen, NULL);
	if (rc < 0)
		alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
	close(fd);
	return rc;
}

char *alu_hex(const void *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
	return out;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int alu_hex_eq(const char *hex, const void *bin, size_t n)
{
	const unsigned char *b = bin;
	unsigned diff = 0;

	for (size_t i = 0; i < n; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		diff |= (unsigned)((hi << 4 | lo) ^ b[i]);
	}
	return diff == 0 && hex[2 * n] == '\0';
}
