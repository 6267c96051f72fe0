# BearSSL: TLS client, sha256, RSA for OpenPGP signatures.
DEBSRC=bearssl DEBVER=0.6+dfsg.1-3 VERSION=0.6
ORIG=bearssl_0.6+dfsg.1.orig.tar.xz
SHA256=102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004
build() {
	make -j"$JOBS" CC="$CC" LD="$CC" LDDLL="$CC" CFLAGS="$CFLAGS -W -Wall" build/libbearssl.a
	install -m644 build/libbearssl.a "$PREFIX/lib/"
	install -m644 inc/*.h "$PREFIX/include/"
}
