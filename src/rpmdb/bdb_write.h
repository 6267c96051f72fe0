/* src/rpmdb/bdb_write.h  (owned by developer bdb; you may create the identical header so your code compiles) */
#include <stddef.h>
#include <stdint.h>
#include "util/err.h"
struct alu_rpmdb_hdr { uint32_t hnum; const void *blob; size_t len; };
/**
 * @brief Write a complete rpm 4.11 Berkeley DB database (Packages hash and the index
 *        B-trees Name Basenames Group Requirename Providename Conflictname Obsoletename
 *        Triggername Dirnames Installtid Sigmd5 Sha1header) into the empty directory
 *        @p dirfd. Headers in @p h are header blobs as rpm stores them (index count first,
 *        what alu_hdr_parse() takes), sorted by hnum; index keys are derived from them.
 *        Files are written and fsynced; no __db.* environment files are created.
 * @return 0, -errno, -ALUE_* with @p e naming the file.
 */
int alu_rpmdb_bdb_write(int dirfd, const struct alu_rpmdb_hdr *h, size_t n, struct alu_err *e);
