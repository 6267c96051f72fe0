# LMDB: the cache and the installed-state databases.
DEBSRC=lmdb DEBVER=0.9.24-1 VERSION=0.9.24
ORIG=lmdb_0.9.24.orig.tar.gz
SHA256=8e7200fdc9bb09b0cfad1d4eee8b20d539e43fe05c7ef9406247d64659c4a480
build() {
	cd libraries/liblmdb
	# MDB_IDL_LOGN sizes a write transaction's dirty-page list (2^(N+1) - 1
	# entries, an overflow run counting as one): beyond it LMDB writes pages
	# out early (spills) and reuses their buffers. At 7 (255 pages, 1 MiB,
	# instead of 512 MiB) a cold ingest touches a few hundred fresh pages of
	# memory instead of one per cache page; on the VMs we measured, a first
	# touch costs 7-16 us (bench/RESULTS.md). It changes no file format.
	# 0.9.24 defines it unconditionally: guard it.
	sed -i 's/^#define[[:space:]]*MDB_IDL_LOGN[[:space:]]*16.*/#ifndef MDB_IDL_LOGN\n#define MDB_IDL_LOGN 16\n#endif/' midl.h
	grep -q '^#ifndef MDB_IDL_LOGN' midl.h
	# -O2, not the prefix's -Os: the cache writes of an ingest are CPU-bound
	make -j"$JOBS" CC="$CC" OPT="${CFLAGS/-Os/-O2} -DMDB_IDL_LOGN=7" liblmdb.a
	install -m644 liblmdb.a "$PREFIX/lib/"
	install -m644 lmdb.h "$PREFIX/include/"
}
