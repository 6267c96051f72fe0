/* SPDX-License-Identifier: MIT */
/*
 * History records. The state db keeps them as opaque bytes; this is their
 * format: UTF-8 text, one field a line, "KEY VALUE", values escaped
 * (backslash, newline as \n) so that scriptlet output cannot forge a field:
 *
 *   v 1
 *   begin 1795000000          end 1795000003
 *   uid 0                     login root
 *   cmd update --security -y  rc 0          error <text>
 *   op Update\thello-2.11-1.amzn2.x86_64\tamzn2-core   (repeatable: done)
 *   plan Update\thello-2.11-1.amzn2.x86_64\tamzn2-core (repeatable: planned,
 *                                                       kept when not all done)
 *   interrupted 1                                      (the run was cut)
 *   out <a line of the transaction log>                (repeatable)
 *
 * `end 0` is a record whose run has not ended: written before the first
 * package, its `op` lines grow with each package's commit (src/ops/apply.c).
 * Readers of the first format ignore the `plan` and `interrupted` lines.
 *
 * Text, so that `strings` on the database still tells an administrator
 * what happened; versioned, so that a later format can be told apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "ops/ops_int.h"

struct sbuf { char *p; size_t n, cap; int oom; };

static void put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->cap + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void field(struct sbuf *b, const char *key, const char *val)
{
	put(b, key, strlen(key));
	put(b, " ", 1);
	for (const char *s = val; *s; s++) {
		if (*s == '\\')
			put(b, "\\\\", 2);
		else if (*s == '\n')
			put(b, "\\n", 2);
		else
			put(b, s, 1);
	}
	put(b, "\n", 1);
}

static void numfield(struct sbuf *b, const char *key, long long v)
{
	char num[32];
	snprintf(num, sizeof(num), "%lld", v);
	field(b, key, num);
}

int alu_hist_encode(const struct alu_hist *h, char **buf, size_t *len)
{
	struct sbuf b = { 0 };

	numfield(&b, "v", 1);
	numfield(&b, "begin", h->begin);
	numfield(&b, "end", h->end);
	numfield(&b, "uid", h->uid);
	field(&b, "login", h->login ? h->login : "");
	field(&b, "cmd", h->cmdline ? h->cmdline : "");
	numfield(&b, "rc", h->rc);
	field(&b, "error", h->error ? h->error : "");
	if (h->interrupted && h->end)
		numfield(&b, "interrupted", 1);
	for (size_t i = 0; i < h->nops + h->nplan; i++) {
		const struct alu_hist_op *op = i < h->nops ? &h->ops[i] : &h->plan[i - h->nops];
		char line[3000];
		snprintf(line, sizeof(line), "%s\t%s\t%s", op->action, op->nevra, op->repo);
		field(&b, i < h->nops ? "op" : "plan", line);
	}
	for (size_t i = 0; i < h->out.n; i++)
		field(&b, "out", h->out.v[i]);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*buf = b.p;
	*len = b.n;
	return 0;
}

static char *unescape(const char *s, size_t n)
{
	char *o = malloc(n + 1), *d = o;

	if (!o)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			*d++ = s[i + 1] == 'n' ? '\n' : s[i + 1];
			i++;
		} else {
			*d++ = s[i];
		}
	}
	*d = 0;
	return o;
}

int alu_hist_op_add(struct alu_hist_op **v, size_t *n, const char *action, const char *nevra,
		    const char *repo)
{
	struct alu_hist_op *ops = realloc(*v, (*n + 1) * sizeof(*ops));

	if (!ops)
		return -ENOMEM;
	*v = ops;
	ops[*n].action = strdup(action);
	ops[*n].nevra = strdup(nevra);
	ops[*n].repo = strdup(repo ? repo : "");
	(*n)++;
	return ops[*n - 1].action && ops[*n - 1].nevra && ops[*n - 1].repo ? 0 : -ENOMEM;
}

void alu_hist_ops_free(struct alu_hist_op **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free((*v)[i].action);
		free((*v)[i].nevra);
		free((*v)[i].repo);
	}
	free(*v);
	*v = NULL;
	*n = 0;
}

static int parse_op(struct alu_hist_op **v, size_t *n, char *line)
{
	char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

	if (!t2)
		return -ALUE_CORRUPT;
	*t1 = *t2 = 0;
	return alu_hist_op_add(v, n, line, t1 + 1, t2 + 1);
}

int alu_hist_decode(const void *rec, size_t len, struct alu_hist *h)
{
	const char *p = rec, *end = p + len;
	int rc = 0, version = 0;

	memset(h, 0, sizeof(*h));
	while (!rc && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		char key[16], *v;
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

		sp = memchr(p, ' ', ll);
		if (!sp || (size_t)(sp - p) >= sizeof(key)) {
			rc = -ALUE_CORRUPT;
			break;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(sp - p), p);
		if (!(v = unescape(sp + 1, ll - (size_t)(sp + 1 - p)))) {
			rc = -ENOMEM;
			break;
		}
		if (!strcmp(key, "v"))
			version = atoi(v);
		else if (!strcmp(key, "begin"))
			h->begin = atoll(v);
		else if (!strcmp(key, "end"))
			h->end = atoll(v);
		else if (!strcmp(key, "uid"))
			h->uid = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(key, "rc"))
			h->rc = atoi(v);
		else if (!strcmp(key, "login") && !h->login)
			h->login = v, v = NULL;
		else if (!strcmp(key, "cmd") && !h->cmdline)
			h->cmdline = v, v = NULL;
		else if (!strcmp(key, "error") && !h->error)
			h->error = v, v = NULL;
		else if (!strcmp(key, "interrupted"))
			h->interrupted = atoi(v) != 0;
		else if (!strcmp(key, "op"))
			rc = parse_op(&h->ops, &h->nops, v);
		else if (!strcmp(key, "plan"))
			rc = parse_op(&h->plan, &h->nplan, v);
		else if (!strcmp(key, "out"))
			rc = alu_strv_push(&h->out, v);
		free(v);
		p += ll + 1;
	}
	if (!rc && version != 1)
		rc = -ALUE_CORRUPT;
	if (!rc && (!h->login || !h->cmdline || !h->error))
		rc = -ALUE_CORRUPT;
	if (!h->end)
		h->interrupted = 1;
	if (rc)
		alu_hist_free(h);
	return rc;
}

void alu_hist_free(struct alu_hist *h)
{
	alu_hist_ops_free(&h->ops, &h->nops);
	alu_hist_ops_free(&h->plan, &h->nplan);
	free(h->login);
	free(h->cmdline);
	free(h->error);
	alu_strv_free(&h->out);
	memset(h, 0, sizeof(*h));
}

struct walk {
	int (*cb)(void *arg, const struct alu_hist *h);
	void *arg;
	uint64_t bad;
};

static int walk_cb(void *arg, uint64_t seq, const void *rec, size_t len)
{
	struct walk *w = arg;
	struct alu_hist h;
	int rc = alu_hist_decode(rec, len, &h);

	if (rc) {
		w->bad = seq;
		return rc;
	}
	h.seq = seq;
	rc = w->cb(w->arg, &h);
	alu_hist_free(&h);
	return rc;
}

int alu_hist_foreach(struct alu_state *s, int reverse,
		     int (*cb)(void *arg, const struct alu_hist *h), void *arg)
{
	struct walk w = { cb, arg, 0 };

	return alu_state_history_foreach(s, reverse, walk_cb, &w);
}

/* ---- records a killed run left open --------------------------------------- */

struct open_recs { uint64_t *seqs; size_t n; int oom; };

static int open_cb(void *arg, const struct alu_hist *h)
{
	struct open_recs *o = arg;
	uint64_t *v;

	/* every writing run closes the open ones first: none is older than
	 * the newest closed record */
	if (h->end)
		return 1;
	v = realloc(o->seqs, (o->n + 1) * sizeof(*v));
	if (!v) {
		o->oom = 1;
		return 1;
	}
	o->seqs = v;
	o->seqs[o->n++] = h->seq;
	return 0;
}

struct mark { uint64_t seq; struct alu_hist h; int found, rc; };

static int mark_cb(void *arg, uint64_t seq, const void *rec, size_t len)
{
	struct mark *m = arg;

	if (seq != m->seq)
		return 0;
	m->found = 1;
	m->rc = alu_hist_decode(rec, len, &m->h);
	return 1;
}

int alu_hist_mark_interrupted(struct alu_state *s, const char *recovered, size_t *n,
			      struct alu_err *e)
{
	struct open_recs o = { 0 };
	struct alu_state_txn *t = NULL;
	char msg[700];
	int rc = alu_hist_foreach(s, 1, open_cb, &o);

	if (n)
		*n = 0;
	if (rc == 1)
		rc = 0;
	if (!rc && o.oom)
		rc = -ENOMEM;
	if (rc) {
		free(o.seqs);
		return alu_err_set(e, rc, "reading history: %s", alu_strerror(rc));
	}
	if (!o.n)
		return 0;
	snprintf(msg, sizeof(msg), "interrupted%s%s", recovered && *recovered ? "; recovery: " : "",
		 recovered ? recovered : "");
	rc = alu_state_txn_begin(s, &t, e);
	for (size_t i = 0; !rc && i < o.n; i++) {
		struct mark m = { .seq = o.seqs[i] };
		char *buf = NULL, *err;
		size_t len;

		/* reads go through the open write transaction */
		alu_state_history_foreach(s, 1, mark_cb, &m);
		if (!m.found || m.rc) {
			rc = alu_err_set(e, m.found ? m.rc : -ALUE_DB, "history record %llu: %s",
					 (unsigned long long)m.seq, alu_strerror(m.found ? m.rc : -ALUE_DB));
			break;
		}
		err = strdup(msg);
		if (err) {
			free(m.h.error);
			m.h.error = err;
			m.h.end = alu_now();
			m.h.rc = -EINTR;
			m.h.interrupted = 1;
			rc = alu_hist_encode(&m.h, &buf, &len);
		} else {
			rc = -ENOMEM;
		}
		alu_hist_free(&m.h);
		if (rc)
			alu_err_set(e, rc, "out of memory");
		else
			rc = alu_state_history_put(t, m.seq, buf, len, e);
		free(buf);
		if (!rc && n)
			(*n)++;
	}
	free(o.seqs);
	if (rc) {
		alu_state_txn_abort(t);
		return rc;
	}
	return alu_state_txn_commit(t, e);
}

/* ---- undo ---------------------------------------------------------------- */

struct undo {
	uint64_t from, to;
	struct alu_strv keys, vals;   /* key -> "+NEVRA" / "-NEVRA" */
	int found, oom;
};

static void set_target(struct undo *u, const char *key, char sign, const char *nevra)
{
	char buf[1100];

	snprintf(buf, sizeof(buf), "%c%s", sign, nevra);
	for (size_t i = 0; i < u->keys.n; i++)
		if (!strcmp(u->keys.v[i], key)) {
			char *d = strdup(buf);
			if (!d) {
				u->oom = 1;
				return;
			}
			free(u->vals.v[i]);
			u->vals.v[i] = d;
			return;
		}
	if (alu_strv_push(&u->keys, key) || alu_strv_push(&u->vals, buf))
		u->oom = 1;
}

static int undo_cb(void *arg, const struct alu_hist *h)
{
	struct undo *u = arg;

	if (h->seq < u->from || h->seq > u->to)
		return 0;
	u->found++;
	/* Records come newest first and an older one overwrites: what decides a
	 * package is the first thing the undone range did to it. Appeared then
	 * ("Install", "Update", ...): it goes ("-"); went away then ("Erase",
	 * "Updated", ...): it comes back ("+"). Keyed by NEVRA, so an update and
	 * a later removal of one name undo to the version of before both. */
	for (size_t i = 0; i < h->nops; i++) {
		const struct alu_hist_op *op = &h->ops[i];
		const char *a = op->action;
		int gone = !strcmp(a, "Erase") || !strcmp(a, "Updated") || !strcmp(a, "Downgraded") ||
			!strcmp(a, "Obsoleted") || !strcmp(a, "Reinstalled");

		if (!strcmp(a, "Reinstall") || !strcmp(a, "Reinstalled"))
			continue;   /* nothing to undo */
		set_target(u, op->nevra, gone ? '+' : '-', op->nevra);
	}
	return 0;
}

int alu_hist_undo_targets(struct alu_state *s, uint64_t from, uint64_t to,
			  struct alu_strv *specs, struct alu_err *e)
{
	struct undo u = { .from = from, .to = to };
	int rc = alu_hist_foreach(s, 1, undo_cb, &u);

	if (!rc && u.oom)
		rc = -ENOMEM;
	if (rc)
		alu_err_set(e, rc, "reading history: %s", alu_strerror(rc));
	else if (!u.found && from <= to)
		rc = alu_err_set(e, -ALUE_NOTFOUND, "no transaction %llu in history",
				 (unsigned long long)from);
	for (size_t i = 0; !rc && i < u.vals.n; i++)
		if (alu_strv_push(specs, u.vals.v[i]))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	alu_strv_free(&u.keys);
	alu_strv_free(&u.vals);
	return rc;
}
