/* SPDX-License-Identifier: MIT */
#include "util/ring.h"

int alu_ring_claim(struct alu_ring *r)
{
	int i;

	pthread_mutex_lock(&r->mu);
	while (r->head - r->tail == ALU_RING_SLOTS && !r->stop)
		pthread_cond_wait(&r->drained, &r->mu);
	i = r->stop ? -1 : (int)(r->head % ALU_RING_SLOTS);
	pthread_mutex_unlock(&r->mu);
	return i;
}

void alu_ring_put(struct alu_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->head++;
	pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->mu);
}

void alu_ring_done(struct alu_ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->done = 1;
	pthread_cond_signal(&r->filled);
	pthread_mutex_unlock(&r->mu);
}

int alu_ring_take(struct alu_ring *r)
{
	int i;

	pthread_mutex_lock(&r->mu);
	while (r->head == r->tail && !r->done)
		pthread_cond_wait(&r->filled, &r->mu);
	i = r->head == r->tail ? -1 : (int)(r->tail % ALU_RING_SLOTS);
	pthread_mutex_unlock(&r->mu);
	return i;
}

void alu_ring_release(struct alu_ring *r, int stop)
{
	pthread_mutex_lock(&r->mu);
	r->tail++;
	if (stop)
		r->stop = 1;
	pthread_cond_signal(&r->drained);
	pthread_mutex_unlock(&r->mu);
}
