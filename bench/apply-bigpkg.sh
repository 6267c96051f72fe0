#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Applying one big package on a real disk: `alupdate update -y` of a package
# of 3,000 small files (1.0 -> 1.1, every file changes) against
# `rpm -U` of the same package file, each on a fresh copy of the same root,
# side by side in one run (they alternate, so a change of the machine's load
# hits both). Prints the median wall and CPU (user + system) time of each
# and the ratios.
# usage: apply-bigpkg.sh BUILDDIR [REPEAT] [WORKDIR]
#   The packages are built once in BUILDDIR/bench-bigpkg; the roots live in
#   WORKDIR (default BUILDDIR/bench-bigpkg/roots), which must be on the
#   filesystem to measure: a disk, never a tmpfs.
#   ALU_BENCH_LOOP=1: WORKDIR is a fresh ext4 (mkfs.ext4 defaults: with its
#   journal) in a 2 GiB image file under BUILDDIR, loop-mounted for the run
#   (needs root); the root filesystem of a VM is sometimes ext4 without a
#   journal, where no tool's crash guarantee means much.
#   ALU_BENCH_PROFILE=1 adds `strace -c -f` of one run of each;
#   ALU_BENCH_OLD=/path/to/alupdate adds that binary as a third column
#   (the same run, before and after a change).
# Both start with no dirty data of ours on the filesystem (sync -f after the
# copy): otherwise the copy's writes would be paid by whichever tool syncs.
# rpm syncs nothing (%_flush_io 0): after a power loss its package can be
# half written; alupdate's each package is old or new entirely (txn.h).
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-5}
P=$B/bench-bigpkg
W=${3:-$P/roots}
ALU=$B/alupdate
NFILES=3000
export LC_ALL=C
mkdir -p "$P"
if [ "${ALU_BENCH_LOOP:-}" = 1 ]; then
	W=$P/mnt
	mkdir -p "$W"
	mountpoint -q "$W" && umount "$W"
	rm -f "$P/ext4.img"
	truncate -s 2G "$P/ext4.img"
	mkfs.ext4 -q -F "$P/ext4.img"
	mount -o loop "$P/ext4.img" "$W"
	trap 'umount "$W"; rm -f "$P/ext4.img"' EXIT
fi
mkdir -p "$W"
W=$(cd "$W" && pwd)
fstype=$(findmnt -n -o FSTYPE -T "$W")
case $fstype in
tmpfs|ramfs) echo "bench: $W is on a $fstype: measure on a disk" >&2; exit 1 ;;
esac
jt=/sys/fs/ext4/$(basename "$(findmnt -n -o SOURCE -T "$W")")/journal_task
journal="journal unknown"
[ -r "$jt" ] && { grep -qx '<none>' "$jt" && journal="no journal" || journal="with journal"; }
[ "$fstype" = ext4 ] && fstype="ext4 ($journal)"

spec() { # VERSION
	cat <<EOS
Name: big
Version: $1
Release: 1
Summary: one package of $NFILES small files
License: MIT
BuildArch: noarch
AutoReqProv: no
%global debug_package %{nil}
%global _build_id_links none
%description
Apply benchmark package with $NFILES files.
%install
for d in \$(seq 0 29); do mkdir -p %{buildroot}/usr/share/big/d\$d; done
i=0
while [ \$i -lt $NFILES ]; do
	echo "big $1 \$i" >%{buildroot}/usr/share/big/d\$((i % 30))/f\$i
	i=\$((i + 1))
done
%files
/usr/share/big
EOS
}

build() { # VERSION
	local top=$P/rpmbuild-$1
	[ -f "$P/repo/big-$1-1.noarch.rpm" ] || [ -f "$P/repo10/big-$1-1.noarch.rpm" ] && return 0
	mkdir -p "$top/SPECS" "$P/repo"
	spec "$1" >"$top/SPECS/big.spec"
	rpmbuild --quiet --define "_topdir $top" --define "__spec_install_post %{nil}" \
		-bb "$top/SPECS/big.spec" >/dev/null 2>&1
	mv "$top"/RPMS/noarch/big-"$1"-1.noarch.rpm "$P/repo/"
}

build 1.0
build 1.1
if [ ! -d "$P/repo/repodata" ]; then
	# the repository holds only 1.1: the update has exactly one package to do
	mkdir -p "$P/repo10"
	mv "$P/repo/big-1.0-1.noarch.rpm" "$P/repo10/"
	createrepo_c --quiet --no-database "$P/repo" >/dev/null
fi
base=$W/base
if [ ! -f "$base/.done" ]; then
	rm -rf "$base"
	mkdir -p "$base/etc/yum.repos.d"
	rpm --root "$base" --define "_dbpath /var/lib/rpm" --initdb
	rpm --root "$base" --define "_dbpath /var/lib/rpm" -i --noscripts "$P/repo10/big-1.0-1.noarch.rpm" \
		2>&1 | grep -v -e 'use Alien' -e 'assuming you know' || true
	cat >"$base/etc/yum.repos.d/big.repo" <<EOR
[big]
name=apply benchmark
baseurl=file://$P/repo
gpgcheck=0
metadata_expire=never
EOR
	printf '[main]\nkeepcache=1\n' >"$base/etc/yum.conf"
	"$ALU" -q --installroot "$base" makecache >/dev/null
	"$ALU" -q --installroot "$base" list installed >/dev/null   # adopts the rpm database
	# downloaded once into the base's cache: the copies time the apply, not a copy of file://
	"$ALU" -q --installroot "$base" update -y --downloadonly >/dev/null
	touch "$base/.done"
fi

fresh() { rm -rf "$W/r"; cp -a "$base" "$W/r"; sync -f "$W/r"; }
timed() { # OUT-FILE CMD...: appends "wall cpu"
	local out=$1; shift
	/usr/bin/time -f '%e %U %S' -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
	tail -n1 "$W/t" | awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' >>"$out"
}
alu_cmd=("$ALU" -q --installroot "$W/r" update -y)
old_cmd=("${ALU_BENCH_OLD:-}" -q --installroot "$W/r" update -y)
rpm_cmd=(rpm --root "$W/r" --define "_dbpath /var/lib/rpm" -U --noscripts "$P/repo/big-1.1-1.noarch.rpm")
check() { # TOOL: the root holds 1.1 with its files
	local got
	got=$(rpm --root "$W/r" --define "_dbpath /var/lib/rpm" -q big)
	[ "$got" = big-1.1-1.noarch ] && grep -qx "big 1.1 2999" "$W/r/usr/share/big/d29/f2999" ||
		{ echo "bench: after $1 the root holds $got" >&2; exit 1; }
}

tools="alu rpm"
[ -n "${ALU_BENCH_OLD:-}" ] && tools="alu old rpm"
for t in $tools; do : >"$W/$t"; done
for _ in $(seq "$N"); do
	for t in $tools; do
		fresh
		eval "cmd=(\"\${${t}_cmd[@]}\")"
		timed "$W/$t" "${cmd[@]}"
		check "$t"
	done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
declare -A wall cpu
for t in $tools; do
	echo "$t (wall cpu): $(tr '\n' ',' <"$W/$t")"
	wall[$t]=$(cut -d' ' -f1 "$W/$t" | median)
	cpu[$t]=$(cut -d' ' -f2 "$W/$t" | median)
done
line="upgrade of one $NFILES-file package on $fstype, median of $N:"
for t in $tools; do line="$line $t ${wall[$t]} s (cpu ${cpu[$t]} s);"; done
line="$line alupdate/rpm wall $(awk -v a="${wall[alu]}" -v r="${wall[rpm]}" 'BEGIN { printf "%.2f", (r > 0 ? a / r : 0) }')"
line="$line cpu $(awk -v a="${cpu[alu]}" -v r="${cpu[rpm]}" 'BEGIN { printf "%.2f", (r > 0 ? a / r : 0) }')"
echo "$line (load average $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "${ALU_BENCH_PROFILE:-}" = 1 ]; then
	for t in $tools; do
		fresh
		eval "cmd=(\"\${${t}_cmd[@]}\")"
		strace -c -f -o "$W/strace-$t" "${cmd[@]}" >/dev/null 2>&1
		echo "== strace -c -f, $t (top 12 by time)"
		sed -n '3,$p' "$W/strace-$t" | grep -v -e '^-' -e 'total' | sort -k2 -n -r | head -12
		grep total "$W/strace-$t"
	done
fi
