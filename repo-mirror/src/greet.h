/* SPDX-License-Identifier: MIT */
#ifndef GREET_H
#define GREET_H
const char *greet_version(void);
void greet(const char *who);
#endif
