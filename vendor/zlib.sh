# zlib: gzip payloads and metadata.
DEBSRC=zlib DEBVER=1:1.2.13.dfsg-1 VERSION=1.2.13
ORIG=zlib_1.2.13.dfsg.orig.tar.bz2
SHA256=71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1
build() {
	# -O2, not the prefix's -Os: inflate is on every cold metadata ingest's critical path
	CFLAGS="${CFLAGS/-Os/-O2}" ./configure --static --prefix="$PREFIX"
	make -j"$JOBS" libz.a
	make install
}
