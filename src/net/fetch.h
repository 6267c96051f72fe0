/* SPDX-License-Identifier: MIT */
/* Internal to src/net: where a response body goes, and the GET with retries. */
#ifndef ALU_NET_FETCH_H
#define ALU_NET_FETCH_H

#include "net/net_int.h"

/* A body destination: a file descriptor (fd >= 0) or memory (fd < 0). */
struct alu_sink {
	int fd;
	const char *path;   /* of fd, for messages */
	uint64_t have;      /* bytes already held (resume offset for files) */
	char *mem;          /* memory: owned by whoever set up the sink */
	size_t len, cap, max;  /* max: memory bytes accepted */
	uint64_t fmax;         /* file: bytes accepted in all (resume offset included); 0: any */
	int over;              /* set when the body ran past fmax */
};

int alu_sink_reset(struct alu_sink *s);
int alu_sink_write(struct alu_sink *s, const char *p, size_t n, const char *url,
	struct alu_err *e);

/* GET url into s: redirects, Range resume from s->have, o->retries with backoff. */
int alu_fetch(struct alu_net *n, const char *url, const struct alu_net_opts *o,
	struct alu_sink *s, struct alu_err *e);

#endif
