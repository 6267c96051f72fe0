/* SPDX-License-Identifier: MIT */
/*
 * Error contract. Every function returns int: 0 on success, a negative errno
 * or a negative ALUE_* code on failure. Functions that can say more (which
 * file, which line, which package) take a `struct alu_err *` and fill it with
 * alu_err_set(); library code never prints, the command reports once.
 */
#ifndef ALU_UTIL_ERR_H
#define ALU_UTIL_ERR_H

#include <stddef.h>

enum {
	ALUE_BASE = 1024,
	ALUE_CORRUPT,      /* malformed input: package, database, metadata */
	ALUE_TRUNCATED,    /* input ends before a length it declared */
	ALUE_UNSUPPORTED,  /* valid but not handled: algorithm, format, version */
	ALUE_CHECKSUM,     /* a digest does not match what was promised */
	ALUE_BADSIG,       /* OpenPGP signature does not verify */
	ALUE_NOKEY,        /* no key known for a signature, or package unsigned */
	ALUE_CONFIG,       /* configuration error (file:line in the message) */
	ALUE_NET,          /* connect, DNS, socket errors */
	ALUE_TLS,          /* TLS handshake or certificate failure */
	ALUE_HTTP,         /* HTTP status not 2xx, bad response */
	ALUE_TIMEOUT,      /* connect or read timeout */
	ALUE_MIRRORS,      /* every mirror of a repository failed */
	ALUE_NOTFOUND,     /* package, repo, advisory or file not found */
	ALUE_DB,           /* LMDB or SQLite error */
	ALUE_XML,          /* XML parse error */
	ALUE_PATH,         /* path escapes the root, or is unsafe */
	ALUE_DEPSOLVE,     /* no solution for a request */
	ALUE_LOCKED,       /* another alupdate holds the lock */
	ALUE_NOSPACE,      /* not enough disk space for a transaction */
	ALUE_SCRIPT,       /* a scriptlet failed */
	ALUE_USAGE,        /* bad command line */
	ALUE_NOCACHE,      /* -C given but the cache has no metadata */
	ALUE_ABORTED,      /* the user answered no */
	ALUE_NOCONF,       /* an installroot with no repository configuration at all */
	ALUE_LAST
};

/** Detail for the one message a command prints on failure. */
struct alu_err {
	int code;
	char msg[1024];
};

/**
 * @brief Record an error and its message (printf format).
 * @param[out] e may be NULL: then only the code is returned.
 * @param code a negative errno or -ALUE_*.
 * @return code, so that `return alu_err_set(e, -ALUE_CORRUPT, ...)` reads well.
 * @note A second call keeps the first error (errors are sticky); use
 *       alu_err_clear() to reset.
 */
int alu_err_set(struct alu_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** @brief Reset @p e to "no error". */
void alu_err_clear(struct alu_err *e);

/**
 * @brief Describe a code (negative errno or -ALUE_*; the sign is ignored).
 * @return a static string, never NULL.
 */
const char *alu_strerror(int code);

#endif
