/* SPDX-License-Identifier: MIT */
/*
 * amazon-linux-extras' repository file, /etc/yum.repos.d/amzn2-extras.repo:
 * a header saying the tool manages it, then per topic T three sections,
 * [amzn2extra-T-source] and [amzn2extra-T-debuginfo] (disabled) and
 * [amzn2extra-T], in the original's "key = value" style. Changes are made
 * to the file's text as read back (conf/iniedit.h), so hand edits stay.
 * Command-side helper of cmd/extras.c; it does not print.
 */
#ifndef ALU_CMD_EXTRAS_REPO_H
#define ALU_CMD_EXTRAS_REPO_H

#include <stddef.h>

#include "util/err.h"

struct alu_extras_file {
	char *text;            /* the file's text (the header alone when it is new) */
	size_t len;
	int existed;
};

/**
 * @brief Topic @p topic at @p version ("latest" or a catalog version)
 *        enabled in @p f: its sections are added when missing, else
 *        [amzn2extra-T] gets enabled = 1 and the version's mirrorlist.
 * @param base the mirrorlist base, variables unsubstituted
 *        (".../$awsregion/$releasever"); @p gpgkey the key URL.
 * @return 0, -ENOMEM, -ALUE_CORRUPT (the section cannot be edited).
 */
int alu_extras_file_enable(struct alu_extras_file *f, const char *topic, const char *version,
			   const char *base, const char *gpgkey, struct alu_err *e);

/** @brief enabled = 0 in [amzn2extra-@p topic]. @return 0, -ENOENT (not in the file), -ENOMEM. */
int alu_extras_file_disable(struct alu_extras_file *f, const char *topic, struct alu_err *e);

struct alu_conf;
struct alu_extras_catalog;

/** Where a root's extras come from. */
struct alu_extras_src {
	char base[2048];     /* mirrorlist base, unsubstituted (".../$awsregion/$releasever") */
	char gpgkey[2048];   /* the core repository's key URL */
};

/**
 * @brief The catalog for configuration @p c: from CATALOGURL when set,
 *        else beside the core repository's mirror (amzn2-core's mirrorlist
 *        up to "/core/"), failing over to each mirror its mirror list names.
 * @param[out] x the base and key a new topic section gets.
 * @return 0, or an error with the URL in @p e ("cannot read the extras
 *         catalog: ..." or the parser's "URL:LINE:COL: ...").
 */
int alu_extras_fetch(const struct alu_conf *c, struct alu_extras_src *x,
		     struct alu_extras_catalog *cat, struct alu_err *e);

struct alu_net;
/**
 * @brief alu_extras_fetch()'s catalog as bytes (what reposync copies).
 * @param[out] url the URL it came from; @p buf malloc'd (caller frees).
 * @return 0 or "cannot read the extras catalog: ..." in @p e.
 */
int alu_extras_fetch_raw(const struct alu_conf *c, struct alu_net *net, struct alu_extras_src *x,
			 char *url, size_t un, char **buf, size_t *len, struct alu_err *e);

/**
 * @brief Can topic @p topic at @p version be reached: its mirror list (as
 *        the section enable writes names it) read and naming a mirror?
 * @return 0, or the reason with the topic and the URL in @p e ("Topic T=V:
 *         its repository amzn2extra-T is not available from this mirror: ...").
 */
int alu_extras_topic_check(const struct alu_conf *c, const struct alu_extras_src *x, const char *topic,
			   const char *version, struct alu_err *e);

struct alu_net_opts;
/** @brief Network options of the core repository (CA, proxy, timeouts), for
 *         the catalog and mirror lists fetched beside it. */
void alu_extras_net_opts(const struct alu_conf *c, struct alu_net_opts *o);

/** The text of a new file: the original's header comment. */
extern const char alu_extras_file_header[];

#endif
