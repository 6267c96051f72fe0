#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A sample Amazon Linux 2 install root from the sample mirror.
# usage: make-root.sh ROOT MIRROR_OUTDIR [old|new]
#   old (default): the lowest version of every package (manifest.txt "old"),
#   new: the newest. Installed with Debian's rpm into ROOT/var/lib/rpm
#   (rpmdb.sqlite), the test key imported (gpg-pubkey-*) as on AL2, and AL2's
#   yum.conf, amzn2-core.repo (three sections), /etc/yum/vars and GPG key file.
# env: ALU_MIRROR_BASE  base of the mirrorlist URLs (default file://MIRROR_OUTDIR/www)
#      ALU_AWSREGION    the $awsregion variable (default us-east-1)
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH LC_ALL=C
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 ROOT MIRROR_OUTDIR [old|new]" >&2; exit 2; }
ROOT=$(realpath -m "$1")
M=$(realpath -m "$2")
SET=${3:-old}
case $SET in old | new) ;; *) echo "make-root: set must be old or new" >&2; exit 2 ;; esac
BASE=${ALU_MIRROR_BASE:-file://$M/www}
REGION=${ALU_AWSREGION:-us-east-1}
[ -s "$M/manifest.txt" ] || { echo "make-root: no $M/manifest.txt (run build-mirror.sh)" >&2; exit 1; }
CORE=$(sed -n 's/^# core=\([^ ]*\).*/\1/p' "$M/manifest.txt")
REPO=$M/www/us-east-1/2/core/$CORE

if [ -e "$ROOT" ] && [ -n "$(ls -A "$ROOT")" ]; then
	echo "make-root: $ROOT exists and is not empty" >&2
	exit 1
fi
mkdir -p "$ROOT"

# alu-sh (/bin/sh) and system-release first, so the others' scriptlets run
first=() rest=()
while read -r nevra path sets; do
	case $nevra in '#'*) continue ;; esac
	case ",$sets," in *",$SET,"*) ;; *) continue ;; esac
	case $nevra in
	alu-sh-[0-9]* | system-release-[0-9]*) first+=("$REPO/$path") ;;
	*) rest+=("$REPO/$path") ;;
	esac
done <"$M/manifest.txt"

. "$(dirname "$0")/root-rpm.sh"
# a mirror of another architecture (build-mirror.sh with ALU_MIRROR_ARCH):
# Debian's rpm installs its packages only when told to
MARCH=$(sed -n 's/^# core=.* arch=\([^ ]*\).*/\1/p' "$M/manifest.txt")
IGN=()
[ -z "$MARCH" ] || [ "$MARCH" = "$(uname -m)" ] || IGN=(--ignorearch)
mkdir -p "$ROOT/etc/pki/rpm-gpg"
cp "$M/RPM-GPG-KEY-alupdate-test" "$ROOT/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2"
rpm_ --import "$ROOT/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2"
rpm_ -i "${IGN[@]}" "${first[@]}"
rpm_ -i "${IGN[@]}" "${rest[@]}"

mkdir -p "$ROOT/etc/yum/vars" "$ROOT/etc/yum.repos.d" "$ROOT/var/cache/yum" "$ROOT/var/log"
echo "$REGION" >"$ROOT/etc/yum/vars/awsregion"
echo "amazonaws.com" >"$ROOT/etc/yum/vars/awsdomain"

cat >"$ROOT/etc/yum.conf" <<'CONF'
[main]
cachedir=/var/cache/yum/$basearch/$releasever
keepcache=0
debuglevel=2
logfile=/var/log/yum.log
exactarch=1
obsoletes=1
gpgcheck=0
plugins=1
installonly_limit=3
distroverpkg=system-release
timeout=5
retries=7


#  This is the default, if you make this bigger yum won't see if the metadata
# is newer on the remote and so you'll "gain" the bandwidth of not having to
# download the new metadata and "pay" for it by yum not having correct
# information.
#  It is esp. important, to have correct metadata, for distributions like
# Fedora which don't keep old packages around. If you don't like this checking
# interupting your command line usage, it's much better to have something
# manually check the metadata once an hour (yum-updatesd will do this).
# metadata_expire=90m

# PUT YOUR REPOS HERE OR IN separate files named file.repo
# in /etc/yum.repos.d
CONF

section() { # ID NAME PATH ENABLED
	cat <<SECTION
[$1]
name=$2
mirrorlist=$BASE/\$awsregion/\$releasever/core/latest/$3/mirror.list
priority=10
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2
enabled=$4
metadata_expire=300
mirrorlist_expire=300
report_instanceid=yes

SECTION
}
{
	section amzn2-core "Amazon Linux 2 core repository" '$basearch' 1
	section amzn2-core-source "Amazon Linux 2 core repository - source packages" SRPMS 0
	section amzn2-core-debuginfo "Amazon Linux 2 core repository - debuginfo packages" 'debuginfo/$basearch' 0
} >"$ROOT/etc/yum.repos.d/amzn2-core.repo"
