#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cost of writing the rpm database back (src/rpmdb): `update -y` of 40
# packages in a root of 500, with rpmdb_writeback=1 (the default) and =0,
# each on a fresh copy of the same root, metadata warm. Prints the median
# wall time of each and the write-back's share.
# usage: rpmdb-writeback.sh BUILDDIR [REPEAT]   (BUILDDIR/mirror: repo-mirror/build-mirror.sh)
# The packages: one spec with 500 noarch subpackages of 8 files each, built
# as 1.0 (all) and 1.1 (the first 40), so that the root's rpmdb.sqlite holds
# 500 real headers written by Debian's rpm.
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-5}
ALU=$B/alupdate
W=$B/bench-rpmdb
NPKG=500 NUP=40 NFILES=8
export LC_ALL=C

spec() { # VERSION COUNT
	cat <<EOS
Name: wb
Version: $1
Release: 1
Summary: write-back benchmark
License: MIT
BuildArch: noarch
%global debug_package %{nil}
%description
write-back benchmark packages
EOS
	for i in $(seq -f %03g 1 "$2"); do
		cat <<EOS
%package -n wb$i
Summary: package $i
Requires: /bin/sh
%description -n wb$i
Benchmark package $i of the write-back measurement.
%files -n wb$i
/usr/share/wb$i
EOS
	done
	cat <<EOS
%install
for i in \$(seq -f %03g 1 $2); do
	mkdir -p %{buildroot}/usr/share/wb\$i
	for f in \$(seq 1 $NFILES); do echo "$1 \$i \$f" >%{buildroot}/usr/share/wb\$i/f\$f; done
done
%changelog
* Mon Nov 23 2026 bench <bench@alupdate.invalid> - $1-1
- benchmark build
EOS
}

build() { # VERSION COUNT
	local top=$W/rpmbuild-$1
	[ -d "$W/repo" ] && ls "$W/repo"/wb001-"$1"-1.noarch.rpm >/dev/null 2>&1 && return 0
	mkdir -p "$top/SPECS" "$W/repo"
	spec "$1" "$2" >"$top/SPECS/wb.spec"
	rpmbuild --quiet --define "_topdir $top" -bb "$top/SPECS/wb.spec" >/dev/null 2>&1
	mv "$top"/RPMS/noarch/*.rpm "$W/repo/"
}

mkdir -p "$W"
build 1.0 "$NPKG"
build 1.1 "$NUP"
createrepo_c --quiet --no-database "$W/repo" >/dev/null

base=$W/base
if [ ! -f "$base/.done" ]; then
	rm -rf "$base"
	mkdir -p "$base/etc/yum.repos.d" "$base/bin"
	rpm --root "$base" --define "_dbpath /var/lib/rpm" --initdb
	# the sample mirror's alu-sh provides the /bin/sh they require
	rpm --root "$base" --define "_dbpath /var/lib/rpm" -i --noscripts "$B"/mirror/www/us-east-1/2/core/*/x86_64/Packages/alu-sh-1.0-1.amzn2.x86_64.rpm \
		"$W"/repo/wb*-1.0-1.noarch.rpm \
		2>&1 | grep -v -e 'use Alien' -e 'assuming you know' || true
	cat >"$base/etc/yum.repos.d/wb.repo" <<EOR
[wb]
name=write-back benchmark
baseurl=file://$W/repo
gpgcheck=0
metadata_expire=never
EOR
	printf '[main]\nkeepcache=1\n' >"$base/etc/yum.conf"
	"$ALU" -q --installroot "$base" makecache >/dev/null
	"$ALU" -q --installroot "$base" list installed >/dev/null   # adopts
	touch "$base/.done"
fi

one() { # WRITEBACK -> seconds of update -y on a fresh copy
	rm -rf "$W/r"
	cp -a "$base" "$W/r"
	/usr/bin/time -f '%e' -o "$W/t" "$ALU" -q --installroot "$W/r" \
		--setopt=rpmdb_writeback="$1" update -y >/dev/null 2>"$W/err" ||
		{ cat "$W/err" >&2; exit 1; }
	tail -n1 "$W/t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# on and off alternate, so that a change of the machine's load hits both;
# then the write-back alone: the next writing command after an update made
# with it off writes the database (and does nothing else)
: >"$W/on"; : >"$W/off"; : >"$W/alone"
for _ in $(seq "$N"); do
	one 1 >>"$W/on"
	got=$(rpm --root "$W/r" --define "_dbpath /var/lib/rpm" -qa | grep -c -- '-1.1-1.noarch' || true)
	[ "$got" = "$NUP" ] || { echo "bench: the rpm database shows $got updated packages, not $NUP" >&2; exit 1; }
	one 0 >>"$W/off"
	/usr/bin/time -f '%e' -o "$W/t" "$ALU" -q --installroot "$W/r" remove -y no-such-package \
		>/dev/null 2>&1 || true
	tail -n1 "$W/t" >>"$W/alone"
done
on=$(median <"$W/on") off=$(median <"$W/off") alone=$(median <"$W/alone")
awk -v on="$on" -v off="$off" -v alone="$alone" -v n="$NPKG" -v u="$NUP" -v r="$N" 'BEGIN {
	printf "update -y of %d of %d packages, median of %d: writeback on %.3f s, off %.3f s (%+.0f %%); " \
		"the write-back alone %.3f s (%.0f %% of the update)\n", u, n, r, on, off,
		(off > 0 ? 100 * (on - off) / off : 0), alone, (off > 0 ? 100 * alone / off : 0) }'
