/* SPDX-License-Identifier: MIT */
/*
 * Sorting a cache write's index entries into LMDB's order before they are
 * put (cache_write.c). The tables are independent, so a second thread sorts
 * the later ones while the writer sorts the first and puts it: at the end of
 * a cold ingest the other core is idle, and sorting was a third of the index
 * flush (bench/RESULTS.md).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "db/cache_int.h"

/* Below this many entries a thread costs more than it saves. */
#define THREAD_MIN 8192

enum { UNCLAIMED, SORTING, SORTED };

struct ixsort {
	const struct ixvec *t;
	uint32_t *order[DB_N];
	uint32_t *tmp[2];          /* scratch: [0] the caller's, [1] the helper's */
	int state[DB_N];
	int helper_from;           /* the helper leaves the first table to the caller */
	pthread_mutex_t mu;
	pthread_cond_t done;
	pthread_t th;
	int threaded;
	uint32_t *mem;
};

static uint64_t load_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* LMDB's order of keys: bytes, then length (a prefix sorts first). */
int cache_key_cmp(const struct ixent *a, const struct ixent *b)
{
	size_t n = a->len < b->len ? a->len : b->len, i = 8;

	if (a->pfx != b->pfx)
		return a->pfx < b->pfx ? -1 : 1;
	/* equal prefixes: the first min(8, n) bytes are equal */
	for (; i + 8 <= n; i += 8) {
		uint64_t x = load_be64(a->key + i), y = load_be64(b->key + i);
		if (x != y)
			return x < y ? -1 : 1;
	}
	for (; i < n; i++)
		if (a->key[i] != b->key[i])
			return a->key[i] < b->key[i] ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* Entries in table order: by key, then id (big endian in the table, so numeric). */
static int ix_cmp(const struct ixent *a, const struct ixent *b)
{
	int d = cache_key_cmp(a, b);

	return d ? d : a->id < b->id ? -1 : a->id > b->id;
}

/* Merge sort of the order @p o of entries @p v (qsort's smoothsort took
 * three times as many instructions here, and moving indices is cheaper than
 * moving entries); a run that is already in order, as names and files often
 * arrive, costs one comparison. @p tmp has room for n / 2 indices. */
static void ix_sort(const struct ixent *v, uint32_t *o, size_t n, uint32_t *tmp)
{
	size_t h = n / 2, i = 0, j = h, k = 0;

	if (n < 8) {
		for (i = 1; i < n; i++) {
			uint32_t x = o[i];
			for (j = i; j > 0 && ix_cmp(&v[x], &v[o[j - 1]]) < 0; j--)
				o[j] = o[j - 1];
			o[j] = x;
		}
		return;
	}
	ix_sort(v, o, h, tmp);
	ix_sort(v, o + h, n - h, tmp);
	if (ix_cmp(&v[o[h - 1]], &v[o[h]]) <= 0)
		return;
	memcpy(tmp, o, h * sizeof(*o));
	while (i < h && j < n) {
		const struct ixent *x = &v[o[j]], *y = &v[tmp[i]];
		/* the prefix test inline: it decides most steps */
		if (x->pfx != y->pfx ? x->pfx < y->pfx : ix_cmp(x, y) < 0)
			o[k++] = o[j++];
		else
			o[k++] = tmp[i++];
	}
	while (i < h)
		o[k++] = tmp[i++];
}

static void sort_table(struct ixsort *s, int db, uint32_t *tmp)
{
	const struct ixvec *t = &s->t[db];
	uint32_t *o = s->order[db];

	for (size_t i = 0; i < t->n; i++)
		o[i] = (uint32_t)i;
	ix_sort(t->v, o, t->n, tmp);
}

static void *helper(void *arg)
{
	struct ixsort *s = arg;

	for (int db = s->helper_from; db < DB_N; db++) {
		pthread_mutex_lock(&s->mu);
		if (s->state[db] != UNCLAIMED || !s->order[db]) {
			pthread_mutex_unlock(&s->mu);
			continue;
		}
		s->state[db] = SORTING;
		pthread_mutex_unlock(&s->mu);
		sort_table(s, db, s->tmp[1]);
		pthread_mutex_lock(&s->mu);
		s->state[db] = SORTED;
		pthread_cond_broadcast(&s->done);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

struct ixsort *cache_ixsort_start(const struct ixvec *t)
{
	struct ixsort *s = calloc(1, sizeof(*s));
	size_t total = 0, most = 0, at;
	int first = -1;

	if (!s)
		return NULL;
	s->t = t;
	for (int db = 0; db < DB_N; db++) {
		total += t[db].n;
		most = t[db].n > most ? t[db].n : most;
		if (t[db].n && first < 0)
			first = db;
	}
	s->mem = malloc((total + 2 * (most / 2 + 1)) * sizeof(*s->mem));
	if (!s->mem) {
		free(s);
		return NULL;
	}
	at = 0;
	for (int db = 0; db < DB_N; db++) {
		s->order[db] = t[db].n ? s->mem + at : NULL;
		at += t[db].n;
	}
	s->tmp[0] = s->mem + at;
	s->tmp[1] = s->tmp[0] + most / 2 + 1;
	s->helper_from = first + 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->done, NULL);
	/* without a thread every table is sorted by cache_ixsort_get */
	s->threaded = total >= THREAD_MIN && !pthread_create(&s->th, NULL, helper, s);
	return s;
}

const uint32_t *cache_ixsort_get(struct ixsort *s, int db)
{
	pthread_mutex_lock(&s->mu);
	while (s->order[db] && s->state[db] != SORTED) {
		if (s->state[db] == UNCLAIMED) {
			s->state[db] = SORTING;
			pthread_mutex_unlock(&s->mu);
			sort_table(s, db, s->tmp[0]);
			pthread_mutex_lock(&s->mu);
			s->state[db] = SORTED;
		} else {
			pthread_cond_wait(&s->done, &s->mu);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return s->order[db];
}

void cache_ixsort_end(struct ixsort *s)
{
	if (!s)
		return;
	if (s->threaded)
		pthread_join(s->th, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->done);
	free(s->mem);
	free(s);
}
