#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fetches each pinned Debian source package, checks its orig tarball's sha256,
# and builds it with musl-gcc as a static library into PREFIX. A library whose
# stamp matches its recipe is not rebuilt, so the prefix is a cache.
# usage: build-all.sh SRCDIR PREFIX
# ALU_VENDOR_WORK: where sources are unpacked and logs written (default
# SRCDIR), so a second prefix can share the tarballs of a SRCDIR it must not
# write to. ALU_CROSS: a directory vendor/cross.sh wrote, to build for its
# architecture with the same recipes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SRC=$(realpath -m "$1") PREFIX=$(realpath -m "$2")
WORK=$(realpath -m "${ALU_VENDOR_WORK:-$SRC}")
mkdir -p "$SRC" "$WORK" "$PREFIX/lib" "$PREFIX/include" "$PREFIX/stamps"
export CC=musl-gcc
if [ -n "${ALU_CROSS:-}" ]; then
	cross=$(realpath "$ALU_CROSS")
	CC=$(echo "$cross"/bin/*-linux-musl-gcc)
	[ -x "$CC" ] || { echo "vendor: $cross has no cross compiler (run vendor/cross.sh)" >&2; exit 1; }
	export PATH=$cross/bin:$PATH CONFIG_SITE=$cross/config.site
	export CMAKE_TOOLCHAIN_FILE=$cross/toolchain.cmake
fi
export CFLAGS="-Os -fPIC -ffunction-sections -fdata-sections -g0"
export CPPFLAGS="-I$PREFIX/include"
export LDFLAGS="-L$PREFIX/lib -static"
export PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig
export PKG_CONFIG_PATH=
JOBS=$(nproc)

# Order matters: libarchive and libsolv link against the compressors and expat.
ORDER="zlib bzip2 xz zstd expat lmdb bearssl sqlite libfyaml libarchive libsolv"

fetch() { # DEBSRC DEBVER ORIG SHA256 -> path of the orig tarball
	local f=$SRC/$3
	if [ ! -f "$f" ]; then
		(cd "$SRC" && apt-get source -qq --download-only "$1=$2" >/dev/null 2>&1) ||
			{ echo "vendor: apt-get source $1=$2 failed (is there a deb-src entry?)" >&2; exit 1; }
	fi
	echo "$4  $f" | sha256sum -c --quiet - ||
		{ echo "vendor: $3: sha256 mismatch, expected $4" >&2; exit 1; }
	echo "$f"
}

for name in $ORDER; do
	recipe=$here/$name.sh
	stamp=$PREFIX/stamps/$name
	# a cross build's stamp covers its patch too (vendor/cross-patches/NAME.sh)
	patch=
	[ -z "${ALU_CROSS:-}" ] || [ ! -f "$here/cross-patches/$name.sh" ] || patch=$here/cross-patches/$name.sh
	if [ -n "$patch" ]; then
		sum=$(cat "$recipe" "$patch" | sha256sum | cut -c1-16)
	else
		sum=$(sha256sum "$recipe" | cut -c1-16)
	fi
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
		continue
	fi
	unset -f build cross_prep
	# shellcheck source=/dev/null
	. "$recipe"
	# shellcheck source=/dev/null
	[ -z "$patch" ] || . "$patch"
	echo "== vendor: building $name $DEBVER" >&2
	tarball=$(fetch "$DEBSRC" "$DEBVER" "$ORIG" "$SHA256")
	work=$WORK/build-$name
	rm -rf "$work"; mkdir -p "$work"
	tar -xf "$tarball" -C "$work" --strip-components=1
	# errexit must hold inside build(), so the subshell is not run in a tested context.
	set +e
	(set -e; cd "$work"; [ -z "$patch" ] || cross_prep; build) >"$WORK/$name.log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		echo "vendor: $name failed; last lines of $WORK/$name.log:" >&2
		tail -30 "$WORK/$name.log" >&2
		exit 1
	fi
	echo "$VERSION" >"$PREFIX/stamps/$name.version"
	echo "$sum" >"$stamp"
	rm -rf "$work"
done
