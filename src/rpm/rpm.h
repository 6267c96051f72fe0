/* SPDX-License-Identifier: MIT */
/*
 * RPM packages and headers, read without librpm.
 *
 * A package file is: a 96-byte lead, the signature header (padded to 8
 * bytes), the main header, then the payload (a cpio archive, usually
 * compressed). A header is: magic 8e ad e8 01 + 4 reserved bytes, the index
 * count and data size (big endian), `count` 16-byte index entries (tag,
 * type, offset, count) and the data store. The rpm database keeps the main
 * header alone as a "header blob": the same bytes from the index count on.
 *
 * Every length, count and offset is checked before use; a malformed header is
 * refused with -ALUE_CORRUPT or -ALUE_TRUNCATED and a message saying what.
 *
 * Ownership: an alu_hdr owns a copy of its blob; every string and array a
 * getter returns points into it and stays valid until alu_hdr_free().
 */
#ifndef ALU_RPM_RPM_H
#define ALU_RPM_RPM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

/* ---- versions ---------------------------------------------------------- */

/** An epoch:version-release. Strings are borrowed. */
struct alu_evr {
	uint32_t epoch;
	const char *version;
	const char *release;   /* may be NULL or "" (a dependency on a version only) */
};

/**
 * @brief rpm's rpmvercmp(): compare two version (or release) strings exactly
 *        as rpm 4.18 does (alnum segments, ~ sorts before anything, ^ after
 *        the base but before any further segment).
 * @return -1, 0 or 1.
 */
int alu_rpmvercmp(const char *a, const char *b);

/** @brief Compare epoch, then version, then release (a NULL/empty release
 *         on either side matches any release, as rpm's dependency ranges). */
int alu_evr_cmp(const struct alu_evr *a, const struct alu_evr *b);

/**
 * @brief Split "[E:]V[-R]" in place.
 * @param[in,out] s modified: ':' and the last '-' become NUL.
 * @return 0, or -ALUE_CORRUPT for a bad epoch.
 */
int alu_evr_parse(char *s, struct alu_evr *out);

/* ---- dependencies ------------------------------------------------------ */

enum { /* rpmsenseFlags bits that matter to us */
	ALU_DEP_LESS = 1 << 1,
	ALU_DEP_GREATER = 1 << 2,
	ALU_DEP_EQUAL = 1 << 3,
	ALU_DEP_PREREQ = 1 << 6,
	ALU_DEP_RPMLIB = 1 << 24,
};

/* The weak kinds (Recommends ...) after the four strong ones: AL2 carries none. */
enum alu_deptype { ALU_REQUIRES, ALU_PROVIDES, ALU_CONFLICTS, ALU_OBSOLETES,
	ALU_RECOMMENDS, ALU_SUGGESTS, ALU_SUPPLEMENTS, ALU_ENHANCES, ALU_DEPTYPE_N };

struct alu_dep {
	const char *name;    /* "libgreet.so.1()(64bit)", "/bin/sh", "(a or b)" */
	uint32_t flags;      /* ALU_DEP_* */
	const char *evr;     /* "" when unversioned */
};

/* ---- files ------------------------------------------------------------- */

enum { /* rpmfileAttrs */
	ALU_FILE_CONFIG = 1 << 0,
	ALU_FILE_DOC = 1 << 1,
	ALU_FILE_MISSINGOK = 1 << 3,
	ALU_FILE_NOREPLACE = 1 << 4,
	ALU_FILE_GHOST = 1 << 6,
	ALU_FILE_LICENSE = 1 << 7,
	ALU_FILE_README = 1 << 8,
	ALU_FILE_ARTIFACT = 1 << 12,
};

struct alu_file {
	char path[4096];      /* dirname + basename, absolute */
	uint32_t mode;        /* st_mode bits, type included */
	uint64_t size;
	uint32_t mtime;
	uint32_t flags;       /* ALU_FILE_* */
	const char *user, *group;
	const char *linkto;   /* "" unless a symlink */
	const char *digest;   /* lowercase hex, "" for non-regular files */
	uint32_t inode;       /* hard links share an inode number */
	uint32_t nlink_idx;   /* unused, reserved */
	uint32_t rdev;        /* device number of a device node (FILERDEVS: the old
	                         16-bit major << 8 | minor that mknod(2) takes), else 0 */
	uint32_t color;       /* FILECOLORS: 1 ELF32, 2 ELF64, 0 neither (multilib) */
};

/* digest algorithm ids (RPMTAG_FILEDIGESTALGO, OpenPGP hash ids) */
enum { ALU_DIGEST_MD5 = 1, ALU_DIGEST_SHA1 = 2, ALU_DIGEST_SHA256 = 8,
	ALU_DIGEST_SHA384 = 9, ALU_DIGEST_SHA512 = 10 };

/* ---- scriptlets -------------------------------------------------------- */

enum alu_script_kind { ALU_PRETRANS, ALU_PRE, ALU_POST, ALU_PREUN, ALU_POSTUN,
	ALU_POSTTRANS, ALU_SCRIPT_N };

struct alu_script {
	const char *body;          /* NULL when the package has none */
	const char *const *prog;   /* interpreter argv, NULL-terminated; NULL: /bin/sh */
	size_t nprog;
};

/* ---- headers ----------------------------------------------------------- */

struct alu_hdr;  /* opaque */

/**
 * @brief Parse a header blob (from the index count on: what rpmdb stores).
 * @param[in] blob copied; the caller keeps its buffer.
 * @param[in] what names the source in error messages ("hello.rpm", "rpmdb #12").
 * @param[out] out on success, free with alu_hdr_free().
 * @return 0, -ALUE_CORRUPT, -ALUE_TRUNCATED or -ENOMEM.
 */
int alu_hdr_parse(const void *blob, size_t len, const char *what,
		  struct alu_hdr **out, struct alu_err *e);
void alu_hdr_free(struct alu_hdr *h);

/** @brief The blob (index count on), as alu_hdr_parse() takes it back. */
const void *alu_hdr_blob(const struct alu_hdr *h, size_t *len);

/**
 * @brief A copy of @p h with a CHAR array tag added after its region, as rpm
 *        adds RPMTAG_FILESTATES to an installed header (the new entry wins
 *        over one of the same tag).
 * @param[out] out free with alu_hdr_free().
 * @return 0, -ENOMEM, -ALUE_CORRUPT.
 */
int alu_hdr_add_char(const struct alu_hdr *h, uint32_t tag, const uint8_t *v, uint32_t count,
		     struct alu_hdr **out, struct alu_err *e);

/* RPMTAG_FILESTATES (CHAR per file) and the states alupdate writes. */
#define ALU_TAG_FILESTATES 1029
enum { ALU_FSTATE_NORMAL = 0, ALU_FSTATE_NOTINSTALLED = 2 };

/* Tag data types (rpmTagType). */
enum { ALU_TYPE_NULL, ALU_TYPE_CHAR, ALU_TYPE_INT8, ALU_TYPE_INT16, ALU_TYPE_INT32,
	ALU_TYPE_INT64, ALU_TYPE_STRING, ALU_TYPE_BIN, ALU_TYPE_STRING_ARRAY,
	ALU_TYPE_I18NSTRING };

/**
 * @brief Walk the tags: entry @p i (0 .. alu_hdr_ntags()-1) in tag order; a
 *        tag appears once (an entry added after the region replaces the
 *        region's one, as in rpm). The region tag itself is not listed.
 * @return 0, or -ALUE_NOTFOUND past the end.
 */
size_t alu_hdr_ntags(const struct alu_hdr *h);
int alu_hdr_tag(const struct alu_hdr *h, size_t i, uint32_t *tag, uint32_t *type, uint32_t *count);

/* Tag access. Return NULL / 0 when the tag is absent or of another type.
 * The array getters make their copy on first use and return NULL also when
 * that allocation fails. */
const char *alu_hdr_str(const struct alu_hdr *h, uint32_t tag);       /* STRING, I18N (first), or STRING_ARRAY[0] */
int alu_hdr_u32(const struct alu_hdr *h, uint32_t tag, uint32_t *out); /* INT32[0] (or INT16/INT8); -ALUE_NOTFOUND */
int alu_hdr_u64(const struct alu_hdr *h, uint32_t tag, uint64_t *out); /* INT64[0] or INT32[0] */
/** @brief Array access: *count elements; strings via alu_hdr_strv. */
const char *const *alu_hdr_strv(const struct alu_hdr *h, uint32_t tag, size_t *count);
const uint32_t *alu_hdr_u32v(const struct alu_hdr *h, uint32_t tag, size_t *count); /* host order copy */
const void *alu_hdr_bin(const struct alu_hdr *h, uint32_t tag, size_t *len);
/** CHAR or INT8 array (FILESTATES); NULL when absent. Valid while @p h lives. */
const uint8_t *alu_hdr_chars(const struct alu_hdr *h, uint32_t tag, size_t *count);
/* alu_hdr_strv() takes STRING (one element), STRING_ARRAY and I18NSTRING; the
 * array is NULL-terminated. alu_hdr_u32v() takes CHAR, INT8, INT16, INT32. */
/** @brief Element @p i of any integer tag (INT64 included): 0 or -ALUE_NOTFOUND. */
int alu_hdr_u64_at(const struct alu_hdr *h, uint32_t tag, size_t i, uint64_t *out);

/** Common fields, filled from the header's tags. Strings borrowed from it. */
struct alu_pkginfo {
	const char *name, *version, *release, *arch; /* arch "src" for source rpms */
	uint32_t epoch;        /* 0 when absent */
	int has_epoch;
	const char *summary, *description, *license, *sourcerpm, *url, *group, *packager, *vendor;
	uint64_t size;         /* installed size */
	uint32_t buildtime;
	const char *payload_format;     /* "cpio" */
	const char *payload_compressor; /* "gzip" "xz" "zstd" "bzip2" "lzma"; "" when absent */
	int is_source;
};
/**
 * @brief Fill @p out. Absent optional strings are "" (never NULL);
 *        payload_format defaults to "cpio". is_source: SOURCEPACKAGE, or no
 *        SOURCERPM (rpm's test) in a header with an ARCH (gpg-pubkey headers
 *        of an rpmdb have neither and have arch "").
 * @return 0, or -ALUE_CORRUPT when NAME, VERSION or RELEASE is missing
 *         (then they read as "").
 */
int alu_hdr_info(const struct alu_hdr *h, struct alu_pkginfo *out);

/** @brief "name-[epoch:]version-release.arch" into buf (epoch shown when
 *         non-zero, ".arch" left out when the header has none); returns buf. */
char *alu_hdr_nevra(const struct alu_hdr *h, char *buf, size_t n);

/**
 * @brief Dependencies of one kind.
 * @param[out] out array of *count entries, malloc'd (free() it; NULL when
 *             there are none); strings borrowed.
 * @return 0, -ENOMEM, or -ALUE_CORRUPT when the name, flags and version
 *         arrays disagree in count or type; rich dependencies ("(a or b)")
 *         are returned as names beginning with '(' and alu_dep_is_rich() says so.
 */
int alu_hdr_deps(const struct alu_hdr *h, enum alu_deptype t, struct alu_dep **out, size_t *count);
/** @brief A rich (boolean) dependency, "(a if b)": the solver must parse it. */
int alu_dep_is_rich(const struct alu_dep *d);

/** @return number of files; files are read one by one with alu_hdr_file(). */
size_t alu_hdr_nfiles(const struct alu_hdr *h);
/**
 * @brief File @p i. Absent per-file tags read as 0 / "" (user and group:
 *        "root"). OLDFILENAMES of pre-4.0 packages stand in for BASENAMES.
 * @return 0, -ALUE_NOTFOUND when i >= alu_hdr_nfiles(), or -ALUE_CORRUPT when
 *         the file arrays disagree (count, type, bad dirindex, path too long).
 */
int alu_hdr_file(const struct alu_hdr *h, size_t i, struct alu_file *out);
/** @return the file digest algorithm (ALU_DIGEST_*; MD5 when the tag is absent). */
int alu_hdr_digest_algo(const struct alu_hdr *h);

/**
 * @brief The scriptlet of @p kind. body is NULL when the package has none;
 *        "%post -p /sbin/ldconfig" gives prog and no body: run prog alone.
 *        prog[0] "<lua>" is an embedded Lua script.
 */
void alu_hdr_script(const struct alu_hdr *h, enum alu_script_kind kind, struct alu_script *out);

/* ---- package files ----------------------------------------------------- */

/** A package file opened for reading. */
struct alu_rpm {
	int fd;
	int is_source;                /* lead type 1 */
	struct alu_hdr *sig;          /* the signature header */
	struct alu_hdr *hdr;          /* the main header */
	off_t hdr_off, hdr_len;       /* main header bytes incl. its 16-byte intro (for signature checks) */
	off_t payload_off;            /* where the (compressed) payload starts */
	char what[256];               /* file name for messages */
};

/**
 * @brief Open @p path and read lead, signature header and main header.
 * @return 0, -errno, -ALUE_CORRUPT ("hello.rpm: bad lead magic", ...),
 *         -ALUE_TRUNCATED.
 */
int alu_rpm_open(const char *path, struct alu_rpm *out, struct alu_err *e);
/**
 * @brief Same from an open fd, which the call takes over in every case:
 *        alu_rpm_close() closes it, and a failed call has closed it already.
 * @note After a failure (of either call) *out is safe to alu_rpm_close():
 *       fd -1, no headers. Reads use pread(), so the fd's offset is unused.
 *       Header signatures (SIGTAG RSA 268 / DSA 267, SHA1 269, SHA256 273)
 *       cover the bytes [hdr_off, hdr_off + hdr_len); MD5 1004 and PGP 1002
 *       cover [hdr_off, end of file).
 */
int alu_rpm_openfd(int fd, const char *what, struct alu_rpm *out, struct alu_err *e);
void alu_rpm_close(struct alu_rpm *r);

enum { ALU_PAYLOAD_UNKNOWN, ALU_PAYLOAD_GZIP, ALU_PAYLOAD_XZ, ALU_PAYLOAD_ZSTD,
	ALU_PAYLOAD_BZIP2, ALU_PAYLOAD_LZMA, ALU_PAYLOAD_CPIO /* uncompressed "070701" */ };
/**
 * @brief What the payload is, from its first bytes at payload_off (the
 *        PAYLOADCOMPRESSOR tag may be absent, meaning gzip or plain cpio).
 * @return ALU_PAYLOAD_*, or -errno when it cannot be read.
 */
int alu_rpm_payload_kind(const struct alu_rpm *r);
/** @return "gzip", "xz", "zstd", "bzip2", "lzma", "cpio" or "unknown". */
const char *alu_payload_kind_name(int kind);

/* Tags we use (RPMTAG_*). */
enum {
	ALU_TAG_HEADERIMMUTABLE = 63,
	ALU_TAG_HEADERI18NTABLE = 100,
	ALU_SIGTAG_SIZE = 1000, ALU_SIGTAG_PGP = 1002, ALU_SIGTAG_MD5 = 1004,
	ALU_SIGTAG_PAYLOADSIZE = 1007,
	ALU_SIGTAG_RSA = 268, ALU_SIGTAG_SHA1 = 269, ALU_SIGTAG_SHA256 = 273,
	ALU_TAG_NAME = 1000, ALU_TAG_VERSION = 1001, ALU_TAG_RELEASE = 1002, ALU_TAG_EPOCH = 1003,
	ALU_TAG_SUMMARY = 1004, ALU_TAG_DESCRIPTION = 1005, ALU_TAG_BUILDTIME = 1006,
	ALU_TAG_SIZE = 1009, ALU_TAG_VENDOR = 1011, ALU_TAG_LICENSE = 1014, ALU_TAG_PACKAGER = 1015,
	ALU_TAG_GROUP = 1016, ALU_TAG_URL = 1020, ALU_TAG_ARCH = 1022,
	ALU_TAG_PREIN = 1023, ALU_TAG_POSTIN = 1024, ALU_TAG_PREUN = 1025, ALU_TAG_POSTUN = 1026,
	ALU_TAG_FILESIZES = 1028, ALU_TAG_FILEMODES = 1030, ALU_TAG_FILERDEVS = 1033,
	ALU_TAG_FILEMTIMES = 1034, ALU_TAG_FILEDIGESTS = 1035, ALU_TAG_FILELINKTOS = 1036,
	ALU_TAG_FILEFLAGS = 1037, ALU_TAG_FILEUSERNAME = 1039, ALU_TAG_FILEGROUPNAME = 1040,
	ALU_TAG_SOURCERPM = 1044, ALU_TAG_PROVIDENAME = 1047, ALU_TAG_REQUIREFLAGS = 1048,
	ALU_TAG_REQUIRENAME = 1049, ALU_TAG_REQUIREVERSION = 1050,
	ALU_TAG_CONFLICTFLAGS = 1053, ALU_TAG_CONFLICTNAME = 1054, ALU_TAG_CONFLICTVERSION = 1055,
	ALU_TAG_PREINPROG = 1085, ALU_TAG_POSTINPROG = 1086, ALU_TAG_PREUNPROG = 1087,
	ALU_TAG_POSTUNPROG = 1088, ALU_TAG_OBSOLETENAME = 1090, ALU_TAG_FILEINODES = 1096,
	ALU_TAG_PROVIDEFLAGS = 1112, ALU_TAG_PROVIDEVERSION = 1113,
	ALU_TAG_OBSOLETEFLAGS = 1114, ALU_TAG_OBSOLETEVERSION = 1115,
	ALU_TAG_DIRINDEXES = 1116, ALU_TAG_BASENAMES = 1117, ALU_TAG_DIRNAMES = 1118,
	ALU_TAG_PAYLOADFORMAT = 1124, ALU_TAG_PAYLOADCOMPRESSOR = 1125,
	ALU_TAG_PRETRANS = 1151, ALU_TAG_POSTTRANS = 1152,
	ALU_TAG_PRETRANSPROG = 1153, ALU_TAG_POSTTRANSPROG = 1154,
	ALU_TAG_FILEDIGESTALGO = 5011, ALU_TAG_LONGFILESIZES = 5008, ALU_TAG_LONGSIZE = 5009,
	ALU_TAG_RECOMMENDNAME = 5046, ALU_TAG_RECOMMENDVERSION = 5047, ALU_TAG_RECOMMENDFLAGS = 5048,
	ALU_TAG_SUGGESTNAME = 5049, ALU_TAG_SUGGESTVERSION = 5050, ALU_TAG_SUGGESTFLAGS = 5051,
	ALU_TAG_SUPPLEMENTNAME = 5052, ALU_TAG_SUPPLEMENTVERSION = 5053, ALU_TAG_SUPPLEMENTFLAGS = 5054,
	ALU_TAG_ENHANCENAME = 5055, ALU_TAG_ENHANCEVERSION = 5056, ALU_TAG_ENHANCEFLAGS = 5057,
};

#endif
