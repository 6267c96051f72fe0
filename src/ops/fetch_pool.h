/* SPDX-License-Identifier: MIT */
/*
 * Package downloads of a plan, several at a time (dnf's
 * max_parallel_downloads). Internal to src/ops: ops/fetch.c decides what to
 * fetch (cache look-ups, destinations, files already there) on the calling
 * thread, then hands the list here.
 *
 * Model. `workers` threads (the calling one among them) take the jobs in
 * plan order. Each has its own `struct alu_net` (one is not thread-safe;
 * the calling thread's is the one that fetched the metadata), so each keeps
 * its connection to a mirror alive from one package to the next: a plan of
 * 40 packages from one mirror at 3 at a time costs 3 connections. Each
 * worker fails over on its own copy of the repository's mirror set. A slot
 * (repository) caps how many of its jobs run at once (its own
 * max_parallel_downloads); a slot with a file:// mirror runs on the calling
 * thread only (file:// reads are timed by the process's one interval timer,
 * and a local disk gains nothing from threads).
 *
 * Errors. The first failure stops new jobs from starting; downloads already
 * running finish (each is whole under its final name or absent: the
 * network layer renames a .part only after its checksum holds) and the
 * first failure is returned.
 */
#ifndef ALU_OPS_FETCH_POOL_H
#define ALU_OPS_FETCH_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "net/net.h"
#include "ops/ops.h"

/* One repository of the plan. */
struct alu_fslot {
	struct alu_mirrors m;      /* its mirror set, read only while the pool runs */
	int cap;                   /* at most this many of its jobs at once (>= 1) */
	int local;                 /* a file:// mirror: the calling thread only */
	int active;                /* the pool's */
};

/* One package to fetch. */
struct alu_fjob {
	const struct alu_plan_op *op;
	const char *dest;          /* borrowed */
	char *url;                 /* owned: a location under xml:base, fetched as is; or NULL */
	char location[1024];       /* relative to the slot's mirrors when url is NULL */
	char sum[ALU_HEX_MAX];
	uint64_t size;
	struct alu_net_opts no;    /* the repository's, with expect_algo set */
	size_t slot;
	int state;                 /* the pool's: 0 waiting, 1 running, 2 done */
};

/* Called under the pool's lock, on any worker's thread, after each
 * download that succeeded; nonzero fails the pool with that code (the
 * callee set e). */
typedef int (*alu_fpool_done_cb)(void *arg, struct alu_fjob *j, struct alu_err *e);

/**
 * @brief Fetch every job, up to @p workers at a time.
 * @param net the calling thread's connections (kept alive for the run).
 * @return 0; the first failure ("downloading NEVRA: ..." as
 *         alu_mirrors_get_file()/alu_net_get_file() return it); -ENOMEM.
 */
int alu_fpool_run(struct alu_net *net, struct alu_fjob *jobs, size_t n,
		  struct alu_fslot *slots, size_t nslots, int workers, alu_fpool_done_cb done, void *arg,
		  struct alu_err *e);

#endif
