/* SPDX-License-Identifier: MIT */
/*
 * The wall clock for what alupdate records (install times, history, rpm
 * database stamps). Normally time(NULL); `image patch` pins it to the
 * image's epoch so that the same input gives byte-identical layers.
 */
#ifndef ALU_UTIL_CLOCK_H
#define ALU_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/** @return the pinned time when alu_clock_set() was called, else time(NULL). */
time_t alu_now(void);
/** @brief Pin alu_now() to @p t for the rest of the process. */
void alu_clock_set(int64_t t);

#endif
