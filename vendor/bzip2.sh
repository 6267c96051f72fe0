# bzip2: real AL2 mirrors compress primary_db with bz2.
DEBSRC=bzip2 DEBVER=1.0.8-5 VERSION=1.0.8
ORIG=bzip2_1.0.8.orig.tar.gz
SHA256=ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269
build() {
	make -j"$JOBS" CC="$CC" CFLAGS="$CFLAGS -D_FILE_OFFSET_BITS=64" libbz2.a
	install -m644 libbz2.a "$PREFIX/lib/"
	install -m644 bzlib.h "$PREFIX/include/"
}
