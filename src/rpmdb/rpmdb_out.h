/* SPDX-License-Identifier: MIT */
/*
 * Writing the root's rpm database back: the projection of alupdate's state
 * (db/state.h) that rpm, yum and every image scanner read.
 *
 * Model. The state is the truth. After every command that changes it, and
 * at the start of every writing command, alu_rpmdb_sync() makes the root's
 * rpm database say the same, in the format the root has:
 *
 *   rpmdb.sqlite   rpm >= 4.16: Packages + the 18 index tables rpm keeps
 *                  (sqlite_write.c);
 *   Packages       rpm 4.11 Berkeley DB (Amazon Linux 2), through
 *                  alu_rpmdb_bdb_write() (bdb_write.h);
 *   container-manifest-2  /var/lib/rpmmanifest: rewritten when present
 *                  (manifest.c).
 * A root with neither keeps having neither.
 *
 * Crash safety (dbswitch.c): the new database is written whole into a
 * sibling directory of the database directory, fsynced, and switched in
 * with renameat2(RENAME_EXCHANGE); without it (old kernels, some file
 * systems) by two renames, the gap between which alu_rpmdb_recover()
 * closes. A kill -9 at any moment leaves the old database or the new one.
 *
 * Living beside rpm and yum (sync.c): each write-back records in the state
 * (meta "rpmdb_sync") what was written: the file's size, mtime and sha256,
 * and for each package its id and the digest of its header. When the file
 * differs at the next sync and its digest is not ours, rpm or yum changed
 * it: the headers that appeared are adopted, those that went are removed
 * from the state (a changed header of the same NEVRA keeps its install
 * reason), while the state's own changes since the last write-back (a run
 * cut before its write-back) are kept. Then the database is written again
 * when the state is ahead of it.
 *
 * Header blobs everywhere are what rpm stores: the package's immutable
 * region plus the install-time tags (alu_rpmdb_hdr_compose()).
 *
 * Library code: nothing prints; what happened is reported through
 * struct alu_rpmdb_report for the command to say.
 */
#ifndef ALU_RPMDB_RPMDB_OUT_H
#define ALU_RPMDB_RPMDB_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "db/rpmdb.h"
#include "crypto/pgp.h"
#include "db/state.h"
#include "rpm/rpm.h"
#include "rpmdb/bdb_write.h"
#include "util/err.h"
#include "util/strv.h"

/* ---- header composition ------------------------------------------------- */

/** What the installation adds to a package's header, as rpm's dbAdd(). */
struct alu_rpmdb_inst {
	uint32_t installtime;  /* INSTALLTIME; 0: now */
	uint32_t tid;          /* INSTALLTID: one per transaction (its start time) */
	uint32_t color;        /* INSTALLCOLOR: alu_rpmdb_color() */
	int nodocs;            /* --nodocs: doc files get FILESTATES "not installed" */
};

/** @return rpm's %_transaction_color for the machine alupdate was built for
 *  (3 on 64-bit multilib arches, 0 elsewhere). */
uint32_t alu_rpmdb_color(void);

/**
 * @brief The header rpm stores for an installed package: @p main's blob
 *        unchanged (its immutable region), then, sorted by tag with their
 *        data aligned as rpm's headerExport() does, the signature tags rpm's
 *        headerMergeLegacySigs() copies from @p sig (SIGSIZE, SIGPGP,
 *        SIGMD5, SIGGPG, ARCHIVESIZE, DSA/RSAHEADER, SHA1HEADER,
 *        SHA256HEADER, LONGSIGSIZE, ...; not RESERVEDSPACE) and INSTALLTIME,
 *        INSTALLTID, INSTALLCOLOR and FILESTATES. Tags @p main already has
 *        are not added again.
 * @param[in] sig the package's signature header; NULL: none copied.
 * @param[out] out owned by the caller: alu_hdr_free().
 * @return 0, -ENOMEM, -ALUE_CORRUPT (a header that does not parse back).
 */
int alu_rpmdb_hdr_compose(const struct alu_hdr *main, const struct alu_hdr *sig,
			  const struct alu_rpmdb_inst *in, struct alu_hdr **out, struct alu_err *e);

/**
 * @brief The gpg-pubkey header rpm 4.18's `rpm --import` stores for the
 *        key whose packets (primary key, user ids, signatures, subkeys) are
 *        @p pkt and whose primary key @p ki describes (pubkey_hdr.c).
 * @param installtime INSTALLTIME and INSTALLTID; 0: now.
 * @param[out] out owned by the caller: alu_hdr_free().
 * @return 0, -ENOMEM, -ALUE_CORRUPT.
 */
int alu_rpmdb_pubkey_hdr(const uint8_t *pkt, size_t len, const struct alu_pgp_keyinfo *ki,
			 uint32_t installtime, struct alu_hdr **out, struct alu_err *e);

/* ---- writers ------------------------------------------------------------ */

/**
 * @brief Write a new rpmdb.sqlite at @p path (which must not exist) holding
 *        @p h (sorted by hnum) and the index tables rpm 4.16+ keeps, with
 *        rpm's schema; synced to disk before it returns.
 * @return 0, -ALUE_DB (SQLite error; the message names @p path),
 *         -ALUE_CORRUPT (a header that does not parse), -ENOMEM.
 */
int alu_rpmdb_sqlite_write(const char *path, const struct alu_rpmdb_hdr *h, size_t n,
			   struct alu_err *e);

/**
 * @brief The line container-manifest-2 has for header @p h (rpm -qa --qf
 *        "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t
 *        %{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n",
 *        the fields Trivy's rpmqa analyzer and Syft's manifest parser read),
 *        "\n" included, into @p buf.
 * @return the length, or -ENAMETOOLONG when @p n is too small.
 */
int alu_rpmdb_manifest_line(const struct alu_hdr *h, char *buf, size_t n);

/** The fields of one container-manifest-2 line that adoption uses. */
struct alu_rpmdb_mline {
	char name[256], ver[256], rel[256], arch[64];
	uint32_t epoch, itime;
};

/**
 * @brief Parse one container-manifest-2 line (no "\n"): exactly 10
 *        tab-separated fields, VERSION-RELEASE in field 1, EPOCH in field
 *        5 ("(none)" is 0), ARCH in field 7, INSTALLTIME in field 2.
 * @return 0, or -ALUE_CORRUPT (wrong field count, no '-' in VERSION-RELEASE,
 *         a field too long, an epoch or time that is not a number).
 */
int alu_rpmdb_manifest_parse(const char *line, struct alu_rpmdb_mline *m);

/**
 * @brief Where @p root keeps container-manifest-2 (host path into @p path).
 * @return 1 when it has one (a regular file), else 0.
 */
int alu_rpmdb_manifest_path(const char *root, char *path, size_t n);

/* ---- switching in, and recovery ---------------------------------------- */

/**
 * @brief Finish or undo a switch a killed run left (dbswitch.c): a database
 *        directory renamed away but not replaced is put back or replaced,
 *        leftover build directories are removed. Call under the writer lock.
 * @param[out] what "" or a sentence saying what was done (@p n bytes).
 * @return 0, -errno with @p e naming the path.
 */
int alu_rpmdb_recover(const char *root, char *what, size_t n, struct alu_err *e);

/**
 * @brief Forget what the state recorded about the rpm database (after a
 *        full re-adoption, whose ids are all new): the next sync compares
 *        the two whole.
 * @return 0, -ALUE_DB.
 */
int alu_rpmdb_forget(struct alu_state *s, struct alu_err *e);

/* ---- the sync -------------------------------------------------------------- */

enum {
	ALU_RPMDBF_NOWRITE = 1 << 0,  /* detect and re-adopt only; never write (rpmdb_writeback=0) */
};

/** What alu_rpmdb_sync() did, for the command to say. */
struct alu_rpmdb_report {
	int readopted;            /* 1: rpm/yum had changed the database: adopted */
	size_t added, removed;    /* packages the re-adoption added / removed */
	struct alu_strv changes;  /* "+NEVRA" / "-NEVRA" of the re-adoption */
	int written;              /* 1: the database was written */
	size_t count;             /* packages in it */
	char path[4096];          /* the database file (or the manifest) */
	char recovered[512];      /* alu_rpmdb_recover()'s sentence */
	int manifest;             /* 1: container-manifest-2 was rewritten */
	int write_failed;         /* 1: the error came from writing (the state agrees
	                             with what was read; the next sync writes again) */
};

/** @brief Free what @p r holds (its strv). */
void alu_rpmdb_report_free(struct alu_rpmdb_report *r);

/**
 * @brief Bring the root's rpm database and the state into agreement (see the
 *        model above): recover a cut switch, re-adopt what rpm changed, write
 *        the database when the state is ahead of it. Under the writer lock,
 *        with @p s open for writing and no write transaction open.
 * @return 0; -ALUE_CORRUPT (the rpm database does not read: names it);
 *         -ALUE_UNSUPPORTED (a format we cannot write, e.g. ndb; a Berkeley
 *         DB root when the writer is not built); -ALUE_DB, -ALUE_NOSPACE,
 *         -errno. The state is never changed by a failed write.
 */
int alu_rpmdb_sync(struct alu_state *s, const char *root, unsigned flags,
		   struct alu_rpmdb_report *rep, struct alu_err *e);

/**
 * @brief What differs between the state and the root's rpm database (for
 *        `verify --rpmdb`): lines "only in the rpm database: NEVRA", "only
 *        in alupdate's state: NEVRA", "header differs: NEVRA".
 * @param[out] out appended to; empty when they agree.
 * @param[out] path the database compared (4096 bytes; "" when the root has none).
 * @return 0, -ENOENT (no rpm database: @p e says where it looked), read errors.
 */
int alu_rpmdb_diff(struct alu_state *s, const char *root, struct alu_strv *out, char *path,
		   struct alu_err *e);

#endif
