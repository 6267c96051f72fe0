/* SPDX-License-Identifier: MIT */
/*
 * Parallel package downloads (see fetch_pool.h): a mutex-guarded list of
 * jobs taken in plan order by a few threads, each with its own connections
 * and its own copy of each repository's mirror set.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "ops/fetch_pool.h"

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct alu_fjob *jobs;
	size_t n, first;           /* jobs[< first] have all started */
	struct alu_fslot *slots;
	size_t nslots;
	alu_fpool_done_cb done;
	void *arg;
	int rc;                    /* the first failure */
	struct alu_err err;
};

/* One worker's own state. */
struct worker {
	struct pool *p;
	struct alu_net *net;
	struct alu_mirrors *m;     /* per slot, copied when first used */
	int main;                  /* the calling thread */
};

/* The next job this worker may start, or NULL; *blocked: some job waits
 * for a slot's cap (or for the calling thread). Under the lock. */
static struct alu_fjob *pick(struct pool *p, int main, int *blocked)
{
	*blocked = 0;
	while (p->first < p->n && p->jobs[p->first].state)
		p->first++;
	for (size_t i = p->first; i < p->n; i++) {
		struct alu_fjob *j = &p->jobs[i];
		const struct alu_fslot *s = &p->slots[j->slot];
		if (j->state)
			continue;
		if (s->active >= s->cap || (s->local && !main)) {
			*blocked = 1;
			continue;
		}
		return j;
	}
	return NULL;
}

static int copy_mirrors(const struct alu_mirrors *from, struct alu_mirrors *to)
{
	for (size_t i = 0; i < from->n; i++)
		if (alu_mirrors_add(to, from->v[i].url))
			return -ENOMEM;
	to->current = from->current < to->n ? from->current : 0;
	return 0;
}

static int fetch(struct worker *w, struct alu_fjob *j, struct alu_err *e)
{
	struct alu_mirrors *m = &w->m[j->slot];
	int rc;

	if (j->url) {
		rc = alu_net_get_file(w->net, j->url, &j->no, j->dest, j->sum, j->size, e);
	} else {
		if (!m->n && copy_mirrors(&w->p->slots[j->slot].m, m))
			return alu_err_set(e, -ENOMEM, "out of memory");
		rc = alu_mirrors_get_file(w->net, m, j->location, &j->no, j->dest, j->sum, j->size, e);
	}
	if (rc) {
		char msg[sizeof(e->msg)];
		memcpy(msg, e->msg, sizeof(msg));
		alu_err_clear(e);
		return alu_err_set(e, rc, "downloading %s: %s", j->op->nevra, msg);
	}
	return 0;
}

static void fail(struct pool *p, int rc, const struct alu_err *e)
{
	if (!p->rc) {
		p->rc = rc;
		p->err = *e;
	}
}

static void work(struct worker *w)
{
	struct pool *p = w->p;
	int blocked;

	pthread_mutex_lock(&p->mu);
	while (!p->rc) {
		struct alu_err le = { 0 };
		struct alu_fjob *j = pick(p, w->main, &blocked);
		int rc;

		if (!j) {
			if (!blocked)
				break;
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		j->state = 1;
		p->slots[j->slot].active++;
		pthread_mutex_unlock(&p->mu);
		rc = fetch(w, j, &le);
		pthread_mutex_lock(&p->mu);
		j->state = 2;
		p->slots[j->slot].active--;
		if (!rc && p->done)
			rc = p->done(p->arg, j, &le);
		if (rc)
			fail(p, rc, &le);
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
}

static void worker_free(struct worker *w)
{
	for (size_t i = 0; w->m && i < w->p->nslots; i++)
		alu_mirrors_free(&w->m[i]);
	free(w->m);
	if (!w->main)
		alu_net_free(w->net);
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;

	if (alu_net_new(&w->net) ||
	    !(w->m = calloc(w->p->nslots ? w->p->nslots : 1, sizeof(*w->m)))) {
		struct alu_err le = { 0 };
		alu_err_set(&le, -ENOMEM, "out of memory");
		pthread_mutex_lock(&w->p->mu);
		fail(w->p, -ENOMEM, &le);
		pthread_cond_broadcast(&w->p->cv);
		pthread_mutex_unlock(&w->p->mu);
	} else {
		work(w);
	}
	worker_free(w);
	return NULL;
}

int alu_fpool_run(struct alu_net *net, struct alu_fjob *jobs, size_t n,
		  struct alu_fslot *slots, size_t nslots, int workers, alu_fpool_done_cb done,
		  void *arg, struct alu_err *e)
{
	struct pool p = { .jobs = jobs, .n = n, .slots = slots, .nslots = nslots, .done = done,
		.arg = arg };
	struct worker *w;
	sigset_t alrm, old;
	pthread_t *th;
	size_t nth = 0, want = workers < 1 ? 1 : (size_t)workers;

	if (want > n)
		want = n ? n : 1;
	w = calloc(want, sizeof(*w));
	th = calloc(want, sizeof(*th));
	if (!w || !th || !(w[0].m = calloc(nslots ? nslots : 1, sizeof(*w[0].m)))) {
		free(w);
		free(th);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	w[0] = (struct worker){ .p = &p, .net = net, .m = w[0].m, .main = 1 };
	/* Workers are born with SIGALRM blocked: it times file:// reads on the
	 * calling thread (net/get.c), and must interrupt that thread's read,
	 * not a worker's poll. A thread that cannot be made leaves its jobs
	 * to the others. */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, &old);
	for (size_t i = 1; i < want; i++) {
		w[nth + 1].p = &p;
		if (!pthread_create(&th[nth], NULL, thread_main, &w[nth + 1]))
			nth++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	work(&w[0]);
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	worker_free(&w[0]);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(w);
	free(th);
	if (p.rc) {
		*e = p.err;
		return p.rc;
	}
	return 0;
}
