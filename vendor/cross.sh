#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the cross toolchain files for a static musl build on another
# architecture with Debian's cross tools: a musl-gcc-style compiler wrapper
# (the target musl's musl-gcc.specs drives the cross gcc), binutils shims
# named as the recipes call them (ar, ranlib, strip), an autoconf
# config.site, a CMake toolchain file and a meson cross file whose
# exe_wrapper is qemu-user, so meson test runs the target's unit tests.
# The vendor recipes stay as they are (their sha256 is the x86 prefix's
# cache stamp): build-all.sh puts DIR/bin first on PATH and exports the rest.
# usage: cross.sh ARCH DIR   (ARCH: aarch64)
set -euo pipefail
arch=$1 dir=$(realpath -m "$2")
case $arch in
aarch64) gnu=aarch64-linux-gnu qemu=qemu-aarch64-static ;;
*) echo "cross.sh: unsupported architecture $arch (aarch64 is)" >&2; exit 2 ;;
esac
specs=/usr/lib/$arch-linux-musl/musl-gcc.specs
for need in "$gnu-gcc" "$gnu-ar" "$qemu"; do
	command -v "$need" >/dev/null ||
		{ echo "cross.sh: $need not found (./build.sh deps installs the cross tools)" >&2; exit 1; }
done
[ -f "$specs" ] || { echo "cross.sh: $specs not found (musl-dev:arm64 is not installed)" >&2; exit 1; }

mkdir -p "$dir/bin"
cc=$dir/bin/$arch-linux-musl-gcc
printf '#!/bin/sh\nexec %s "$@" -specs %s\n' "$gnu-gcc" "$specs" >"$cc.tmp"
chmod 755 "$cc.tmp" && mv "$cc.tmp" "$cc"
for t in ar ranlib strip nm objcopy; do
	ln -sfn "$(command -v "$gnu-$t")" "$dir/bin/$t"
	ln -sfn "$(command -v "$gnu-$t")" "$dir/bin/$arch-linux-musl-$t"
done

# Only a configure run with the cross compiler is a cross build: sqlite's
# recipe generates its amalgamation with the host cc.
cat >"$dir/config.site" <<SITE
case "\$CC" in
*$arch-linux-musl-gcc*) host_alias=$gnu; cross_compiling=yes; ac_tool_prefix=$arch-linux-musl- ;;
esac
SITE

cat >"$dir/toolchain.cmake" <<CMAKE
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR $arch)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_AR $dir/bin/ar)
set(CMAKE_RANLIB $dir/bin/ranlib)
set(CMAKE_STRIP $dir/bin/strip)
set(CMAKE_CROSSCOMPILING_EMULATOR $(command -v "$qemu"))
CMAKE

cat >"$dir/cross.ini" <<INI
[binaries]
c = '$cc'
ar = '$dir/bin/ar'
strip = '$dir/bin/strip'
pkg-config = 'pkg-config'
exe_wrapper = '$(command -v "$qemu")'

[host_machine]
system = 'linux'
cpu_family = '$arch'
cpu = '$arch'
endian = 'little'
INI
