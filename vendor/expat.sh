# expat: streaming XML for repomd, primary and updateinfo.
DEBSRC=expat DEBVER=2.5.0-1+deb12u2 VERSION=2.5.0
ORIG=expat_2.5.0.orig.tar.gz
SHA256=ab00ee05c7067fd10a35c5d2a4922ebba746ddd50ff83b79c828da17bbdf1757
build() {
	# The orig tarball is a git export: sources under expat/, no configure.
	cmake -S expat -B b -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=MinSizeRel \
		-DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \
		-DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF \
		-DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_PKGCONFIG=ON
	make -C b -j"$JOBS"
	make -C b install
}
