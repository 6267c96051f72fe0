/* SPDX-License-Identifier: MIT */
/*
 * One progress line on stderr while a download runs, only when stderr is a
 * terminal: "label   45% 1.2 MiB  640 KiB/s  00:03 ETA". Redrawn at most ten
 * times a second and erased at the end, so logs and pipes see nothing; the
 * caller prints a summary line if it wants one.
 */
#include "net/net_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t alu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void human(char *b, size_t n, double v)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(b, n, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

void alu_progress_start(struct alu_progress *p, const struct alu_net_opts *o, const char *url)
{
	const char *slash = strrchr(url, '/');

	memset(p, 0, sizeof(*p));
	p->on = o && o->progress && isatty(2);
	p->label = o && o->label ? o->label : slash && slash[1] ? slash + 1 : url;
	p->t0_ms = alu_now_ms();
}

static void draw(struct alu_progress *p, uint64_t now)
{
	char sz[32], rate[32], eta[16] = "";
	double secs = (double)(now - p->t0_ms) / 1000.0;
	double bps = secs > 0 ? (double)(p->done - p->base) / secs : 0;

	human(sz, sizeof(sz), (double)p->done);
	human(rate, sizeof(rate), bps);
	if (p->total && bps > 0 && p->done <= p->total) {
		unsigned left = (unsigned)((double)(p->total - p->done) / bps);
		snprintf(eta, sizeof(eta), "%02u:%02u ETA", left / 60 % 100, left % 60);
	}
	if (p->total)
		fprintf(stderr, "\r%-40.40s %3u%% %10s %10s/s %9s\033[K",
			p->label, (unsigned)(p->done * 100 / (p->total ? p->total : 1)), sz, rate, eta);
	else
		fprintf(stderr, "\r%-40.40s      %10s %10s/s\033[K", p->label, sz, rate);
	fflush(stderr);
	p->drawn = 1;
}

void alu_progress_update(struct alu_progress *p, uint64_t done, uint64_t total)
{
	uint64_t now;

	if (!p->on)
		return;
	if (!p->last_ms)
		p->base = done; /* resumed bytes do not count towards the rate */
	p->done = done;
	p->total = total;
	now = alu_now_ms();
	if (p->last_ms && now - p->last_ms < 100)
		return;
	p->last_ms = now;
	draw(p, now);
}

void alu_progress_end(struct alu_progress *p)
{
	if (p->on && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}
