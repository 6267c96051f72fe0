/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "util/clock.h"

static int pinned;
static time_t pin;
static uint64_t seq;

time_t alu_now(void)
{
	return pinned ? pin : time(NULL);
}

void alu_clock_set(int64_t t)
{
	pin = (time_t)t;
	seq = (uint64_t)t * 0x9e3779b97f4a7c15ull;
	pinned = 1;
}

int alu_clock_pinned(void)
{
	return pinned;
}

int alu_random(void *buf, size_t n)
{
	unsigned char *p = buf;

	if (!pinned)
		return getrandom(buf, n, 0) == (ssize_t)n ? 0 : -errno;
	/* splitmix64: distinct per call, the same on every run */
	for (size_t i = 0; i < n; i += 8) {
		uint64_t z = (seq += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		memcpy(p + i, &z, n - i < 8 ? n - i : 8);
	}
	return 0;
}

void alu_clock_touch(const char *path)
{
	struct timespec ts[2] = { { pin, 0 }, { pin, 0 } };

	if (pinned)
		utimensat(AT_FDCWD, path, ts, 0);
}
