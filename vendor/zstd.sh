# libzstd: zstd payloads (rpm >= 4.14 default on Fedora, Debian's rpm too).
DEBSRC=libzstd DEBVER=1.5.4+dfsg2-5 VERSION=1.5.4
ORIG=libzstd_1.5.4+dfsg2.orig.tar.xz
SHA256=8cf4bbb65e77ec348d052c8d6230eba66d435bddf64c8b5be2fcb16880c19953
build() {
	make -j"$JOBS" -C lib libzstd.a ZSTD_LEGACY_SUPPORT=0 ZSTD_LIB_DICTBUILDER=0 \
		ZSTD_NO_ASM=1 HAVE_PTHREAD=0 CFLAGS="$CFLAGS -DZSTD_MULTITHREAD=0"
	install -m644 lib/libzstd.a "$PREFIX/lib/"
	install -m644 lib/zstd.h lib/zstd_errors.h lib/zdict.h "$PREFIX/include/"
	mkdir -p "$PREFIX/lib/pkgconfig"
	printf 'prefix=%s\nName: zstd\nDescription: zstd\nVersion: 1.5.4\nLibs: -L${prefix}/lib -lzstd\nCflags: -I${prefix}/include\n' \
		"$PREFIX" >"$PREFIX/lib/pkgconfig/libzstd.pc"
}
