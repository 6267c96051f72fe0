# LMDB: the cache and the installed-state databases.
DEBSRC=lmdb DEBVER=0.9.24-1 VERSION=0.9.24
ORIG=lmdb_0.9.24.orig.tar.gz
SHA256=8e7200fdc9bb09b0cfad1d4eee8b20d539e43fe05c7ef9406247d64659c4a480
build() {
	cd libraries/liblmdb
	# -O2, not the prefix's -Os: the cache writes of an ingest are CPU-bound
	make -j"$JOBS" CC="$CC" OPT="${CFLAGS/-Os/-O2}" liblmdb.a
	install -m644 liblmdb.a "$PREFIX/lib/"
	install -m644 lmdb.h "$PREFIX/include/"
}
