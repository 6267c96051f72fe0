/* SPDX-License-Identifier: MIT */
/*
 * alu_decomp_each: decompression runs in a second thread, one ring of
 * blocks ahead of the consumer, so inflating (a sixth of a cold ingest's
 * work) overlaps parsing and the cache writes on a second core. The
 * consumer's callback always runs on the calling thread, in order. Without
 * a thread (creation failed) the same loop runs inline.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "repo/repo.h"

#define SLOTS 4
#define SLOT_SIZE (256u << 10)

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	struct alu_decomp *d;
	char *buf[SLOTS];
	size_t len[SLOTS];
	unsigned head, tail;     /* head: next slot to fill; tail: next to hand out */
	int done;                /* the producer has put its last slot */
	int stop;                /* the consumer wants no more */
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
	struct ring *g = arg;

	for (;;) {
		ssize_t r;
		pthread_mutex_lock(&g->mu);
		while (g->head - g->tail == SLOTS && !g->stop)
			pthread_cond_wait(&g->drained, &g->mu);
		if (g->stop) {
			pthread_mutex_unlock(&g->mu);
			break;
		}
		pthread_mutex_unlock(&g->mu);
		/* the slot at head is the producer's alone until head moves */
		r = fill(g->d, g->buf[g->head % SLOTS]);
		pthread_mutex_lock(&g->mu);
		g->len[g->head % SLOTS] = r > 0 ? (size_t)r : 0;
		if (r > 0)
			g->head++;
		else
			g->done = 1;       /* end of data, or an error latched in d */
		pthread_cond_signal(&g->filled);
		pthread_mutex_unlock(&g->mu);
		if (r <= 0)
			break;
	}
	return NULL;
}

static int consume(struct ring *g, int (*cb)(void *, const char *, size_t), void *ud)
{
	int rc = 0;

	for (;;) {
		char *buf;
		size_t len;
		pthread_mutex_lock(&g->mu);
		while (g->head == g->tail && !g->done)
			pthread_cond_wait(&g->filled, &g->mu);
		if (g->head == g->tail) {
			pthread_mutex_unlock(&g->mu);
			break;
		}
		buf = g->buf[g->tail % SLOTS];
		len = g->len[g->tail % SLOTS];
		pthread_mutex_unlock(&g->mu);
		rc = cb(ud, buf, len);
		pthread_mutex_lock(&g->mu);
		g->tail++;
		if (rc)
			g->stop = 1;
		pthread_cond_signal(&g->drained);
		pthread_mutex_unlock(&g->mu);
		if (rc)
			break;
	}
	return rc;
}

static int inline_loop(struct alu_decomp *d, char *buf,
		       int (*cb)(void *, const char *, size_t), void *ud)
{
	ssize_t r;
	int rc = 0;

	while (!rc && (r = fill(d, buf)) > 0)
		rc = cb(ud, buf, (size_t)r);
	return rc;
}

int alu_decomp_each(const char *path, int (*cb)(void *ud, const char *buf, size_t n),
		    void *ud, struct alu_err *e)
{
	struct ring g = { .mu = PTHREAD_MUTEX_INITIALIZER, .filled = PTHREAD_COND_INITIALIZER,
		.drained = PTHREAD_COND_INITIALIZER };
	char *mem;
	pthread_t th;
	pthread_attr_t at;
	int rc, threaded;

	rc = alu_decomp_open(path, &g.d, e);
	if (rc)
		return rc;
	mem = malloc((size_t)SLOTS * SLOT_SIZE);
	if (!mem) {
		alu_decomp_finish(g.d, NULL);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < SLOTS; i++)
		g.buf[i] = mem + (size_t)i * SLOT_SIZE;
	/* musl's default thread stack (128 KiB) is small for some decoders */
	threaded = !pthread_attr_init(&at) && !pthread_attr_setstacksize(&at, 1u << 20) &&
		   !pthread_create(&th, &at, producer, &g);
	pthread_attr_destroy(&at);
	if (threaded) {
		rc = consume(&g, cb, ud);
		pthread_join(th, NULL);
	} else {
		rc = inline_loop(g.d, mem, cb, ud);
	}
	free(mem);
	if (rc) {
		alu_decomp_finish(g.d, NULL);
		return rc;
	}
	return alu_decomp_finish(g.d, e);
}
