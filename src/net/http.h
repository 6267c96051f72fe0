/* SPDX-License-Identifier: MIT */
/*
 * HTTP/1.1 response parsing, internal to src/net (tests and the fuzz target
 * use it too). Both parsers are incremental and take input in pieces of any
 * size, down to one byte, because that is how sockets deliver it.
 */
#ifndef ALU_NET_HTTP_H
#define ALU_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define ALU_HTTP_HEAD_MAX (64 * 1024) /* status line + headers */

/** A response head. Zero-initialise, feed, then alu_http_head_free(). */
struct alu_http_head {
	int status;           /* 100..999 */
	int minor;            /* HTTP/1.<minor> */
	char reason[96];
	int64_t length;       /* Content-Length, -1 when absent */
	int chunked;          /* Transfer-Encoding ends in "chunked" */
	int close;            /* the connection can not be reused after the body */
	char *location;       /* owned, Location header or NULL */
	int64_t range_start;  /* from "Content-Range: bytes S-E/T", -1 when absent */
	int64_t range_total;  /* T, -1 when absent or '*' */
	/* private */
	char *buf;
	size_t len, cap;
};

/**
 * @brief Feed bytes of a response head.
 * @param[out] used how many bytes of @p p belong to the head (the rest is body).
 * @return 1 when the head is complete and parsed, 0 when more is needed,
 *         -ALUE_HTTP when it is malformed or longer than ALU_HTTP_HEAD_MAX.
 */
int alu_http_head_feed(struct alu_http_head *h, const char *p, size_t n, size_t *used);
/** @brief Release what the head owns; it may be fed again after this. */
void alu_http_head_free(struct alu_http_head *h);

/** Chunked transfer decoding state. Zero-initialise. */
struct alu_http_chunked {
	int state;
	int done;        /* the last chunk and the trailers were read */
	uint64_t left;   /* bytes left in the current chunk */
	unsigned line;   /* length of the size or trailer line so far */
	int digits;
};

/**
 * @brief Decode chunked data in place.
 * Consumes bytes of @p p (at most @p n, fewer once the end is reached) and
 * moves the payload bytes found among them to the start of @p p.
 * @param[out] used bytes of input consumed.
 * @param[out] out payload bytes now at p[0..out).
 * @return 0, or -ALUE_HTTP on a malformed chunk size or framing.
 */
int alu_http_chunked_feed(struct alu_http_chunked *c, char *p, size_t n, size_t *used,
	size_t *out);

#endif
