/* SPDX-License-Identifier: MIT */
/*
 * One image of `image patch`: its layers unpacked into two private roots
 * (one to update, one untouched to compare with), the update run on the
 * first as `--installroot` would, with the image's architecture as $arch and
 * $basearch (an arm64 image gets aarch64 packages on an x86_64 host), and
 * src/image writing the difference as one new layer. The run's root
 * (util/rootfs.h) is the private root while the update runs, as main() sets
 * it for --installroot: a symlink the image planted under /var/cache or
 * /var/lib/alupdate is refused, never followed to the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/image_one.h"
#include "cmd/opsrun.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/out.h"
#include "util/rootfs.h"

/* alupdate's own scratch in the root: never part of a layer */
static const char *const skip[] = { "var/cache/alupdate", "var/lib/alupdate/lock.mdb",
	"var/lib/alupdate/lock", NULL };

/* The epoch: SOURCE_DATE_EPOCH, else the image's creation time, else 0. */
static int64_t image_epoch(const struct alu_image *img)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH"), *c = alu_ij_str(img->config, "created");
	struct tm tm = { 0 };

	if (sde && *sde)
		return strtoll(sde, NULL, 10);
	if (c && sscanf(c, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			&tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		return timegm(&tm);
	}
	return 0;
}

/* Run the update on @p root with stdout captured, and parse its --json. */
static int update(struct alu_ctx *ctx, const char *root, const char *arch, const char *capture,
		  char **specs, int nspecs, struct alu_ij **plan, struct alu_err *e)
{
	int saved = dup(STDOUT_FILENO), fd, rc, json = ctx->json;
	const char *oroot = ctx->root, *oarch = ctx->forcearch;
	char *buf = NULL, guard[4096];
	struct stat st;

	fd = open(capture, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (saved < 0 || fd < 0)
		return alu_err_set(e, -errno, "%s: %s", capture, strerror(errno));
	snprintf(guard, sizeof(guard), "%s", alu_root_get());
	if (alu_root_set(root)) {
		close(fd);
		close(saved);
		return alu_err_set(e, -ENAMETOOLONG, "%s: too long", root);
	}
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	ctx->root = root;
	ctx->forcearch = arch;
	ctx->json = 1;
	if (!alu_filter_active(&ctx->filter))
		ctx->filter.types = ALU_ADV_SECURITY;
	rc = alu_cmd_ops_run(ctx, "image patch", ALU_OPS_UPDATE, specs, nspecs);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	alu_root_set(guard);
	ctx->root = oroot;
	ctx->forcearch = oarch;
	ctx->json = json;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + 1)) || pread(fd, buf, st.st_size, 0) != st.st_size) {
		close(fd);
		free(buf);
		return alu_err_set(e, -EIO, "reading %s", capture);
	}
	close(fd);
	rc = rc ? -ALUE_ABORTED : alu_ij_parse(buf, st.st_size, "the update's report", plan, e);
	if (rc == -ALUE_ABORTED) {
		struct alu_ij *j = NULL;
		const char *msg = NULL;
		if (!alu_ij_parse(buf, st.st_size, "the update's report", &j, e))
			msg = alu_ij_str(j, "error") ?: alu_ij_str(j, "result");
		alu_err_clear(e);
		alu_err_set(e, rc, "the update did not complete: %s", msg ? msg : "failed");
		alu_ij_free(j);
	}
	free(buf);
	return rc;
}

/* "alupdate image patch (fixes A, B)": the history entry of the new layer */
static void created_by(const struct alu_ij *adv, char *by, size_t len)
{
	size_t n = snprintf(by, len, "alupdate image patch");

	for (size_t i = 0; adv && i < adv->n && n < len; i++)
		n += snprintf(by + n, len - n, "%s%s", i ? ", " : " (fixes ", adv->kids[i]->s);
	if (adv && adv->n && n < len)
		snprintf(by + n, len - n, ")");
}

int alu_image_one_patch(struct alu_ctx *ctx, struct alu_image *img, const struct alu_ij *desc,
			const char *tmp, size_t idx, const char *layout, char **specs, int nspecs,
			struct alu_imgone *out, struct alu_err *e)
{
	char root[4200], orig[4200], cap[4200], created[32], by[2048];
	const struct alu_ij *ops;
	int64_t epoch;
	struct tm tm;
	time_t t;
	int r;

	memset(out, 0, sizeof(*out));
	out->basearch = alu_image_platform(desc, img->config, out->platform, sizeof(out->platform));
	if (!out->basearch) {
		alu_warn("%s (%s): no Amazon Linux 2 repository serves this platform: kept as it is",
			 out->platform, img->manifest_digest);
		return alu_image_emit_keep(img, layout, e);
	}
	snprintf(root, sizeof(root), "%s/root%zu", tmp, idx);
	snprintf(orig, sizeof(orig), "%s/orig%zu", tmp, idx);
	snprintf(cap, sizeof(cap), "%s/update%zu.json", tmp, idx);
	if (mkdir(root, 0755) || mkdir(orig, 0755))
		return alu_err_set(e, -errno, "%s: %s", root, strerror(errno));
	if ((r = alu_image_unpack_all(img, root, e)) || (r = alu_image_unpack_all(img, orig, e)))
		goto out;
	/* state, history and rpm database times are the image's, for identical blobs */
	epoch = out->epoch = image_epoch(img);
	alu_clock_set(epoch);
	if ((r = update(ctx, root, out->basearch, cap, specs, nspecs, &out->plan, e)))
		goto out;
	ops = alu_ij_get(out->plan, "plan");
	if (!ops || !ops->n) {
		out->result = ALU_IMG_NOTHING;
		r = alu_image_emit_keep(img, layout, e);
		goto out;
	}
	t = (time_t)epoch;
	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	created_by(alu_ij_get(out->plan, "advisories"), by, sizeof(by));
	if ((r = alu_image_restamp(root, e)))
		goto out;
	struct alu_image_out opt = { .epoch = epoch, .created = created, .created_by = by,
		.comment = "alupdate" };
	if ((r = alu_image_emit_one(img, orig, root, skip, &opt, layout, &out->res, e)))
		goto out;
	out->result = ALU_IMG_PATCHED;
out:
	/* the next platform's roots need the room */
	alu_image_rmtree(root);
	alu_image_rmtree(orig);
	unlink(cap);
	return r;
}

static void json_strs(const struct alu_ij *a)
{
	printf("[");
	for (size_t i = 0; a && i < a->n; i++) {
		printf("%s", i ? "," : "");
		alu_json_str(a->kids[i]->s);
	}
	printf("]");
}

static const char *const results[] = { "skipped", "nothing to patch", "patched" };

/* The members one image reports (no braces: the caller's object). */
static void json_one(const struct alu_imgone *o)
{
	const struct alu_ij *ops = alu_ij_get(o->plan, "plan");

	printf("\"platform\":");
	alu_json_str(o->platform);
	printf(",\"result\":\"%s\",\"advisories\":", results[o->result]);
	json_strs(alu_ij_get(o->plan, "advisories"));
	printf(",\"cves\":");
	json_strs(alu_ij_get(o->plan, "cves"));
	printf(",\"packages\":[");
	for (size_t i = 0; ops && i < ops->n; i++) {
		printf("%s{\"action\":", i ? "," : "");
		alu_json_str(alu_ij_str(ops->kids[i], "action"));
		printf(",\"from\":");
		alu_json_str(alu_ij_str(ops->kids[i], "replaces"));
		printf(",\"to\":");
		alu_json_str(alu_ij_str(ops->kids[i], "nevra"));
		printf("}");
	}
	printf("]");
	if (o->result == ALU_IMG_PATCHED)
		printf(",\"manifest\":\"%s\",\"config\":\"%s\",\"layer\":\"%s\",\"diff_id\":\"%s\","
		       "\"changed\":%zu,\"removed\":%zu", o->res.manifest_digest, o->res.config_digest,
		       o->res.layer.digest, o->res.layer.diff_id, o->res.layer.changed, o->res.layer.removed);
}

static void text_one(const struct alu_imgone *o, const char *indent)
{
	const struct alu_ij *ops = alu_ij_get(o->plan, "plan"), *adv = alu_ij_get(o->plan, "advisories");
	const struct alu_ij *cves = alu_ij_get(o->plan, "cves");

	for (size_t i = 0; adv && i < adv->n; i++)
		printf("%sfixed %s\n", indent, adv->kids[i]->s);
	if (cves && cves->n) {
		printf("%sCVEs", indent);
		for (size_t i = 0; i < cves->n; i++)
			printf(" %s", cves->kids[i]->s);
		printf("\n");
	}
	for (size_t i = 0; ops && i < ops->n; i++) {
		const char *from = alu_ij_str(ops->kids[i], "replaces");
		printf("%s%s %s%s%s\n", indent, alu_ij_str(ops->kids[i], "action"), from ? from : "",
		       from ? " -> " : "", alu_ij_str(ops->kids[i], "nevra"));
	}
	if (o->result == ALU_IMG_PATCHED)
		printf("%snew layer %s (%zu changed, %zu removed), manifest %s\n", indent, o->res.layer.digest,
		       o->res.layer.changed, o->res.layer.removed, o->res.manifest_digest);
}

void alu_image_one_report(const struct alu_ctx *ctx, const char *src, const char *dst,
			  const struct alu_imgone *v, size_t n, int multi, int patched)
{
	if (ctx->json) {
		printf("{\"source\":");
		alu_json_str(src);
		printf(",\"destination\":");
		if (patched)
			alu_json_str(dst);
		else
			printf("null");
		if (!multi) {
			printf(",");
			json_one(&v[0]);
		} else {
			printf(",\"result\":\"%s\",\"platforms\":[", patched ? "patched" : "nothing to patch");
			for (size_t i = 0; i < n; i++) {
				printf("%s{", i ? "," : "");
				json_one(&v[i]);
				printf("}");
			}
			printf("]");
		}
		printf("}\n");
		return;
	}
	if (!patched) {
		printf("%s: nothing to patch\n", src);
		return;
	}
	printf("Patched %s -> %s\n", src, dst);
	if (!multi) {
		text_one(&v[0], "  ");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		printf("  %s: %s\n", v[i].platform, results[v[i].result]);
		text_one(&v[i], "    ");
	}
}
