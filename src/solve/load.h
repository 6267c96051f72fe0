/* SPDX-License-Identifier: MIT */
/*
 * Filling the solver's pool from what alupdate knows: the installed packages
 * (state db, their headers) and the enabled repositories (metadata cache).
 * Kept apart from solve.h so that the solver itself needs neither database
 * (the scenario tests fill it directly).
 */
#ifndef ALU_SOLVE_LOAD_H
#define ALU_SOLVE_LOAD_H

#include "conf/conf.h"
#include "db/cache.h"
#include "db/state.h"
#include "solve/solve.h"

/**
 * @brief Add every installed package (repo "@System", key = state id) and
 *        every package of the enabled repositories of @p conf that the cache
 *        holds (key = cache package id), honouring each repo's priority,
 *        cost, exclude= and includepkgs=. File provides are the paths
 *        createrepo puts in primary (/etc/..., ...bin/..., /usr/lib/sendmail),
 *        for installed and repository packages alike.
 *        Of the repositories, only what the requests can reach goes in, when
 *        the solver first needs it (load_reach.c): the first request, run,
 *        alu_solve_hint(); errors of the cache show there. Environment
 *        ALU_SOLVE_LOAD=all adds every package now, as a whole load.
 * @param cache may be NULL (nothing cached: only installed packages).
 * @return 0, -ENOMEM, -ALUE_DB, -ALUE_CORRUPT (a header or record that cannot
 *         be read; the message names the package).
 */
int alu_solve_load(struct alu_solve *s, const struct alu_conf *conf, struct alu_state *st,
		   struct alu_cache *cache, struct alu_err *e);

/**
 * @brief Add the package of header @p h (a package file named on the command
 *        line) to repo @p repo with key @p key and file size @p dlsize; every path of its file list
 *        provides. The solver rebuilds its provides index at the next want.
 * @return 0, -ENOMEM, -ALUE_CORRUPT (the header's fields or dependencies).
 */
int alu_solve_add_header(struct alu_solve *s, int repo, const struct alu_hdr *h, uint64_t key,
			 uint64_t dlsize, struct alu_err *e);

/** @return 1 when the environment says ALU_SOLVE_LOAD=all: every cached
 *  package (and advisory) is read, as before the reduced load. */
int alu_solve_load_whole(void);

/** @return 1 when createrepo would list @p path in primary.xml. */
int alu_solve_primary_file(const char *path);

#endif
