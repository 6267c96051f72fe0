/* SPDX-License-Identifier: MIT */
/* Printing a repository transaction the way yum 3.4 does; see opsrun.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fmt.h"
#include "util/json.h"
#include "cmd/opsrun.h"
#include "util/out.h"

#define RULE "================================================================================"


static const char *section(enum alu_op_type t, int dep)
{
	switch (t) {
	case ALU_OP_INSTALL: return dep ? "Installing for dependencies" : "Installing";
	case ALU_OP_UPGRADE: return dep ? "Updating for dependencies" : "Updating";
	case ALU_OP_DOWNGRADE: return "Downgrading";
	case ALU_OP_REINSTALL: return "Reinstalling";
	case ALU_OP_ERASE: return dep ? "Removing for dependencies" : "Removing";
	case ALU_OP_OBSOLETE: return "Installing";
	}
	return "";
}

void alu_cmd_ops_table(const struct alu_ops *o)
{
	static const char *const order[] = { "Installing", "Updating", "Downgrading", "Reinstalling",
		"Removing", "Installing for dependencies", "Updating for dependencies",
		"Removing for dependencies" };
	int wn = 16, wa = 8, wv = 16, wr = 16;
	unsigned long long isize = 0, rsize = 0, cnt[6] = { 0 };
	char sz[32];

	for (size_t i = 0; i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		int a = (int)strlen(op->name), b = (int)strlen(op->arch), c = (int)strlen(op->evr);
		int d = (int)strlen(op->repo) + (op->type == ALU_OP_ERASE);
		wn = a > wn ? a : wn; wa = b > wa ? b : wa; wv = c > wv ? c : wv; wr = d > wr ? d : wr;
	}
	printf("Dependencies Resolved\n\n%s\n %-*s %-*s %-*s %-*s %s\n%s\n", RULE, wn, "Package", wa,
	       "Arch", wv, "Version", wr, "Repository", "Size", RULE);
	for (size_t s = 0; s < sizeof(order) / sizeof(*order); s++) {
		int shown = 0;
		for (size_t i = 0; i < o->plan.n; i++) {
			const struct alu_plan_op *op = &o->plan.ops[i];
			char repo[300];
			if (strcmp(section(op->type, op->is_dep), order[s]))
				continue;
			if (!shown++)
				printf("%s:\n", order[s]);
			/* erasures come from the solver's "@System": shown as dnf does */
			snprintf(repo, sizeof(repo), "%s%s",
				 op->type == ALU_OP_ERASE && op->repo[0] != '@' ? "@" : "", op->repo);
			alu_fmt_size(op->type == ALU_OP_ERASE ? op->size : op->dlsize, sz, sizeof(sz));
			printf(" %-*s %-*s %-*s %-*s %5s\n", wn, op->name, wa, op->arch, wv, op->evr, wr,
			       repo, sz);
			if (op->old_nevra && op->type == ALU_OP_OBSOLETE)
				printf("     replacing  %s\n", op->old_nevra);
			cnt[op->type]++;
			if (op->type == ALU_OP_ERASE)
				rsize += op->size;
			else
				isize += op->size;
		}
		if (shown)
			printf("\n");
	}
	printf("Transaction Summary\n%s\n", RULE);
	if (cnt[ALU_OP_INSTALL] + cnt[ALU_OP_OBSOLETE])
		printf("Install    %llu Package%s\n", cnt[ALU_OP_INSTALL] + cnt[ALU_OP_OBSOLETE],
		       cnt[ALU_OP_INSTALL] + cnt[ALU_OP_OBSOLETE] == 1 ? "" : "s");
	if (cnt[ALU_OP_UPGRADE])
		printf("Upgrade    %llu Package%s\n", cnt[ALU_OP_UPGRADE], cnt[ALU_OP_UPGRADE] == 1 ? "" : "s");
	if (cnt[ALU_OP_DOWNGRADE])
		printf("Downgrade  %llu Package%s\n", cnt[ALU_OP_DOWNGRADE], cnt[ALU_OP_DOWNGRADE] == 1 ? "" : "s");
	if (cnt[ALU_OP_REINSTALL])
		printf("Reinstall  %llu Package%s\n", cnt[ALU_OP_REINSTALL], cnt[ALU_OP_REINSTALL] == 1 ? "" : "s");
	if (cnt[ALU_OP_ERASE])
		printf("Remove     %llu Package%s\n", cnt[ALU_OP_ERASE], cnt[ALU_OP_ERASE] == 1 ? "" : "s");
	printf("\n");
	if (isize || cnt[ALU_OP_INSTALL] + cnt[ALU_OP_UPGRADE] + cnt[ALU_OP_DOWNGRADE] +
	    cnt[ALU_OP_REINSTALL] + cnt[ALU_OP_OBSOLETE]) {
		unsigned long long dl = 0;
		for (size_t i = 0; i < o->plan.n; i++)
			if (o->plan.ops[i].type != ALU_OP_ERASE)
				dl += o->plan.ops[i].dlsize;
		alu_fmt_size(dl, sz, sizeof(sz));
		printf("Total download size: %s\n", sz);
		alu_fmt_size(isize, sz, sizeof(sz));
		printf("Installed size: %s\n", sz);
	} else {
		alu_fmt_size(rsize, sz, sizeof(sz));
		printf("Installed size: %s\n", sz);
	}
	fflush(stdout);
}

void alu_cmd_ops_done(const struct alu_ops *o)
{
	static const struct { enum alu_op_type t; int dep; const char *title; } groups[] = {
		{ ALU_OP_INSTALL, 0, "Installed" }, { ALU_OP_OBSOLETE, 0, "Replaced" },
		{ ALU_OP_INSTALL, 1, "Dependency Installed" }, { ALU_OP_UPGRADE, 0, "Updated" },
		{ ALU_OP_UPGRADE, 1, "Dependency Updated" }, { ALU_OP_DOWNGRADE, 0, "Downgraded" },
		{ ALU_OP_REINSTALL, 0, "Reinstalled" }, { ALU_OP_ERASE, 0, "Removed" },
	};

	for (size_t g = 0; g < sizeof(groups) / sizeof(*groups); g++) {
		int shown = 0;
		for (size_t i = 0; i < o->plan.n; i++) {
			const struct alu_plan_op *op = &o->plan.ops[i];
			if (op->type != groups[g].t || (op->type != ALU_OP_ERASE && op->is_dep != groups[g].dep))
				continue;
			if (!shown++)
				alu_msg("\n%s:", groups[g].title);
			alu_msg("  %s.%s %s", op->name, op->arch, op->evr);
		}
	}
	if (o->advisories.n) {
		alu_msg("\nAdvisories applied:");
		for (size_t i = 0; i < o->advisories.n; i++)
			alu_msg("  %s", o->advisories.v[i]);
	}
	alu_msg("\nComplete!");
}

void alu_cmd_ops_json(const struct alu_ops *o, const char *cmdname, const char *result,
		      const struct alu_err *e, const struct alu_txn_log *log)
{
	printf("{\"command\":");
	alu_json_str(cmdname);
	printf(",\"result\":");
	alu_json_str(result);
	if (e && e->code) {
		printf(",\"error\":");
		alu_json_str(e->msg);
	}
	printf(",\"plan\":[");
	for (size_t i = 0; i < o->plan.n; i++) {
		const struct alu_plan_op *op = &o->plan.ops[i];
		static const char *const acts[] = { "install", "upgrade", "downgrade", "reinstall",
			"erase", "obsolete" };
		printf("%s{\"action\":\"%s\",\"nevra\":", i ? "," : "", acts[op->type]);
		alu_json_str(op->nevra);
		printf(",\"name\":");
		alu_json_str(op->name);
		printf(",\"evr\":");
		alu_json_str(op->evr);
		printf(",\"arch\":");
		alu_json_str(op->arch);
		printf(",\"repo\":");
		alu_json_str(op->repo);
		printf(",\"replaces\":");
		if (op->old_nevra)
			alu_json_str(op->old_nevra);
		else
			printf("null");
		printf(",\"size\":%llu,\"download_size\":%llu,\"dependency\":%s}",
		       (unsigned long long)op->size, (unsigned long long)op->dlsize,
		       op->is_dep ? "true" : "false");
	}
	printf("],\"advisories\":[");
	for (size_t i = 0; i < o->advisories.n; i++) {
		printf("%s", i ? "," : "");
		alu_json_str(o->advisories.v[i]);
	}
	printf("],\"cves\":[");
	for (size_t i = 0; i < o->cves.n; i++) {
		printf("%s", i ? "," : "");
		alu_json_str(o->cves.v[i]);
	}
	printf("]");
	if (o->history_seq)
		printf(",\"history\":%llu", (unsigned long long)o->history_seq);
	if (log) {
		printf(",\"log\":[");
		for (size_t i = 0; i < log->lines.n; i++) {
			printf("%s", i ? "," : "");
			alu_json_str(log->lines.v[i]);
		}
		printf("]");
	}
	printf("}\n");
}
