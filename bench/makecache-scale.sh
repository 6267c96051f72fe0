#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cold makecache at Amazon Linux 2 size and beyond, alupdate against dnf in
# one run: one repository of 25,000 entries (bench/gen-repo.py) in the XML
# form dnf reads and in the primary_db form real AL2 mirrors publish (dnf
# cannot read it), then 1, 2, 5 and 10 such repositories (250,000 entries)
# at once: wall time, time per repository (linear growth keeps it flat) and
# peak RSS. file:// repositories: the ingest, not the network.
# usage: makecache-scale.sh BUILDDIR [REPEAT]
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
ALU=$B/alupdate
W=$B/bench-scale
export LC_ALL=C
mkdir -p "$W"
. "$here/lib.sh"

xml=$(gen_repo)
# the same repository with primary_db only (as bench/run.sh makes it)
sq=$W/repo-sqlite
if [ ! -f "$sq/repodata/repomd.xml" ]; then
	rm -rf "$sq" && cp -a "$xml" "$sq"
	/usr/bin/python3 -c 'import re,sys; p=sys.argv[1]; s=open(p).read(); open(p,"w").write(re.sub(r"<data type=\"primary\">.*?</data>\n", "", s, flags=re.S))' \
		"$sq/repodata/repomd.xml"
fi

root=$W/root
rm -rf "$root"
bash "$top/repo-mirror/make-root.sh" "$root" "$B/mirror" old >/dev/null
repos() { # COUNT DIR: COUNT repositories, all from DIR
	rm -f "$root"/etc/yum.repos.d/*.repo
	for i in $(seq "$1"); do
		printf '[r%02d]\nname=r%02d\nbaseurl=file://%s\ngpgcheck=0\nmetadata_expire=never\n\n' \
			"$i" "$i" "$2" >>"$root/etc/yum.repos.d/bench.repo"
	done
}
mkdir -p "$W/home"
echo '%_dbpath /var/lib/rpm' >"$W/home/.rpmmacros"
alu=("$ALU" -q --installroot "$root")
dnf=(env HOME="$W/home" dnf -q -c "$root/etc/yum.conf" --installroot="$root" --releasever=2
	--setopt=reposdir="$root/etc/yum.repos.d" --setopt=cachedir="$W/dnf-cache" --noplugins)

coldalu="rm -rf $root/var/cache/alupdate"
colddnf="rm -rf $W/dnf-cache"

printf '%-36s %21s | %21s |\n' "cold makecache, 25,000 entries" alupdate dnf
repos 1 "$xml"
a=$(measure "$coldalu" "${alu[@]}" makecache)
d=$(measure "$colddnf" "${dnf[@]}" makecache)
awk -v a="$a" -v d="$d" 'BEGIN { split(a, x, " "); split(d, y, " ");
	printf "%-36s %8.3f s %7.1f MB | %8.3f s %7.1f MB | %6.1fx faster %6.1fx less memory\n",
		"XML (primary.xml.gz)", x[1], x[2] / 1024, y[1], y[2] / 1024, y[1] / x[1], y[2] / x[2] }'
repos 1 "$sq"
s=$(measure "$coldalu" "${alu[@]}" makecache)
awk -v a="$a" -v s="$s" 'BEGIN { split(a, x, " "); split(s, y, " ");
	printf "%-36s %8.3f s %7.1f MB | %21s | %.2fx the XML form\n",
		"primary_db (primary.sqlite.bz2)", y[1], y[2] / 1024, "(dnf cannot read it)", y[1] / x[1] }'

echo
printf '%-36s %21s | %21s |\n' "cold makecache, K x 25,000 entries" "alupdate (s per repo)" dnf
one=
for k in 1 2 5 10; do
	repos "$k" "$xml"
	a=$(measure "$coldalu" "${alu[@]}" makecache)
	[ -n "$one" ] || one=${a%% *}
	if [ "$k" = 10 ]; then d=$(measure "$colddnf" "${dnf[@]}" makecache); else d=""; fi
	awk -v k="$k" -v a="$a" -v d="$d" -v one="$one" 'BEGIN { split(a, x, " ");
		dn = d == "" ? sprintf("%21s |", "") : "";
		if (d != "") { split(d, y, " "); dn = sprintf("%8.3f s %7.1f MB | %6.1fx faster", y[1], y[2] / 1024, y[1] / x[1]) }
		printf "%-36s %8.3f s %7.1f MB %6.3f (%4.2fx K=1) | %s\n", k " repositories (" k * 25 ",000 entries)",
			x[1], x[2] / 1024, x[1] / k, x[1] / k / one, dn }'
done
