#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Solve time and memory at Amazon Linux 2 scale, side by side with dnf in one
# run: a 150-package root (bench/gen-solve-root.py, 40 of them old) against
# the 25,000-entry repository of bench/gen-repo.py (with the 40 updates and
# their advisories), then ten repositories of 25,000 entries each (250,000).
# The repositories are entries only (no .rpm files), so the update rows stop
# at the confirmation: --assumeno for both tools, the same root every run, so
# every run does the same work (metadata warm, rpm database adopted; solve
# and print the transaction). Wall time and peak RSS, median of REPEAT runs.
# Put BUILDDIR on a real disk (ext4); the script says which filesystem.
# usage: solve-scale.sh BUILDDIR [REPEAT]
#   env SOLVE_SCALE_NO10=1 skips the 250,000-entry rows (they take minutes).
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
W=$B/bench-solve
ALU=$B/alupdate
mkdir -p "$W" "$W/home"
echo '%_dbpath /var/lib/rpm' >"$W/home/.rpmmacros"
echo "filesystem of $W: $(stat -f -c %T "$W"), load average: $(cut -d' ' -f1-3 /proc/loadavg)"

names=$(/usr/bin/python3 "$here/gen-solve-root.py" names)
if [ ! -f "$W/repo0/repodata/repomd.xml" ]; then
	# shellcheck disable=SC2086
	/usr/bin/python3 "$here/gen-repo.py" "$W/repo0" --names $names >/dev/null
fi

# root with repository sections 0..$1-1
mkroot() {
	local root=$1 nrepo=$2
	rm -rf "$root" "$W/rb"
	/usr/bin/python3 "$here/gen-solve-root.py" root "$root" "$W/rb"
	printf '[main]\ncachedir=/var/cache/alupdate\nkeepcache=0\ngpgcheck=0\n' >"$root/etc/yum.conf"
	for i in $(seq 0 $((nrepo - 1))); do
		printf '[r%d]\nname=r%d\nbaseurl=file://%s/repo%d\ngpgcheck=0\nmetadata_expire=never\n\n' \
			"$i" "$i" "$W" "$i" >>"$root/etc/yum.repos.d/bench.repo"
	done
}

# median of N runs of "seconds maxrss_kb"; --assumeno exits 1 in both tools
measure() {
	for _ in $(seq "$N"); do
		rc=0
		/usr/bin/time -f '%e %M' -o "$W/t" "$@" >/dev/null 2>"$W/err" || rc=$?
		if [ "$rc" != 0 ] && [ "$rc" != 1 ] && [ "$rc" != 100 ]; then
			echo "bench: '$*' failed (exit $rc):" >&2
			cat "$W/err" >&2
			exit 1
		fi
		tail -n1 "$W/t"
	done | sort -n | awk -v n="$N" 'NR == int((n + 1) / 2)'
}

row() { # name alu-args dnf-args
	local a d
	# shellcheck disable=SC2086
	a=$(measure "${alu[@]}" $2)
	# shellcheck disable=SC2086
	d=$(measure "${dnf[@]}" $3)
	awk -v name="$1" -v a="$a" -v d="$d" 'BEGIN {
		split(a, x, " "); split(d, y, " ");
		t = x[1] > 0 ? sprintf("%8.3f s", x[1]) : " <0.01 s";
		f = x[1] > 0 ? sprintf("%6.1fx", y[1] / x[1]) : sprintf(">%5.0fx", y[1] / 0.01);
		printf "%-36s %s %7.1f MB | %8.3f s %7.1f MB | %s faster %6.1fx less memory\n",
			name, t, x[2] / 1024, y[1], y[2] / 1024, f, y[2] / x[2] }'
}

# one alupdate row of many runs: CPU (task-clock) and wall time per run, the
# mean, from perf stat when there is perf (/usr/bin/time counts in 10 ms)
fast_row() { # name runs alu-args
	local t0 t1
	# shellcheck disable=SC2086
	"${alu[@]}" $3 >/dev/null 2>&1 || true
	if command -v perf >/dev/null; then
		# shellcheck disable=SC2086
		perf stat -r "$2" "${alu[@]}" $3 2>"$W/perf" >/dev/null || true
		awk -v name="$1" -v n="$2" '/task-clock/ { cpu = $1 } /seconds time elapsed/ { wall = $1 * 1000 }
			END { printf "%-36s %8.2f ms CPU, %8.2f ms wall per run (mean of %d)\n", name, cpu, wall, n }' "$W/perf"
		return
	fi
	t0=$(date +%s%N)
	for _ in $(seq "$2"); do
		# shellcheck disable=SC2086
		"${alu[@]}" $3 >/dev/null 2>&1 || true
	done
	t1=$(date +%s%N)
	awk -v name="$1" -v ns=$((t1 - t0)) -v n="$2" 'BEGIN {
		printf "%-36s %8.2f ms wall per run (mean of %d)\n", name, ns / n / 1e6, n }'
}

tools() { # root
	alu=("$ALU" -q -C --installroot "$1")
	dnf=(env HOME="$W/home" dnf -q -C -c "$1/etc/yum.conf" --installroot="$1" --releasever=2
		--setopt=reposdir="$1/etc/yum.repos.d" --setopt=cachedir="$W/dnf-cache-$(basename "$1")"
		--noplugins)
	"$ALU" -q --installroot "$1" makecache >/dev/null
	env HOME="$W/home" dnf -q -c "$1/etc/yum.conf" --installroot="$1" --releasever=2 \
		--setopt=reposdir="$1/etc/yum.repos.d" --setopt=cachedir="$W/dnf-cache-$(basename "$1")" \
		--noplugins makecache >/dev/null
}

# the plans must be what the rows say: 40 upgrades each, for both tools
check_plan() { # alu-args dnf-args
	local a d
	# shellcheck disable=SC2086
	a=$("${alu[@]}" --json $1 2>/dev/null | grep -o '"action":"upgrade"' | wc -l || true)
	# shellcheck disable=SC2086
	d=$("${dnf[@]/-q/--color=never}" $2 2>&1 | grep -c ' 9\.0-1\.amzn2 ' || true)
	if [ "$a" != 40 ] || [ "$d" != 40 ]; then
		echo "bench: '$1' plans $a upgrades in alupdate, $d in dnf (40 expected)" >&2
		exit 1
	fi
}

# the rows of a root with NREPO repositories (0..NREPO-1)
section() { # name nrepo title
	root=$W/$1
	rm -rf "$W/dnf-cache-$1"
	mkroot "$root" "$2"
	tools "$root"
	check_plan "update --security --assumeno" "--assumeno upgrade --security"
	check_plan "update --assumeno" "--assumeno upgrade"
	printf '%-36s %21s | %21s |\n' "$3" alupdate dnf
	row "update --security (40 packages)" "update --security --assumeno" "--assumeno upgrade --security"
	row "update (40 packages)" "update --assumeno" "--assumeno upgrade"
	row "warm check-update" "check-update" "check-update"
	export ALU_SOLVE_LOAD=all
	row "  update --security, whole repo" "update --security --assumeno" "--assumeno upgrade --security"
	unset ALU_SOLVE_LOAD
	fast_row "  warm check-update" 50 "check-update"
	fast_row "  update --security --assumeno" 20 "update --security --assumeno"
}

section root1 1 "workload (150 installed, 25,000 entries)"
[ -n "${SOLVE_SCALE_NO10:-}" ] && exit 0
for i in $(seq 1 9); do
	[ -f "$W/repo$i/repodata/repomd.xml" ] ||
		/usr/bin/python3 "$here/gen-repo.py" "$W/repo$i" --prefix "q$i-" >/dev/null
done
echo
section root10 10 "workload (150 installed, 10 x 25,000)"
