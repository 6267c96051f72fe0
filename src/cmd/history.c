/* SPDX-License-Identifier: MIT */
/*
 * `alupdate history [list|info N|undo N|rollback N]`: the transactions
 * alupdate applied to the root (src/ops/hist.c keeps the records), in yum's
 * layout; undo and rollback are transactions of their own (ALU_OPS_TARGET).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/opsrun.h"
#include "util/out.h"

/* writer: another process holds the root's lock, so a record without an end
 * is a transaction being applied, not one a killed run left */
struct show { const struct alu_ctx *ctx; uint64_t want; int n, found, writer; };

static void when(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	strftime(buf, n, "%Y-%m-%d %H:%M", localtime_r(&tt, &tm));
}

static const char *altered(const struct alu_hist *h, char *buf, size_t n)
{
	static const char *const a[] = { "Install", "Dep-Install", "Update", "Erase", "Downgrade",
		"Reinstall", "Obsoleting" };
	static const char c[] = "IIUEDRO";
	size_t k = 0, cnt = 0;

	for (size_t i = 0; i < h->nops; i++)
		for (size_t j = 0; j < sizeof(a) / sizeof(*a); j++)
			if (!strcmp(h->ops[i].action, a[j]) && k + 2 < n && !memchr(buf, c[j], k))
				buf[k++] = c[j], buf[k++] = ',';
	for (size_t i = 0; i < h->nops; i++)
		cnt += !strstr(h->ops[i].action, "ed");
	if (k)
		k--;
	buf[k] = 0;
	snprintf(buf + k, n - k, "%s%zu", k ? " " : "", cnt);
	return buf;
}

static void json_ops(const char *key, const struct alu_hist_op *ops, size_t n)
{
	printf(",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		printf("%s{\"action\":", i ? "," : "");
		alu_json_str(ops[i].action);
		printf(",\"nevra\":");
		alu_json_str(ops[i].nevra);
		printf(",\"repo\":");
		alu_json_str(ops[i].repo);
		printf("}");
	}
	printf("]");
}

/* Planned operations a failed or interrupted run did not reach. */
static void not_done(const struct alu_hist *h)
{
	int head = 0;

	for (size_t i = 0; i < h->nplan; i++) {
		const struct alu_hist_op *p = &h->plan[i];
		size_t k = 0;

		while (k < h->nops && (strcmp(h->ops[k].action, p->action) || strcmp(h->ops[k].nevra, p->nevra)))
			k++;
		if (k < h->nops)
			continue;
		if (!head++)
			printf("Not done (%s):\n", h->interrupted ? "interrupted" : "failed");
		printf("    %-12s %s%s%s\n", p->action, p->nevra, *p->repo ? " @" : "", p->repo);
	}
}

static int running(const struct show *s, const struct alu_hist *h)
{
	return s->writer && !h->end;
}

static int list_cb(void *arg, const struct alu_hist *h)
{
	struct show *s = arg;
	char t[32], a[32] = "";

	when(h->begin, t, sizeof(t));
	if (s->ctx->json) {
		printf("%s{\"id\":%llu,\"command\":", s->n++ ? "," : "", (unsigned long long)h->seq);
		alu_json_str(h->cmdline);
		printf(",\"begin\":%lld,\"end\":%lld,\"uid\":%u,\"login\":", (long long)h->begin,
		       (long long)h->end, h->uid);
		alu_json_str(h->login);
		printf(",\"rc\":%d,\"interrupted\":%s,\"running\":%s,\"error\":", h->rc,
		       h->interrupted && !running(s, h) ? "true" : "false",
		       running(s, h) ? "true" : "false");
		alu_json_str(h->error);
		json_ops("ops", h->ops, h->nops);
		json_ops("planned", h->plan, h->nplan);
		printf(",\"output\":[");
		for (size_t i = 0; i < h->out.n; i++) {
			printf("%s", i ? "," : "");
			alu_json_str(h->out.v[i]);
		}
		printf("]}");
		return 0;
	}
	/* yum's "**": a transaction that did not finish */
	printf("%7llu | %-24.24s | %s | %-14s | %s\n", (unsigned long long)h->seq,
	       h->cmdline, t, altered(h, a, sizeof(a)),
	       running(s, h) ? "** Running" : h->interrupted ? "** Interrupted" : h->rc ? "Failed" : "");
	return 0;
}

static int info_cb(void *arg, const struct alu_hist *h)
{
	struct show *s = arg;
	const char *rec;
	char t[32];

	if (h->seq != s->want)
		return 0;
	s->found = 1;
	if (s->ctx->json)
		return list_cb(arg, h);
	when(h->begin, t, sizeof(t));
	printf("Transaction ID : %llu\nBegin time     : %s\n", (unsigned long long)h->seq, t);
	when(h->end, t, sizeof(t));
	if (running(s, h))
		printf("End time       : ** Running ** (another alupdate is applying it)\n");
	else if (!h->end)
		printf("End time       : ** Interrupted ** (not finished; the next writing command recovers)\n");
	else if (h->interrupted)
		printf("End time       : ** Interrupted ** (found %s)\n", t);
	else
		printf("End time       : %s\n", t);
	/* a marked record's error is "interrupted[; recovery: what it did]" */
	rec = h->interrupted && !strncmp(h->error, "interrupted; ", 13) ? h->error + 13 : NULL;
	printf("User           : %s (uid %u)\nReturn-Code    : %s%s%s%s\n"
	       "Command Line   : %s\nTransaction performed with:\n", h->login, h->uid,
	       running(s, h) ? "** Running **" : h->interrupted ? "** Interrupted **" :
	       h->rc ? h->error : "Success",
	       rec ? " (" : "", rec ? rec : "", rec ? ")" : "", h->cmdline);
	printf("Packages Altered:\n");
	for (size_t i = 0; i < h->nops; i++)
		printf("    %-12s %s%s%s\n", h->ops[i].action, h->ops[i].nevra,
		       *h->ops[i].repo ? " @" : "", h->ops[i].repo);
	not_done(h);
	if (h->out.n)
		printf("Scriptlet output:\n");
	for (size_t i = 0; i < h->out.n; i++)
		printf("   %zu %s\n", i + 1, h->out.v[i]);
	return 0;
}

static int last_cb(void *arg, const struct alu_hist *h)
{
	*(uint64_t *)arg = h->seq;
	return 1;
}

static int show(struct alu_ctx *ctx, const char *what, uint64_t id)
{
	struct alu_state *st = NULL;
	struct alu_err e = { 0 };
	struct show s = { ctx, id, 0, 0, alu_txn_lock_held(ctx->root) };
	int rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &st, &e);

	if (!rc && !strcmp(what, "info") && !id)
		alu_hist_foreach(st, 1, last_cb, &s.want);
	if (!rc && !strcmp(what, "list")) {
		if (ctx->json)
			printf("[");
		else
			printf("ID      | Command line             | Date and time    | Action(s)      | Altered\n"
			       "-------------------------------------------------------------------------------\n");
		rc = alu_hist_foreach(st, 1, list_cb, &s);
		if (ctx->json)
			printf("]\n");
	} else if (!rc) {
		rc = alu_hist_foreach(st, 0, info_cb, &s);
		if (!rc && !s.found)
			rc = alu_err_set(&e, -ALUE_NOTFOUND, "no transaction %llu in history",
					 (unsigned long long)s.want);
		if (ctx->json && s.found)
			printf("\n");
	}
	if (rc && !e.code)
		alu_err_set(&e, rc, "reading history: %s", alu_strerror(rc));
	alu_state_close(st);
	if (rc)
		alu_error("%s", e.msg);
	return rc ? 1 : 0;
}

static int undo(struct alu_ctx *ctx, const char *what, uint64_t id)
{
	struct alu_strv specs = { 0 };
	struct alu_state *s = NULL;
	struct alu_err e = { 0 };
	uint64_t last = 0;
	char name[64];
	int rc = alu_state_open(ctx->root, ALU_STATEF_RDONLY, &s, &e);

	if (!rc)
		alu_hist_foreach(s, 1, last_cb, &last);
	if (!rc && !id)
		id = last;   /* "last" */
	if (!rc && (id > last || !id))
		rc = alu_err_set(&e, -ALUE_NOTFOUND, "no transaction %llu in history", (unsigned long long)id);
	if (!rc)
		rc = !strcmp(what, "undo") ? alu_hist_undo_targets(s, id, id, &specs, &e) :
			alu_hist_undo_targets(s, id + 1, last, &specs, &e);
	alu_state_close(s);
	if (rc) {
		alu_error("%s", e.msg);
		return 1;
	}
	if (!ctx->json)
		alu_msg("%s to transaction %llu", !strcmp(what, "undo") ? "Undoing" : "Rollback",
			(unsigned long long)id);
	snprintf(name, sizeof(name), "history %s %llu", what, (unsigned long long)id);
	rc = alu_cmd_ops_run(ctx, name, ALU_OPS_TARGET, specs.v, (int)specs.n);
	alu_strv_free(&specs);
	return rc;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	const char *what = argc ? argv[0] : "list";
	uint64_t id = 0;
	char *end = NULL;

	(void)priv;
	/* "last" (yum and dnf): the newest transaction, id 0 to the helpers */
	if (argc > 1 && strcmp(argv[1], "last")) {
		id = strtoull(argv[1], &end, 10);
		if (*end || !id) {
			alu_error("history %s: '%s' is not a transaction id", what, argv[1]);
			return 1;
		}
	}
	if (!strcmp(what, "list") && argc <= 1)
		return show(ctx, what, 0);
	if (!strcmp(what, "info") && argc <= 2)
		return show(ctx, what, id);
	if ((!strcmp(what, "undo") || !strcmp(what, "rollback")) && argc == 2)
		return undo(ctx, what, id);
	alu_error("usage: alupdate history [list | info [N] | undo N | rollback N]");
	return 1;
}

const struct alu_cmd alu_cmd_history = {
	.name = "history",
	.summary = "show, undo or roll back the transactions applied to the root",
	.usage = "[list | info [N] | undo N | rollback N]",
	.flags = 0,
	.groups = ALU_OPTG_TXN,
	.run = run,
};
