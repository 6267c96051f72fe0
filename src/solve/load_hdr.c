/* SPDX-License-Identifier: MIT */
/* A package file's header into the pool (local installs); see load.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "solve/load.h"
#include "solve/solve_int.h"

int alu_solve_add_header(struct alu_solve *s, int repo, const struct alu_hdr *h, uint64_t key,
			 uint64_t dlsize, struct alu_err *e)
{
	struct alu_solve_pkg p = { 0 };
	struct alu_dep *deps[ALU_DEPTYPE_N] = { 0 };
	struct alu_pkginfo pi;
	size_t total = alu_hdr_nfiles(h), nf = 0;
	const char **files = calloc(total + 1, sizeof(*files));
	char *paths = NULL;
	int r = alu_hdr_info(h, &pi);

	if (!r && !files)
		r = -ENOMEM;
	p.name = pi.name;
	p.version = pi.version;
	p.release = pi.release;
	p.arch = pi.arch;
	p.epoch = pi.epoch;
	p.key = key;
	p.size = pi.size;
	p.dlsize = dlsize;
	alu_hdr_u64(h, 1006, &p.buildtime);   /* RPMTAG_BUILDTIME */
	for (int t = 0; t < ALU_DEPTYPE_N && !r; t++) {
		r = alu_hdr_deps(h, (enum alu_deptype)t, &deps[t], &p.ndeps[t]);
		p.deps[t] = deps[t];
	}
	/* every path of the file may satisfy a file require (primary's subset
	 * is a repository's economy, not a rule) */
	if (!r && total && !(paths = malloc(total * 4096)))
		r = -ENOMEM;
	for (size_t i = 0; !r && i < total; i++) {
		struct alu_file f;
		if (alu_hdr_file(h, i, &f))
			continue;
		memcpy(paths + nf * 4096, f.path, 4096);
		files[nf] = paths + nf * 4096;
		nf++;
	}
	p.files = files;
	p.nfiles = nf;
	if (r == -ENOMEM)
		alu_err_set(e, r, "out of memory");
	else if (r)
		alu_err_set(e, r, "%s-%s-%s.%s: unreadable header", pi.name, pi.version, pi.release,
			    pi.arch);
	if (!r)
		r = alu_solve_add(s, repo, &p, e);
	/* a reduced load: what the file needs from the repositories too */
	for (size_t i = 0; !r && i < p.ndeps[ALU_REQUIRES]; i++)
		r = alu_solve_fill(s, p.deps[ALU_REQUIRES][i].name, 0, e);
	for (size_t i = 0; !r && i < p.ndeps[ALU_RECOMMENDS]; i++)
		r = alu_solve_fill(s, p.deps[ALU_RECOMMENDS][i].name, 0, e);
	for (int t = 0; t < ALU_DEPTYPE_N; t++)
		free(deps[t]);
	free(files);
	free(paths);
	/* the pool changed after alu_solve_load(): the provides index again,
	 * and the keys (a second file's key was not found) */
	if (!r) {
		s->ready = 0;
		free(s->keyidx);
		s->keyidx = NULL;
	}
	return r;
}
