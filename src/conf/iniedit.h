/* SPDX-License-Identifier: MIT */
/*
 * Editing a .repo file or yum.conf as text, the way yum-config-manager's
 * iniparse does: one key of one section changes and every other byte of
 * the file (comments, blank lines, order, the other sections, the
 * "key = value" or "key=value" style) stays as it was. Part of the
 * configuration layer (conf/conf.h).
 */
#ifndef ALU_CONF_INIEDIT_H
#define ALU_CONF_INIEDIT_H

#include <stddef.h>

/**
 * @brief Set @p key to @p value in section [@p section] of INI text @p text.
 * The first line of that key (matched ignoring case and spaces; a repeated
 * section counts as the same one) gets the new value with its own spacing;
 * its continuation lines and later lines of the same key go. A key the
 * section lacks is added after the section's last setting, in the style of
 * that setting.
 * @param[out] out malloc'd NUL-terminated result (caller frees); @p outlen its length.
 * @return 0, -ENOENT (no such section), -EINVAL (@p value holds a newline),
 *         -ENOMEM.
 */
int alu_ini_edit_set(const char *text, size_t len, const char *section, const char *key,
		     const char *value, char **out, size_t *outlen);

/** @return 1 when @p text has section [@p section], else 0. */
int alu_ini_edit_has(const char *text, size_t len, const char *section);

#endif
