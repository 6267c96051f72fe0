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
 *   op Update\thello-2.11-1.amzn2.x86_64\tamzn2-core   (repeatable)
 *   out <a line of the transaction log>                (repeatable)
 *
 * Text, so that `strings` on the database still tells an administrator
 * what happened; versioned, so that a later format can be told apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	for (size_t i = 0; i < h->nops; i++) {
		char line[3000];
		snprintf(line, sizeof(line), "%s\t%s\t%s", h->ops[i].action, h->ops[i].nevra,
			 h->ops[i].repo);
		field(&b, "op", line);
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

static int parse_op(struct alu_hist *h, char *v)
{
	char *t1 = strchr(v, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
	struct alu_hist_op *ops;

	if (!t2)
		return -ALUE_CORRUPT;
	*t1 = *t2 = 0;
	ops = realloc(h->ops, (h->nops + 1) * sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	h->ops = ops;
	ops[h->nops].action = strdup(v);
	ops[h->nops].nevra = strdup(t1 + 1);
	ops[h->nops].repo = strdup(t2 + 1);
	h->nops++;
	return ops[h->nops - 1].action && ops[h->nops - 1].nevra && ops[h->nops - 1].repo ? 0 : -ENOMEM;
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
		else if (!strcmp(key, "op"))
			rc = parse_op(h, v);
		else if (!strcmp(key, "out"))
			rc = alu_strv_push(&h->out, v);
		free(v);
		p += ll + 1;
	}
	if (!rc && version != 1)
		rc = -ALUE_CORRUPT;
	if (!rc && (!h->login || !h->cmdline || !h->error))
		rc = -ALUE_CORRUPT;
	if (rc)
		alu_hist_free(h);
	return rc;
}

void alu_hist_free(struct alu_hist *h)
{
	for (size_t i = 0; i < h->nops; i++) {
		free(h->ops[i].action);
		free(h->ops[i].nevra);
		free(h->ops[i].repo);
	}
	free(h->ops);
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

/* "name.arch" of a NEVRA: the name ends where the version's dash is. */
static void name_arch(const char *nevra, char *buf, size_t n)
{
	size_t l = strlen(nevra), nl = l;
	const char *dot = strrchr(nevra, '.');

	for (int dashes = 0; nl > 0 && dashes < 2; nl--)
		dashes += nevra[nl - 1] == '-';
	snprintf(buf, n, "%.*s%s", (int)nl, nevra, dot ? dot : "");
}

static int undo_cb(void *arg, const struct alu_hist *h)
{
	struct undo *u = arg;

	if (h->seq < u->from || h->seq > u->to)
		return 0;
	u->found++;
	/* newest first; within one transaction the old package's "+" wins over
	 * the new one's "-", and an older transaction wins over a newer one */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < h->nops; i++) {
			const struct alu_hist_op *op = &h->ops[i];
			const char *a = op->action;
			int paired = strcmp(a, "Install") && strcmp(a, "Dep-Install") && strcmp(a, "Erase");
			int gone = !strcmp(a, "Erase") || !strcmp(a, "Updated") || !strcmp(a, "Downgraded") ||
				!strcmp(a, "Obsoleted") || !strcmp(a, "Reinstalled");
			char key[1100];

			if (pass != gone)
				continue;
			if (paired)
				name_arch(op->nevra, key, sizeof(key));
			else
				snprintf(key, sizeof(key), "%s", op->nevra);
			if (!strcmp(a, "Reinstall") || !strcmp(a, "Reinstalled"))
				continue;   /* nothing to undo */
			if (!strcmp(a, "Obsoleting") || !strcmp(a, "Obsoleted"))
				snprintf(key, sizeof(key), "%s", op->nevra);
			set_target(u, key, gone ? '+' : '-', op->nevra);
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
