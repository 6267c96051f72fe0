/* SPDX-License-Identifier: MIT */
/*
 * Package files: lead, signature header, main header, and where the payload
 * starts, checked as rpm's rpmReadPackageFile() does (lib/package.c,
 * lib/rpmlead.c, hdrblobRead()). Nothing is allocated from a size the file
 * does not back: sizes are checked against the file length first.
 */
#include "rpm/rpm_int.h"
#include "util/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LEAD_SIZE 96
#define SIGTYPE_HEADERSIG 5

static const uint8_t lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };
static const uint8_t hdr_magic[8] = { 0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0 };

/* pread() it all; 0, -errno, or 1 when the file ends first. */
static int read_at(int fd, void *buf, size_t n, off_t off)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t k = pread(fd, p, n, off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return 1;
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/*
 * One header with its 16-byte intro at @p off: magic, then the blob, parsed
 * with the region @p region_tag and rpm's limits. *len gets the bytes taken,
 * intro included. @p exact: the region must span the whole header.
 */
static int read_header(struct alu_rpm *r, off_t off, off_t fsize, const char *what,
		       uint32_t region_tag, int exact, uint32_t il_max, uint32_t dl_max,
		       struct alu_hdr **out, off_t *len, struct alu_err *e)
{
	uint8_t intro[16];
	uint64_t need;
	uint32_t il, dl;
	uint8_t *blob;
	int rc;

	rc = read_at(r->fd, intro, sizeof(intro), off);
	if (rc < 0)
		return alu_err_set(e, rc, "%s: %s", what, strerror(-rc));
	if (rc > 0)
		return alu_err_set(e, -ALUE_TRUNCATED, "%s: file ends before the header at %lld",
				   what, (long long)off);
	if (memcmp(intro, hdr_magic, sizeof(hdr_magic)))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: bad header magic at offset %lld",
				   what, (long long)off);
	/* The limits first, so that no size from the file is allocated unchecked. */
	rc = hdr_read_sizes(intro + 8, il_max, dl_max, what, &il, &dl, e);
	if (rc)
		return rc;
	need = 8 + 16 * (uint64_t)il + dl;
	if (fsize >= 0 && (uint64_t)fsize - (uint64_t)off - 8 < need)
		return alu_err_set(e, -ALUE_TRUNCATED, "%s: header truncated (%lld of %llu bytes)",
				   what, (long long)(fsize - off - 8), (unsigned long long)need);
	blob = malloc((size_t)need);
	if (!blob)
		return alu_err_set(e, -ENOMEM, "%s: out of memory", what);
	memcpy(blob, intro + 8, 8);
	rc = read_at(r->fd, blob + 8, (size_t)need - 8, off + 16);
	if (rc < 0)
		rc = alu_err_set(e, rc, "%s: %s", what, strerror(-rc));
	else if (rc > 0)
		rc = alu_err_set(e, -ALUE_TRUNCATED, "%s: header truncated", what);
	else
		rc = hdr_parse(blob, (size_t)need, what, region_tag, exact, il_max, dl_max, out, e);
	free(blob);
	*len = (off_t)need + 8;
	return rc;
}

static int read_lead(struct alu_rpm *r, struct alu_err *e)
{
	uint8_t lead[LEAD_SIZE];
	unsigned type, sigtype;
	int rc = read_at(r->fd, lead, sizeof(lead), 0);

	if (rc < 0)
		return alu_err_set(e, rc, "%s: %s", r->what, strerror(-rc));
	if (rc > 0)
		return alu_err_set(e, -ALUE_TRUNCATED, "%s: shorter than an rpm lead (96 bytes)",
				   r->what);
	if (memcmp(lead, lead_magic, sizeof(lead_magic)))
		return alu_err_set(e, -ALUE_CORRUPT, "%s: bad lead magic (not an rpm package)",
				   r->what);
	if (lead[4] != 3 && lead[4] != 4)
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: rpm format version %u not supported",
				   r->what, lead[4]);
	type = (unsigned)lead[6] << 8 | lead[7];
	if (type > 1)
		return alu_err_set(e, -ALUE_CORRUPT, "%s: bad lead package type %u", r->what, type);
	sigtype = (unsigned)lead[78] << 8 | lead[79];
	if (sigtype != SIGTYPE_HEADERSIG)
		return alu_err_set(e, -ALUE_UNSUPPORTED, "%s: signature type %u not supported",
				   r->what, sigtype);
	r->is_source = type == 1;
	return 0;
}

int alu_rpm_openfd(int fd, const char *what, struct alu_rpm *out, struct alu_err *e)
{
	char sigwhat[300];
	struct stat st;
	off_t fsize = -1, siglen;
	int rc;

	memset(out, 0, sizeof(*out));
	out->fd = fd;
	snprintf(out->what, sizeof(out->what), "%s", what);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		fsize = st.st_size;
	rc = read_lead(out, e);
	if (rc)
		goto fail;
	/* The signature header, padded to a multiple of 8 bytes. As in rpm, its
	 * region need not span it all; the main header's must. */
	snprintf(sigwhat, sizeof(sigwhat), "%s signature", out->what);
	rc = read_header(out, LEAD_SIZE, fsize, sigwhat, TAG_HEADERSIGNATURES, 0, SIG_TAGS_MAX,
			 SIG_DATA_MAX, &out->sig, &siglen, e);
	if (rc)
		goto fail;
	out->hdr_off = LEAD_SIZE + siglen + (8 - siglen % 8) % 8;
	rc = read_header(out, out->hdr_off, fsize, out->what, ALU_TAG_HEADERIMMUTABLE, 1, HDR_TAGS_MAX,
			 HDR_DATA_MAX, &out->hdr, &out->hdr_len, e);
	if (rc)
		goto fail;
	out->payload_off = out->hdr_off + out->hdr_len;
	return 0;
fail:
	alu_rpm_close(out);
	return rc;
}

int alu_rpm_open(const char *path, struct alu_rpm *out, struct alu_err *e)
{
	struct alu_err le = { 0 };
	/* a package in the root's cache is the root's: resolved inside it and
	 * only a regular file (no FIFO or device to hang on); one named on the
	 * command line may be anything the user chose, a pipe too */
	int fd = -1, rc = alu_root_inside(path) ? alu_root_open_read(path, &fd, NULL, &le) :
		((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ? -errno : 0);

	if (rc == -ALUE_PATH) {
		memset(out, 0, sizeof(*out));
		out->fd = -1;
		return alu_err_set(e, rc, "%s", le.msg);
	}
	if (fd < 0) {
		rc = rc ? rc : -errno;

		memset(out, 0, sizeof(*out));
		out->fd = -1;
		return alu_err_set(e, rc, "%s: %s", path, strerror(-rc));
	}
	return alu_rpm_openfd(fd, path, out, e);
}

void alu_rpm_close(struct alu_rpm *r)
{
	alu_hdr_free(r->hdr);
	alu_hdr_free(r->sig);
	r->hdr = r->sig = NULL;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

int alu_rpm_payload_kind(const struct alu_rpm *r)
{
	static const struct {
		int kind;
		size_t n;
		const char *magic;
	} sigs[] = {
		{ ALU_PAYLOAD_GZIP, 2, "\x1f\x8b" },
		{ ALU_PAYLOAD_XZ, 6, "\xfd" "7zXZ\0" },
		{ ALU_PAYLOAD_ZSTD, 4, "\x28\xb5\x2f\xfd" },
		{ ALU_PAYLOAD_BZIP2, 3, "BZh" },
		{ ALU_PAYLOAD_CPIO, 6, "070701" },
		{ ALU_PAYLOAD_LZMA, 3, "\x5d\x00\x00" },
	};
	uint8_t m[6] = { 0 };
	ssize_t k;

	do
		k = pread(r->fd, m, sizeof(m), r->payload_off);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if ((size_t)k >= sigs[i].n && !memcmp(m, sigs[i].magic, sigs[i].n))
			return sigs[i].kind;
	return ALU_PAYLOAD_UNKNOWN;
}

const char *alu_payload_kind_name(int kind)
{
	switch (kind) {
	case ALU_PAYLOAD_GZIP: return "gzip";
	case ALU_PAYLOAD_XZ: return "xz";
	case ALU_PAYLOAD_ZSTD: return "zstd";
	case ALU_PAYLOAD_BZIP2: return "bzip2";
	case ALU_PAYLOAD_LZMA: return "lzma";
	case ALU_PAYLOAD_CPIO: return "cpio";
	default: return "unknown";
	}
}
