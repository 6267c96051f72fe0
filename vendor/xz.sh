# liblzma only: xz payloads and metadata. No tools, no NLS.
DEBSRC=xz-utils DEBVER=5.4.1-1+deb12u1 VERSION=5.4.1
ORIG=xz-utils_5.4.1.orig.tar.xz
SHA256=5d9827aa1875b21c288f78864bb26d2650b436ea8d2cad364e4921eb6266a5a5
build() {
	./configure --prefix="$PREFIX" --disable-shared --enable-static \
		--disable-xz --disable-xzdec --disable-lzmadec --disable-lzmainfo \
		--disable-lzma-links --disable-scripts --disable-doc --disable-nls \
		--disable-threads --disable-encoders --enable-decoders=lzma1,lzma2,delta,x86
	make -j"$JOBS" -C src/liblzma
	make -C src/liblzma install
}
