#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One entry point: deps | vendor | build | build-arm64 | test-arm64 | mirror | demo | test | bench | fuzz | clean | install
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
B=${ALU_BUILD:-$top/build}
PREFIX=$B/prefix
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
# Debian's python has pytest; a pyenv python on PATH would not.
PY=/usr/bin/python3

# Every Debian package the build, the tests, the demo and the bench need.
DEB_PKGS=(
	build-essential musl-tools meson ninja-build cmake pkg-config m4 tcl
	dpkg-dev file xz-utils bzip2 zstd
	zlib1g-dev liblzma-dev libzstd-dev libbz2-dev libarchive-dev liblmdb-dev
	libfyaml-dev libexpat1-dev libsqlite3-dev libsolv-dev libsolvext-dev
	libbearssl-dev libcmocka-dev
	rpm createrepo-c dnf dnf-plugins-core libsolv-tools db5.3-util
	nginx-light openssl gnupg python3 python3-pytest hyperfine sqlite3 time busybox-static
	clang libclang-rt-14-dev strace go-rpmdb
	man-db groff-base zsh
	umoci skopeo
	buildah
	gcc-aarch64-linux-gnu musl-dev:arm64 qemu-user-static
)

log() { printf '== %s\n' "$*" >&2; }

have_deps() {
	local p
	for p in "${DEB_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || return 1
	done
}

ensure_deb_src() {
	grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && return 0
	grep -qs '^deb-src' /etc/apt/sources.list && return 0
	log "adding a deb-src entry for apt-get source"
	local uri
	uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	cat >/etc/apt/sources.list.d/alupdate-src.sources <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	touch "$B/.apt-stale"
}

cmd_deps() {
	mkdir -p "$B"
	ensure_deb_src
	if have_deps && [ ! -e "$B/.apt-stale" ]; then
		return 0
	fi
	log "installing Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	# musl-dev:arm64 (the aarch64 build's libc) comes from the arm64 archive
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${DEB_PKGS[@]}" >/dev/null
	rm -f "$B/.apt-stale"
}

need_deps() { have_deps || cmd_deps; }

cmd_vendor() {
	need_deps
	ensure_deb_src
	[ -e "$B/.apt-stale" ] && { apt-get update -qq; rm -f "$B/.apt-stale"; }
	bash "$top/vendor/build-all.sh" "$B/vendor-src" "$PREFIX"
}

cmd_build() {
	cmd_vendor
	if [ ! -e "$B/static/build.ninja" ]; then
		CC=musl-gcc PKG_CONFIG_LIBDIR=$PREFIX/lib/pkgconfig \
			meson setup "$B/static" "$top" --buildtype=release -Doptimization=2 -Dstatic=true \
			-Dprefix_dir="$PREFIX" >"$B/meson-static.log" 2>&1 || { tail -30 "$B/meson-static.log" >&2; exit 1; }
	fi
	# -O2, not -Os: metadata ingest is CPU-bound (bench/RESULTS.md), for ~0.1 MB more binary;
	# a build dir set up before this line moved is brought along
	if ! grep -q -- '-O2' "$B/static/build.ninja"; then
		meson configure "$B/static" -Dbuildtype=release -Doptimization=2 >>"$B/meson-static.log" 2>&1
	fi
	ninja -C "$B/static" >"$B/ninja-static.log" 2>&1 || { tail -40 "$B/ninja-static.log" >&2; exit 1; }
	strip -o "$B/alupdate" "$B/static/alupdate"
	log "alupdate: $(stat -c %s "$B/alupdate") bytes stripped ($(file -b "$B/alupdate" | cut -d, -f1-2))"
}

# build-arm64 (or build --arch aarch64): the vendored libraries and a static
# aarch64 binary from the same pinned sources, with Debian's cross gcc and
# aarch64 musl, in build/arm64 with its own prefix (never the x86 one).
A=$B/arm64
cmd_build_arm64() {
	need_deps
	bash "$top/vendor/cross.sh" aarch64 "$A/cross"
	ALU_CROSS=$A/cross ALU_VENDOR_WORK=$A/vendor-work \
		bash "$top/vendor/build-all.sh" "$B/vendor-src" "$A/prefix"
	if [ ! -e "$A/static/build.ninja" ]; then
		PKG_CONFIG_LIBDIR=$A/prefix/lib/pkgconfig \
			meson setup "$A/static" "$top" --cross-file "$A/cross/cross.ini" \
			--buildtype=release -Doptimization=2 -Dstatic=true \
			-Dprefix_dir="$A/prefix" >"$A/meson-static.log" 2>&1 || { tail -30 "$A/meson-static.log" >&2; exit 1; }
	fi
	ninja -C "$A/static" >"$A/ninja-static.log" 2>&1 || { tail -40 "$A/ninja-static.log" >&2; exit 1; }
	"$A/cross/bin/strip" -o "$A/alupdate" "$A/static/alupdate"
	local size; size=$(stat -c %s "$A/alupdate")
	log "arm64/alupdate: $size bytes stripped ($(file -b "$A/alupdate" | cut -d, -f1-2))"
	[ "$size" -le $((3 * 1024 * 1024)) ] || { echo "arm64/alupdate: $size bytes, over the 3 MB bar" >&2; exit 1; }
}

# test-arm64: the aarch64 binary under qemu-user (qemu-aarch64-static named
# explicitly: binfmt_misc may not be registered): its unit tests (meson's
# exe_wrapper) and ARM_E2E against the aarch64 sample mirror ($basearch
# aarch64, rpmbuild --target aarch64). ./build.sh test runs it before the
# x86_64 end-to-end tests.
ARM_E2E=(tests/e2e/test_update.py tests/e2e/test_remove_clean.py tests/e2e/test_repo.py tests/e2e/test_history.py
	tests/e2e/test_self_protect.py)
cmd_test_arm64() {
	cmd_build_arm64
	log "aarch64 unit tests under qemu-aarch64-static"
	# emulated: bz2par alone takes 10-20 s of the default 30
	meson test -C "$A/static" --print-errorlogs --suite unit --timeout-multiplier 4 >"$A/unit.log" 2>&1 ||
		{ tail -40 "$A/unit.log" >&2; exit 1; }
	log "$(grep -E '^(Ok|Fail|Expected Fail|Skipped):' "$A/unit.log" | tr -s ' \n' ' ')"
	ALU_MIRROR_ARCH=aarch64 bash "$top/repo-mirror/build-mirror.sh" "$A/mirror"
	printf '#!/bin/sh\nexec qemu-aarch64-static %s "$@"\n' "$A/alupdate" >"$A/alupdate-qemu"
	chmod 755 "$A/alupdate-qemu"
	log "aarch64 end-to-end tests under qemu-aarch64-static: ${ARM_E2E[*]}"
	(cd "$top" && ALU_BIN=$A/alupdate-qemu ALU_REAL_BIN=$A/alupdate ALU_QEMU=qemu-aarch64-static \
		ALU_BUILD=$A ALU_MIRROR_ARCH=aarch64 "$PY" -m pytest -q -p no:cacheprovider "${ARM_E2E[@]}") \
		>"$A/e2e.log" 2>&1 || { tail -60 "$A/e2e.log" >&2; exit 1; }
	log "aarch64: $(tail -1 "$A/e2e.log")"
}

# Dynamic build against Debian's -dev packages with ASan/UBSan: fast edits, and
# what the unit tests run under.
cmd_devbuild() {
	need_deps
	if [ ! -e "$B/dev/build.ninja" ]; then
		meson setup "$B/dev" "$top" --buildtype=debug -Dstatic=false \
			-Db_sanitize=address,undefined >"$B/meson-dev.log" 2>&1 || { tail -30 "$B/meson-dev.log" >&2; exit 1; }
	fi
	ninja -C "$B/dev" >"$B/ninja-dev.log" 2>&1 || { tail -40 "$B/ninja-dev.log" >&2; exit 1; }
}

cmd_mirror() {
	need_deps
	bash "$top/repo-mirror/build-mirror.sh" "$B/mirror"
}

cmd_demo() {
	cmd_build
	cmd_mirror
	bash "$top/repo-mirror/demo.sh" "$B"
}

cmd_test() {
	cmd_build
	cmd_devbuild
	cmd_mirror
	log "unit tests (meson test, ASan/UBSan build)"
	meson test -C "$B/dev" --print-errorlogs --suite unit --suite solver
	# Fuzz every parser for a bounded time (FUZZ_SECONDS each; 0 skips).
	log "fuzzing each target for ${FUZZ_SECONDS:-10}s"
	[ "${FUZZ_SECONDS:-10}" = 0 ] || FUZZ_SEED=${FUZZ_SEED:-1} \
		bash "$top/tests/fuzz/run.sh" "$B" "${FUZZ_SECONDS:-10}" >"$B/fuzz.log" 2>&1 ||
		{ tail -40 "$B/fuzz.log" >&2; exit 1; }
	cmd_test_arm64
	log "end-to-end tests (pytest)"
	cd "$top"
	ALU_BIN=$B/alupdate ALU_BUILD=$B "$PY" -m pytest -q -p no:cacheprovider tests/e2e
}

cmd_bench() {
	cmd_build
	cmd_mirror
	bash "$top/bench/run.sh" "$B"
}

cmd_fuzz() {
	bash "$top/tests/fuzz/run.sh" "$B" "${1:-60}"
}

# install PREFIX [DESTDIR]: the built binary, its links, man pages, completions
cmd_install() {
	[ -n "${1:-}" ] || { echo "usage: ./build.sh install PREFIX [DESTDIR]" >&2; exit 2; }
	bash "$top/contrib/install.sh" "$B" "$1" "${2:-}"
}

cmd_clean() { rm -rf "$B/static" "$B/dev" "$B/mirror" "$B/alupdate" "$A/static" "$A/mirror" "$A/alupdate"; }

case "${1:-build}" in
deps) cmd_deps ;;
vendor) cmd_vendor ;;
build)
	case "${2:-}" in
	--arch=aarch64 | --arch=arm64) cmd_build_arm64 ;;
	--arch) case "${3:-}" in aarch64 | arm64) cmd_build_arm64 ;; x86_64 | "") cmd_build ;;
		*) echo "build: --arch $3: aarch64 or x86_64" >&2; exit 2 ;; esac ;;
	--arch=x86_64 | "") cmd_build ;;
	*) echo "build: unknown argument $2 (--arch aarch64|x86_64)" >&2; exit 2 ;;
	esac ;;
build-arm64) cmd_build_arm64 ;;
test-arm64) cmd_test_arm64 ;;
devbuild) cmd_devbuild ;;
mirror) cmd_mirror ;;
demo) cmd_demo ;;
test) cmd_test ;;
bench) cmd_bench ;;
fuzz) shift; cmd_fuzz "$@" ;;
clean) cmd_clean ;;
install) shift; cmd_install "$@" ;;
*) echo "usage: $0 deps|vendor|build [--arch aarch64]|build-arm64|test-arm64|devbuild|mirror|demo|test|bench|fuzz|clean|install PREFIX [DESTDIR]" >&2; exit 2 ;;
esac
