/* SPDX-License-Identifier: MIT */
/*
 * The metadata readers (primary.xml or primary_db, then updateinfo.xml)
 * in their own thread, their records copied into batches and handed to
 * the cache writer on the calling thread. Parsing and the LMDB writes are
 * the two halves of a cold ingest; on two cores they now overlap (the XML
 * reader's own decompression thread runs beside both). Records reach the
 * writer in the readers' order, so the cache is the same as from a serial
 * ingest.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "repo/repo_int.h"
#include "util/ring.h"

#define BATCH_RECS 256
#define BATCH_BYTES (512u << 10)

/* Records of one kind and everything they point to (the arena keeps its first chunk). */
struct batch {
	int adv;                         /* advisories, not packages */
	union {
		struct alu_pkgrec pkg[BATCH_RECS];
		struct alu_advrec adv[BATCH_RECS];
	} rec;
	size_t n;
	struct rarena arena;             /* what the records point to */
};

struct pipe {
	struct alu_ring r;
	struct batch b[ALU_RING_SLOTS];
	int slot;                        /* the producer's claimed slot, -1 none */
	struct rarena *strings;          /* that slot's arena: package readers write there */
	alu_recs_reader_fn reader;
	void *rctx;
	struct alu_err err;              /* the reader's */
	int rc;
};

static void *balloc(struct batch *b, size_t n)
{
	return rarena_alloc(&b->arena, n);
}

static int cp(struct batch *b, const char **s)
{
	size_t n = strlen(*s) + 1;
	char *d = balloc(b, n);

	if (!d)
		return -ENOMEM;
	memcpy(d, *s, n);
	*s = d;
	return 0;
}

/* The record into @p b; its strings are already there (the readers wrote them
 * into the batch's arena), its dependency and file arrays are the reader's. */
static int copy_rec(struct batch *b, struct alu_pkgrec *d, const struct alu_pkgrec *s)
{
	const char **files;

	*d = *s;
	for (int t = 0; t < ALU_DEPTYPE_N; t++) {
		struct alu_dep *deps = balloc(b, s->ndeps[t] * sizeof(*deps) + 1);
		if (!deps)
			return -ENOMEM;
		if (s->ndeps[t])
			memcpy(deps, s->deps[t], s->ndeps[t] * sizeof(*deps));
		d->deps[t] = deps;
	}
	files = balloc(b, s->nfiles * sizeof(*files) + 1);
	if (!files)
		return -ENOMEM;
	if (s->nfiles)
		memcpy(files, s->files, s->nfiles * sizeof(*files));
	d->files = files;
	return 0;
}

static int copy_adv(struct batch *b, struct alu_advrec *d, const struct alu_advrec *s)
{
	const char **str[] = { &d->id, &d->type, &d->severity, &d->title, &d->issued, &d->updated,
		&d->description, &d->from, &d->status, &d->version, &d->cvss_score, &d->cvss_vector };
	struct alu_advref *refs = balloc(b, s->nrefs * sizeof(*refs) + 1);
	struct alu_advpkg *pkgs = balloc(b, s->npkgs * sizeof(*pkgs) + 1);
	int rc = 0;

	if (!refs || !pkgs)
		return -ENOMEM;
	*d = *s;
	for (size_t i = 0; !rc && i < sizeof(str) / sizeof(str[0]); i++)
		rc = cp(b, str[i]);
	for (size_t i = 0; !rc && i < s->nrefs; i++) {
		refs[i] = s->refs[i];
		rc = cp(b, &refs[i].href) || cp(b, &refs[i].id) || cp(b, &refs[i].title) ||
		     cp(b, &refs[i].type) ? -ENOMEM : 0;
	}
	for (size_t i = 0; !rc && i < s->npkgs; i++) {
		pkgs[i] = s->pkgs[i];
		rc = cp(b, &pkgs[i].name) || cp(b, &pkgs[i].version) || cp(b, &pkgs[i].release) ||
		     cp(b, &pkgs[i].arch) || cp(b, &pkgs[i].src) || cp(b, &pkgs[i].filename) ?
		     -ENOMEM : 0;
	}
	d->refs = refs;
	d->pkgs = pkgs;
	return rc;
}

/* The readers' sinks, on the reader thread: a batch holds one kind. */
static int claim(struct pipe *g)
{
	g->slot = alu_ring_claim(&g->r);
	/* NULL when the writer failed: the reader's own arena takes the strings
	 * until the next record is refused */
	g->strings = g->slot >= 0 ? &g->b[g->slot].arena : NULL;
	return g->slot;
}

static struct batch *slot_for(struct pipe *g, int adv)
{
	if (g->slot >= 0 && g->b[g->slot].n && g->b[g->slot].adv != adv) {
		alu_ring_put(&g->r);
		g->slot = -1;
	}
	if (g->slot < 0 && claim(g) < 0)
		return NULL;   /* the writer failed; its error is the one to report */
	g->b[g->slot].adv = adv;
	return &g->b[g->slot];
}

/* A full batch goes; the next one is claimed now, as the next record's
 * strings are written to its arena before the record reaches collect_pkg. */
static void filled(struct pipe *g, struct batch *b)
{
	if (++b->n == BATCH_RECS) {
		alu_ring_put(&g->r);
		claim(g);
	}
}

/* A record into the current batch of its kind: package @p p or advisory @p a. */
static int collect(struct pipe *g, const struct alu_pkgrec *p, const struct alu_advrec *a)
{
	struct batch *b = slot_for(g, a != NULL);

	if (!b)
		return -ECANCELED;
	if (p ? copy_rec(b, &b->rec.pkg[b->n], p) : copy_adv(b, &b->rec.adv[b->n], a))
		return -ENOMEM;
	filled(g, b);
	return 0;
}

static int collect_pkg(void *ud, const struct alu_pkgrec *p)
{
	return collect(ud, p, NULL);
}

static int collect_adv(void *ud, const struct alu_advrec *a)
{
	return collect(ud, NULL, a);
}

static void *reader(void *arg)
{
	struct pipe *g = arg;
	const struct alu_recs_cb sink = { collect_pkg, collect_adv, g, &g->strings };

	if (claim(g) < 0)
		g->rc = -ECANCELED;
	else
		g->rc = g->reader(g->rctx, &sink, &g->err);
	if (!g->rc && g->slot >= 0 && g->b[g->slot].n)
		alu_ring_put(&g->r);
	alu_ring_done(&g->r);
	return NULL;
}

int alu_recs_piped(alu_recs_reader_fn read, void *rctx, const struct alu_recs_cb *cb,
		   struct alu_err *e)
{
	struct pipe *g = calloc(1, sizeof(*g));
	pthread_attr_t at;
	pthread_t th;
	int rc = 0, i;

	if (!g)
		return alu_err_set(e, -ENOMEM, "out of memory");
	g->r = (struct alu_ring)ALU_RING_INIT;
	/* one chunk holds a usual batch: resets then free nothing (no malloc churn) */
	for (i = 0; i < ALU_RING_SLOTS; i++)
		g->b[i].arena.chunk = BATCH_BYTES;
	g->slot = -1;
	g->reader = read;
	g->rctx = rctx;
	/* SQLite and expat want more than musl's 128 KiB default stack */
	if (pthread_attr_init(&at) || pthread_attr_setstacksize(&at, 4u << 20) ||
	    pthread_create(&th, &at, reader, g)) {
		pthread_attr_destroy(&at);
		free(g);
		return read(rctx, cb, e);   /* no thread: the same work, serially */
	}
	pthread_attr_destroy(&at);
	while ((i = alu_ring_take(&g->r)) >= 0) {
		struct batch *b = &g->b[i];
		for (size_t k = 0; !rc && k < b->n; k++)
			rc = b->adv ? cb->adv(cb->ud, &b->rec.adv[k]) : cb->pkg(cb->ud, &b->rec.pkg[k]);
		rarena_reset(&b->arena);
		b->n = 0;
		alu_ring_release(&g->r, rc);
		if (rc)
			break;
	}
	pthread_join(th, NULL);
	if (!rc && g->rc)
		rc = alu_err_set(e, g->rc, "%s", g->err.msg[0] ? g->err.msg : alu_strerror(g->rc));
	for (i = 0; i < ALU_RING_SLOTS; i++)
		rarena_free(&g->b[i].arena);
	free(g);
	return rc;
}
