#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Downloads over a slow link: `update -y` of 40 packages of 1 MiB each
# (incompressible payload) from tests/e2e/slowhttp.py on 127.0.0.1 (50 ms
# before every answer, 5 MB/s per connection), alupdate against dnf with its
# default max_parallel_downloads=3, metadata warm for both, a fresh copy of
# the root for every run. Also alupdate with max_parallel_downloads=1 (the
# serial download it had before). Prints median wall time and peak RSS.
# usage: net-slow.sh BUILDDIR [REPEAT]   (BUILDDIR/mirror: repo-mirror/build-mirror.sh)
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ALU=$B/alupdate
W=$B/bench-net
NPKG=40 SIZE_KB=1024
export LC_ALL=C

spec() { # VERSION
	cat <<EOS
Name: nb
Version: $1
Release: 1
Summary: slow-link benchmark
License: MIT
BuildArch: noarch
%global debug_package %{nil}
%global _binary_payload w1.gzdio
%description
slow-link benchmark packages
EOS
	for i in $(seq -f %02g 1 "$NPKG"); do
		cat <<EOS
%package -n nb$i
Summary: package $i
%description -n nb$i
Benchmark package $i of the slow-link measurement.
%files -n nb$i
/usr/share/nb$i
EOS
	done
	cat <<EOS
%install
for i in \$(seq -f %02g 1 $NPKG); do
	mkdir -p %{buildroot}/usr/share/nb\$i
	head -c ${SIZE_KB}k /dev/urandom >%{buildroot}/usr/share/nb\$i/blob
done
%changelog
* Tue Dec 01 2026 bench <bench@alupdate.invalid> - $1-1
- benchmark build
EOS
}

build() { # VERSION
	local t=$W/rpmbuild-$1
	ls "$W/repo"/nb01-"$1"-1.noarch.rpm >/dev/null 2>&1 && return 0
	mkdir -p "$t/SPECS" "$W/repo"
	spec "$1" >"$t/SPECS/nb.spec"
	rpmbuild --quiet --define "_topdir $t" -bb "$t/SPECS/nb.spec" >/dev/null 2>&1
	mv "$t"/RPMS/noarch/*.rpm "$W/repo/"
}

mkdir -p "$W"
build 1.0
build 1.1
[ -f "$W/repo/repodata/repomd.xml" ] || createrepo_c --quiet "$W/repo" >/dev/null

rm -f "$W/port"
/usr/bin/python3 "$top/tests/e2e/slowhttp.py" "$W/repo" --latency-ms 50 --rate 5000000 \
	--ttl 1800 --port-file "$W/port" &
srv=$!
trap 'kill $srv 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$W/port")

base=$W/base
rm -rf "$base"
mkdir -p "$base/etc/yum.repos.d"
rpm --root "$base" --define "_dbpath /var/lib/rpm" --initdb
rpm --root "$base" --define "_dbpath /var/lib/rpm" -i --noscripts --nodeps "$W"/repo/nb*-1.0-1.noarch.rpm
cat >"$base/etc/yum.repos.d/nb.repo" <<EOR
[nb]
name=slow-link benchmark
baseurl=$url/
gpgcheck=0
metadata_expire=never
EOR
printf '[main]\n' >"$base/etc/yum.conf"
mkdir -p "$W/home"
echo '%_dbpath /var/lib/rpm' >"$W/home/.rpmmacros"
"$ALU" -q --installroot "$base" makecache >/dev/null
"$ALU" -q --installroot "$base" list installed >/dev/null   # adopts
dnfc=(env HOME="$W/home" dnf -q -c "$base/etc/yum.conf" --releasever=2 --noplugins
	--setopt=reposdir="$base/etc/yum.repos.d" --setopt=cachedir="$W/dnf-cache")
rm -rf "$W/dnf-cache"
"${dnfc[@]}" --installroot="$base" makecache >/dev/null 2>&1

measure() { # label cmd... (on a fresh copy $W/r)
	local label=$1; shift
	: >"$W/times"
	for _ in $(seq "$N"); do
		rm -rf "$W/r" "$W"/dnf-cache/*/packages
		cp -a "$base" "$W/r"
		/usr/bin/time -f '%e %M' -o "$W/t" "$@" >/dev/null 2>"$W/err" ||
			{ echo "bench: $label failed:" >&2; cat "$W/err" >&2; exit 1; }
		want=$NPKG
		case "$*" in *--downloadonly*) want=0 ;; esac
		got=$(rpm --root "$W/r" --define "_dbpath /var/lib/rpm" -qa | grep -c -- '-1.1-1.noarch' || true)
		[ "$got" = "$want" ] || { echo "bench: $label updated $got packages, not $want" >&2; exit 1; }
		tail -n1 "$W/t" >>"$W/times"
	done
	sort -n "$W/times" | awk -v l="$label" '{ t[NR] = $1; m[NR] = $2 }
		END { k = int((NR + 1) / 2); printf "%-44s %7.3f s %7.1f MB\n", l, t[k], m[k] / 1024 }'
}

echo "update -y of $NPKG x $SIZE_KB KiB over 127.0.0.1 at 50 ms/request, 5 MB/s per connection, median of $N"
measure "alupdate (max_parallel_downloads=3)" "$ALU" -q --installroot "$W/r" update -y
measure "dnf (max_parallel_downloads=3, default)" "${dnfc[@]}" --installroot="$W/r" -y upgrade
measure "alupdate --setopt=max_parallel_downloads=1" "$ALU" -q --installroot "$W/r" \
	--setopt=max_parallel_downloads=1 update -y
echo "the download alone (--downloadonly)"
measure "alupdate (max_parallel_downloads=3)" "$ALU" -q --installroot "$W/r" update -y --downloadonly
measure "dnf (max_parallel_downloads=3, default)" "${dnfc[@]}" --installroot="$W/r" -y upgrade --downloadonly
