/* SPDX-License-Identifier: MIT */
/*
 * Copying one repository into a directory; the steps are numbered as in
 * mirrorcopy.h. Every file reaches its final name the same way: the network
 * layer writes "<final>.part.part" (resumable, renamed to "<final>.part" once
 * size and sha256 hold), this file checks what the network layer cannot (a
 * checksum other than sha256, the package signature) and renames
 * "<final>.part" to <final>.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "repo/mirrorcopy.h"
#include "repo/repo.h"
#include "rpm/rpm.h"
#include "util/fs.h"

#define REPOMD "repodata/repomd.xml"
#define REPOMD_MAX (16u << 20)
#define PATH_MAX_ 4096

struct pkg {
	char *loc, *base, *name, *arch, *ver, *rel, *sumtype, *sum;
	uint32_t epoch;
	uint64_t size;
	int pending;    /* verified as "<final>.part", renamed after the batch sync */
};

struct list {
	struct pkg *v;
	size_t n, cap;
	const struct alu_mcopy_opts *o;   /* NULL: take every package (snapshot scan) */
	const struct alu_strv *only;      /* advisory subset: keys (alu_msubset_key), or NULL */
};

static int cmp_key(const void *k, const void *v)
{
	return strcmp(k, *(char *const *)v);
}

int alu_mcopy_write(const char *path, const void *buf, size_t len, struct alu_err *e)
{
	char part[PATH_MAX_ + 8];
	int fd, rc = 0;

	if (snprintf(part, sizeof(part), "%s.part", path) >= (int)sizeof(part))
		return alu_err_set(e, -ENAMETOOLONG, "%s: path too long", path);
	fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return alu_err_set(e, -errno, "%s: %s", part, strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, (const char *)buf + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)k;
	}
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && rename(part, path))
		rc = -errno;
	if (rc) {
		unlink(part);
		return alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	return 0;
}

/* A location must stay inside the copy: relative, no "..", no empty part. */
static int safe_rel(const char *p)
{
	if (!*p || *p == '/' || strchr(p, '\\'))
		return 0;
	for (const char *s = p; *s;) {
		const char *t = strchr(s, '/');
		size_t n = t ? (size_t)(t - s) : strlen(s);
		if (!n || (n == 2 && !strncmp(s, "..", 2)) || (n == 1 && *s == '.'))
			return 0;
		s += n + (t ? 1 : 0);
		if (t && !*s)
			return 0;
	}
	return 1;
}

static int mkparent(const char *path)
{
	char d[PATH_MAX_];
	char *s;

	snprintf(d, sizeof(d), "%s", path);
	s = strrchr(d, '/');
	if (!s || s == d)
		return 0;
	*s = 0;
	return alu_mkdir_p(d);
}

/* 1: @p path holds exactly what the checksum says; 0: it does not (or is absent). */
static int file_ok(const char *path, const char *type, const char *hex, uint64_t size)
{
	uint8_t d[ALU_DIGEST_MAX];
	size_t dl;
	struct stat st;
	int algo = alu_digest_by_name(*type ? type : "sha256");

	if (stat(path, &st) || !S_ISREG(st.st_mode) || (size && (uint64_t)st.st_size != size))
		return 0;
	if (algo < 0 || alu_digest_file(path, algo, d, &dl, NULL))
		return 0;
	return alu_hex_eq(hex, d, dl);
}

static void renamef(struct alu_err *e, const char *what)
{
	char msg[sizeof(e->msg)];
	int code = e->code ? e->code : -ALUE_NET;

	snprintf(msg, sizeof(msg), "%s", e->msg);
	alu_err_clear(e);
	alu_err_set(e, code, "%s: %s", what, msg);
}

/*
 * Steps 2 and 3 for one file: @p rel from the mirrors (or @p base + rel) to
 * dest/rel. @return 0 with *fetched 1 when downloaded, 0 when already whole.
 * With @p pending (packages) nothing is fsynced here and the verified file is
 * left as "<final>.part" with *pending set: the caller syncs the filesystem
 * once for the whole batch, then renames (one fsync per package was most of
 * the time of a copy of small packages).
 */
static int get_one(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *no,
		   const struct alu_mcopy_opts *o, const char *rel, const char *base,
		   const char *type, const char *sum, uint64_t size, int verify, int *fetched,
		   int *pending, struct alu_err *e)
{
	char final[PATH_MAX_], part[PATH_MAX_ + 8];
	const char *sha;
	int rc, code;

	*fetched = 0;
	if (!safe_rel(rel))
		return alu_err_set(e, -ALUE_CORRUPT, "repository %s: location '%s' leaves the repository",
				   o->repoid, rel);
	if (snprintf(final, sizeof(final), "%s/%s", o->dest, rel) >= (int)sizeof(final) ||
	    snprintf(part, sizeof(part), "%s.part", final) >= (int)sizeof(part))
		return alu_err_set(e, -ENAMETOOLONG, "%s/%s: path too long", o->dest, rel);
	if (file_ok(final, type, sum, size))
		return 0;
	if ((rc = mkparent(final)))
		return alu_err_set(e, rc, "%s: %s", final, strerror(-rc));
	sha = !*type || !strcmp(type, "sha256") ? sum : NULL;
	/* a whole .part left by a killed run needs only its checks */
	if (!file_ok(part, type, sum, size)) {
		struct alu_net_opts t = *no;
		t.label = rel;
		t.transient = pending != NULL;
		if (*base) {
			char *url = NULL;
			if (alu_url_join(base, rel, &url))
				return alu_err_set(e, -ENOMEM, "out of memory");
			rc = alu_net_get_file(net, url, &t, part, sha, size, e);
			free(url);
		} else {
			rc = alu_mirrors_get_file(net, m, rel, &t, part, sha, size, e);
		}
		if (rc) {
			renamef(e, rel);
			return rc;
		}
		*fetched = 1;
		if (!sha && !file_ok(part, type, sum, size)) {
			unlink(part);
			return alu_err_set(e, -ALUE_CHECKSUM,
					   "%s: %s checksum of the download does not match the metadata",
					   rel, type);
		}
	}
	if (verify && o->verify && (rc = o->verify(o->verify_arg, part, e))) {
		/* what does not verify must not be served, nor resumed */
		const char *b = strrchr(part, '/') ? strrchr(part, '/') + 1 : part;
		size_t bl = strlen(b);
		code = rc;
		unlink(part);
		/* name the package by its location, not by the scratch name */
		if (!strncmp(e->msg, b, bl) && !strncmp(e->msg + bl, ": ", 2))
			memmove(e->msg, e->msg + bl + 2, strlen(e->msg + bl + 2) + 1);
		renamef(e, rel);
		return code;
	}
	if (pending) {
		*pending = 1;
		return 0;
	}
	if (rename(part, final))
		return alu_err_set(e, -errno, "%s: %s", final, strerror(errno));
	return 0;
}

/* ---- the package list ---------------------------------------------------- */

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static int is_src(const char *arch)
{
	return !strcmp(arch, "src") || !strcmp(arch, "nosrc");
}

static int pkg_cb(void *ud, const struct alu_pkgrec *p)
{
	struct list *l = ud;
	struct pkg *k;

	if (l->o) {
		if (is_src(p->arch) && !(l->o->flags & ALU_MCOPYF_SOURCE))
			return 0;
		if (l->o->arches && l->o->arches->n && strcmp(p->arch, "noarch") &&
		    !is_src(p->arch) && !alu_strv_has(l->o->arches, p->arch))
			return 0;
	}
	if (l->only) {
		char key[1024];
		alu_msubset_key(key, sizeof(key), p->name, p->epoch, p->version, p->release, p->arch);
		if (!l->only->n || !bsearch(key, l->only->v, l->only->n, sizeof(*l->only->v), cmp_key))
			return 0;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct pkg *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = nc;
	}
	k = &l->v[l->n];
	memset(k, 0, sizeof(*k));
	k->loc = dup0(p->location);
	k->base = dup0(p->location_base);
	k->name = dup0(p->name);
	k->arch = dup0(p->arch);
	k->ver = dup0(p->version);
	k->rel = dup0(p->release);
	k->sumtype = dup0(p->checksum_type);
	k->sum = dup0(p->pkgid);
	k->epoch = p->epoch;
	k->size = p->size_package;
	l->n++;
	if (!k->loc || !k->base || !k->name || !k->arch || !k->ver || !k->rel || !k->sumtype ||
	    !k->sum)
		return -ENOMEM;
	return 0;
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct pkg *k = &l->v[i];
		free(k->loc); free(k->base); free(k->name); free(k->arch);
		free(k->ver); free(k->rel); free(k->sumtype); free(k->sum);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* name, arch, then newest first: newest-only keeps the first of each run */
static int newest_first(const void *a, const void *b)
{
	const struct pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (!c)
		c = strcmp(x->arch, y->arch);
	if (!c)
		c = x->epoch < y->epoch ? 1 : x->epoch > y->epoch ? -1 : 0;
	if (!c)
		c = -alu_rpmvercmp(x->ver, y->ver);
	if (!c)
		c = -alu_rpmvercmp(x->rel, y->rel);
	return c;
}

static void keep_newest(struct list *l)
{
	size_t w = 0;

	qsort(l->v, l->n, sizeof(*l->v), newest_first);
	for (size_t i = 0; i < l->n; i++) {
		if (w && !strcmp(l->v[w - 1].name, l->v[i].name) &&
		    !strcmp(l->v[w - 1].arch, l->v[i].arch)) {
			struct pkg *k = &l->v[i];
			free(k->loc); free(k->base); free(k->name); free(k->arch);
			free(k->ver); free(k->rel); free(k->sumtype); free(k->sum);
			continue;
		}
		l->v[w++] = l->v[i];
	}
	l->n = w;
}

/* Read the (verified, local) package list @p path; a primary_db is decoded
 * next to it first. */
static int read_pkglist(const char *path, int sqlite, struct list *l, struct alu_err *e)
{
	char tmp[PATH_MAX_ + 16];
	int rc;

	if (!sqlite)
		return alu_primary_xml_file(path, pkg_cb, l, e);
	snprintf(tmp, sizeof(tmp), "%s.sqlite.tmp", path);
	rc = alu_decomp_to_file(path, tmp, e);
	if (!rc)
		rc = alu_primary_sqlite_file(tmp, pkg_cb, l, e);
	unlink(tmp);
	return rc;
}

static const struct alu_repomd_data *pkglist_entry(const struct alu_repomd *md)
{
	const struct alu_repomd_data *d = alu_repomd_find(md, "primary");
	return d ? d : alu_repomd_find(md, "primary_db");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int alu_mcopy_locations(const char *dir, const char *repomd, size_t len, struct alu_strv *out,
			struct alu_err *e)
{
	struct alu_repomd md = { 0 };
	struct list l = { 0 };
	const struct alu_repomd_data *d;
	char path[PATH_MAX_];
	int rc = alu_repomd_parse(repomd, len, dir, &md, e);

	if (rc)
		goto out;
	if (!(d = pkglist_entry(&md)) || !safe_rel(d->href)) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "%s/" REPOMD ": no usable package list", dir);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, d->href);
	rc = read_pkglist(path, !strcmp(d->type, "primary_db"), &l, e);
	for (size_t i = 0; !rc && i < l.n; i++)
		if (alu_strv_push(out, l.v[i].loc))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	if (!rc && out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
out:
	list_free(&l);
	alu_repomd_free(&md);
	return rc;
}

/* ---- repomd and its signature -------------------------------------------- */

static int check_sig(const struct alu_mcopy_opts *o, const char *md, size_t mdlen,
		     const char *asc, size_t asclen, struct alu_err *e)
{
	struct alu_pgp_result res;
	char *bin = malloc(asclen + 4);
	size_t binlen = 0, pos = 0;
	int rc;

	if (!bin)
		return alu_err_set(e, -ENOMEM, "out of memory");
	rc = alu_pgp_dearmor("repomd.xml.asc", asc, asclen, &pos, bin, asclen + 4, &binlen, NULL, 0,
			     e);
	if (rc == -ALUE_NOTFOUND) {
		alu_err_clear(e);
		memcpy(bin, asc, asclen);
		binlen = asclen;
		rc = 0;
	}
	if (!rc)
		rc = alu_pgp_verify_detached(o->ring, bin, binlen, md, mdlen, &res, e);
	free(bin);
	if (rc && rc != -ENOMEM) {
		renamef(e, "repomd.xml signature check failed");
		renamef(e, o->repoid);
	}
	return rc;
}

/* repomd.xml.asc / .key: optional unless REPOSIG; @return 0 with *buf NULL when absent */
static int get_side(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *no,
		    const char *rel, int need, char **buf, size_t *len, struct alu_err *e)
{
	int rc = alu_mirrors_get_mem(net, m, rel, no, 1 << 20, buf, len, e);

	if (rc && !need && rc != -ENOMEM) {
		alu_err_clear(e);
		*buf = NULL;
		return 0;
	}
	return rc;
}

static int write_side(const char *dest, const char *name, const char *buf, size_t len,
		      struct alu_err *e)
{
	char p[PATH_MAX_];

	if (!buf)
		return 0;
	snprintf(p, sizeof(p), "%s/repodata/%s", dest, name);
	return alu_mcopy_write(p, buf, len, e);
}

/* ---- 3. the packages, a few at a time ----------------------------------------
 * One struct alu_net is not thread-safe, so each worker has its own (its own
 * keep-alive connection) and its own copy of the mirror set; the first
 * worker uses the caller's, so that failovers are remembered for the run.
 * The first error stops every worker (sticky) and is the one reported.
 */
struct pool {
	pthread_mutex_t mu;
	struct alu_net *net;
	struct alu_mirrors *m;
	const struct alu_net_opts *no;
	const struct alu_mcopy_opts *o;
	struct list *l;
	struct alu_mcopy_stats *st;
	size_t next, npending;
	int rc;
	struct alu_err err;
};

#define PUBLISH_BATCH 256

/* The batch: data durable first (one syncfs), then the names, then the names durable. */
static int publish(const struct alu_mcopy_opts *o, struct list *l, struct alu_err *e)
{
	char final[PATH_MAX_], part[PATH_MAX_ + 8];
	int fd = open(o->dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].pending;
	if (!n) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (fd < 0 || syncfs(fd))
		rc = alu_err_set(e, -errno, "%s: sync: %s", o->dest, strerror(errno));
	for (size_t i = 0; !rc && i < l->n; i++) {
		if (!l->v[i].pending)
			continue;
		snprintf(final, sizeof(final), "%s/%s", o->dest, l->v[i].loc);
		snprintf(part, sizeof(part), "%s.part", final);
		if (rename(part, final))
			rc = alu_err_set(e, -errno, "%s: %s", final, strerror(errno));
		l->v[i].pending = 0;
	}
	if (!rc && syncfs(fd))
		rc = alu_err_set(e, -errno, "%s: sync: %s", o->dest, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int pool_one(struct pool *p, struct alu_net *net, struct alu_mirrors *m)
{
	for (;;) {
		struct alu_err le = { 0 };
		struct pkg *k;
		int fetched, pend = 0, rc;

		pthread_mutex_lock(&p->mu);
		if (p->rc || p->next >= p->l->n) {
			pthread_mutex_unlock(&p->mu);
			return 0;
		}
		k = &p->l->v[p->next++];
		pthread_mutex_unlock(&p->mu);
		rc = get_one(net, m, p->no, p->o, k->loc, k->base, k->sumtype, k->sum, k->size, 1,
			     &fetched, &pend, &le);
		pthread_mutex_lock(&p->mu);
		k->pending = pend;
		/* batches keep what a killed run leaves to re-check small */
		if (pend && ++p->npending >= PUBLISH_BATCH && !p->rc) {
			p->npending = 0;
			if ((rc = publish(p->o, p->l, &le)))
				p->err = le;
		}
		if (rc && !p->rc) {
			p->rc = rc;
			p->err = le;
		} else if (!rc) {
			if (fetched) {
				p->st->fetched++;
				p->st->bytes += k->size;
			}
			if (p->o->progress)
				p->o->progress(p->o->progress_arg, k->loc, fetched, k->size);
		}
		pthread_mutex_unlock(&p->mu);
		if (rc)
			return rc;
	}
}

static void *pool_thread(void *arg)
{
	struct pool *p = arg;
	struct alu_mirrors m = { 0 };
	struct alu_net *net = NULL;
	int rc = alu_net_new(&net);

	for (size_t i = 0; !rc && i < p->m->n; i++)
		rc = alu_mirrors_add(&m, p->m->v[i].url);
	m.current = p->m->current < m.n ? p->m->current : 0;
	if (rc) {
		pthread_mutex_lock(&p->mu);
		if (!p->rc) {
			p->rc = -ENOMEM;
			alu_err_set(&p->err, -ENOMEM, "out of memory");
		}
		pthread_mutex_unlock(&p->mu);
	} else {
		pool_one(p, net, &m);
	}
	alu_mirrors_free(&m);
	alu_net_free(net);
	return NULL;
}

static int fetch_pkgs(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *no,
		      const struct alu_mcopy_opts *o, struct list *l, struct alu_mcopy_stats *st,
		      struct alu_err *e)
{
	struct pool p = { .net = net, .m = m, .no = no, .o = o, .l = l, .st = st };
	pthread_t th[ALU_MCOPY_PARALLEL_MAX];
	int rc;
	size_t nth = 0, want = o->parallel < 1 ? 1 : (size_t)o->parallel;

	if (want > ALU_MCOPY_PARALLEL_MAX)
		want = ALU_MCOPY_PARALLEL_MAX;
	if (want > l->n)
		want = l->n ? l->n : 1;
	pthread_mutex_init(&p.mu, NULL);
	for (; nth + 1 < want; nth++)
		if (pthread_create(&th[nth], NULL, pool_thread, &p))
			break;
	pool_one(&p, net, m);
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	/* what verified is given its name even when another package failed */
	rc = publish(o, l, e);
	if (p.rc) {
		alu_err_clear(e);
		return alu_err_set(e, p.rc, "%s", p.err.msg);
	}
	return rc;
}

/* The subset's own metadata in place of the upstream files (mirrorsubset.c). */
static int write_subset(const struct alu_mcopy_opts *o, const struct list *l, const char *prim,
			int sqlite, const char *upd, const char *revision, struct alu_strv *keep,
			char **md, size_t *mdlen, struct alu_err *e)
{
	struct alu_strv locs = { 0 }, have = { 0 };
	struct alu_repomd parsed = { 0 };
	char key[1024], p[PATH_MAX_];
	int rc = 0;

	for (size_t i = 0; !rc && i < l->n; i++) {
		const struct pkg *k = &l->v[i];
		alu_msubset_key(key, sizeof(key), k->name, k->epoch, k->ver, k->rel, k->arch);
		if (alu_strv_push(&locs, k->loc) || alu_strv_push(&have, key))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	if (!rc && locs.n) {
		qsort(locs.v, locs.n, sizeof(*locs.v), cmp_str);
		qsort(have.v, have.n, sizeof(*have.v), cmp_str);
	}
	snprintf(p, sizeof(p), "%s/repodata", o->dest);
	if (!rc && (rc = alu_mkdir_p(p)))
		rc = alu_err_set(e, rc, "%s: %s", p, strerror(-rc));
	if (!rc)
		rc = alu_msubset_write(o->dest, prim, sqlite, upd, o->filter, &locs, &have, revision,
				       md, mdlen, e);
	if (!rc)
		rc = alu_repomd_parse(*md, *mdlen, o->repoid, &parsed, e);
	for (size_t i = 0; !rc && i < parsed.n; i++)
		if (alu_strv_push(keep, parsed.v[i].href))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	alu_repomd_free(&parsed);
	alu_strv_free(&locs);
	alu_strv_free(&have);
	return rc;
}

int alu_mcopy_repo(struct alu_net *net, struct alu_mirrors *m, const struct alu_net_opts *no,
		   const struct alu_mcopy_opts *o, struct alu_mcopy_stats *st, struct alu_err *e)
{
	struct alu_repomd md = { 0 };
	struct list l = { .o = o };
	struct alu_strv keep = { 0 }, only = { 0 }, moves = { 0 };
	const struct alu_repomd_data *pd, *ud;
	char *buf = NULL, *asc = NULL, *key = NULL, path[PATH_MAX_], tmpl[PATH_MAX_] = "";
	char updl[PATH_MAX_] = "", scratch[PATH_MAX_];
	size_t len = 0, asclen = 0, keylen = 0;
	int meta = !!(o->flags & ALU_MCOPYF_METADATA), fetched, rc;
	int subset = o->filter && alu_filter_active(o->filter);

	memset(st, 0, sizeof(*st));
	st->subset = subset && meta;
	snprintf(scratch, sizeof(scratch), "%s/.reposync-tmp", o->dest);
	if ((rc = alu_mkdir_p(o->dest)))
		return alu_err_set(e, rc, "%s: %s", o->dest, strerror(-rc));
	/* 1. repomd.xml and its signature */
	rc = alu_mirrors_get_mem(net, m, REPOMD, no, REPOMD_MAX, &buf, &len, e);
	if (!rc)
		rc = get_side(net, m, no, REPOMD ".asc", o->flags & ALU_MCOPYF_REPOSIG, &asc, &asclen, e);
	if (!rc && meta)
		rc = get_side(net, m, no, REPOMD ".key", 0, &key, &keylen, e);
	if (!rc && (o->flags & ALU_MCOPYF_REPOSIG))
		rc = check_sig(o, buf, len, asc, asclen, e);
	if (!rc)
		rc = alu_repomd_parse(buf, len, o->repoid, &md, e);
	if (rc)
		goto out;
	snprintf(st->revision, sizeof(st->revision), "%s", md.revision);
	st->bytes += len;
	if (!(pd = pkglist_entry(&md))) {
		rc = alu_err_set(e, -ALUE_CORRUPT, "repository %s: repomd.xml lists neither primary nor primary_db",
				 o->repoid);
		goto out;
	}
	ud = alu_repomd_find(&md, "updateinfo");
	/* 2. the metadata files, as published (a subset reads them from scratch) */
	for (size_t i = 0; i < md.n; i++) {
		const struct alu_repomd_data *d = &md.v[i];
		struct alu_mcopy_opts t = *o;
		int whole = meta && !subset, reused;
		char fin[PATH_MAX_];
		if (!whole && d != pd && !(subset && d == ud))
			continue;
		/* a name the copy already uses for other bytes (simple md filenames):
		 * the new file waits in scratch until repomd.xml is replaced */
		snprintf(fin, sizeof(fin), "%s/%s", o->dest, d->href);
		reused = whole && safe_rel(d->href) && !access(fin, F_OK) &&
			 !file_ok(fin, d->checksum_type, d->checksum, d->size);
		if (!whole || reused)
			t.dest = scratch;
		if (reused && (rc = alu_strv_push(&moves, d->href)))
			goto out;
		rc = get_one(net, m, no, &t, d->href, "", d->checksum_type, d->checksum, d->size, 0,
			     &fetched, NULL, e);
		if (rc)
			goto out;
		if (fetched)
			st->bytes += d->size;
		if (d == pd)
			snprintf(tmpl, sizeof(tmpl), "%s/%s", t.dest, d->href);
		if (d == ud)
			snprintf(updl, sizeof(updl), "%s/%s", t.dest, d->href);
		if (whole && (rc = alu_strv_push(&keep, d->href)))
			goto out;
	}
	if (subset) {
		if ((rc = alu_msubset_select(*updl ? updl : NULL, o->filter, &only, e)))
			goto out;
		l.only = &only;
	}
	rc = read_pkglist(tmpl, !strcmp(pd->type, "primary_db"), &l, e);
	if (rc)
		goto out;
	if (o->flags & ALU_MCOPYF_NEWEST)
		keep_newest(&l);
	/* 3. the packages */
	st->pkgs = l.n;
	if ((rc = fetch_pkgs(net, m, no, o, &l, st, e)))
		goto out;
	for (size_t i = 0; i < l.n; i++)
		if ((rc = alu_strv_push(&keep, l.v[i].loc)))
			goto out;
	if (meta && subset) {
		/* the upstream signature does not cover this repomd: none is kept */
		free(asc);
		free(key);
		asc = key = NULL;
		free(buf);
		buf = NULL;
		rc = write_subset(o, &l, tmpl, !strcmp(pd->type, "primary_db"), *updl ? updl : NULL,
				  md.revision, &keep, &buf, &len, e);
		if (rc)
			goto out;
		snprintf(path, sizeof(path), "%s/" REPOMD ".asc", o->dest);
		unlink(path);
		snprintf(path, sizeof(path), "%s/" REPOMD ".key", o->dest);
		unlink(path);
	}
	for (size_t i = 0; i < moves.n; i++) {
		char from[PATH_MAX_], to[PATH_MAX_];
		snprintf(from, sizeof(from), "%s/%s", scratch, moves.v[i]);
		snprintf(to, sizeof(to), "%s/%s", o->dest, moves.v[i]);
		if (rename(from, to)) {
			rc = alu_err_set(e, -errno, "%s: %s", to, strerror(errno));
			goto out;
		}
	}
	/* 5. then 4.: a snapshot exists before its repomd is the current one */
	if (meta && (o->flags & ALU_MCOPYF_SNAPSHOT) &&
	    (rc = alu_mcopy_snapshot(o->dest, buf, len, asc, asclen, key, keylen, st->snapshot,
				     sizeof(st->snapshot), e)))
		goto out;
	if (meta) {
		rc = write_side(o->dest, "repomd.xml.asc", asc, asclen, e);
		if (!rc)
			rc = write_side(o->dest, "repomd.xml.key", key, keylen, e);
		snprintf(path, sizeof(path), "%s/" REPOMD, o->dest);
		if (!rc)
			rc = alu_mcopy_write(path, buf, len, e);
		if (rc)
			goto out;
		alu_strv_push(&keep, REPOMD);
		if (asc)
			alu_strv_push(&keep, REPOMD ".asc");
		if (key)
			alu_strv_push(&keep, REPOMD ".key");
	}
	/* 6. */
	if (o->flags & ALU_MCOPYF_DELETE) {
		if (keep.n)
			qsort(keep.v, keep.n, sizeof(*keep.v), cmp_str);
		rc = alu_mcopy_prune(o->dest, &keep, &st->deleted, e);
	}
out:
	/* scratch copies of the package list and updateinfo are only read here
	 * (files waiting to replace a name stay for the next run) */
	if ((!meta || subset) && tmpl[0] && !strncmp(tmpl, scratch, strlen(scratch)))
		unlink(tmpl);
	if ((!meta || subset) && updl[0] && !strncmp(updl, scratch, strlen(scratch)))
		unlink(updl);
	snprintf(path, sizeof(path), "%s/repodata", scratch);
	rmdir(path);
	rmdir(scratch);
	alu_strv_free(&keep);
	alu_strv_free(&only);
	alu_strv_free(&moves);
	list_free(&l);
	alu_repomd_free(&md);
	free(buf);
	free(asc);
	free(key);
	return rc;
}
