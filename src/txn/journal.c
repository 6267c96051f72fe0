/* SPDX-License-Identifier: MIT */
/*
 * The journal: one record in the state db ("op") listing every path an
 * operation changes, written before the first change. Its text form:
 *
 *   alu-journal 1
 *   token <16 hex>
 *   op <install|upgrade|erase>
 *   pkg <nevra ...>
 *   state <applying|committed>
 *   <kind> <octal mode> <canonical path>      (one per entry, in order)
 *
 * Backup and temporary names derive from the token and the entry index, so
 * recovery finds them without any further record: rollback and cleanup are
 * idempotent and may themselves be cut and run again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "txn/txn_int.h"
#include "util/out.h"

static const char key[] = "op";

int alu_journal_add(struct alu_journal *j, char kind, uint32_t mode, const char *canon)
{
	if (j->n == j->cap) {
		size_t nc = j->cap ? j->cap * 2 : 64;
		struct alu_jent *nv = realloc(j->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		j->v = nv;
		j->cap = nc;
	}
	j->v[j->n].canon = strdup(canon);
	if (!j->v[j->n].canon)
		return -ENOMEM;
	j->v[j->n].kind = kind;
	j->v[j->n].mode = mode;
	return (int)j->n++;
}

void alu_journal_tmpname(const struct alu_journal *j, size_t i, int old, char *buf, size_t n)
{
	snprintf(buf, n, ".alu-%s-%s-%zu", old ? "old" : "new", j->token, i);
}

static char *encode(const struct alu_journal *j, size_t *len)
{
	size_t cap = 256 + strlen(j->pkg), off;
	char *b;

	for (size_t i = 0; i < j->n; i++)
		cap += strlen(j->v[i].canon) + 16;
	b = malloc(cap);
	if (!b)
		return NULL;
	off = (size_t)snprintf(b, cap, "alu-journal 1\ntoken %s\nop %s\npkg %s\nstate %s\n",
		j->token, j->op, j->pkg, j->committed ? "committed" : "applying");
	for (size_t i = 0; i < j->n; i++)
		off += (size_t)snprintf(b + off, cap - off, "%c %o %s\n", j->v[i].kind,
			(unsigned)j->v[i].mode, j->v[i].canon);
	*len = off;
	return b;
}

static int decode(const char *b, size_t len, struct alu_journal *j)
{
	char *s = strndup(b, len), *line, *save = NULL;
	int r = 0, n = 0;

	if (!s)
		return -ENOMEM;
	memset(j, 0, sizeof(*j));
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0) {
			if (strcmp(line, "alu-journal 1")) {
				r = -ALUE_CORRUPT;
				break;
			}
		} else if (!strncmp(line, "token ", 6)) {
			snprintf(j->token, sizeof(j->token), "%s", line + 6);
		} else if (!strncmp(line, "op ", 3)) {
			snprintf(j->op, sizeof(j->op), "%s", line + 3);
		} else if (!strncmp(line, "pkg ", 4)) {
			snprintf(j->pkg, sizeof(j->pkg), "%s", line + 4);
		} else if (!strncmp(line, "state ", 6)) {
			j->committed = !strcmp(line + 6, "committed");
		} else if (line[0] && line[1] == ' ' && strchr("BNDR", line[0])) {
			char *sp, *end;
			unsigned long mode = strtoul(line + 2, &end, 8);
			if (*end != ' ') {
				r = -ALUE_CORRUPT;
				break;
			}
			sp = end + 1;
			r = alu_journal_add(j, line[0], (uint32_t)mode, sp);
			if (r < 0)
				break;
			r = 0;
		} else {
			r = -ALUE_CORRUPT;
			break;
		}
	}
	free(s);
	if (!r && (!j->token[0] || !j->op[0]))
		r = -ALUE_CORRUPT;
	return r;
}

int alu_journal_put(struct alu_state_txn *t, const struct alu_journal *j, struct alu_err *e)
{
	size_t len;
	char *b = encode(j, &len);
	int r;

	if (!b)
		return -ENOMEM;
	r = alu_state_journal_put(t, key, sizeof(key) - 1, b, len, e);
	free(b);
	return r;
}

int alu_journal_write(struct alu_state *s, const struct alu_journal *j, struct alu_err *e)
{
	struct alu_state_txn *t;
	int r = alu_state_txn_begin(s, &t, e);

	if (r)
		return r;
	r = alu_journal_put(t, j, e);
	if (r) {
		alu_state_txn_abort(t);
		return r;
	}
	return alu_state_txn_commit(t, e);
}

int alu_journal_clear(struct alu_state *s, struct alu_err *e)
{
	struct alu_state_txn *t;
	int r = alu_state_txn_begin(s, &t, e);

	if (r)
		return r;
	r = alu_state_journal_del(t, key, sizeof(key) - 1, e);
	if (r && r != -ENOENT) {
		alu_state_txn_abort(t);
		return r;
	}
	return alu_state_txn_commit(t, e);
}

int alu_journal_rollback(int rootfd, const struct alu_journal *j)
{
	struct alu_dirs dirs;
	char name[64];
	int bad = 0;

	alu_dirs_init(&dirs, rootfd);
	for (size_t k = j->n; k-- > 0;) {
		const struct alu_jent *en = &j->v[k];
		const char *base;
		int dfd;

		if (alu_dirs_parent(&dirs, en->canon, &dfd, &base, NULL)) {
			if (en->kind == 'B' || en->kind == 'R')
				bad = -EIO;
			continue;
		}
		alu_journal_tmpname(j, k, 0, name, sizeof(name));
		unlinkat(dfd, name, 0);
		switch (en->kind) {
		case 'B':
			alu_journal_tmpname(j, k, 1, name, sizeof(name));
			if (renameat(dfd, name, dfd, base) < 0 && errno != ENOENT)
				bad = -errno;
			/* Cut between the backup link and the rename over the
			 * target, both names are one inode: rename() then does
			 * nothing and leaves the backup name behind. */
			else
				unlinkat(dfd, name, 0);
			break;
		case 'N':
			if (unlinkat(dfd, base, 0) < 0 && errno == EISDIR)
				unlinkat(dfd, base, AT_REMOVEDIR);
			break;
		case 'D':
			if (unlinkat(dfd, base, AT_REMOVEDIR) == 0)
				alu_dirs_forget(&dirs, en->canon);
			break;
		case 'R':
			if (mkdirat(dfd, base, en->mode & 07777) == 0)
				fchmodat(dfd, base, en->mode & 07777, 0);
			break;
		}
	}
	alu_dirs_free(&dirs);
	return bad;
}

void alu_journal_cleanup(int rootfd, const struct alu_journal *j, int recovering)
{
	struct alu_dirs dirs;
	char name[64];

	alu_dirs_init(&dirs, rootfd);
	for (size_t k = 0; k < j->n; k++) {
		const char *base;
		int dfd;

		/* Only a 'B' entry has a backup. A temporary name is left only
		 * by a run cut before its commit, never by the run that just
		 * committed (each was renamed into place): a recovery looks for
		 * them all the same, in case. */
		if ((j->v[k].kind != 'B' && !recovering) ||
		    alu_dirs_parent(&dirs, j->v[k].canon, &dfd, &base, NULL))
			continue;
		if (recovering) {
			alu_journal_tmpname(j, k, 0, name, sizeof(name));
			unlinkat(dfd, name, 0);
		}
		if (j->v[k].kind == 'B') {
			alu_journal_tmpname(j, k, 1, name, sizeof(name));
			unlinkat(dfd, name, 0);
		}
	}
	/* Directories the package no longer has go last: until now the
	 * backups of their files kept them from being empty. */
	for (size_t k = 0; k < j->n; k++) {
		const char *base;
		int dfd;

		if (j->v[k].kind != 'R' || alu_dirs_parent(&dirs, j->v[k].canon, &dfd, &base, NULL))
			continue;
		/* not empty: something else lives there */
		if (unlinkat(dfd, base, AT_REMOVEDIR) == 0)
			alu_dirs_forget(&dirs, j->v[k].canon);
	}
	alu_dirs_free(&dirs);
}

void alu_journal_free(struct alu_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->v[i].canon);
	free(j->v);
	j->v = NULL;
	j->n = j->cap = 0;
}

int alu_txn_recover(struct alu_state *s, const char *root, char *what, size_t n,
		    struct alu_err *e)
{
	struct alu_journal j;
	void *val = NULL;
	size_t vlen = 0;
	int rootfd, r;

	what[0] = 0;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0) {
		/* a kill during %pretrans or %posttrans leaves no journal */
		alu_script_sweep(rootfd);
		close(rootfd);
	}
	r = alu_state_journal_get(s, key, sizeof(key) - 1, &val, &vlen);
	if (r == -ENOENT)
		return 0;
	if (r)
		return alu_err_set(e, r, "reading the transaction journal: %s", alu_strerror(r));
	r = decode(val, vlen, &j);
	free(val);
	if (r) {
		alu_journal_free(&j);
		return alu_err_set(e, -ALUE_CORRUPT, "the transaction journal of %s is unreadable", root);
	}
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		r = alu_err_set(e, -errno, "%s: %s", root, strerror(errno));
		goto out;
	}
	if (j.committed) {
		alu_journal_cleanup(rootfd, &j, 1);
		snprintf(what, n, "completed %s of %s", j.op, j.pkg);
	} else {
		r = alu_journal_rollback(rootfd, &j);
		if (r) {
			r = alu_err_set(e, r, "rolling back %s of %s: %s", j.op, j.pkg, alu_strerror(r));
			close(rootfd);
			goto out;
		}
		snprintf(what, n, "rolled back %s of %s", j.op, j.pkg);
	}
	close(rootfd);
	r = alu_journal_clear(s, e);
out:
	alu_journal_free(&j);
	return r;
}
