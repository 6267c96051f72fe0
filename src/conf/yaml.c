/* SPDX-License-Identifier: MIT */
/*
 * /etc/alupdate/alupdate.yaml (inside the root), alupdate's own settings:
 *
 *   regions: [us-east-1, us-west-2]     # failover order; regions[0] is $awsregion's default
 *   cachedir: /var/cache/alupdate       # inside the root
 *   metadata_expire: 6h                 # wins over yum.conf [main]
 *   rpmdb_writeback: true               # write the rpm database back (yum.conf [main] too)
 *   boot:                               # what `alupdate boot-update` installs at first launch
 *     update: true                      # false: the same as policy: none
 *     policy: security                  # security (filtered by severities), bugfix, all, none
 *     severities: [critical, important]
 *     timeout: 300                      # seconds (a duration) the run may take
 *
 * Every error, syntax or schema, names FILE:LINE:COLUMN (1-based; FILE is the
 * host path, root included).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libfyaml.h>

#include "conf/conf_int.h"
#include "util/rootfs.h"

struct yctx {
	struct alu_conf *c;
	const char *file;   /* host path, for messages */
	struct alu_err *e;
	int expire_set;
};

/* Position of a node: its own token when it is a scalar, else the key's. */
static int fail_at(struct yctx *y, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail_at(struct yctx *y, struct fy_node *n, struct fy_node *fallback, const char *fmt, ...)
{
	const struct fy_mark *m = NULL;
	struct fy_token *t;
	char msg[512];
	va_list ap;

	if (n && (t = fy_node_get_scalar_token(n)))
		m = fy_token_start_mark(t);
	if (!m && fallback && (t = fy_node_get_scalar_token(fallback)))
		m = fy_token_start_mark(t);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m)
		return alu_err_set(y->e, -ALUE_CONFIG, "%s:%d:%d: %s", y->file, m->line + 1, m->column + 1, msg);
	return alu_err_set(y->e, -ALUE_CONFIG, "%s: %s", y->file, msg);
}

/* A scalar's text as a C string in @p buf; NULL when not a scalar or too long. */
static const char *scalar(struct fy_node *n, char *buf, size_t size)
{
	size_t len;
	const char *s;

	if (!n || !fy_node_is_scalar(n) || !(s = fy_node_get_scalar(n, &len)) || len >= size)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = 0;
	return buf;
}

static int str_list(struct yctx *y, struct fy_node *key, struct fy_node *v,
		    struct alu_strv *out, int lower)
{
	void *it = NULL;
	struct fy_node *item;
	char buf[256];

	if (!v || !fy_node_is_sequence(v))
		return fail_at(y, v, key, "'%s' must be a list of strings", fy_node_get_scalar0(key));
	alu_strv_free(out);
	while ((item = fy_node_sequence_iterate(v, &it))) {
		if (!scalar(item, buf, sizeof(buf)) || !*buf)
			return fail_at(y, item, key, "'%s' must be a list of strings", fy_node_get_scalar0(key));
		for (char *p = buf; lower && *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (alu_strv_push(out, buf))
			return -ENOMEM;
	}
	return 0;
}

static int boot_map(struct yctx *y, struct fy_node *key, struct fy_node *v)
{
	static const char *const sev[] = { "critical", "important", "medium", "moderate", "low" };
	struct fy_node_pair *p;
	void *it = NULL;
	char kb[64], vb[64];
	int r;

	if (!v || !fy_node_is_mapping(v))
		return fail_at(y, v, key, "'boot' must be a mapping (update, policy, severities, timeout)");
	while ((p = fy_node_mapping_iterate(v, &it))) {
		struct fy_node *k = fy_node_pair_key(p), *val = fy_node_pair_value(p);
		const char *name = scalar(k, kb, sizeof(kb));
		if (name && !strcmp(name, "update")) {
			if (!scalar(val, vb, sizeof(vb)) || (r = alu_conf_parse_bool(vb)) < 0)
				return fail_at(y, val, k, "'boot.update' must be true or false");
			y->c->boot_update = r;
		} else if (name && !strcmp(name, "policy")) {
			if (!scalar(val, vb, sizeof(vb)) || (strcmp(vb, "security") && strcmp(vb, "bugfix") &&
							     strcmp(vb, "all") && strcmp(vb, "none")))
				return fail_at(y, val, k, "'boot.policy' must be security, bugfix, all or none");
			snprintf(y->c->boot_policy, sizeof(y->c->boot_policy), "%s", vb);
		} else if (name && !strcmp(name, "timeout")) {
			if (!scalar(val, vb, sizeof(vb)) || alu_conf_parse_duration(vb, &y->c->boot_timeout) ||
			    y->c->boot_timeout <= 0)
				return fail_at(y, val, k, "'boot.timeout' must be a duration above zero (300, 90s, 10m)");
		} else if (name && !strcmp(name, "severities")) {
			if ((r = str_list(y, k, val, &y->c->boot_severities, 1)))
				return r;
			for (size_t i = 0; i < y->c->boot_severities.n; i++) {
				size_t j = 0;
				while (j < 5 && strcmp(sev[j], y->c->boot_severities.v[i]))
					j++;
				if (j == 5)
					return fail_at(y, val, k, "unknown severity '%s' (critical, important, medium, moderate, low)",
						y->c->boot_severities.v[i]);
			}
		} else {
			return fail_at(y, k, key, "unknown key 'boot.%s' (update, policy, severities, timeout)", name ? name : "?");
		}
	}
	return 0;
}

static int top_map(struct yctx *y, struct fy_node *root)
{
	struct fy_node_pair *p;
	void *it = NULL;
	char kb[64], vb[1024];
	int r;

	if (!fy_node_is_mapping(root))
		return fail_at(y, root, NULL, "the document must be a mapping");
	while ((p = fy_node_mapping_iterate(root, &it))) {
		struct fy_node *k = fy_node_pair_key(p), *v = fy_node_pair_value(p);
		const char *name = scalar(k, kb, sizeof(kb));
		if (name && !strcmp(name, "regions")) {
			if ((r = str_list(y, k, v, &y->c->regions, 0)))
				return r;
		} else if (name && !strcmp(name, "cachedir")) {
			if (!scalar(v, vb, sizeof(vb)) || vb[0] != '/')
				return fail_at(y, v, k, "'cachedir' must be an absolute path");
			char *path = alu_conf_path(y->c, vb);
			if (!path)
				return -ENOMEM;
			free(y->c->cachedir);
			y->c->cachedir = path;
		} else if (name && !strcmp(name, "scriptlet_sandbox")) {
			/* checked with [main]'s value in alu_conf_load() */
			char *s;
			if (!scalar(v, vb, sizeof(vb)))
				return fail_at(y, v, k, "'scriptlet_sandbox' must be auto, namespaces or chroot");
			if (!(s = strdup(vb)))
				return -ENOMEM;
			free(y->c->scriptlet_sandbox);
			y->c->scriptlet_sandbox = s;
		} else if (name && !strcmp(name, "metadata_expire")) {
			if (!scalar(v, vb, sizeof(vb)) || alu_conf_parse_duration(vb, &y->c->metadata_expire))
				return fail_at(y, v, k, "'metadata_expire' must be a duration (300, 90m, 6h, 2d, never)");
			y->expire_set = 1;
		} else if (name && !strcmp(name, "rpmdb_writeback")) {
			if (!scalar(v, vb, sizeof(vb)) || (r = alu_conf_parse_bool(vb)) < 0)
				return fail_at(y, v, k, "'rpmdb_writeback' must be true or false");
			y->c->rpmdb_writeback = r;
		} else if (name && !strcmp(name, "boot")) {
			if ((r = boot_map(y, k, v)))
				return r;
		} else {
			return fail_at(y, k, NULL, "unknown key '%s' (regions, cachedir, metadata_expire, rpmdb_writeback, boot, scriptlet_sandbox)",
				name ? name : "?");
		}
	}
	return 0;
}

/*
 * libfyaml 0.7.12 never advances past an invalid UTF-8 sequence after '%'
 * (fy_scan_directive): a three-byte file hung every command. YAML must be
 * Unicode anyway, so the text is read here and checked first.
 */
#define YAML_MAX (1u << 20)

static int read_text(const char *path, char **out, size_t *outlen, struct alu_err *e)
{
	/* inside the root, never a FIFO or device (util/rootfs.h) */
	FILE *f = alu_root_fopen(path);
	char *buf;
	size_t n;

	if (!f)
		return alu_err_set(e, -ALUE_CONFIG, "%s: %s", path, strerror(errno));
	buf = malloc(YAML_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, YAML_MAX + 1, f);
	if (ferror(f) || n > YAML_MAX) {
		int err = ferror(f) ? errno : EFBIG;
		fclose(f);
		free(buf);
		return alu_err_set(e, -ALUE_CONFIG, "%s: %s", path,
			err == EFBIG ? "larger than 1 MiB" : strerror(err));
	}
	fclose(f);
	*out = buf;
	*outlen = n;
	return 0;
}

/* Length of the valid UTF-8 sequence at @p s (no overlongs, surrogates or
 * code points above U+10FFFF), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned c = s[0], cp, n, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (left < n)
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int check_utf8(const char *path, const char *buf, size_t len, struct alu_err *e)
{
	const unsigned char *s = (const unsigned char *)buf;
	unsigned line = 1, col = 1;

	for (size_t i = 0; i < len; col++) {
		size_t n = utf8_len(s + i, len - i);
		if (!n)
			return alu_err_set(e, -ALUE_CONFIG, "%s:%u:%u: not valid UTF-8 (byte 0x%02x)",
				path, line, col, s[i]);
		if (s[i] == '\n')
			line++, col = 0;
		i += n;
	}
	return 0;
}

int alu_conf_yaml_load(struct alu_conf *c, int *expire_set, struct alu_err *e)
{
	struct yctx y = { .c = c, .e = e };
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg pcfg = { 0 };
	struct fy_document *doc = NULL;
	struct fy_diag *diag = NULL;
	struct stat st;
	char *path, *text = NULL;
	size_t len = 0;
	int r = 0;

	*expire_set = 0;
	path = alu_conf_path(c, ALU_CONF_YAML);
	if (!path)
		return -ENOMEM;
	y.file = path;
	if (stat(path, &st) < 0) {
		r = errno == ENOENT || errno == ENOTDIR ? 0
			: alu_err_set(e, -ALUE_CONFIG, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((r = read_text(path, &text, &len, e)) || (r = check_utf8(path, text, len, e)))
		goto out;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag) {
		r = -ENOMEM;
		goto out;
	}
	fy_diag_set_collect_errors(diag, true);
	pcfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG;
	pcfg.diag = diag;
	doc = fy_document_build_from_string(&pcfg, text, len);
	if (!doc) {
		struct fy_diag_error *de;
		void *it = NULL;
		while ((de = fy_diag_errors_iterate(diag, &it)))
			if (de->type >= FYET_ERROR)
				break;
		/* Collected positions are already 1-based. An empty file is no document and no error. */
		if (de)
			r = alu_err_set(e, -ALUE_CONFIG, "%s:%d:%d: %s", path, de->line,
				de->column, de->msg);
		else if (len > 0)
			r = alu_err_set(e, -ALUE_CONFIG, "%s: not valid YAML", path);
		else
			c->yamlfile = path, path = NULL;
		goto out;
	}
	if (fy_document_root(doc))
		r = top_map(&y, fy_document_root(doc));
	*expire_set = y.expire_set;
	if (!r)
		c->yamlfile = path, path = NULL;
out:
	if (doc)
		fy_document_destroy(doc);
	if (diag)
		fy_diag_destroy(diag);
	free(path);
	free(text);
	return r;
}
