/* SPDX-License-Identifier: MIT */
/*
 * Dependency solving. libsolv does the SAT work; this module owns the policy
 * around it: how packages enter the pool, which jobs a request becomes, how
 * installonly packages and version locks are honoured, how a failure is
 * explained, and the order in which the result is applied.
 *
 * Use:
 *   alu_solve_new() -> alu_solve_repo() for "@System" (installed) and each
 *   enabled repo -> alu_solve_add() for every package -> alu_solve_ready()
 *   -> alu_solve_want() for each request -> alu_solve_run() -> plan.
 *
 * Packages carry a caller key (state id for installed, cache id for repo
 * packages) so the plan can be mapped back to headers and download URLs.
 * Strings handed in are copied into the pool; the plan's strings are owned
 * by the plan (alu_plan_free).
 */
#ifndef ALU_SOLVE_SOLVE_H
#define ALU_SOLVE_SOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "rpm/rpm.h"
#include "util/err.h"
#include "util/strv.h"

struct alu_solve;

/** A package as the pool needs it. All pointers borrowed for the call. */
struct alu_solve_pkg {
	const char *name, *version, *release, *arch;
	uint32_t epoch;
	const struct alu_dep *deps[ALU_DEPTYPE_N];
	size_t ndeps[ALU_DEPTYPE_N];
	const char *const *files;   /* file paths that can satisfy file requires */
	size_t nfiles;
	uint64_t key;               /* the caller's id */
	uint64_t size;              /* installed size, for the summary */
	uint64_t dlsize;            /* package size, for the summary */
	uint32_t installtime;       /* installed packages: orders installonly pruning */
	uint64_t buildtime;         /* 0: unknown; with it a repo package of the installed
	                               NEVRA is the same package (distro-sync leaves it) */
	int user;                   /* installed packages: asked for by a user (or adopted),
	                               so clean_deps never takes it as a leftover dependency */
};

/** Policy knobs; all optional. Strings borrowed until alu_solve_free(). */
struct alu_solve_opts {
	const char *arch;                 /* "x86_64" (default: uname) */
	const struct alu_strv *installonly; /* names (globs) or provides (installonlypkg(kernel)):
	                                       default kernel, kernel-livepatch-*, kernel-PAE and
	                                       dnf's installonlypkg(kernel|kernel-module|vm),
	                                       multiversion(kernel) */
	int installonly_limit;            /* default 3; 0 or 1: no pruning */
	const char *running_kernel;       /* "kernel-5.10.100-1.amzn2.x86_64"-style NEVRA never removed */
	const struct alu_strv *excludes;  /* globs on names: such repo packages are invisible */
	const struct alu_strv *locks;     /* versionlock.list entries as written: "E:NAME-V-R.A",
	                                     "NAME-[E:]V-R.A", globs ("wget-0:1.19.5*"), a bare
	                                     name (its installed version); "!ENTRY" hides what
	                                     ENTRY matches. A name some entry matches is only
	                                     available in the versions the entries allow. */
	const struct alu_strv *protect;   /* names that must never be removed */
	const struct alu_strv *protect_self; /* the running alupdate's package(s): never
	                                     removed, nor obsoleted by another name */
	int allow_downgrade;
	int clean_deps;                   /* remove: also no-longer-needed deps */
	int no_obsoletes;                 /* obsoletes=0: install NAME is that name, never
	                                     its obsoleter */
	int no_weak_deps;                 /* install_weak_deps=0: Recommends and Supplements
	                                     are not pulled in */
	int best;                         /* dnf --best: the best version of what is asked
	                                     for or an error (default: the best that
	                                     can be installed, as yum and --nobest) */
	int skip_broken;                  /* --skip-broken: install/update requests that
	                                     cannot be met are dropped, the rest done */
	struct alu_strv *skipped;         /* with skip_broken: each dropped request
	                                     ("greet-1.2-1.amzn2.x86_64") is appended */
};

/** @brief Create a solver context. @return 0 or -ENOMEM. */
int alu_solve_new(const struct alu_solve_opts *o, struct alu_solve **out);
void alu_solve_free(struct alu_solve *s);

/**
 * @brief Declare a repository.
 * @param[in] installed 1 for the one "@System" repo of installed packages.
 * @param[in] priority yum priority (lower wins; default 99); cost (lower wins).
 * @return a repo handle >= 0, or -ENOMEM.
 */
int alu_solve_repo(struct alu_solve *s, const char *id, int priority, int cost, int installed);

/** @brief Add a package to repo @p repo. Rich deps are parsed as rpm does.
 *  @return 0, -EINVAL (bad handle), -ALUE_UNSUPPORTED (unparsable rich dep). */
int alu_solve_add(struct alu_solve *s, int repo, const struct alu_solve_pkg *p, struct alu_err *e);

/** @brief Call once after the last alu_solve_add(): builds the provides index
 *  and hides what the policy hides (excludes, version locks, and yum's
 *  priorities rule: a name some repository of a better priority carries is
 *  taken only from the best such repository). */
void alu_solve_ready(struct alu_solve *s);

enum alu_want {
	ALU_WANT_INSTALL,     /* spec: name, glob, name.arch, capability, /file, or a form
	                         with a version (name-v, name-v-r, name-[e:]v-r.a, e:name-v-r.a,
	                         globs over them, "cap >= 2.28"); an obsoleted name gives
	                         its obsoleters (unless no_obsoletes) */
	ALU_WANT_UPDATE,      /* spec as above: by name, the installed packages it matches go
	                         to their best version; with a version, the installed
	                         packages of those names go to the best matching one */
	ALU_WANT_UPDATE_ALL,  /* spec ignored */
	ALU_WANT_REMOVE,
	ALU_WANT_REINSTALL,
	ALU_WANT_DOWNGRADE,
	ALU_WANT_DISTSYNC,    /* spec NULL: everything; with a version ("flac < 1.4.0"):
	                         to the best matching version, down if need be */
	ALU_WANT_AUTOREMOVE,  /* spec NULL: every unneeded dependency */
	ALU_WANT_EXACT,       /* install exactly the package with key == spec_key (update-minimal) */
	ALU_WANT_DUPLICATES,  /* spec NULL: erase every older installed duplicate of a name.arch
	                         that is not installonly (dnf remove --duplicates) */
	ALU_WANT_OLDINSTALLONLY, /* spec NULL: erase every installonly package but the newest
	                         of its name and the running kernel (remove --oldinstallonly) */
};

/**
 * @brief Add one request.
 * @return 0, or -ALUE_NOTFOUND with "No package X available." / "No match
 *         for argument: X" in @p e (nothing matched the spec).
 */
int alu_solve_want(struct alu_solve *s, enum alu_want w, const char *spec, uint64_t spec_key,
		   struct alu_err *e);

enum alu_op_type { ALU_OP_INSTALL, ALU_OP_UPGRADE, ALU_OP_DOWNGRADE, ALU_OP_REINSTALL,
	ALU_OP_ERASE, ALU_OP_OBSOLETE };

struct alu_plan_op {
	enum alu_op_type type;
	char *nevra;          /* the package installed (or erased, for ERASE) */
	char *name, *evr, *arch;
	char *repo;           /* repo id of the package */
	uint64_t key;
	uint64_t size, dlsize;
	char *old_nevra;      /* UPGRADE/DOWNGRADE/REINSTALL/OBSOLETE: the installed one replaced */
	uint64_t old_key;     /* its state id; 0 when none */
	int is_dep;           /* pulled in as a dependency, not asked for */
	int named;            /* matched by a spec the user gave (never is_dep) */
};

/** The ordered result: apply ops[0..n) in order (pre-requirements first,
 *  erasures after the installs that replace them). */
struct alu_plan {
	struct alu_plan_op *ops;
	size_t n;
};

/**
 * @brief Solve the requests.
 * @param[out] plan filled on success (possibly empty: nothing to do).
 * @return 0, or -ALUE_DEPSOLVE with every problem in @p e, one per line,
 *         in libsolv's words ("nothing provides libfoo.so.1 needed by bar-1-1.x86_64").
 */
int alu_solve_run(struct alu_solve *s, struct alu_plan *plan, struct alu_err *e);

void alu_plan_free(struct alu_plan *plan);

/**
 * @brief The keys of the installed packages an ALU_WANT_INSTALL spec matched
 *        (yum: a package the user names is the user's, whatever it was).
 * @param[out] keys malloc'd (caller frees), *n entries. @return 0 or -ENOMEM.
 */
int alu_solve_named_installed(struct alu_solve *s, uint64_t **keys, size_t *n);

/** @brief Tell a reduced load (solve/load.h) of a spec the requests will
 *  name, before the first of them: one pass then loads what they all reach,
 *  in the order a whole load has. @return 0 or -ENOMEM. */
int alu_solve_hint(struct alu_solve *s, const char *spec);

/** @return how many repository packages the pool holds (a reduced load
 *  holds what the requests reach; `-v` shows it). */
size_t alu_solve_repo_npkgs(const struct alu_solve *s);

/** @return 1 when the repository package with caller key @p key is there for
 *  the solver to take (not hidden by excludes, locks or priorities). */
int alu_solve_key_available(struct alu_solve *s, uint64_t key);

/**
 * @brief Does the repository package NAME-[E:]V-R.ARCH obsolete an installed
 *        package of another name? (An advisory that names B applies to a root
 *        with A when B obsoletes A, as yum's security plugin has it.)
 * @return 1 or 0.
 */
int alu_solve_obsoletes_installed(struct alu_solve *s, const char *nevra);

/** @return "Installing" ... for yum's table headings. */
const char *alu_op_heading(enum alu_op_type t);

#endif
