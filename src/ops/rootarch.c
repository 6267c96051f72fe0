/* SPDX-License-Identifier: MIT */
/* The root's architecture and the check against alupdate's (rootarch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "ops/rootarch.h"
#include "util/rootfs.h"

struct tally {
	char arch[8][32];
	size_t count[8], total;
};

static int count_pkg(void *arg, const struct alu_instpkg *p)
{
	struct tally *t = arg;
	const char *b;
	size_t i;

	if (!p->arch || !*p->arch || !strcmp(p->arch, "noarch") || !strcmp(p->name, "gpg-pubkey"))
		return 0;
	b = alu_conf_basearch(p->arch);
	t->total++;
	for (i = 0; i < 8 && t->arch[i][0]; i++)
		if (!strcmp(t->arch[i], b))
			break;
	if (i == 8)
		return 0;   /* a ninth architecture in one root: it cannot be the most */
	if (!t->arch[i][0])
		snprintf(t->arch[i], sizeof(t->arch[i]), "%s", b);
	t->count[i]++;
	return 0;
}

static size_t slot(const struct tally *t, const char *arch)
{
	size_t i;

	for (i = 0; i < 8 && t->arch[i][0] && strcmp(t->arch[i], arch); i++)
		;
	return i < 8 && t->arch[i][0] ? i : 8;
}

/* i686 packages beside x86_64 ones are multilib, as yum installs them: the
 * root is x86_64 however many there are */
static void multilib(struct tally *t)
{
	size_t x = slot(t, "x86_64"), i = slot(t, "i386");

	if (x < 8 && i < 8) {
		t->count[x] += t->count[i];
		t->count[i] = 0;
	}
}

/* "aarch64-amazon-linux" -> basearch of "aarch64"; 0 when the file is not there */
static int platform_file(char *arch, size_t n)
{
	char *path = alu_root_join(alu_root_get(), "/etc/rpm/platform");
	FILE *f = path ? alu_root_fopen(path) : NULL;
	char line[256];
	int found = 0;

	free(path);
	if (!f)
		return 0;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "-\n \t")] = 0;
		if (*line) {
			snprintf(arch, n, "%s", alu_conf_basearch(line));
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int alu_rootarch_get(struct alu_state *s, char *arch, size_t n, char *why, size_t wn)
{
	struct tally t;
	size_t best = 0;
	int rc;

	*arch = 0;
	if (platform_file(arch, n)) {
		snprintf(why, wn, "/etc/rpm/platform");
		return 0;
	}
	memset(&t, 0, sizeof(t));
	rc = alu_state_foreach(s, count_pkg, &t);
	if (rc < 0)
		return rc;
	multilib(&t);
	for (size_t i = 1; i < 8 && t.arch[i][0]; i++)
		if (t.count[i] > t.count[best])
			best = i;
	if (t.total) {
		snprintf(arch, n, "%s", t.arch[best]);
		snprintf(why, wn, "%zu of its %zu installed packages", t.count[best], t.total);
	}
	return 0;
}

int alu_rootarch_check(const struct alu_ctx *ctx, const char *basearch, struct alu_state *s,
		       struct alu_err *e)
{
	char arch[32], why[64];
	int rc;

	if (ctx->forcearch || !basearch)
		return 0;
	rc = alu_rootarch_get(s, arch, sizeof(arch), why, sizeof(why));
	if (rc < 0)
		return alu_err_set(e, rc, "%s: reading the installed packages' architecture",
				   ctx->root);
	if (!*arch || !strcmp(arch, basearch))
		return 0;
	return alu_err_set(e, -ALUE_UNSUPPORTED,
		"%s is an %s root (%s) and this alupdate runs as %s: use alupdate for %s, "
		"or --forcearch %s to act on it as %s", ctx->root, arch, why, basearch, arch, arch, arch);
}
