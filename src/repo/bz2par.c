/* SPDX-License-Identifier: MIT */
/*
 * bzip2 decoded on two cores. Real Amazon Linux 2 mirrors publish their
 * package list only as primary.sqlite.bz2, and bzip2 decodes at a few tens
 * of MB/s: most of a cold makecache there. A bzip2 stream is a run of
 * independent blocks (at most 900 kB of input each), each opened by the
 * 48-bit magic 0x314159265359 and its CRC, not byte aligned, and closed by
 * 0x177245385090 and the CRC of all the blocks. Each block found is made a
 * stream of its own (header, the block's bits moved to a byte boundary, end
 * marker, its CRC as the stream's) and decoded by libbz2, which checks it.
 *
 * The magic can also occur inside compressed data. Whatever does not fit
 * (a block that does not decode to its end, CRCs that do not add up to the
 * stream's, anything after the end marker, a file of one block) makes this
 * return 1 before or after writing, and the caller decodes the file the
 * ordinary way (decomp.c). So this is only ever faster, never different.
 */
#include <bzlib.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo/repo_int.h"

#define BLOCK_MAGIC 0x314159265359ULL
#define EOS_MAGIC 0x177245385090ULL
#define PAD 16                       /* zero bytes after the input: windows may overrun */
#define MAX_INPUT ((size_t)256 << 20)     /* read whole; beyond, the streaming decoder */
#define AHEAD 2                      /* blocks decoded beyond the one to write next */

struct blk {
	uint64_t bit, end;          /* [bit, end): the block from its magic, in bits */
	uint32_t crc;
	char *out;
	size_t n, cap;
	int state;                  /* 0 waiting, 1 claimed, 2 decoded, -1 failed */
};

struct par {
	const unsigned char *in;
	int level;
	struct blk *b;
	size_t nb, next, written;   /* blocks; the next to claim; those written */
	int stop;
	char *pool[AHEAD + 2];      /* output buffers written out, for reuse */
	size_t poolcap[AHEAD + 2], npool;
	pthread_mutex_t mu;
	pthread_cond_t done;
};

/* 64 bits of @p d from bit @p bit on (the input is padded). */
static uint64_t bits64(const unsigned char *d, uint64_t bit)
{
	const unsigned char *p = d + (bit >> 3);
	unsigned sh = bit & 7;
	uint64_t w = 0;

	for (int i = 0; i < 8; i++)
		w = w << 8 | p[i];
	return sh ? w << sh | p[8] >> (8 - sh) : w;
}

/*
 * Every block magic and the end marker, by bit position. A byte that the
 * 48 bits at any of the 8 alignments would put third is checked first: the
 * full test runs at about 1 byte in 16.
 */
static int scan(const unsigned char *d, size_t n, uint64_t **pos, size_t *npos, uint64_t *eos)
{
	unsigned char third[256] = { 0 };
	size_t cap = 64;
	uint64_t *v = malloc(cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	*npos = 0;
	*eos = 0;
	for (unsigned k = 0; k < 8; k++) {
		third[(uint8_t)((BLOCK_MAGIC << (16 - k)) >> 40)] = 1;
		third[(uint8_t)((EOS_MAGIC << (16 - k)) >> 40)] = 1;
	}
	/* a magic starting in byte i at bit k has its third byte at i + 2 */
	for (size_t i = 4; i + 8 <= n; i++) {
		if (!third[d[i + 2]])
			continue;
		for (unsigned k = 0; k < 8; k++) {
			uint64_t at = (uint64_t)i * 8 + k, m = bits64(d, at) >> 16;
			if (m == EOS_MAGIC && !*eos) {
				*eos = at;
			} else if (m == BLOCK_MAGIC && !*eos) {
				if (*npos == cap) {
					uint64_t *nv = realloc(v, 2 * cap * sizeof(*v));
					if (!nv) {
						free(v);
						return -ENOMEM;
					}
					v = nv;
					cap *= 2;
				}
				v[(*npos)++] = at;
			}
		}
	}
	*pos = v;
	return 0;
}

/* Append @p nbits of @p src from bit @p from to @p dst at bit @p at. */
static void put_bits(unsigned char *dst, uint64_t at, const unsigned char *src, uint64_t from,
		     uint64_t nbits)
{
	/* whole bytes of the destination through 64-bit windows of the source */
	while (nbits && (at & 7)) {
		unsigned bit = (src[from >> 3] >> (7 - (from & 7))) & 1;
		dst[at >> 3] |= (unsigned char)(bit << (7 - (at & 7)));
		at++, from++, nbits--;
	}
	for (; nbits >= 56; nbits -= 56, at += 56, from += 56) {
		uint64_t w = bits64(src, from);
		for (int i = 0; i < 7; i++)
			dst[(at >> 3) + i] = (unsigned char)(w >> (56 - 8 * i));
	}
	while (nbits) {
		unsigned bit = (src[from >> 3] >> (7 - (from & 7))) & 1;
		dst[at >> 3] |= (unsigned char)(bit << (7 - (at & 7)));
		at++, from++, nbits--;
	}
}

static void put_u(unsigned char *dst, uint64_t at, uint64_t v, unsigned nbits)
{
	unsigned char b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v << (64 - nbits) >> (56 - 8 * i));
	put_bits(dst, at, b, 0, nbits);
}

/*
 * What a decoding thread keeps from block to block. On the VMs we measured
 * a first touch of a page costs 7-16 us, and libbz2 takes 3.6 MB for each
 * stream at level 9: allocated afresh for every block that was most of the
 * time. libbz2 asks for two blocks of memory per stream.
 */
struct scratch {
	void *mem[2];
	size_t size[2];
	int used[2];
	unsigned char *s;           /* the block made a stream */
	size_t scap;
};

static void *bz_alloc(void *opaque, int n, int m)
{
	struct scratch *c = opaque;
	size_t want = (size_t)n * (size_t)m;

	for (int i = 0; i < 2; i++)
		if (!c->used[i] && c->size[i] >= want) {
			c->used[i] = 1;
			return c->mem[i];
		}
	for (int i = 0; i < 2; i++)
		if (!c->used[i]) {
			void *p = realloc(c->mem[i], want);
			if (!p)
				return NULL;
			c->mem[i] = p;
			c->size[i] = want;
			c->used[i] = 1;
			return p;
		}
	return NULL;
}

static void bz_free(void *opaque, void *p)
{
	struct scratch *c = opaque;

	for (int i = 0; i < 2; i++)
		if (c->mem[i] == p)
			c->used[i] = 0;
}

static void scratch_free(struct scratch *c)
{
	free(c->mem[0]);
	free(c->mem[1]);
	free(c->s);
}

/* Block @p k as a stream of its own, decoded into k->out (k->cap bytes,
 * grown as needed). 0, or -1. */
static int decode(const struct par *g, struct blk *k, struct scratch *c)
{
	uint64_t len = k->end - k->bit, total = 32 + len + 48 + 32;
	size_t nbytes = (size_t)((total + 7) / 8);
	bz_stream z;
	int rc = -1, r;

	if (c->scap < nbytes + PAD) {
		unsigned char *ns = realloc(c->s, nbytes + PAD);
		if (!ns)
			return -1;
		c->s = ns;
		c->scap = nbytes + PAD;
	}
	memset(c->s, 0, nbytes + PAD);
	memcpy(c->s, "BZh", 3);
	c->s[3] = (unsigned char)('0' + g->level);
	put_bits(c->s, 32, g->in, k->bit, len);
	put_u(c->s, 32 + len, EOS_MAGIC, 48);
	put_u(c->s, 32 + len + 48, k->crc, 32);
	memset(&z, 0, sizeof(z));
	z.bzalloc = bz_alloc;
	z.bzfree = bz_free;
	z.opaque = c;
	if (!k->out || BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
		return -1;
	z.next_in = (char *)c->s;
	z.avail_in = (unsigned)nbytes;
	for (;;) {
		char *o;
		z.next_out = k->out + k->n;
		z.avail_out = (unsigned)(k->cap - k->n);
		r = BZ2_bzDecompress(&z);
		k->n = k->cap - z.avail_out;
		if (r == BZ_STREAM_END) {
			/* all of the block, and nothing but padding after it */
			rc = z.avail_in == 0 ? 0 : -1;
			break;
		}
		if (r != BZ_OK || (z.avail_out && !z.avail_in))
			break;
		if (z.avail_out)
			continue;
		o = k->cap < ((size_t)1 << 30) ? realloc(k->out, k->cap * 2) : NULL;
		if (!o)
			break;
		k->out = o;
		k->cap *= 2;
	}
	BZ2_bzDecompressEnd(&z);
	return rc;
}

/* An output buffer, from those written out when there is one. Called with
 * g->mu held. */
static void take_out(struct par *g, struct blk *k)
{
	if (g->npool) {
		g->npool--;
		k->out = g->pool[g->npool];
		k->cap = g->poolcap[g->npool];
	} else {
		/* runs make a block decode to more than its input: room for twice */
		k->cap = (size_t)g->level * 200000 + 4096;
		k->out = malloc(k->cap);
	}
}

static void give_back(struct par *g, struct blk *k)
{
	if (g->npool < AHEAD + 2) {
		g->pool[g->npool] = k->out;
		g->poolcap[g->npool++] = k->cap;
	} else {
		free(k->out);
	}
	k->out = NULL;
}

/* Claim the next block when it is not too far ahead of the writer, and
 * decode it; 0 when there was none to claim. Called with g->mu held. */
static int work_one(struct par *g, struct scratch *c)
{
	struct blk *k;
	int r;

	if (g->stop || g->next == g->nb || g->next >= g->written + AHEAD)
		return 0;
	k = &g->b[g->next++];
	k->state = 1;
	take_out(g, k);
	pthread_mutex_unlock(&g->mu);
	r = decode(g, k, c);
	pthread_mutex_lock(&g->mu);
	k->state = r ? -1 : 2;
	pthread_cond_broadcast(&g->done);
	return 1;
}

static void *helper(void *arg)
{
	struct par *g = arg;
	struct scratch c = { 0 };

	pthread_mutex_lock(&g->mu);
	while (!g->stop && g->next < g->nb)
		if (!work_one(g, &c))
			pthread_cond_wait(&g->done, &g->mu);
	pthread_mutex_unlock(&g->mu);
	scratch_free(&c);
	return NULL;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_file(const char *path, unsigned char **out, size_t *n)
{
	struct stat st;
	unsigned char *d;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	unsigned char magic[4];

	if (fd < 0)
		return -errno;
	/* not bzip2 (an xz or gzip primary_db): nothing read beyond its magic */
	if (fstat(fd, &st) || st.st_size < 14 || (uint64_t)st.st_size > MAX_INPUT ||
	    pread(fd, magic, 4, 0) != 4 || memcmp(magic, "BZh", 3) || magic[3] < '1' ||
	    magic[3] > '9') {
		close(fd);
		return 1;
	}
	*n = (size_t)st.st_size;
	d = calloc(*n + PAD, 1);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while (!rc && got < *n) {
		ssize_t r = read(fd, d + got, *n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			rc = r < 0 ? -errno : 1;   /* shrank under us: the ordinary way will say */
		else
			got += (size_t)r;
	}
	close(fd);
	if (rc)
		free(d);
	else
		*out = d;
	return rc;
}

/* The blocks of @p d, checked against the stream's CRC; 1 when it is not a
 * plain single-stream file of two or more blocks. */
static int split(const unsigned char *d, size_t n, struct par *g)
{
	uint64_t *pos = NULL, eos;
	size_t np;
	uint32_t all = 0;
	int rc;

	if (memcmp(d, "BZh", 3) || d[3] < '1' || d[3] > '9')
		return 1;
	g->level = d[3] - '0';
	rc = scan(d, n, &pos, &np, &eos);
	if (rc)
		return rc;
	/* blocks start right after the header and run to the end marker; its CRC
	 * and padding end the file */
	rc = np < 2 || pos[0] != 32 || !eos || (eos + 48 + 32 + 7) / 8 != n;
	g->b = rc ? NULL : calloc(np, sizeof(*g->b));
	if (!rc && !g->b)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < np; i++) {
		g->b[i].bit = pos[i];
		g->b[i].end = i + 1 < np ? pos[i + 1] : eos;
		g->b[i].crc = (uint32_t)(bits64(d, pos[i] + 48) >> 32);
		all = (all << 1 | all >> 31) ^ g->b[i].crc;
		rc = g->b[i].end - g->b[i].bit < 48 + 32 + 24;
	}
	if (!rc && all != (uint32_t)(bits64(d, eos + 48) >> 32))
		rc = 1;
	free(pos);
	g->nb = g->b ? np : 0;
	return rc;
}

int alu_bz2_par_to_fd(const char *src, int fd, struct alu_err *e)
{
	return alu_bz2_par_to_fd_max(src, fd, 0, e);
}

int alu_bz2_par_to_fd_max(const char *src, int fd, uint64_t max, struct alu_err *e)
{
	struct par g = { .mu = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER };
	struct scratch c = { 0 };
	unsigned char *d = NULL;
	size_t n = 0;
	uint64_t out = 0;
	pthread_t th;
	int rc = read_file(src, &d, &n), threaded = 0, wrote_err = 0, big = 0;

	if (!rc) {
		g.in = d;
		rc = split(d, n, &g);
	}
	if (!rc)
		threaded = !pthread_create(&th, NULL, helper, &g);
	/* the caller's thread decodes too, and writes each block in order */
	pthread_mutex_lock(&g.mu);
	while (!rc && g.written < g.nb) {
		struct blk *k = &g.b[g.written];
		if (k->state < 0) {
			rc = 1;
		} else if (k->state == 2 && max && out + k->n > max) {
			/* a bomb ends here, before its bytes reach the disk */
			rc = -ALUE_CORRUPT;
			big = 1;
		} else if (k->state == 2) {
			out += k->n;
			pthread_mutex_unlock(&g.mu);
			rc = write_all(fd, k->out, k->n);
			wrote_err = rc < 0;
			pthread_mutex_lock(&g.mu);
			give_back(&g, k);
			g.written++;
			/* room ahead again for the helper */
			pthread_cond_broadcast(&g.done);
		} else if (!work_one(&g, &c)) {
			pthread_cond_wait(&g.done, &g.mu);
		}
	}
	/* after a failure nothing more is claimed; the helper ends its block */
	g.stop = 1;
	pthread_cond_broadcast(&g.done);
	pthread_mutex_unlock(&g.mu);
	if (threaded)
		pthread_join(th, NULL);
	for (size_t i = 0; i < g.nb; i++)
		free(g.b[i].out);
	for (size_t i = 0; i < g.npool; i++)
		free(g.pool[i]);
	scratch_free(&c);
	free(g.b);
	free(d);
	if (big)
		return alu_err_set(e, rc, "%s: decodes to more than %llu bytes: refused", src,
				   (unsigned long long)max);
	if (rc < 0)
		return alu_err_set(e, rc, wrote_err ? "writing the decoded %s: %s" : "%s: %s", src,
				   alu_strerror(rc));
	return rc;
}
