/* SPDX-License-Identifier: MIT */
/*
 * A bounded hand-off of slots between one producer thread and one
 * consumer thread, in order. The caller owns the slots' contents (an
 * array of ALU_RING_SLOTS anything); the ring only says whose turn each
 * slot is: a slot claimed by the producer is the producer's alone until
 * it puts it, a slot taken by the consumer is the consumer's alone until
 * it releases it.
 *
 * Usage:
 *	producer: while ((i = alu_ring_claim(&r)) >= 0) { fill slot i; alu_ring_put(&r); }
 *	          alu_ring_done(&r);
 *	consumer: while ((i = alu_ring_take(&r)) >= 0) { use slot i; alu_ring_release(&r, stop); }
 */
#ifndef ALU_UTIL_RING_H
#define ALU_UTIL_RING_H

#include <pthread.h>

#define ALU_RING_SLOTS 4

struct alu_ring {
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	unsigned head, tail;   /* head: next slot to fill; tail: next to take */
	int done;              /* the producer puts no more */
	int stop;              /* the consumer wants no more */
};

#define ALU_RING_INIT { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, \
	PTHREAD_COND_INITIALIZER, 0, 0, 0, 0 }

/** @brief Producer: wait for a free slot. @return its index, or -1 when the consumer stopped. */
int alu_ring_claim(struct alu_ring *r);
/** @brief Producer: the claimed slot is ready for the consumer. */
void alu_ring_put(struct alu_ring *r);
/** @brief Producer: nothing more will come (also after an error). */
void alu_ring_done(struct alu_ring *r);
/** @brief Consumer: wait for a filled slot. @return its index, or -1 at the end. */
int alu_ring_take(struct alu_ring *r);
/** @brief Consumer: the taken slot is free again; @p stop non-zero: want no more. */
void alu_ring_release(struct alu_ring *r, int stop);

#endif
