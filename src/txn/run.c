/* SPDX-License-Identifier: MIT */
/* Running a plan: the order of txn.h, one committed operation at a time. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "rpmdb/rpmdb_out.h"
#include "txn/txn_int.h"
#include "util/fs.h"
#include "util/out.h"
#include "util/rootfs.h"

void alu_txn_note(struct alu_txn_log *log, const char *fmt, ...)
{
	char buf[4200];
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	alu_strv_push(&log->lines, buf);
}

struct count { const char *name; int n; };

static int count_cb(void *arg, const struct alu_instpkg *p)
{
	((struct count *)arg)->n++;
	return 0;
}

static int instances(struct alu_state *s, const struct alu_hdr *h)
{
	struct count c = { alu_hdr_str(h, ALU_TAG_NAME), 0 };

	if (c.name)
		alu_state_find_name(s, c.name, count_cb, &c);
	return c.n;
}

/* 2f: the state db takes the new state in one commit. */
static int commit(struct alu_txn_ctx *c, const struct alu_txn_op *op, size_t i,
		  struct alu_oplan *pl, struct alu_rpm *rpm, struct alu_err *e)
{
	struct alu_rpmdb_inst in = { 0, c->tid, alu_rpmdb_color(),
		(c->o->flags & ALU_TXNF_NODOCS) != 0 };
	struct alu_state_txn *t;
	struct alu_hdr *full = NULL;
	int r;

	/* Data and renames must be on disk before the db says they happened. */
	r = alu_durable_sync(c);
	if (r)
		return alu_err_set(e, r, "syncing the written files: %s", strerror(-r));
	/* the state keeps the header as rpm stores it: the rpm database is written from it */
	if (pl->nh && (r = alu_rpmdb_hdr_compose(pl->nh, rpm ? rpm->sig : NULL, &in, &full, e)))
		return r;
	r = alu_state_txn_begin(c->s, &t, e);
	if (r) {
		alu_hdr_free(full);
		return r;
	}
	for (size_t k = 0; k < op->nold && !r; k++)
		r = alu_state_remove(t, op->old_ids[k], e);
	if (!r && full)
		r = alu_state_add(t, full, op->reason ? op->reason : ALU_REASON_USER, op->repo, 0, NULL, e);
	alu_hdr_free(full);
	if (!r && c->o->on_commit)
		r = c->o->on_commit(c->o->on_commit_arg, t, i, e);
	pl->j.committed = 1;
	if (!r)
		r = alu_journal_put(t, &pl->j, e);
	if (r) {
		pl->j.committed = 0;
		alu_state_txn_abort(t);
		return r;
	}
	r = alu_state_txn_commit(t, e);
	if (r)
		pl->j.committed = 0;
	return r;
}

static int do_op(struct alu_txn_ctx *c, const struct alu_txn_op *op, size_t i,
		 struct alu_rpm *rpm, struct alu_err *e)
{
	struct alu_oplan pl;
	struct alu_err le = { 0 };
	int r, journaled = 0, nsame = 0;

	r = alu_oplan_build(c, op, rpm, &pl, &le);
	if (r)
		goto fail;
	nsame = instances(c->s, pl.nh ? pl.nh : pl.oh[0]);
	/* %pre (new) or %preun (erased): a failure refuses the operation */
	if (pl.nh)
		r = alu_script_run(c, pl.nh, ALU_PRE, nsame + 1, &le);
	else
		r = alu_script_run(c, pl.oh[0], ALU_PREUN, nsame - 1, &le);
	if (r)
		goto fail;
	r = alu_journal_write(c->s, &pl.j, &le);
	if (r)
		goto fail;
	journaled = 1;
	if (pl.nh) {
		r = alu_apply_files(c, &pl, rpm, &le);
		if (r)
			goto fail;
		if (alu_script_run(c, pl.nh, ALU_POST, nsame + 1, &le))
			alu_warn("%s", le.msg), alu_err_clear(&le);
		for (size_t k = 0; k < pl.noh; k++)
			if (alu_script_run(c, pl.oh[k], ALU_PREUN, nsame, &le))
				alu_warn("%s", le.msg), alu_err_clear(&le);
	}
	r = alu_apply_removals(c, &pl, &le);
	if (r)
		goto fail;
	for (size_t k = 0; k < pl.noh; k++)
		if (alu_script_run(c, pl.oh[k], ALU_POSTUN, pl.nh ? nsame : nsame - 1, &le))
			alu_warn("%s", le.msg), alu_err_clear(&le);
	r = commit(c, op, i, &pl, rpm, &le);
	if (r)
		goto fail;
	alu_journal_cleanup(c->rootfd, &pl.j, 0);
	if (alu_journal_clear(c->s, &le))
		alu_warn("%s", le.msg);   /* the next run's recovery finishes it */
	if (op->kind == ALU_TXN_ERASE)
		alu_txn_note(c->log, "erased %s", pl.nevra);
	else if (op->kind == ALU_TXN_UPGRADE && pl.noh)
		alu_txn_note(c->log, "upgraded %s to %s", pl.onevra, pl.nevra);
	else
		alu_txn_note(c->log, "installed %s", pl.nevra);
	alu_oplan_free(&pl);
	alu_durable_end(c);
	return 0;
fail:
	if (journaled && !pl.j.committed) {
		alu_journal_rollback(c->rootfd, &pl.j);
		alu_journal_clear(c->s, NULL);
	}
	alu_err_set(e, r, "%s: %s", pl.nevra[0] ? pl.nevra : op->rpm_path ? op->rpm_path : "package",
		    le.msg[0] ? le.msg : alu_strerror(r));
	alu_oplan_free(&pl);
	alu_durable_end(c);
	return r;
}

int alu_txn_run(struct alu_state *s, const struct alu_txn_opts *o,
		const struct alu_txn_plan *p, struct alu_txn_log *log, struct alu_err *e)
{
	struct alu_txn_ctx c = { .s = s, .o = o, .log = log, .as_root = geteuid() == 0,
		.tid = (uint32_t)alu_now() };
	struct alu_rpm *rpms = calloc(p->nops ? p->nops : 1, sizeof(*rpms));
	struct alu_pkgfile *files = calloc(p->nops ? p->nops : 1, sizeof(*files));
	struct alu_err le = { 0 };
	int r = 0;

	if (!rpms || !files) {
		free(rpms);
		free(files);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < p->nops; i++)
		rpms[i].fd = -1;
	c.rootfd = open(o->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c.rootfd < 0) {
		r = alu_err_set(e, -errno, "%s: %s", o->root, strerror(errno));
		goto out;
	}
	alu_ids_load(c.rootfd, &c.ids);
	/* scriptlet_sandbox=namespaces: refuse before anything is applied, not
	 * at the first scriptlet halfway through */
	if (o->sandbox == ALU_SANDBOX_NAMESPACES && c.as_root && !(o->flags & ALU_TXNF_NOSCRIPTS) &&
	    (r = alu_sandbox_choose(&c, e)) > 0)
		r = 0;
	for (size_t i = 0; i < p->nops && !r; i++) {
		const struct alu_txn_op *op = &p->ops[i];
		if (op->kind == ALU_TXN_ERASE) {
			if (op->nold != 1)
				r = alu_err_set(e, -EINVAL, "an erase names exactly one package");
			continue;
		}
		r = alu_rpm_open(op->rpm_path, &rpms[i], e);
		if (!r)
			r = alu_pkgfile_first(&c, op, &rpms[i], &files[i], e);
	}
	if (!r && !(o->flags & ALU_TXNF_REPLACEFILES))
		r = alu_txn_conflicts(&c, p, rpms, e);
	for (size_t i = 0; i < p->nops && !r; i++)
		if (p->ops[i].kind != ALU_TXN_ERASE &&
		    (r = alu_script_run(&c, rpms[i].hdr, ALU_PRETRANS, -1, &le)))
			alu_err_set(e, r, "%s", le.msg);
	for (size_t i = 0; i < p->nops && !r; i++) {
		if (p->ops[i].kind != ALU_TXN_ERASE &&
		    (r = alu_pkgfile_again(&c, &p->ops[i], &rpms[i], &files[i], e)))
			break;
		r = do_op(&c, &p->ops[i], i, p->ops[i].kind == ALU_TXN_ERASE ? NULL : &rpms[i], e);
		if (!r && log)
			log->done++;
	}
	for (size_t i = 0; i < p->nops && log && i < log->done; i++)
		if (p->ops[i].kind != ALU_TXN_ERASE && alu_script_run(&c, rpms[i].hdr, ALU_POSTTRANS, -1, &le)) {
			alu_warn("%s", le.msg);
			alu_err_clear(&le);
		}
out:
	for (size_t i = 0; i < p->nops; i++)
		if (rpms[i].fd >= 0 || rpms[i].hdr)
			alu_rpm_close(&rpms[i]);
	free(rpms);
	free(files);
	alu_ids_free(&c.ids);
	if (c.rootfd >= 0)
		close(c.rootfd);
	return r;
}

/* <root>/var/lib/alupdate/lock into @p path */
static int lock_path(const char *root, char *path, size_t size)
{
	int n = snprintf(path, size, "%s%s/lock", strcmp(root, "/") ? root : "", ALU_STATE_DIR);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int alu_txn_lock(const char *root, unsigned flags, int *fd, struct alu_err *e)
{
	char path[4200];
	int lfd, r = lock_path(root, path, sizeof(path));

	if (r)
		return alu_err_set(e, r, "%s: path too long", root);
	/* reached without symlinks (util/rootfs.h): a root's lock symlinked to
	 * a host file must not be created or opened through */
	r = alu_root_open(path, O_RDWR | O_CREAT, 0600, ALU_ROOTF_CREATE, &lfd, e);
	if (r)
		return r;
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			int r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
			close(lfd);
			return r;
		}
		if (flags & ALU_TXNF_NOWAIT) {
			close(lfd);
			return alu_err_set(e, -ALUE_LOCKED, "another alupdate is changing %s (lock %s held)", root, path);
		}
		alu_warn("waiting for another alupdate to finish with %s (lock %s)", root, path);
		while (flock(lfd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				int r = alu_err_set(e, -errno, "%s: %s", path, strerror(errno));
				close(lfd);
				return r;
			}
		}
	}
	*fd = lfd;
	return 0;
}

int alu_txn_lock_held(const char *root)
{
	char path[4200];
	int fd, held;

	if (lock_path(root, path, sizeof(path)))
		return 0;
	if (alu_root_open(path, O_RDONLY, 0, 0, &fd, NULL))
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

void alu_txn_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
