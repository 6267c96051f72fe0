/* SPDX-License-Identifier: MIT */
/*
 * Version locks in yum-plugin-versionlock's file,
 * <root>/etc/yum/pluginconf.d/versionlock.list: one "EPOCH:NAME-VERSION-
 * RELEASE.ARCH" a line (globs allowed, as the plugin allows), '#' comments.
 * The same file keeps working when yum itself is used on the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/ops.h"
#include "util/rootfs.h"

static void path_of(const char *root, char *buf, size_t n)
{
	snprintf(buf, n, "%s" ALU_VLOCK_FILE, strcmp(root, "/") ? root : "");
}

int alu_vlock_read(const char *root, struct alu_strv *out, struct alu_err *e)
{
	char path[4096], line[2048];
	FILE *f;
	int rc = 0;

	struct alu_err le = { 0 };
	int fd;

	path_of(root, path, sizeof(path));
	rc = alu_root_open_read(path, &fd, NULL, &le);
	if (rc)
		return rc == -ENOENT ? 0 : alu_err_set(e, rc, "%s", le.msg);
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		char *s = line, *t;
		while (*s == ' ' || *s == '\t')
			s++;
		t = s + strlen(s);
		while (t > s && (t[-1] == '\n' || t[-1] == '\r' || t[-1] == ' ' || t[-1] == '\t'))
			*--t = 0;
		if (!*s || *s == '#')
			continue;
		if (alu_strv_push(out, s))
			rc = alu_err_set(e, -ENOMEM, "out of memory");
	}
	fclose(f);
	return rc;
}

int alu_vlock_write(const char *root, const struct alu_strv *entries, struct alu_err *e)
{
	char path[4096], tmp[4200];
	FILE *f;
	int rc;

	int fd;

	path_of(root, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.alu-tmp", path);
	/* written through the no-symlink walk (util/rootfs.h) */
	rc = alu_root_open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, ALU_ROOTF_CREATE, &fd, e);
	if (rc)
		return rc;
	if (!(f = fdopen(fd, "w"))) {
		close(fd);
		alu_root_unlink(tmp, NULL);
		return alu_err_set(e, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < entries->n; i++)
		fprintf(f, "%s\n", entries->v[i]);
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		rc = -errno;
		alu_root_unlink(tmp, NULL);
		return alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	if ((rc = alu_root_rename(tmp, path, e)))
		alu_root_unlink(tmp, NULL);
	return rc;
}

int alu_vlock_to_solver(const char *entry, char *buf, size_t n)
{
	const char *colon = strchr(entry, ':');
	const char *nevra = colon ? colon + 1 : entry;
	size_t l = strlen(nevra), nl = l;

	/* the name ends at the second-last dash */
	for (int dashes = 0; nl > 0 && dashes < 2; nl--)
		dashes += nevra[nl - 1] == '-';
	if (!nl || (colon && strspn(entry, "0123456789*") != (size_t)(colon - entry)))
		return -EINVAL;
	snprintf(buf, n, "%.*s-%.*s%s", (int)nl, nevra, colon ? (int)(colon - entry) : 0, entry,
		 colon ? ":" : "");
	snprintf(buf + strlen(buf), n - strlen(buf), "%s", nevra + nl + 1);
	return 0;
}

int alu_vlock_match(const char *spec, const char *entry)
{
	char solver[2048], name[1024];
	const char *nevra = strchr(entry, ':') ? strchr(entry, ':') + 1 : entry;
	size_t nl = strlen(nevra);

	for (int dashes = 0; nl > 0 && dashes < 2; nl--)
		dashes += nevra[nl - 1] == '-';
	snprintf(name, sizeof(name), "%.*s", (int)nl, nevra);
	if (!fnmatch(spec, entry, 0) || !fnmatch(spec, nevra, 0) || !fnmatch(spec, name, 0))
		return 1;
	return !alu_vlock_to_solver(entry, solver, sizeof(solver)) && !fnmatch(spec, solver, 0);
}
