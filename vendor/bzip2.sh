# bzip2: real AL2 mirrors compress primary_db with bz2.
DEBSRC=bzip2 DEBVER=1.0.8-5 VERSION=1.0.8
ORIG=bzip2_1.0.8.orig.tar.gz
SHA256=ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269
build() {
	# -O2, not the prefix's -Os: decoding primary_db is most of a cold
	# makecache against a real AL2 mirror. Without the loop patterns gcc
	# turns the move-to-front shifts into calls of musl's memmove (12% of
	# the decode, measured)
	make -j"$JOBS" CC="$CC" CFLAGS="${CFLAGS/-Os/-O2} -fno-tree-loop-distribute-patterns -D_FILE_OFFSET_BITS=64" libbz2.a
	install -m644 libbz2.a "$PREFIX/lib/"
	install -m644 bzlib.h "$PREFIX/include/"
}
