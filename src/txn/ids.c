/* SPDX-License-Identifier: MIT */
/*
 * User and group names as the ROOT knows them: a package's files belong to
 * names, and the numbers are those of the root's /etc/passwd and /etc/group,
 * never the host's (which getpwnam would give).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "txn/txn_int.h"
#include "util/rootfs.h"

static int load(int rootfd, const char *path, struct alu_idname **out, size_t *n)
{
	char canon[ALU_PATH_MAX], line[4096];
	size_t cap = 0;
	FILE *f;
	int fd;

	*out = NULL;
	*n = 0;
	if (alu_path_resolve(rootfd, path, ALU_PATHF_FOLLOW_LAST, canon, sizeof(canon), NULL))
		return 0;
	/* a FIFO or device in the root's place of /etc/passwd is not waited on */
	if (alu_root_openat_read(rootfd, canon, path, &fd, NULL, NULL))
		return 0;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2, *c3;
		if (!c1 || !(c2 = strchr(c1 + 1, ':')) || !(c3 = strchr(c2 + 1, ':')))
			continue;
		*c1 = 0;
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct alu_idname *nv = realloc(*out, nc * sizeof(*nv));
			if (!nv)
				break;
			*out = nv;
			cap = nc;
		}
		(*out)[*n].name = strdup(line);
		(*out)[*n].id = (uint32_t)strtoul(c2 + 1, NULL, 10);
		if ((*out)[*n].name)
			(*n)++;
	}
	fclose(f);
	return 0;
}

int alu_ids_load(int rootfd, struct alu_ids *ids)
{
	int r = load(rootfd, "/etc/passwd", &ids->users, &ids->nusers);

	if (!r)
		r = load(rootfd, "/etc/group", &ids->groups, &ids->ngroups);
	return r;
}

static int find(const struct alu_idname *v, size_t n, const char *name, uint32_t *id)
{
	if (!strcmp(name, "root")) {
		*id = 0;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name)) {
			*id = v[i].id;
			return 0;
		}
	return -ENOENT;
}

static const char *rfind(const struct alu_idname *v, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].id == id)
			return v[i].name;
	return id == 0 ? "root" : NULL;
}

int alu_ids_uid(const struct alu_ids *ids, const char *name, uint32_t *id)
{
	return find(ids->users, ids->nusers, name, id);
}

int alu_ids_gid(const struct alu_ids *ids, const char *name, uint32_t *id)
{
	return find(ids->groups, ids->ngroups, name, id);
}

const char *alu_ids_uname(const struct alu_ids *ids, uint32_t id)
{
	return rfind(ids->users, ids->nusers, id);
}

const char *alu_ids_gname(const struct alu_ids *ids, uint32_t id)
{
	return rfind(ids->groups, ids->ngroups, id);
}

void alu_ids_free(struct alu_ids *ids)
{
	for (size_t i = 0; i < ids->nusers; i++)
		free(ids->users[i].name);
	for (size_t i = 0; i < ids->ngroups; i++)
		free(ids->groups[i].name);
	free(ids->users);
	free(ids->groups);
	memset(ids, 0, sizeof(*ids));
}
