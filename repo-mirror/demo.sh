#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The demo: the sample mirror served by nginx on 127.0.0.1 over https, a
# sample Amazon Linux 2 root with the older packages, and alupdate patching it.
# usage: demo.sh BUILDDIR
set -euo pipefail
B=$1
here=$(cd "$(dirname "$0")" && pwd)
ALU=$B/alupdate
M=$B/mirror
state=$B/demo-nginx
root=$B/demo-root

show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || echo "(exit $?)"; }

bash "$here/serve.sh" start "$state" "$M" >/dev/null
trap 'bash "$here/serve.sh" stop "$state" "$M" >/dev/null 2>&1 || true' EXIT
. "$state/ports"

rm -rf "$root"
ALU_MIRROR_BASE="https://127.0.0.1:$HTTPS_PORT" bash "$here/make-root.sh" "$root" "$M" old >/dev/null
# the root trusts the throwaway CA the mirror's certificate comes from
sed -i "/^\[amzn2-core\]/a sslcacert=$CA" "$root/etc/yum.repos.d/amzn2-core.repo"
# ... and so do the extras topics' repositories (amzn2-extras.repo), through [main]
sed -i "/^\[main\]/a sslcacert=$CA" "$root/etc/yum.conf"

show "$ALU" --version
show file "$ALU"
echo "mirror: https://127.0.0.1:$HTTPS_PORT/ (us-east-1: XML primary; eu-west-1: SQLite primary_db only)"
show cat "$root/etc/yum.repos.d/amzn2-core.repo"
# what rpm itself (and every image scanner) reads: before and after the update
show rpm --root "$root" --define "_dbpath /var/lib/rpm" -qa
for cmd in "repolist" "list installed" "makecache" "list --showduplicates greet" "check-update" \
	"updateinfo list --security" "updateinfo summary" "update --security -y" \
	"updateinfo list --security" "check-update" "history list" "history info" "keys" \
	"download --source --resolve --urls greet" "boot-update --set-policy security --severity critical,important"; do
	# shellcheck disable=SC2086
	if "$ALU" --help 2>/dev/null | grep -q "^  ${cmd%% *} "; then
		show "$ALU" --installroot "$root" $cmd
	fi
done
# extras topics (amazon-linux-extras) and kernel live patches, from the same mirror
for cmd in "extras list" "extras enable nginx1" "extras install -y redis6=6.2" "extras list" \
	"kernel-livepatch supported --setopt=kernel_version=5.10.100-1.amzn2.x86_64" \
	"kernel-livepatch enable -y --setopt=kernel_version=5.10.100-1.amzn2.x86_64" \
	"updateinfo list --security"; do
	# shellcheck disable=SC2086
	show "$ALU" --installroot "$root" $cmd
done
show cat "$root/etc/yum.repos.d/amzn2-extras.repo"
# a topic's details as amazon-linux-extras prints them; source and binary
# packages downloaded into a directory (yumdownloader), signatures checked
dl=$B/demo-downloads
rm -rf "$dl"
for cmd in "extras info nginx1 redis6" "download --destdir $dl hello" "download --source --destdir $dl greet"; do
	# shellcheck disable=SC2086
	show "$ALU" --installroot "$root" $cmd
done
show ls "$dl"

# An air-gapped site: amzn2-core copied with its metadata as published (the
# copy's repomd.xml and packages still verify with the same key), then a
# fresh old root patched from the copy alone
cp=$B/demo-airgap
rm -rf "$cp" "$B/demo-root-airgap"
show "$ALU" --installroot "$root" -q reposync --repoid amzn2-core --download-metadata --download-path "$cp"
show ls "$cp/amzn2-core" "$cp/amzn2-core/repodata"
bash "$here/make-root.sh" "$B/demo-root-airgap" "$M" old >/dev/null
show "$ALU" --installroot "$B/demo-root-airgap" --disablerepo='*' \
	--repofrompath="airgap,file://$cp/amzn2-core" --setopt=airgap.gpgcheck=1 \
	--setopt=airgap.gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2 update --security -y

# Amazon Linux 2023: a root locked to release 2023.6.20241010 (/etc/dnf/dnf.conf,
# /etc/dnf/vars/releasever, AL2023's versioned mirror lists), updated within
# its release, told of the newer one, then moved to it with --releasever=latest
r23=$B/demo-root-al2023
rm -rf "$r23"
ALU_MIRROR_BASE="https://127.0.0.1:$HTTPS_PORT" bash "$here/make-root-al2023.sh" "$r23" "$M" 2023.6.20241010 >/dev/null
sed -i "/^\[main\]/a sslcacert=$CA" "$r23/etc/dnf/dnf.conf"
show cat "$r23/etc/dnf/dnf.conf" "$r23/etc/dnf/vars/releasever"
for cmd in "check-update" "update -y" "check-release-update" "--releasever=latest updateinfo list" \
	"--releasever=latest update -y" "check-release-update"; do
	# shellcheck disable=SC2086
	show "$ALU" --installroot "$r23" $cmd
done
show cat "$r23/etc/dnf/vars/releasever"
show rpm --root "$r23" --define "_dbpath /var/lib/rpm" -qa
show rpm --root "$root" --define "_dbpath /var/lib/rpm" -qa
show rpm --root "$root" --define "_dbpath /var/lib/rpm" -V hello
show "$ALU" --installroot "$root" verify --rpmdb

# Metadata at Amazon Linux 2 size: a generated repository of 25,000 packages and
# 2,000 advisories (bench/gen-repo.py), a cold makecache and a warm query.
# bench/run.sh measures the same against dnf.
big=$B/demo-big
[ -f "$big/repo/repodata/repomd.xml" ] || /usr/bin/python3 "$here/../bench/gen-repo.py" "$big/repo" >/dev/null
rm -rf "$big/root"
mkdir -p "$big/root/etc/yum.repos.d"
printf '[main]\ncachedir=/var/cache/alupdate\n' >"$big/root/etc/yum.conf"
printf '[big]\nname=AL2-size generated repository\nbaseurl=file://%s/repo\ngpgcheck=0\n' "$big" \
	>"$big/root/etc/yum.repos.d/big.repo"
show /usr/bin/time -f '%e s, %M KB peak' "$ALU" --installroot "$big/root" makecache
show /usr/bin/time -f '%e s, %M KB peak' "$ALU" --installroot "$big/root" -C list available 'pkg0100*'
show /usr/bin/time -f '%e s, %M KB peak' "$ALU" --installroot "$big/root" -C provides 'libpkg00000-libs.so.1()(64bit)'
# The form real AL2 mirrors publish: the package list only as primary.sqlite.bz2
# (its bzip2 blocks decoded on two threads), the same answers.
sq=$big/repo-sqlite
if [ ! -f "$sq/repodata/repomd.xml" ]; then
	rm -rf "$sq" && cp -a "$big/repo" "$sq"
	/usr/bin/python3 -c 'import re,sys; p=sys.argv[1]; s=open(p).read(); open(p,"w").write(re.sub(r"<data type=\"primary\">.*?</data>\n", "", s, flags=re.S))' \
		"$sq/repodata/repomd.xml"
fi
sed -i "s|^baseurl=.*|baseurl=file://$sq|" "$big/root/etc/yum.repos.d/big.repo"
rm -rf "$big/root/var/cache/alupdate"
show /usr/bin/time -f '%e s, %M KB peak' "$ALU" --installroot "$big/root" makecache
show /usr/bin/time -f '%e s, %M KB peak' "$ALU" --installroot "$big/root" -C provides 'libpkg00000-libs.so.1()(64bit)'
