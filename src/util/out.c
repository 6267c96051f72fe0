/* SPDX-License-Identifier: MIT */
#include "util/out.h"

#include <stdarg.h>
#include <stdio.h>

static int level = ALU_NORMAL;

void alu_out_set_level(int l) { level = l; }
int alu_out_level(void) { return level; }

static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	/* stdout may be a pipe buffered behind stderr: keep the order people see. */
	fflush(stdout);
	if (prefix)
		fputs(prefix, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
}

void alu_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vline(stderr, "alupdate: error: ", fmt, ap);
	va_end(ap);
}

void alu_warn(const char *fmt, ...)
{
	va_list ap;
	if (level < ALU_NORMAL)
		return;
	va_start(ap, fmt);
	vline(stderr, "alupdate: warning: ", fmt, ap);
	va_end(ap);
}

void alu_msg(const char *fmt, ...)
{
	va_list ap;
	if (level < ALU_NORMAL)
		return;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

void alu_verbose(const char *fmt, ...)
{
	va_list ap;
	if (level < ALU_VERBOSE)
		return;
	va_start(ap, fmt);
	vline(stderr, NULL, fmt, ap);
	va_end(ap);
}
