/* SPDX-License-Identifier: MIT */
/*
 * The wall clock and the randomness for what alupdate records (install
 * times, history, rpm database stamps, journal tokens). Normally time(NULL)
 * and getrandom(); `image patch` pins both (alu_clock_set) so that the same
 * image and mirror give byte-identical layers: the state database keeps
 * even deleted records in its free pages, so every byte it ever held must
 * be the same on the next run.
 */
#ifndef ALU_UTIL_CLOCK_H
#define ALU_UTIL_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** @return the pinned time when alu_clock_set() was called, else time(NULL). */
time_t alu_now(void);
/** @brief Pin alu_now() to @p t, and alu_random() to a sequence seeded by
 *         @p t, for the rest of the process. */
void alu_clock_set(int64_t t);
/** @return 1 when the clock is pinned. */
int alu_clock_pinned(void);
/** @brief Fill @p buf with @p n random bytes (a deterministic sequence when
 *         pinned: only for names that must be unique within one root).
 *  @return 0, -errno. */
int alu_random(void *buf, size_t n);
/** @brief When pinned, set the mtime of @p path to the pinned time (a file
 *         whose stat alupdate records). No-op otherwise. */
void alu_clock_touch(const char *path);

#endif
