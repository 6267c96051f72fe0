#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side by side with dnf, in one run: the same root, the same repository of
# Amazon Linux 2 size (bench/gen-repo.py), wall time and peak RSS as ratios.
# usage: run.sh BUILDDIR [REPEAT]
set -euo pipefail
B=$(cd "$1" && pwd) N=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
W=$B/bench
ALU=$B/alupdate
mkdir -p "$W"

if [ ! -f "$W/repo/repodata/repomd.xml" ]; then
	/usr/bin/python3 "$here/gen-repo.py" "$W/repo" --names hello=2.11-1.amzn2 greet=1.2-1.amzn2 \
		libgreet=1.1-1.amzn2 alu-data=1.1-1.amzn2 kernel=5.10.110-1.amzn2
fi
root=$W/root
rm -rf "$root"
bash "$top/repo-mirror/make-root.sh" "$root" "$B/mirror" old >/dev/null
rm -f "$root"/etc/yum.repos.d/*.repo
cat >"$root/etc/yum.repos.d/bench.repo" <<EOR
[bench]
name=AL2-size benchmark repository
baseurl=file://$W/repo
gpgcheck=0
metadata_expire=never
EOR
mkdir -p "$W/home"
echo '%_dbpath /var/lib/rpm' >"$W/home/.rpmmacros"
dnf=(env HOME="$W/home" dnf -q -c "$root/etc/yum.conf" --installroot="$root" --releasever=2
	--setopt=reposdir="$root/etc/yum.repos.d" --setopt=cachedir="$W/dnf-cache")
alu=("$ALU" -q --installroot "$root")

# median of N runs of "seconds maxrss_kb"
measure() {
	local prep=$1; shift
	for _ in $(seq "$N"); do
		eval "$prep"
		# 100 is check-update's "updates available"; anything else but 0 is a
		# failed run, and timing a failure would be meaningless
		rc=0
		/usr/bin/time -f '%e %M' -o "$W/t" "$@" >/dev/null 2>"$W/err" || rc=$?
		if [ "$rc" != 0 ] && [ "$rc" != 100 ]; then
			echo "bench: '$*' failed (exit $rc):" >&2
			cat "$W/err" >&2
			exit 1
		fi
		tail -n1 "$W/t"
	done | sort -n | awk -v n="$N" 'NR == int((n + 1) / 2)'
}

row() { # name prep-alu prep-dnf alu-args dnf-args
	local a d
	a=$(measure "$2" "${alu[@]}" $4)
	d=$(measure "$3" "${dnf[@]}" $5)
	awk -v name="$1" -v a="$a" -v d="$d" 'BEGIN {
		split(a, x, " "); split(d, y, " ");
		# /usr/bin/time counts in 10 ms: below that, say so instead of dividing by 0
		t = x[1] > 0 ? sprintf("%8.3f s", x[1]) : " <0.01 s";
		f = x[1] > 0 ? sprintf("%6.1fx", y[1] / x[1]) : sprintf(">%5.0fx", y[1] / 0.01);
		printf "%-32s %s %7.1f MB | %8.3f s %7.1f MB | %s faster %6.1fx less memory\n",
			name, t, x[2] / 1024, y[1], y[2] / 1024, f, y[2] / x[2] }'
}

printf '%-32s %21s | %21s |\n' "workload ($(grep -c '<package ' <(zcat "$W/repo/repodata/primary.xml.gz")) packages)" alupdate dnf
row "cold makecache" "rm -rf $root/var/cache/alupdate" "rm -rf $W/dnf-cache" "makecache" "makecache"
row "warm check-update" ":" ":" "check-update" "check-update"
# The form real AL2 mirrors publish: primary_db only (dnf cannot read it).
sq=$W/repo-sqlite
if [ ! -f "$sq/repodata/repomd.xml" ]; then
	rm -rf "$sq" && cp -a "$W/repo" "$sq"
	/usr/bin/python3 -c 'import re,sys; p=sys.argv[1]; s=open(p).read(); open(p,"w").write(re.sub(r"<data type=\"primary\">.*?</data>\n", "", s, flags=re.S))' \
		"$sq/repodata/repomd.xml"
fi
sed -i "s|^baseurl=.*|baseurl=file://$sq|" "$root/etc/yum.repos.d/bench.repo"
a=$(measure "rm -rf $root/var/cache/alupdate" "${alu[@]}" makecache)
printf '%-32s %8.3f s %7.1f MB | %21s |\n' "cold makecache (primary_db only)" ${a%% *} \
	"$(awk -v k="${a##* }" 'BEGIN { printf "%.1f", k / 1024 }')" "(dnf cannot read it)"
sed -i "s|^baseurl=.*|baseurl=file://$W/repo|" "$root/etc/yum.repos.d/bench.repo"
"${alu[@]}" makecache >/dev/null
row "warm updateinfo list --security" ":" ":" "updateinfo list --security" "updateinfo list --security"

# Patching: the sample root's old set updated from the sample mirror's XML
# region (real signed packages), metadata warm for both, a fresh copy of the
# root for every run. Wall time includes download (file://), signature
# checks and applying the packages.
ubase=$W/ubase
rm -rf "$ubase"
bash "$top/repo-mirror/make-root.sh" "$ubase" "$B/mirror" old >/dev/null
repo=$(ls -d "$B"/mirror/www/us-east-1/2/core/2.*/x86_64 | head -n1)
rm -f "$ubase"/etc/yum.repos.d/*.repo
cat >"$ubase/etc/yum.repos.d/amzn2-core.repo" <<EOR
[amzn2-core]
name=Amazon Linux 2 core repository (sample mirror)
baseurl=file://$repo/
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2
metadata_expire=never
EOR
# the key dnf reads: a path on the host, as dnf does not look inside the root
sed -i "s|^gpgkey=.*|gpgkey=file://$ubase/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2|" \
	"$ubase/etc/yum.repos.d/amzn2-core.repo"
"$ALU" -q --installroot "$ubase" makecache >/dev/null
ua=$W/ua ud=$W/ud
alu=("$ALU" -q --installroot "$ua")
dnf=(env HOME="$W/home" dnf -q -c "$ud/etc/yum.conf" --installroot="$ud" --releasever=2
	--setopt=reposdir="$ud/etc/yum.repos.d" --setopt=cachedir="$W/dnf-ucache" --noplugins)
rm -rf "$ud" && cp -a "$ubase" "$ud" && "${dnf[@]}" makecache >/dev/null 2>&1
echo
printf '%-32s %21s | %21s |\n' "workload (sample root, 7 packages)" alupdate dnf
row "update -y" "rm -rf $ua && cp -a $ubase $ua" "rm -rf $ud && cp -a $ubase $ud" "update -y" "-y upgrade"
row "update --security -y" "rm -rf $ua && cp -a $ubase $ua" "rm -rf $ud && cp -a $ubase $ud" \
	"update --security -y" "-y upgrade --security"
