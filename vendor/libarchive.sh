# libarchive: RPM payload (cpio) reading through gzip/xz/zstd/bzip2 filters.
# No tools, ACLs, xattrs, crypto, iconv or XML formats: alupdate needs none.
DEBSRC=libarchive DEBVER=3.6.2-1+deb12u4 VERSION=3.6.2
ORIG=libarchive_3.6.2.orig.tar.xz
SHA256=9e2c1b80d5fbe59b61308fdfab6c79b5021d7ff4ff2489fb12daf0a96a83551d
build() {
	./configure --prefix="$PREFIX" --disable-shared --enable-static \
		--disable-bsdtar --disable-bsdcat --disable-bsdcpio --disable-acl --disable-xattr \
		--without-openssl --without-nettle --without-mbedtls --without-xml2 --without-expat \
		--without-lz4 --without-lzo2 --without-cng --without-libb2 --without-iconv \
		--with-zlib --with-bz2lib --with-lzma --with-zstd
	make -j"$JOBS" libarchive.la
	make install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA
}
