/* SPDX-License-Identifier: MIT */
/*
 * `alupdate image patch SRC DST [PACKAGE...]`: patch a container image with
 * no daemon. SRC's layers are unpacked twice into a private directory (one
 * root to update, one untouched to compare with), the update runs on the
 * first as `--installroot` would (default filter --security; -y, --assumeno
 * and every filter work), and src/image writes the difference as one new
 * layer into DST. SRC is only read.
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
#include "cmd/opsrun.h"
#include "image/image.h"
#include "repo/repo.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/out.h"

/* alupdate's own scratch in the root: never part of a layer */
static const char *const skip[] = { "var/cache/alupdate", "var/lib/alupdate/lock.mdb",
	"var/lib/alupdate/lock", NULL };

struct ref {
	int archive;        /* 1 oci-archive:FILE, 2 docker-archive:FILE (source only), 0 oci:DIR */
	char path[4096];    /* the DIR or FILE */
	const char *tag;
	char dir[4200];     /* the layout read or written: path, or one in the private directory */
};

static int parse_ref(const char *s, struct ref *r, struct alu_err *e)
{
	const char *rest;
	char *colon;

	memset(r, 0, sizeof(*r));
	if (!strncmp(s, "oci:", 4)) {
		rest = s + 4;
	} else if (!strncmp(s, "oci-archive:", 12)) {
		rest = s + 12;
		r->archive = 1;
	} else if (!strncmp(s, "docker-archive:", 15)) {
		rest = s + 15;
		r->archive = 2;
	} else {
		return alu_err_set(e, -ALUE_USAGE, "'%s': images are oci:DIR[:REF], oci-archive:FILE[:REF] or docker-archive:FILE[:REF]", s);
	}
	snprintf(r->path, sizeof(r->path), "%s", rest);
	/* docker refs hold a colon of their own (name:tag): the file ends at the first */
	if ((colon = strchr(r->path, ':'))) {
		*colon = 0;
		r->tag = rest + (colon - r->path) + 1;
	}
	if (!r->path[0])
		return alu_err_set(e, -ALUE_USAGE, "'%s': no %s", s, r->archive ? "file" : "directory");
	snprintf(r->dir, sizeof(r->dir), "%s", r->path);
	return 0;
}

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
static int update(struct alu_ctx *ctx, const char *root, const char *capture, char **specs,
		  int nspecs, struct alu_ij **plan, struct alu_err *e)
{
	int saved = dup(STDOUT_FILENO), fd, rc, json = ctx->json;
	const char *oroot = ctx->root;
	char *buf = NULL;
	struct stat st;

	fd = open(capture, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (saved < 0 || fd < 0)
		return alu_err_set(e, -errno, "%s: %s", capture, strerror(errno));
	fflush(stdout);
	dup2(fd, STDOUT_FILENO);
	ctx->root = root;
	ctx->json = 1;
	if (!alu_filter_active(&ctx->filter))
		ctx->filter.types = ALU_ADV_SECURITY;
	rc = alu_cmd_ops_run(ctx, "image patch", ALU_OPS_UPDATE, specs, nspecs);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	ctx->root = oroot;
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

static void report(const struct alu_ctx *ctx, const char *src, const char *dst, const struct alu_ij *plan,
		   const struct alu_image_result *res)
{
	const struct alu_ij *ops = alu_ij_get(plan, "plan"), *adv = alu_ij_get(plan, "advisories");

	if (ctx->json) {
		printf("{\"source\":");
		alu_json_str(src);
		printf(",\"destination\":");
		alu_json_str(res ? dst : NULL);
		printf(",\"result\":\"%s\",\"advisories\":[", res ? "patched" : "nothing to patch");
		for (size_t i = 0; adv && i < adv->n; i++) {
			printf("%s", i ? "," : "");
			alu_json_str(adv->kids[i]->s);
		}
		printf("],\"packages\":[");
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
		if (res)
			printf(",\"manifest\":\"%s\",\"config\":\"%s\",\"layer\":\"%s\",\"diff_id\":\"%s\","
			       "\"changed\":%zu,\"removed\":%zu", res->manifest_digest, res->config_digest,
			       res->layer.digest, res->layer.diff_id, res->layer.changed, res->layer.removed);
		printf("}\n");
		return;
	}
	if (!res) {
		printf("%s: nothing to patch\n", src);
		return;
	}
	printf("Patched %s -> %s\n", src, dst);
	for (size_t i = 0; adv && i < adv->n; i++)
		printf("  fixed %s\n", adv->kids[i]->s);
	for (size_t i = 0; ops && i < ops->n; i++) {
		const char *from = alu_ij_str(ops->kids[i], "replaces");
		printf("  %s %s%s%s\n", alu_ij_str(ops->kids[i], "action"), from ? from : "",
		       from ? " -> " : "", alu_ij_str(ops->kids[i], "nevra"));
	}
	printf("  new layer %s (%zu changed, %zu removed), manifest %s\n", res->layer.digest,
	       res->layer.changed, res->layer.removed, res->manifest_digest);
}

static int patch(struct alu_ctx *ctx, int argc, char **argv)
{
	struct alu_err e = { 0 };
	struct alu_image img = { 0 };
	struct alu_image_result res;
	struct alu_ij *plan = NULL;
	struct ref src, dst;
	char tmp[4096], hex[65], root[4200], orig[4200], cap[4200], created[32], by[2048];
	const char *tdir = getenv("TMPDIR");
	int64_t epoch;
	int r, made = 0;

	if (argc < 3) {
		alu_error("usage: alupdate image patch SRC DST [PACKAGE...]");
		return 1;
	}
	if ((r = parse_ref(argv[1], &src, &e)) || (r = parse_ref(argv[2], &dst, &e)))
		goto out;
	if (!access(dst.path, F_OK)) {
		r = alu_err_set(&e, -EEXIST, "%s already exists: not overwritten", dst.path);
		goto out;
	}
	/* named for the source, not random: the state records the root's path,
	 * and the same input must give the same bytes */
	alu_image_sha256_hex(argv[1], strlen(argv[1]), hex);
	snprintf(tmp, sizeof(tmp), "%s/alupdate-image-%.16s", tdir && *tdir ? tdir : "/tmp", hex);
	if (mkdir(tmp, 0700)) {
		if (errno == EEXIST)
			alu_err_set(&e, -EEXIST, "%s exists: another patch of this image is running, or remove it", tmp);
		r = alu_err_set(&e, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	made = 1;
	if (dst.archive == 2) {
		r = alu_err_set(&e, -ALUE_UNSUPPORTED, "%s: docker-archive is read only; write oci: or oci-archive:", argv[2]);
		goto out;
	}
	if (src.archive) {
		char x[4200];
		snprintf(src.dir, sizeof(src.dir), "%s/src", tmp);
		snprintf(x, sizeof(x), "%s/docker", tmp);
		r = src.archive == 1 ? alu_image_archive_read(src.path, src.dir, &e) :
			alu_image_docker_read(src.path, src.tag, x, src.dir, &e);
		if (r)
			goto out;
		if (src.archive == 2)
			src.tag = NULL;  /* the layout made from it holds that image alone */
	}
	if (dst.archive)
		snprintf(dst.dir, sizeof(dst.dir), "%s/dst", tmp);
	if ((r = alu_image_open(src.dir, src.tag, &img, &e)))
		goto out;
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(orig, sizeof(orig), "%s/orig", tmp);
	snprintf(cap, sizeof(cap), "%s/update.json", tmp);
	if (mkdir(root, 0755) || mkdir(orig, 0755)) {
		r = alu_err_set(&e, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((r = alu_image_unpack_all(&img, root, &e)) || (r = alu_image_unpack_all(&img, orig, &e)))
		goto out;
	/* state, history and rpm database times are the image's, for identical blobs */
	epoch = image_epoch(&img);
	alu_clock_set(epoch);
	if ((r = update(ctx, root, cap, argv + 3, argc - 3, &plan, &e)))
		goto out;
	const struct alu_ij *ops = alu_ij_get(plan, "plan"), *adv = alu_ij_get(plan, "advisories");
	if (!ops || !ops->n) {
		report(ctx, argv[1], argv[2], plan, NULL);
		goto out;
	}
	{
		struct tm tm;
		time_t t = (time_t)epoch;
		size_t n = 0;
		gmtime_r(&t, &tm);
		strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(by, sizeof(by), "alupdate image patch");
		for (size_t i = 0; adv && i < adv->n && n < sizeof(by); i++)
			n += snprintf(by + n, sizeof(by) - n, "%s%s", i ? ", " : " (fixes ", adv->kids[i]->s);
		if (adv && adv->n && n < sizeof(by))
			snprintf(by + n, sizeof(by) - n, ")");
	}
	if ((r = alu_image_restamp(root, &e)))
		goto out;
	struct alu_image_out opt = { .dst = dst.dir, .ref = dst.tag ? dst.tag : src.tag, .epoch = epoch,
		.created = created, .created_by = by, .comment = "alupdate" };
	if ((r = alu_image_emit(&img, orig, root, skip, &opt, &res, &e)))
		goto out;
	if (dst.archive && (r = alu_image_archive_write(dst.dir, dst.path, epoch, &e)))
		goto out;
	report(ctx, argv[1], argv[2], plan, &res);
out:
	if (made)
		alu_image_rmtree(tmp);
	alu_ij_free(plan);
	alu_image_close(&img);
	if (r)
		alu_error("image patch: %s", e.msg[0] ? e.msg : alu_strerror(r));
	return r ? 1 : 0;
}

static int run(void *priv, struct alu_ctx *ctx, int argc, char **argv)
{
	(void)priv;
	if (argc >= 1 && !strcmp(argv[0], "patch"))
		return patch(ctx, argc, argv);
	alu_error("usage: alupdate image patch SRC DST [PACKAGE...] (oci:DIR[:REF] or oci-archive:FILE[:REF])");
	return 1;
}

const struct alu_cmd alu_cmd_image = {
	.name = "image",
	.summary = "patch a container image (OCI layout) without a daemon: one new layer with the updates",
	.usage = "patch SRC DST [PACKAGE...]",
	.flags = ALU_CMDF_NEEDS_ARGS,
	.groups = ALU_OPTG_TXN | ALU_OPTG_FILTER,
	.run = run,
};
