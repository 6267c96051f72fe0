#!/bin/sh
# SPDX-License-Identifier: MIT
#
#   tests/fuzz/run.sh BUILDDIR SECONDS [TARGET...]
#
# Builds every fuzz target with clang, libFuzzer, ASan and UBSan (the whole
# library instrumented for coverage) in BUILDDIR/fuzz, then runs each target
# (or the ones named, e.g. fuzz_rpmhdr) for SECONDS. Seeds come from
# tests/fuzz/seeds/<name without fuzz_>/ and tests/fuzz/corpus/<name>/; the
# growing corpus is kept in BUILDDIR/fuzz/corpus/<target>, crashes in
# BUILDDIR/fuzz/artifacts/. Exit status: non-zero when any target failed.
# FUZZ_SEED: libFuzzer's -seed (0, the default: a new one each run).
# `./build.sh test` sets 1, so that a test run explores the same inputs each
# time (a gate, not a search); `./build.sh fuzz` searches.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 BUILDDIR SECONDS [TARGET...]" >&2; exit 2; }
b=$1
secs=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
bdir="$b/fuzz"

if [ ! -f "$bdir/build.ninja" ]; then
	CC=clang meson setup "$bdir" "$src" -Dstatic=false -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized \
		-Dc_args=-fsanitize=fuzzer-no-link
fi
ninja -C "$bdir"

if [ $# -eq 0 ]; then
	set -- $(find "$bdir/tests/fuzz" -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x \
		-exec basename {} \; | sort)
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$bdir/artifacts"
fail=0
for t in "$@"; do
	work="$bdir/corpus/$t"
	mkdir -p "$work"
	seeds=
	for d in "$src/tests/fuzz/seeds/${t#fuzz_}" "$src/tests/fuzz/corpus/$t" \
		"$src/tests/fuzz/corpus/${t#fuzz_}"; do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	echo "== $t: $secs s, seeds:${seeds:- none}"
	# shellcheck disable=SC2086
	if "$bdir/tests/fuzz/$t" -max_total_time="$secs" -seed="${FUZZ_SEED:-0}" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$bdir/artifacts/$t-" "$work" $seeds \
		> "$bdir/$t.log" 2>&1; then
		echo "   ok: $(grep -E '^(stat::number_of_executed_units|Done)' "$bdir/$t.log" | tr '\n' ' ')"
	else
		echo "   FAILED: see $bdir/$t.log"
		grep -E 'ERROR|SUMMARY|runtime error' "$bdir/$t.log" | head -5
		fail=1
	fi
done
exit $fail
