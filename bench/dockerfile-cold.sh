#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole Dockerfile step, cold: `update --security -y` on a fresh copy of
# the sample root (7 packages, nothing cached) from an https mirror of
# Amazon Linux 2 size: repomd, primary, updateinfo, solve, download, verify
# signatures, apply, against `dnf -y upgrade --security` on the same data.
# The mirror (bench/merge-repo.py): the 25,000 generated entries of
# bench/gen-repo.py plus the sample mirror's real signed packages and
# advisories, served by nginx over TLS (repo-mirror/serve.sh).
# usage: dockerfile-cold.sh BUILDDIR [REPEAT]   (BUILDDIR/mirror: repo-mirror/build-mirror.sh)
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ALU=$B/alupdate
W=$B/bench-cold
export LC_ALL=C
mkdir -p "$W"
. "$here/lib.sh"

gen=$(gen_repo)
sample=$(ls -d "$B"/mirror/www/us-east-1/2/core/2.*/x86_64 | head -n1)
/usr/bin/python3 "$here/merge-repo.py" "$W/repo" "$gen" "$sample"

ln -sfn "$W/repo" "$B/mirror/www/bench-cold"
cleanup() {
	bash "$top/repo-mirror/serve.sh" stop "$W/nginx" "$B/mirror" >/dev/null 2>&1 || true
	rm -f "$B/mirror/www/bench-cold"
}
trap cleanup EXIT
ALU_SERVE_TTL=1800 ALU_SERVE_PARENT=$$ bash "$top/repo-mirror/serve.sh" start "$W/nginx" "$B/mirror" >/dev/null
# shellcheck disable=SC1091
. "$W/nginx/ports"

base=$W/base
rm -rf "$base"
bash "$top/repo-mirror/make-root.sh" "$base" "$B/mirror" old >/dev/null
rm -f "$base"/etc/yum.repos.d/*.repo
# the key as a host path: dnf does not look inside the root, alupdate looks
# there first and then on the host
cat >"$base/etc/yum.repos.d/bench.repo" <<EOR
[bench]
name=AL2-size repository with real packages
baseurl=https://127.0.0.1:$HTTPS_PORT/bench-cold/
sslcacert=$CA
gpgcheck=1
gpgkey=file://$base/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2
metadata_expire=never
EOR
mkdir -p "$W/home"
echo '%_dbpath /var/lib/rpm' >"$W/home/.rpmmacros"
ua=$W/ua ud=$W/ud
alu=("$ALU" -q --installroot "$ua")
dnf=(env HOME="$W/home" dnf -q -c "$ud/etc/yum.conf" --installroot="$ud" --releasever=2
	--setopt=reposdir="$ud/etc/yum.repos.d" --setopt=cachedir="$W/dnf-cache" --noplugins)


a=$(measure "rm -rf $ua && cp -a $base $ua" "${alu[@]}" update --security -y)
qa=$(rpm --root "$ua" --define "_dbpath /var/lib/rpm" -qa | sort)
d=$(measure "rm -rf $ud $W/dnf-cache && cp -a $base $ud" "${dnf[@]}" -y upgrade --security)
qd=$(rpm --root "$ud" --define "_dbpath /var/lib/rpm" -qa | sort)
[ "$qa" = "$qd" ] || { echo "bench: alupdate and dnf left different package sets:" >&2;
	diff <(echo "$qa") <(echo "$qd") >&2; exit 1; }
changed=$(comm -13 <(rpm --root "$base" --define "_dbpath /var/lib/rpm" -qa | sort) <(echo "$qa") | wc -l)
printf '%-44s %21s | %21s |\n' "cold update --security -y ($(zcat "$W/repo/repodata/primary.xml.gz" | grep -c '<package ') pkgs, https)" alupdate dnf
awk -v a="$a" -v d="$d" -v c="$changed" 'BEGIN { split(a, x, " "); split(d, y, " ");
	printf "%-44s %8.3f s %7.1f MB | %8.3f s %7.1f MB | %6.1fx faster %6.1fx less memory\n",
		"fresh root, " c " packages updated", x[1], x[2] / 1024, y[1], y[2] / 1024,
		y[1] / x[1], y[2] / x[2] }'
