/* SPDX-License-Identifier: MIT */
/*
 * reposync --delete: removing from a mirror copy what its source no longer
 * lists. Kept: the files of the current copy (the caller's list), every
 * package a kept snapshot's package list names (a client pinned to that
 * snapshot still needs them), snapshots/ itself and mirror.list files.
 * Without metadata in the keep list (a copy of packages only), repodata/
 * is left alone too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "repo/mirrorcopy.h"

#define PATH_MAX_ 4096

struct prune {
	const char *dest;
	const struct alu_strv *keep, *snap;
	int repodata;            /* 1: repodata/ is the caller's to prune */
	size_t deleted;
	struct alu_err *e;
};

static int cmp_key(const void *k, const void *v)
{
	return strcmp(k, *(char *const *)v);
}

static int kept(const struct alu_strv *sv, const char *rel)
{
	return sv->n && bsearch(rel, sv->v, sv->n, sizeof(*sv->v), cmp_key);
}

static int walk(struct prune *p, const char *rel)
{
	char path[PATH_MAX_], sub[PATH_MAX_];
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	snprintf(path, sizeof(path), "%s%s%s", p->dest, *rel ? "/" : "", rel);
	if (!(dir = opendir(path)))
		return alu_err_set(p->e, -errno, "%s: %s", path, strerror(errno));
	while (!rc && (d = readdir(dir))) {
		struct stat st;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", d->d_name);
		if (!*rel && (!strcmp(d->d_name, "snapshots") ||
			      (!p->repodata && !strcmp(d->d_name, "repodata"))))
			continue;
		if (!strcmp(d->d_name, "mirror.list"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", p->dest, sub);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = walk(p, sub);
			/* a directory emptied by the prune goes too; one still in use stays */
			if (!rc)
				rmdir(path);
			continue;
		}
		if (kept(p->keep, sub) || kept(p->snap, sub))
			continue;
		if (unlink(path))
			rc = alu_err_set(p->e, -errno, "%s: %s", path, strerror(errno));
		else
			p->deleted++;
	}
	closedir(dir);
	return rc;
}

/* The packages of every snapshot still on disk. */
static int snapshot_pkgs(const char *dest, struct alu_strv *out, struct alu_err *e)
{
	char dir[PATH_MAX_], p[PATH_MAX_];
	struct dirent *d;
	DIR *sd;
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/snapshots", dest);
	if (!(sd = opendir(dir)))
		return errno == ENOENT ? 0 : alu_err_set(e, -errno, "%s: %s", dir, strerror(errno));
	while (!rc && (d = readdir(sd))) {
		char *buf = NULL;
		long n;
		FILE *f;
		if (d->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/repodata/repomd.xml", dir, d->d_name);
		if (!(f = fopen(p, "rb")))
			continue;
		/* a snapshot's repomd is small; its package list is what costs */
		if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
		    !(buf = malloc((size_t)n + 1)) || fread(buf, 1, (size_t)n, f) != (size_t)n)
			rc = alu_err_set(e, -EIO, "%s: cannot read", p);
		fclose(f);
		if (!rc) {
			snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
			rc = alu_mcopy_locations(p, buf, (size_t)n, out, e);
		}
		free(buf);
	}
	closedir(sd);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alu_mcopy_prune(const char *dest, const struct alu_strv *keep, size_t *ndeleted,
		    struct alu_err *e)
{
	struct alu_strv snap = { 0 };
	struct prune p = { dest, keep, &snap, 0, 0, e };
	int rc;

	*ndeleted = 0;
	p.repodata = kept(keep, "repodata/repomd.xml");
	/* a snapshot that cannot be read means its packages are unknown: delete nothing */
	rc = snapshot_pkgs(dest, &snap, e);
	/* each snapshot's part came sorted; the union is sorted again for bsearch */
	if (!rc && snap.n)
		qsort(snap.v, snap.n, sizeof(*snap.v), cmp_str);
	if (!rc)
		rc = walk(&p, "");
	*ndeleted = p.deleted;
	alu_strv_free(&snap);
	return rc;
}
