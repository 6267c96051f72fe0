/* SPDX-License-Identifier: MIT */
/* amzn2-extras.repo edits (cmd/extras_repo.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/extras_repo.h"
#include "conf/iniedit.h"

const char alu_extras_file_header[] =
	"\n### This file is managed with amazon-linux-extras. Please manage with that tool.\n"
	"### \n";

static int set(struct alu_extras_file *f, const char *sec, const char *key, const char *val,
	       struct alu_err *e)
{
	char *out;
	size_t n;
	int rc = alu_ini_edit_set(f->text, f->len, sec, key, val, &out, &n);

	if (rc == -ENOENT)
		return alu_err_set(e, rc, "no section [%s]", sec);
	if (rc)
		return alu_err_set(e, rc == -ENOMEM ? rc : -ALUE_CORRUPT, "[%s]: cannot set %s: %s",
				   sec, key, strerror(-rc));
	free(f->text);
	f->text = out;
	f->len = n;
	return 0;
}

static int append(struct alu_extras_file *f, const char *s)
{
	size_t n = strlen(s);
	char *t = realloc(f->text, f->len + n + 1);

	if (!t)
		return -ENOMEM;
	memcpy(t + f->len, s, n + 1);
	f->text = t;
	f->len += n;
	return 0;
}

int alu_extras_file_enable(struct alu_extras_file *f, const char *topic, const char *version,
			   const char *base, const char *gpgkey, struct alu_err *e)
{
	static const struct { const char *suffix, *what, *sub; int enabled; } secs[] = {
		{ "-source", "source ", "SRPMS", 0 },
		{ "-debuginfo", "debuginfo ", "debuginfo/$basearch", 0 },
		{ "", "", "$basearch", 1 },
	};
	char sec[320], ml[4096], buf[8192];

	snprintf(sec, sizeof(sec), "amzn2extra-%s", topic);
	snprintf(ml, sizeof(ml), "%s/extras/%s/%s/$basearch/mirror.list", base, topic, version);
	if (alu_ini_edit_has(f->text, f->len, sec)) {
		int rc = set(f, sec, "enabled", "1", e);
		return rc ? rc : set(f, sec, "mirrorlist", ml, e);
	}
	/* the original's order of keys, one blank line before each section */
	for (size_t i = 0; i < sizeof(secs) / sizeof(*secs); i++) {
		snprintf(buf, sizeof(buf),
			 "\n[amzn2extra-%s%s]\nenabled = %d\nname = Amazon Extras %srepo for %s\n"
			 "mirrorlist = %s/extras/%s/%s/%s/mirror.list\ngpgcheck = 1\ngpgkey = %s\n"
			 "priority = 10\nskip_if_unavailable = 1\nreport_instanceid = yes\n",
			 topic, secs[i].suffix, secs[i].enabled, secs[i].what,
			 topic, base, topic, version, secs[i].sub, gpgkey);
		if (append(f, buf))
			return alu_err_set(e, -ENOMEM, "out of memory");
	}
	return 0;
}

int alu_extras_file_disable(struct alu_extras_file *f, const char *topic, struct alu_err *e)
{
	char sec[320];

	snprintf(sec, sizeof(sec), "amzn2extra-%s", topic);
	if (!alu_ini_edit_has(f->text, f->len, sec))
		return alu_err_set(e, -ENOENT, "topic %s is not enabled", topic);
	return set(f, sec, "enabled", "0", e);
}
