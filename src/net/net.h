/* SPDX-License-Identifier: MIT */
/*
 * Network layer: a small HTTP/1.1 client on BearSSL, file:// URLs, and mirror
 * sets with failover.
 *
 * Model. One `struct alu_net` lives for the whole run; it keeps idle
 * keep-alive connections (per scheme, host, port and proxy) and the loaded CA
 * bundles, so that fetching repomd.xml, primary and a hundred packages from
 * one mirror costs one TCP connect and one TLS handshake. Each request takes a
 * `struct alu_net_opts` (from the repository's configuration: timeout, proxy,
 * CA, client certificate ...). A `struct alu_mirrors` is a repository's list
 * of base URLs in failover order (regions first to last, or the lines of a
 * mirror.list); a mirror that fails (refused, timeout, HTTP 4xx/5xx, short
 * read, TLS, checksum mismatch) is marked with the reason and skipped for the
 * rest of the run while a healthy one remains.
 *
 * Files are never left half-written under their final name: a download goes
 * to "<dest>.part", is fsync'ed, checked against the expected size and
 * sha256, and only then renamed to <dest>. A "<dest>.part" left by an
 * interrupted run is resumed with an HTTP Range request when the expected
 * sha256 is known (packages), and discarded otherwise.
 *
 * Nothing here prints errors; progress lines are drawn on stderr only when
 * opts->progress is set and stderr is a terminal.
 */
#ifndef ALU_NET_NET_H
#define ALU_NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define ALU_NET_TIMEOUT_DEFAULT 30   /* seconds, as yum's default */
#define ALU_NET_MINRATE 1000         /* bytes/s over one timeout period, as dnf's minrate */
#define ALU_NET_BACKOFF_DEFAULT 1000 /* ms before the first retry */
#define ALU_NET_BACKOFF_MAX 10000    /* ms, cap of the doubling backoff */
#define ALU_NET_HOST_MAX 256

/**
 * Per-request options, normally one per repository. A zeroed struct is a
 * valid, safe default (certificates verified against the system bundle,
 * 30 s timeout, no retry, no proxy, silent). Strings are borrowed for the
 * duration of the call.
 */
struct alu_net_opts {
	int timeout;            /* seconds for connect and for each read; <= 0: ALU_NET_TIMEOUT_DEFAULT */
	int retries;            /* further attempts on the same mirror after a retryable failure; 0: none */
	int backoff_ms;         /* delay before the first retry, doubled each time, capped at
	                         * ALU_NET_BACKOFF_MAX; <= 0: ALU_NET_BACKOFF_DEFAULT */
	int insecure;           /* 1 = yum's sslverify=0: accept any certificate and any name */
	const char *cacert;     /* PEM bundle; NULL: the first system bundle found
	                         * (/etc/pki/tls/certs/ca-bundle.crt, /etc/ssl/certs/ca-certificates.crt, ...) */
	const char *clientcert; /* PEM certificate chain for TLS client auth (yum sslclientcert) */
	const char *clientkey;  /* PEM private key, RSA or EC, for clientcert (yum sslclientkey) */
	const char *proxy;      /* "http://[user:pass@]host:port"; https goes through CONNECT */
	const char *proxy_username; /* yum proxy_username/proxy_password, not encoded; they win */
	const char *proxy_password; /* over credentials in the proxy URL */
	const char *query;      /* appended to every http(s) request ("instance_id=..&region=..") */
	int progress;           /* 1: a progress line on stderr when it is a TTY */
	const char *label;      /* what the progress line names; NULL: the file name of the URL */
	int transient;          /* 1: the file is read once and removed (metadata), so it is
	                         * not fsynced: a crash only means fetching it again */
	int expect_algo;        /* ALU_HASH_* (crypto/digest.h) of the checksum given to
	                         * alu_net_get_file()/alu_mirrors_get_file(); 0: sha256 */
};

/** A parsed URL. file:// URLs have an empty host and port 0. */
struct alu_url {
	char scheme[8];                /* "http", "https" or "file" (lowercased) */
	char host[ALU_NET_HOST_MAX];   /* IPv6 literals without brackets; lowercased */
	char userinfo[256];            /* "user:pass" (still percent-encoded) or "" */
	int port;                      /* explicit or 80/443; 0 for file */
	int ipv6;                      /* 1 when host was a [bracketed] literal */
	char *path;                    /* owned: "/..." with query, percent-encoding untouched;
	                                * for file:// the filesystem path */
};

/**
 * @brief Parse an http, https or file URL.
 * @param[out] u filled; release with alu_url_free() (also after failure).
 * @return 0; -ALUE_UNSUPPORTED for another scheme; -ALUE_CONFIG for a
 *         malformed URL (bad port, unterminated [IPv6], empty host, too long);
 *         -ENOMEM.
 */
int alu_url_parse(struct alu_url *u, const char *url, struct alu_err *e);
/** @brief Release what alu_url_parse() allocated. */
void alu_url_free(struct alu_url *u);

/**
 * @brief Join a base URL and a relative path ("repodata/repomd.xml").
 * A base without a trailing '/' is taken as a directory (as yum's baseurl);
 * a @p rel that is itself a URL (has "scheme://") is returned as is; a @p rel
 * starting with '/' replaces the base's path.
 * @param[out] out malloc'ed result, caller frees.
 * @return 0 or -ENOMEM.
 */
int alu_url_join(const char *base, const char *rel, char **out);

/**
 * @brief Does @p rel, joined to @p base, stay inside what the repository may
 * name? Refused always: empty, a URL of its own ("scheme://"), an absolute
 * path, a backslash. ".." segments (also percent-encoded, "%2e%2e") are
 * counted: under a file:// base they may never climb above the base
 * directory; under http(s) they may (Amazon Linux 2's primary names packages
 * as "../../../../../blobstore/<sha>/x.rpm" on the same host) but never above
 * the host's root. Repository locations (repomd's and primary's href) must
 * pass it.
 * @return 1 allowed, 0 refused.
 */
int alu_url_rel_within(const char *base, const char *rel);

/**
 * @brief May a URL reached from @p from (a redirect, a mirror.list line, an
 * xml:base) go to @p to? Never from http(s) to file://, never from https
 * to http. Other steps (file:// to anything, http to https) are fine.
 * @return 1 allowed, 0 refused.
 */
int alu_url_step_ok(const char *from, const char *to);

/** One run's network state. Not thread-safe. */
struct alu_net;

/** @brief Create the run's network state. @return 0 or -ENOMEM. */
int alu_net_new(struct alu_net **out);
/** @brief Close every kept connection and free @p n (NULL is fine). */
void alu_net_free(struct alu_net *n);
/** @return how many TCP connections @p n has opened so far (for tests and -v). */
unsigned alu_net_connections(const struct alu_net *n);

/**
 * @brief Download @p url to @p dest, completely or not at all.
 * Writes "<dest>.part" (resumed with Range when it exists and @p expect_sha256
 * is given; without a checksum a resume could splice two versions of a file,
 * so the download starts over and a failed one leaves no .part), fsyncs it, checks
 * @p expect_size (0: unknown) and @p expect_sha256 (hex, NULL: none; of the
 * hash o->expect_algo names, sha256 by default), then renames it to @p dest.
 * A .part whose content fails the checksum is deleted; one left by a network
 * failure is kept for the next attempt. With @p expect_size the download
 * stops at that many bytes: a body (or Content-Length) that would go beyond
 * fails with -ALUE_HTTP ("larger than the N bytes expected") and its .part
 * is removed, so an endless body cannot fill the disk.
 * Retries retryable failures (connect, timeout, 5xx, short read) up to
 * o->retries times with backoff.
 * @param o may be NULL (defaults).
 * @return 0; -ALUE_NET (connect, DNS, "short read"), -ALUE_TIMEOUT,
 *         -ALUE_TLS, -ALUE_HTTP ("URL: HTTP 404 Not Found", bad response,
 *         too many redirects), -ALUE_CHECKSUM, -ALUE_UNSUPPORTED (scheme),
 *         -ALUE_NOTFOUND (file:// path missing), -ALUE_CONFIG (malformed URL
 *         or proxy), negative errno for local I/O (writing @p dest).
 *         The message names the URL.
 * @note A peer sending under ALU_NET_MINRATE bytes a second, averaged over
 *       one timeout period, fails the transfer with -ALUE_TIMEOUT ("too
 *       slow"), as dnf's minrate does: a trickle cannot hold a run.
 */
int alu_net_get_file(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	const char *dest, const char *expect_sha256, uint64_t expect_size, struct alu_err *e);

/**
 * @brief Download @p url into memory.
 * @param max largest body accepted (0: 64 MiB); larger gives -ALUE_HTTP
 *        ("... larger than N bytes").
 * @param[out] buf malloc'ed, NUL-terminated (the NUL is not counted in
 *        @p len); caller frees. NULL on failure.
 * @return as alu_net_get_file() (no checksum).
 */
int alu_net_get_mem(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	size_t max, char **buf, size_t *len, struct alu_err *e);

/** One base URL of a mirror set. */
struct alu_mirror {
	char *url;      /* owned, base URL as given */
	char *failure;  /* owned; NULL while healthy, else why it failed last ("HTTP 500 ...") */
};

/** A repository's mirrors in failover order. Zero-initialise before use. */
struct alu_mirrors {
	struct alu_mirror *v;
	size_t n, cap;
	size_t current;  /* index tried first; moves to the mirror that last worked */
};

/** @brief Append one base URL. @return 0 or -ENOMEM. */
int alu_mirrors_add(struct alu_mirrors *m, const char *url);

/**
 * @brief Append the URLs of a mirror.list body: one URL a line, blank lines
 * and '#' comments skipped, CRLF accepted, the last line may lack its
 * newline; "$basearch" (and "${basearch}") is replaced by @p basearch when
 * that is not NULL.
 * @return 0; -ALUE_CORRUPT when a line is not an http/https/file URL (the
 *         message gives the line number) or when no URL is found; -ENOMEM.
 */
int alu_mirrors_from_list(struct alu_mirrors *m, const char *text, size_t len,
	const char *basearch, struct alu_err *e);

/**
 * @brief alu_mirrors_from_list() for a list fetched from @p list_url: a line
 * that alu_url_step_ok() refuses (file:// from an http(s) list, http from an
 * https one) fails the list.
 * @return as alu_mirrors_from_list(); -ALUE_CORRUPT naming the line.
 */
int alu_mirrors_from_url_list(struct alu_mirrors *m, const char *text, size_t len,
	const char *basearch, const char *list_url, struct alu_err *e);

/** @brief Free every URL and reason; leaves @p m empty. */
void alu_mirrors_free(struct alu_mirrors *m);

/**
 * @brief Download base + @p relpath from the mirror set with failover.
 * Tries healthy mirrors starting at m->current, then the others in order;
 * each failure is recorded in that mirror's `failure`. When every mirror has
 * failed before, all are tried again. On success m->current points to the
 * mirror that worked.
 * @return 0; -ALUE_MIRRORS when all fail, with a message naming each mirror
 *         and its reason ("all mirrors failed for repodata/repomd.xml:
 *         http://a/...: HTTP 500 Internal Server Error; http://b/...: timed
 *         out ..."); -ENOMEM or local I/O errors (no failover for those);
 *         -ALUE_CONFIG when @p m is empty.
 */
int alu_mirrors_get_file(struct alu_net *n, struct alu_mirrors *m, const char *relpath,
	const struct alu_net_opts *o, const char *dest, const char *expect_sha256,
	uint64_t expect_size, struct alu_err *e);

/** @brief As alu_mirrors_get_file(), into memory as alu_net_get_mem(). */
int alu_mirrors_get_mem(struct alu_net *n, struct alu_mirrors *m, const char *relpath,
	const struct alu_net_opts *o, size_t max, char **buf, size_t *len, struct alu_err *e);

#endif
