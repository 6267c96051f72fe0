/* SPDX-License-Identifier: MIT */
/*
 * Opening the state: an existing environment, a fresh one, or an adoption
 * of the root's rpm database. A first adoption is built in a temporary
 * directory beside its final place and renamed into place only once it is
 * committed, so a failure (bad rpm database, full disk, kill -9) leaves no
 * /var/lib/alupdate behind and a concurrent first open cannot see half of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/out.h"

#include "util/fs.h"
#include "db/state_int.h"
#include "util/rootfs.h"

static const char *const db_names[ST_NDBS] = {
	[ST_PKGS] = "pkgs", [ST_HDR] = "hdr", [ST_NAME] = "name", [ST_FILE] = "file",
	[ST_PROVIDE] = "provide", [ST_META] = "meta", [ST_JOURNAL] = "journal",
	[ST_HISTORY] = "history",
};

static size_t map_size(void)
{
	/* address space only: LMDB's file grows with the data */
	return sizeof(size_t) > 4 ? (size_t)4 << 30 : (size_t)256 << 20;
}

int st_open_dbis(struct alu_state *s, MDB_txn *txn, int create, struct alu_err *e)
{
	for (int i = 0; i < ST_NDBS; i++) {
		unsigned f = create ? MDB_CREATE : 0;
		int rc;

		if (i == ST_NAME || i == ST_FILE || i == ST_PROVIDE)
			f |= MDB_DUPSORT | MDB_DUPFIXED;
		rc = mdb_dbi_open(txn, db_names[i], f, &s->dbi[i]);
		if (rc)
			return alu_err_set(e, -ALUE_DB, "%s: database '%s': %s", s->dir, db_names[i],
					   mdb_strerror(rc));
	}
	return 0;
}

/* Open the environment in @p dir and its dbs; a writable one gets a schema. */
static int env_open(struct alu_state *s, const char *dir, unsigned dbflags, struct alu_err *e)
{
	int rdonly = dbflags & ALU_DBF_RDONLY;
	char buf[16];
	MDB_txn *txn;
	MDB_val v;
	int r, rc;

	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	r = alu_db_open(dir, dbflags, ST_NDBS, map_size(), &s->env, e);
	if (r)
		return r;
	rc = mdb_txn_begin(s->env, NULL, rdonly ? MDB_RDONLY : 0, &txn);
	if (rc)
		return st_rc(rc, dir, e);
	r = st_open_dbis(s, txn, !rdonly, e);
	if (!r && st_meta_get(s, txn, "schema", &v) == 0) {
		unsigned long ver = v.mv_size < sizeof(buf) ? (memcpy(buf, v.mv_data, v.mv_size),
			buf[v.mv_size] = 0, strtoul(buf, NULL, 10)) : 0;
		if (ver == 0 || ver > ALU_STATE_SCHEMA)
			r = alu_err_set(e, -ALUE_DB, "%s: state schema %lu is not %d (newer alupdate?)",
					dir, ver, ALU_STATE_SCHEMA);
	} else if (!r && !rdonly) {
		snprintf(buf, sizeof(buf), "%d", ALU_STATE_SCHEMA);
		r = st_meta_put(s, txn, "schema", buf, strlen(buf));
		if (r)
			alu_err_set(e, r, "%s: cannot write the schema", dir);
	}
	if (r) {
		mdb_txn_abort(txn);
		return r;
	}
	rc = mdb_txn_commit(txn);
	return rc ? st_rc(rc, dir, e) : 0;
}

static void env_close(struct alu_state *s)
{
	if (s->env)
		alu_db_close(s->env);
	s->env = NULL;
}

/* Best effort, on cleanup paths; a name that does not fit is not unlinked,
 * since the cut name could be another file's. */
static void rm_env_dir(const char *dir)
{
	static const char *const files[] = { "data.mdb", "lock.mdb" };
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < 2; i++)
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, files[i]) < sizeof(p))
			alu_root_unlink(p, NULL);
	alu_root_rmdir(dir, NULL);
}

/* A fresh environment in @p dir holding the rpm database's packages. */
static int adopt_into(struct alu_state *s, const char *dir, const char *path,
		      enum alu_rpmdb_kind kind, struct alu_err *e)
{
	int r = env_open(s, dir, 0, e);

	for (int tries = 0; !r; tries++) {
		struct alu_err le = { 0 };
		MDB_txn *txn;
		int rc = mdb_txn_begin(s->env, NULL, 0, &txn);

		if (rc)
			return st_rc(rc, dir, e);
		r = st_import(s, txn, path, kind, &s->info.adopted_count, &le);
		if (r) {
			mdb_txn_abort(txn);
		} else {
			rc = mdb_txn_commit(txn);
			r = rc ? st_rc(rc, dir, &le) : 0;
		}
		if (!r)
			break;
		if (r != -ALUE_NOSPACE || tries == 4 || alu_db_grow(s->env))
			return alu_err_set(e, r, "%s", le.msg);
		r = 0;
	}
	return r;
}

static int adopt_new(struct alu_state *s, const char *final, const char *path,
		     enum alu_rpmdb_kind kind, struct alu_err *e)
{
	char parent[PATH_MAX], tmp[PATH_MAX + 32];
	const char *td;
	int r;

	snprintf(parent, sizeof(parent), "%s", final);
	*strrchr(parent, '/') = 0;
	/* reached without symlinks (util/rootfs.h), as everything of ours under the root */
	if (!s->rdonly && (r = alu_root_mkdirs(parent, e)))
		return r;
	if (access(parent, W_OK) == 0) {
		snprintf(tmp, sizeof(tmp), "%s/.alupdate-adopt-XXXXXX", parent);
		if (!mkdtemp(tmp))
			return alu_err_set(e, -errno, "%s: %s", tmp, strerror(errno));
		chmod(tmp, 0755);
		r = adopt_into(s, tmp, path, kind, e);
		env_close(s);
		if (r) {
			rm_env_dir(tmp);
			return r;
		}
		if ((r = alu_root_rename(tmp, final, NULL))) {
			int err = r == -ALUE_PATH ? ELOOP : -r;
			char dfinal[PATH_MAX + 16], dtmp[PATH_MAX + 48];
			/* The directory may exist without an environment (the writer
			 * lock is taken there first): move the data file in instead. */
			snprintf(dfinal, sizeof(dfinal), "%s/data.mdb", final);
			snprintf(dtmp, sizeof(dtmp), "%s/data.mdb", tmp);
			if ((err == EEXIST || err == ENOTEMPTY) && access(dfinal, F_OK) &&
			    alu_root_rename(dtmp, dfinal, NULL) == 0) {
				rm_env_dir(tmp);
				s->info.adopted_now = 1;
				return env_open(s, final, s->rdonly ? ALU_DBF_RDONLY : 0, e);
			}
			rm_env_dir(tmp);
			/* another process adopted first: use theirs */
			if (err != EEXIST && err != ENOTEMPTY)
				return alu_err_set(e, -err, "%s: %s", final, strerror(err));
		} else {
			s->info.adopted_now = 1;
		}
		return env_open(s, final, s->rdonly ? ALU_DBF_RDONLY : 0, e);
	}
	if (!s->rdonly)
		return alu_err_set(e, -EACCES, "%s: not writable", parent);
	/* read-only root: adopt into a private environment, gone at close */
	td = getenv("TMPDIR");
	snprintf(tmp, sizeof(tmp), "%s/alupdate-state-XXXXXX", td && *td ? td : "/tmp");
	if (!mkdtemp(tmp))
		return alu_err_set(e, -errno, "%s: %s", tmp, strerror(errno));
	r = adopt_into(s, tmp, path, kind, e);
	if (r) {
		env_close(s);
		rm_env_dir(tmp);
		return r;
	}
	s->info.adopted_now = 1;
	s->info.temporary = 1;
	return 0;
}

/* What meta says about an earlier adoption, and whether rpm changed since. */
static void load_info(struct alu_state *s)
{
	char stamp[128], now[128];
	MDB_txn *txn;
	MDB_val v;
	int own;

	if (st_rtxn(s, &txn, &own))
		return;
	if (st_meta_get(s, txn, "adopted_from", &v) == 0 && v.mv_size < sizeof(s->info.adopted_from)) {
		memcpy(s->info.adopted_from, v.mv_data, v.mv_size);
		s->info.adopted_from[v.mv_size] = 0;
		stamp[0] = 0;
		if (st_meta_get(s, txn, "rpmdb_stamp", &v) == 0 && v.mv_size < sizeof(stamp)) {
			memcpy(stamp, v.mv_data, v.mv_size);
			stamp[v.mv_size] = 0;
		}
		if (st_stamp(s->info.adopted_from, now, sizeof(now)) || strcmp(now, stamp))
			s->info.rpmdb_changed = 1;
	}
	st_rtxn_end(txn, own);
}

/*
 * A state that was there and is gone: data.mdb empty (a truncate, a copy
 * that failed), or missing beside the lock.mdb LMDB left when it was
 * opened. @return 1 empty, 2 missing, 0 neither (present, or a first run).
 */
static int state_lost(const char *dir, const char *probe)
{
	char lockf[PATH_MAX + 16];
	struct stat st;

	if (stat(probe, &st) == 0)
		return S_ISREG(st.st_mode) && st.st_size == 0 ? 1 : 0;
	snprintf(lockf, sizeof(lockf), "%s/lock.mdb", dir);
	return errno == ENOENT && stat(lockf, &st) == 0 ? 2 : 0;
}

/* What to do about a damaged state file, added to the message. */
static void damaged_hint(const struct alu_state *s, struct alu_err *e)
{
	size_t l = strlen(e->msg);

	snprintf(e->msg + l, sizeof(e->msg) - l, " (the installed-package state: `alupdate%s%s"
		 " adopt` rebuilds it from the rpm database, keeping the damaged file aside)",
		 strcmp(s->root, "/") ? " --installroot " : "", strcmp(s->root, "/") ? s->root : "");
}

int alu_state_set_aside(const char *root, char *kept, size_t n, struct alu_err *e)
{
	char dir[PATH_MAX], from[PATH_MAX + 16], to[PATH_MAX + 64];

	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", strcmp(root, "/") ? root : "",
			     ALU_STATE_DIR) >= sizeof(dir))
		return alu_err_set(e, -ENAMETOOLONG, "installroot '%.64s...' is too long", root);
	snprintf(from, sizeof(from), "%s/data.mdb", dir);
	snprintf(to, sizeof(to), "%s/data.mdb.damaged-%lld", dir, (long long)time(NULL));
	if (rename(from, to) < 0)
		return alu_err_set(e, -errno, "%s: %s", from, strerror(errno));
	snprintf(from, sizeof(from), "%s/lock.mdb", dir);
	unlink(from);
	if (kept && n)
		snprintf(kept, n, "%s", to);
	return 0;
}

/* Does another process hold the writer lock (<dir>/lock, txn.h) now? */
static int lock_held(const char *dir)
{
	char p[PATH_MAX + 16];
	int fd, held;

	snprintf(p, sizeof(p), "%s/lock", dir);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/*
 * A reader that finds a journal record says so, every time: the root may
 * hold half-applied files that the state does not show until a writer
 * recovers. The record is the transaction code's text (txn/journal.c); its
 * "op" and "pkg" lines name what was cut.
 */
static void pending(struct alu_state *s)
{
	char op[32] = "", pkg[600] = "";
	MDB_cursor *cur;
	MDB_txn *txn;
	MDB_val k, v;
	int own, rc;

	if (st_rtxn(s, &txn, &own))
		return;
	rc = mdb_cursor_open(txn, s->dbi[ST_JOURNAL], &cur);
	if (!rc) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
		if (!rc) {
			for (const char *p = v.mv_data, *end = p + v.mv_size; p < end;) {
				const char *nl = memchr(p, '\n', (size_t)(end - p));
				int len = (int)((nl ? nl : end) - p);
				if (len > 3 && !strncmp(p, "op ", 3))
					snprintf(op, sizeof(op), "%.*s", len - 3, p + 3);
				else if (len > 4 && !strncmp(p, "pkg ", 4))
					snprintf(pkg, sizeof(pkg), "%.*s", len - 4, p + 4);
				p = nl ? nl + 1 : end;
			}
			s->info.interrupted = 1;
		}
		mdb_cursor_close(cur);
	}
	st_rtxn_end(txn, own);
	if (!s->info.interrupted)
		return;
	if (lock_held(s->dir)) {
		alu_warn("another alupdate is applying a transaction to %s (%s%s%s): what is shown is"
			 " the state before it", s->root, op, pkg[0] ? " of " : "", pkg);
		return;
	}
	alu_warn("an interrupted transaction is pending on %s (%s%s%s, cut by a kill or a crash):"
		 " the root may hold half-applied files (.alu-* names) that this state does not show;"
		 " `alupdate%s%s recover` (or any command that changes the root) finishes or undoes it", s->root, op[0] ? op : "a package operation", pkg[0] ? " of " : "", pkg,
		 strcmp(s->root, "/") ? " --installroot " : "", strcmp(s->root, "/") ? s->root : "");
}

int alu_state_open(const char *root, unsigned flags, struct alu_state **out, struct alu_err *e)
{
	struct alu_state *s = calloc(1, sizeof(*s));
	char final[PATH_MAX], probe[PATH_MAX + 16], path[4096];
	enum alu_rpmdb_kind kind;
	struct stat st;
	int r, lost;

	if (!s)
		return -ENOMEM;
	if ((size_t)snprintf(s->root, sizeof(s->root), "%s",
			     root && *root ? root : "/") >= sizeof(s->root) ||
	    (size_t)snprintf(final, sizeof(final), "%s%s", strcmp(s->root, "/") ? s->root : "",
			     ALU_STATE_DIR) >= sizeof(final)) {
		r = alu_err_set(e, -ENAMETOOLONG, "installroot '%.64s...' is too long", root);
		goto out;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", final);
	snprintf(probe, sizeof(probe), "%s/data.mdb", final);
	s->flags = flags;
	s->rdonly = !!(flags & ALU_STATEF_RDONLY);
	lost = state_lost(final, probe);
	if (!lost && stat(probe, &st) == 0) {
		r = env_open(s, final, s->rdonly ? ALU_DBF_RDONLY : 0, e);
		if (r == -ALUE_CORRUPT)
			damaged_hint(s, e);
		goto out;
	}
	if (!(flags & ALU_STATEF_NOADOPT)) {
		struct alu_err le = { 0 };
		r = alu_rpmdb_find(s->root, path, sizeof(path), &kind, &le);
		if (r == 0) {
			if (lost)
				alu_warn("%s: the installed-package state is %s: adopting %s again"
					 " (what alupdate installed since is known only from it)",
					 final, lost == 1 ? "empty" : "missing", path);
			if (lost == 1 && unlink(probe) < 0 && errno != ENOENT && !s->rdonly) {
				r = alu_err_set(e, -errno, "%s: %s", probe, strerror(errno));
				goto out;
			}
			r = adopt_new(s, final, path, kind, e);
			goto out;
		}
		if (r != -ENOENT) {
			alu_err_set(e, r, "%s", le.msg);
			goto out;
		}
	}
	if (lost)
		alu_warn("%s: the installed-package state is %s and the root has no rpm database"
			 " to adopt: nothing is known to be installed", final,
			 lost == 1 ? "empty" : "missing");
	if (s->rdonly) {
		s->info.empty = 1;
		r = 0;
	} else if (flags & ALU_STATEF_CREATE) {
		r = env_open(s, final, ALU_DBF_CREATE, e);
	} else {
		r = alu_err_set(e, -ENOENT, "%s: no installed-package state", final);
	}
out:
	if (r) {
		alu_state_close(s);
		return r;
	}
	if (s->env)
		load_info(s);
	if (s->env && s->rdonly && !s->info.temporary)
		pending(s);
	*out = s;
	return 0;
}

void alu_state_close(struct alu_state *s)
{
	if (!s)
		return;
	alu_state_txn_abort(s->wtxn);
	env_close(s);
	if (s->info.temporary)
		rm_env_dir(s->dir);
	free(s);
}

const struct alu_state_info *alu_state_info(const struct alu_state *s)
{
	return &s->info;
}
