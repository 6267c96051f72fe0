/* SPDX-License-Identifier: MIT */
/*
 * What the state records about the rpm database it last wrote (or found
 * in agreement): meta "rpmdb_sync", and "rpmdb_pending" for a write being
 * switched in. Text, one line of the file's stamp then one line per
 * package: "v1 SIZE MTIME_NS SHA256\n" + "ID DIGEST\n"... (DIGEST: the first
 * 8 bytes of the sha256 of the package's header blob, hex).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "rpmdb/rpmdb_int.h"

void rec_free(struct rec *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

uint64_t rec_blobdig(const void *blob, size_t len)
{
	unsigned char md[32];
	uint64_t v = 0;

	alu_digest_buf(ALU_HASH_SHA256, blob, len, md);
	for (int i = 0; i < 8; i++)
		v = v << 8 | md[i];
	return v;
}

int rec_stat(const char *path, struct rec *r, int with_sha)
{
	unsigned char md[32];
	size_t mdlen = 0;
	struct stat st;
	int fd;

	if (stat(path, &st))
		return -errno;
	r->size = (uint64_t)st.st_size;
	r->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	r->sha[0] = 0;
	if (!with_sha)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = alu_digest_fd(fd, ALU_HASH_SHA256, md, &mdlen, NULL);
	close(fd);
	if (rc)
		return rc;
	for (size_t i = 0; i < 32; i++)
		snprintf(r->sha + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int rec_load(struct alu_state *s, const char *key, struct rec *r)
{
	char *buf = NULL, *p, *nl;
	size_t len, cap = 0;
	unsigned long long size;
	long long mt;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = alu_state_meta_get(s, key, (void **)&buf, &len);
	if (rc)
		return rc;
	if (sscanf(buf, "v1 %llu %lld %64s", &size, &mt, r->sha) != 3) {
		free(buf);
		return -ALUE_CORRUPT;
	}
	r->size = size;
	r->mtime_ns = mt;
	if (!strcmp(r->sha, "-"))
		r->sha[0] = 0;
	for (p = strchr(buf, '\n'); p && p[1]; p = nl) {
		unsigned long long id, dig;
		nl = strchr(p + 1, '\n');
		if (sscanf(p + 1, "%llu %llx", &id, &dig) != 2)
			break;
		if (r->n == cap) {
			cap = cap ? 2 * cap : 256;
			struct rec_ent *nv = realloc(r->v, cap * sizeof(*nv));
			if (!nv) {
				free(buf);
				rec_free(r);
				return -ENOMEM;
			}
			r->v = nv;
		}
		r->v[r->n++] = (struct rec_ent){ id, dig };
	}
	free(buf);
	return 0;
}

int rec_put(struct alu_state_txn *t, const char *key, const struct rec *r, struct alu_err *e)
{
	char *buf = NULL;
	size_t o = 0, cap = 128 + (r ? r->n : 0) * 40;
	int rc;

	if (r) {
		buf = malloc(cap);
		if (!buf)
			return alu_err_set(e, -ENOMEM, "out of memory");
		o += (size_t)snprintf(buf, cap, "v1 %llu %lld %s\n", (unsigned long long)r->size,
				      (long long)r->mtime_ns, r->sha[0] ? r->sha : "-");
		for (size_t i = 0; i < r->n; i++)
			o += (size_t)snprintf(buf + o, cap - o, "%" PRIu64 " %016" PRIx64 "\n", r->v[i].id,
					      r->v[i].dig);
	}
	rc = alu_state_meta_put(t, key, buf, o, e);
	free(buf);
	return rc;
}

int rec_store(struct alu_state *s, const char *key, const struct rec *r, struct alu_err *e)
{
	struct alu_state_txn *t = NULL;
	int rc = alu_state_txn_begin(s, &t, e);

	if (!rc)
		rc = rec_put(t, key, r, e);
	if (!rc)
		rc = alu_state_txn_commit(t, e);
	else
		alu_state_txn_abort(t);
	return rc;
}
