# libfyaml: /etc/alupdate/alupdate.yaml with file:line:column errors.
DEBSRC=libfyaml DEBVER=0.7.12-2 VERSION=0.7.12
ORIG=libfyaml_0.7.12.orig.tar.gz
SHA256=485342c6920e9fdc2addfe75e5c3e0381793f18b339ab7393c1b6edf78bf8ca8
build() {
	[ -x configure ] || ./bootstrap.sh
	./configure --prefix="$PREFIX" --disable-shared --enable-static --disable-network
	make -j"$JOBS" -C src libfyaml.la
	install -m644 src/.libs/libfyaml.a "$PREFIX/lib/"
	install -m644 include/libfyaml.h "$PREFIX/include/"
}
