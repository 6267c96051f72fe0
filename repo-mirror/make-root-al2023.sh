#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sample Amazon Linux 2023 install root from the sample mirror's al2023/
# releases (build-mirror.sh, al2023/build.sh).
# usage: make-root-al2023.sh ROOT MIRROR_OUTDIR [LOCK]
#   Installs the packages al2023/manifest.txt marks for the root (release
#   2023.6.20241010) with Debian's rpm into ROOT/var/lib/rpm (rpmdb.sqlite),
#   imports the test key as RPM-GPG-KEY-amazon-linux-2023, and writes AL2023's
#   /etc/dnf/dnf.conf (no yum.conf), /etc/dnf/vars/{awsregion,awsdomain} and
#   /etc/yum.repos.d/amazonlinux.repo (amazonlinux, -source, -debuginfo) with
#   AL2023's mirrorlist layout .../core/mirrors/$releasever/$basearch/mirror.list.
#   LOCK, when given, is written to /etc/dnf/vars/releasever (the release lock).
# env: ALU_MIRROR_BASE  base of the mirrorlist URLs (default file://MIRROR_OUTDIR/www)
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH LC_ALL=C
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 ROOT MIRROR_OUTDIR [LOCK]" >&2; exit 2; }
ROOT=$(realpath -m "$1")
M=$(realpath -m "$2")
LOCK=${3:-}
BASE=${ALU_MIRROR_BASE:-file://$M/www}
MF=$M/al2023/manifest.txt
[ -s "$MF" ] || { echo "make-root-al2023: no $MF (run build-mirror.sh)" >&2; exit 1; }
if [ -e "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
	echo "make-root-al2023: $ROOT exists and is not empty" >&2
	exit 1
fi
mkdir -p "$ROOT"

first=() rest=()
while read -r nevra release path root; do
	case $nevra in '#'*) continue ;; esac
	[ "$root" = 1 ] || continue
	case $nevra in *.src) continue ;; esac
	case $nevra in
	alu-sh-[0-9]* | system-release-[0-9]*) first+=("$M/www/$path") ;;
	*) rest+=("$M/www/$path") ;;
	esac
done < <(sort -u -k1,1 "$MF")

. "$(dirname "$0")/root-rpm.sh"
mkdir -p "$ROOT/etc/pki/rpm-gpg"
cp "$M/RPM-GPG-KEY-alupdate-test" "$ROOT/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2023"
rpm_ --import "$ROOT/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2023"
rpm_ -i "${first[@]}"
[ ${#rest[@]} -eq 0 ] || rpm_ -i "${rest[@]}"

mkdir -p "$ROOT/etc/dnf/vars" "$ROOT/etc/yum.repos.d" "$ROOT/var/cache/dnf" "$ROOT/var/log"
echo us-east-1 >"$ROOT/etc/dnf/vars/awsregion"
echo amazonaws.com >"$ROOT/etc/dnf/vars/awsdomain"
[ -z "$LOCK" ] || echo "$LOCK" >"$ROOT/etc/dnf/vars/releasever"

# AL2023's dnf.conf
cat >"$ROOT/etc/dnf/dnf.conf" <<'CONF'
[main]
gpgcheck=True
installonly_limit=3
clean_requirements_on_remove=True
best=False
skip_if_unavailable=True
CONF

section() { # ID NAME PATH ENABLED
	cat <<SECTION
[$1]
name=$2
mirrorlist=$BASE/al2023/\$awsregion/core/mirrors/\$releasever/$3/mirror.list
priority=10
enabled=$4
repo_gpgcheck=0
type=rpm
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2023
metadata_expire=48h
skip_if_unavailable=False

SECTION
}
{
	section amazonlinux "Amazon Linux 2023 repository" '$basearch' 1
	section amazonlinux-debuginfo "Amazon Linux 2023 repository - Debug" 'debuginfo/$basearch' 0
	section amazonlinux-source "Amazon Linux 2023 repository - Source packages" SRPMS 0
} >"$ROOT/etc/yum.repos.d/amazonlinux.repo"
