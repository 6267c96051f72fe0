/* SPDX-License-Identifier: MIT */
/*
 * alu_decomp_each: decompression runs in a second thread, a ring of blocks
 * ahead of the consumer, so inflating overlaps parsing on another core.
 * The consumer's callback always runs on the calling thread, in order.
 * Without a thread (creation failed) the same loop runs inline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "repo/repo.h"
#include "util/ring.h"

#define SLOT_SIZE (256u << 10)

struct pipe {
	struct alu_ring r;
	struct alu_decomp *d;
	char *buf[ALU_RING_SLOTS];
	size_t len[ALU_RING_SLOTS];
};

/* Fill one slot: whole blocks, so the consumer sees few, large chunks. */
static ssize_t fill(struct alu_decomp *d, char *buf)
{
	size_t n = 0;
	ssize_t r = 0;

	while (n < SLOT_SIZE && (r = alu_decomp_read(d, buf + n, SLOT_SIZE - n)) > 0)
		n += (size_t)r;
	return r < 0 ? r : (ssize_t)n;
}

static void *producer(void *arg)
{
	struct pipe *g = arg;
	int i;

	/* an error is latched in d and reported by alu_decomp_finish() */
	while ((i = alu_ring_claim(&g->r)) >= 0) {
		ssize_t r = fill(g->d, g->buf[i]);
		if (r <= 0)
			break;
		g->len[i] = (size_t)r;
		alu_ring_put(&g->r);
	}
	alu_ring_done(&g->r);
	return NULL;
}

int alu_decomp_each(const char *path, int (*cb)(void *ud, const char *buf, size_t n),
		    void *ud, struct alu_err *e)
{
	return alu_decomp_each_x(path, NULL, cb, ud, e);
}

int alu_decomp_each_x(const char *path, const struct alu_decomp_expect *x,
		      int (*cb)(void *ud, const char *buf, size_t n), void *ud, struct alu_err *e)
{
	struct pipe g = { .r = ALU_RING_INIT };
	char *mem;
	pthread_t th;
	pthread_attr_t at;
	ssize_t r;
	int rc = 0, i;

	rc = alu_decomp_open_x(path, x, &g.d, e);
	if (rc)
		return rc;
	mem = malloc((size_t)ALU_RING_SLOTS * SLOT_SIZE);
	if (!mem) {
		alu_decomp_finish(g.d, NULL);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	for (i = 0; i < ALU_RING_SLOTS; i++)
		g.buf[i] = mem + (size_t)i * SLOT_SIZE;
	/* musl's default thread stack (128 KiB) is small for some decoders */
	if (!pthread_attr_init(&at) && !pthread_attr_setstacksize(&at, 1u << 20) &&
	    !pthread_create(&th, &at, producer, &g)) {
		while ((i = alu_ring_take(&g.r)) >= 0) {
			rc = cb(ud, g.buf[i], g.len[i]);
			alu_ring_release(&g.r, rc);
			if (rc)
				break;
		}
		pthread_join(th, NULL);
	} else {
		while (!rc && (r = fill(g.d, mem)) > 0)
			rc = cb(ud, mem, (size_t)r);
	}
	pthread_attr_destroy(&at);
	free(mem);
	if (rc) {
		alu_decomp_finish(g.d, NULL);
		return rc;
	}
	return alu_decomp_finish(g.d, e);
}
