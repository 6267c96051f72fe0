/* SPDX-License-Identifier: MIT */
/* The launch-time policy's files: launch id, stamp, alupdate.yaml's boot:
 * mapping. See boot.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ops/boot.h"
#include "util/rootfs.h"
#include "util/fs.h"

static void at(const char *root, const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", strcmp(root, "/") ? root : "", rel);
}

/* First line of a small file, trimmed. @return 1 read (non-empty), 0 missing/empty, -errno. */
static int first_line(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "r");
	size_t l;

	*buf = 0;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (!fgets(buf, (int)n, f))
		*buf = 0;
	fclose(f);
	l = strcspn(buf, "\r\n");
	buf[l] = 0;
	while (l && (buf[l - 1] == ' ' || buf[l - 1] == '\t'))
		buf[--l] = 0;
	return *buf != 0;
}

int alu_boot_id(const char *root, char *buf, size_t n, struct alu_err *e)
{
	static const char *const src[][2] = {
		{ "/var/lib/cloud/data/instance-id", "instance-id" },
		{ "/etc/machine-id", "machine-id" },
	};
	char path[4096], v[256];

	for (size_t i = 0; i < 2; i++) {
		int r;
		at(root, src[i][0], path, sizeof(path));
		r = first_line(path, v, sizeof(v));
		if (r < 0)
			return alu_err_set(e, r, "%s: %s", path, strerror(-r));
		if (r) {
			snprintf(buf, n, "%s %s", src[i][1], v);
			return 0;
		}
	}
	snprintf(buf, n, "root");
	return 0;
}

int alu_boot_stamp_done(const char *root, const char *id, char *line, size_t n)
{
	char path[4096], l[1024];
	size_t il = strlen(id);

	at(root, ALU_BOOT_STAMP, path, sizeof(path));
	if (first_line(path, l, sizeof(l)) <= 0 || strncmp(l, id, il) || l[il] != '\t')
		return 0;
	if (line)
		snprintf(line, n, "%s", l);
	return 1;
}

/* Write @p text to @p path through path.tmp, fsync, rename; under the root
 * every step goes through the no-symlink walk (util/rootfs.h). */
static int replace(const char *path, const char *text, struct alu_err *e)
{
	char tmp[4200], dir[4096], *s;
	size_t len = strlen(text), off = 0;
	int r, fd;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((s = strrchr(dir, '/')))
		*s = 0;
	if ((r = alu_root_mkdirs(dir, e)))
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((r = alu_root_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, &fd, e)))
		return r;
	while (!r && off < len) {
		ssize_t k = write(fd, text + off, len - off);
		if (k < 0)
			r = -errno;
		else
			off += (size_t)k;
	}
	if (!r && fsync(fd))
		r = -errno;
	if (close(fd) && !r)
		r = -errno;
	if (r) {
		alu_root_unlink(tmp, NULL);
		return alu_err_set(e, r, "writing %s: %s", tmp, strerror(-r));
	}
	if ((r = alu_root_rename(tmp, path, e))) {
		alu_root_unlink(tmp, NULL);
		return r;
	}
	return 0;
}

int alu_boot_stamp_write(const char *root, const char *id, const char *policy,
			 struct alu_err *e)
{
	char path[4096], line[1024];

	at(root, ALU_BOOT_STAMP, path, sizeof(path));
	snprintf(line, sizeof(line), "%s\t%lld\t%s\n", id, (long long)time(NULL), policy);
	return replace(path, line, e);
}

/* Is @p l the first line of a top-level "boot:" key? */
static int is_boot_key(const char *l)
{
	if (strncmp(l, "boot", 4))
		return 0;
	l += 4;
	while (*l == ' ' || *l == '\t')
		l++;
	return *l == ':';
}

int alu_boot_policy_write(const char *root, const char *policy, const struct alu_strv *sev,
			  long timeout, struct alu_err *e)
{
	char path[4096], line[4096];
	char *out = NULL;
	size_t outn = 0;
	FILE *in, *mem = open_memstream(&out, &outn);
	int skip = 0, r;

	if (!mem)
		return alu_err_set(e, -ENOMEM, "out of memory");
	at(root, ALU_BOOT_YAML, path, sizeof(path));
	if ((in = fopen(path, "r"))) {
		/* the old boot: mapping is its key line and every indented, blank
		 * or comment line after it, up to the next top-level line */
		while (fgets(line, sizeof(line), in)) {
			if (skip && (line[0] == ' ' || line[0] == '\t' || line[0] == '\n' || line[0] == '#'))
				continue;
			skip = is_boot_key(line);
			if (!skip)
				fputs(line, mem);
		}
		fclose(in);
		if (outn && out[outn - 1] != '\n')
			fputc('\n', mem);
	} else if (errno != ENOENT) {
		r = -errno;
		fclose(mem);
		free(out);
		return alu_err_set(e, r, "%s: %s", path, strerror(-r));
	}
	fflush(mem);
	fprintf(mem, "boot:\n  update: %s\n  policy: %s\n", strcmp(policy, "none") ? "true" : "false",
		policy);
	if (sev && sev->n) {
		fputs("  severities: [", mem);
		for (size_t i = 0; i < sev->n; i++)
			fprintf(mem, "%s%s", i ? ", " : "", sev->v[i]);
		fputs("]\n", mem);
	}
	fprintf(mem, "  timeout: %ld\n", timeout);
	if (fclose(mem)) {
		free(out);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	r = replace(path, out, e);
	free(out);
	return r;
}
