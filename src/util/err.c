/* SPDX-License-Identifier: MIT */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const names[ALUE_LAST - ALUE_BASE] = {
	[ALUE_CORRUPT - ALUE_BASE] = "malformed data",
	[ALUE_TRUNCATED - ALUE_BASE] = "truncated data",
	[ALUE_UNSUPPORTED - ALUE_BASE] = "unsupported",
	[ALUE_CHECKSUM - ALUE_BASE] = "checksum mismatch",
	[ALUE_BADSIG - ALUE_BASE] = "bad signature",
	[ALUE_NOKEY - ALUE_BASE] = "no key for signature",
	[ALUE_CONFIG - ALUE_BASE] = "configuration error",
	[ALUE_NET - ALUE_BASE] = "network error",
	[ALUE_TLS - ALUE_BASE] = "TLS error",
	[ALUE_HTTP - ALUE_BASE] = "HTTP error",
	[ALUE_TIMEOUT - ALUE_BASE] = "timed out",
	[ALUE_MIRRORS - ALUE_BASE] = "all mirrors failed",
	[ALUE_NOTFOUND - ALUE_BASE] = "not found",
	[ALUE_DB - ALUE_BASE] = "database error",
	[ALUE_XML - ALUE_BASE] = "XML error",
	[ALUE_PATH - ALUE_BASE] = "unsafe path",
	[ALUE_DEPSOLVE - ALUE_BASE] = "dependency problem",
	[ALUE_LOCKED - ALUE_BASE] = "locked by another alupdate",
	[ALUE_NOSPACE - ALUE_BASE] = "not enough disk space",
	[ALUE_SCRIPT - ALUE_BASE] = "scriptlet failed",
	[ALUE_USAGE - ALUE_BASE] = "usage error",
	[ALUE_NOCACHE - ALUE_BASE] = "no cached metadata",
	[ALUE_ABORTED - ALUE_BASE] = "aborted",
	[ALUE_NOCONF - ALUE_BASE] = "no configuration",
};

int alu_err_set(struct alu_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->code)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void alu_err_clear(struct alu_err *e)
{
	e->code = 0;
	e->msg[0] = 0;
}

const char *alu_strerror(int code)
{
	if (code < 0)
		code = -code;
	if (code > ALUE_BASE && code < ALUE_LAST && names[code - ALUE_BASE])
		return names[code - ALUE_BASE];
	return strerror(code);
}
