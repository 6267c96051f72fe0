#!/bin/bash
# SPDX-License-Identifier: MIT
# reposync of the Amazon-Linux-2-size generated repository (bench/gen-repo.py,
# 25000 packages), alupdate against dnf's reposync (dnf-plugins-core), side
# by side, both from file:// with --download-metadata and no signature check
# (the generated packages are placeholders: gen-repo.py writes entries only,
# so this script gives every entry a file of BENCH_PKG_BYTES bytes and puts
# its real sha256 and size into primary.xml). Reports wall time, peak RSS and
# bytes written (the kernel's count for the process tree: rusage
# "File system outputs" x 512), first run (cold) and second run (nothing to
# fetch). Not run by the tests.
# usage: reposync.sh BUILDDIR [WORKDIR]
set -euo pipefail
B=$(cd "$1" && pwd)
W=${2:-/tmp/alu-bench-reposync}
here=$(cd "$(dirname "$0")" && pwd)
size=${BENCH_PKG_BYTES:-2048}
mkdir -p "$W"
src=$W/repo
if [ ! -f "$src/.made" ]; then
	rm -rf "$src"
	/usr/bin/python3 "$here/gen-repo.py" "$src" >/dev/null
	/usr/bin/python3 - "$src" "$size" <<'PY'
import gzip, hashlib, os, re, sys, time
src, size = sys.argv[1], int(sys.argv[2])
rd = os.path.join(src, "repodata")
md = open(os.path.join(rd, "repomd.xml")).read()
prim = re.search(r'href="(repodata/[^"]*primary\.xml\.gz)"', md).group(1)
xml = gzip.decompress(open(os.path.join(src, prim), "rb").read()).decode()
os.makedirs(os.path.join(src, "Packages"), exist_ok=True)
def fix(m):
    block = m.group(0)
    href = re.search(r'<location href="([^"]+)"', block).group(1)
    body = (href.encode() * (size // len(href) + 1))[:size]
    with open(os.path.join(src, href), "wb") as f:
        f.write(body)
    sha = hashlib.sha256(body).hexdigest()
    block = re.sub(r'(<checksum type="sha256" pkgid="YES">)[0-9a-f]+', r'\g<1>' + sha, block)
    return re.sub(r'<size package="\d+"', '<size package="%d"' % size, block)
xml = re.sub(r"<package type=\"rpm\">.*?</package>", fix, xml, flags=re.S).encode()
gz = gzip.compress(xml, 6, mtime=0)
for f in os.listdir(rd):
    if "primary" in f or "filelists" in f or "other" in f:
        os.unlink(os.path.join(rd, f))
name = "repodata/%s-primary.xml.gz" % hashlib.sha256(gz).hexdigest()
open(os.path.join(src, name), "wb").write(gz)
# keep updateinfo as generated; primary (the package list) is the new one; the
# sqlite and file lists would no longer match the checksums and are dropped
datas = re.findall(r"<data type=\"(\w+)\">.*?</data>", md, flags=re.S)
keep = [d for d in re.findall(r"(<data type=\"\w+\">.*?</data>)", md, flags=re.S)
        if 'type="updateinfo"' in d]
entry = ('<data type="primary"><checksum type="sha256">%s</checksum>'
         '<open-checksum type="sha256">%s</open-checksum><location href="%s"/>'
         '<timestamp>%d</timestamp><size>%d</size><open-size>%d</open-size></data>' %
         (hashlib.sha256(gz).hexdigest(), hashlib.sha256(xml).hexdigest(), name, int(time.time()),
          len(gz), len(xml)))
open(os.path.join(rd, "repomd.xml"), "w").write(
    '<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">'
    "<revision>bench</revision>%s%s</repomd>\n" % (entry, "".join(keep)))
PY
	touch "$src/.made"
fi
npk=$(find "$src/Packages" -type f | wc -l)

root=$W/root
rm -rf "$root"
mkdir -p "$root/etc/yum.repos.d"
printf '[main]\ngpgcheck=0\n' >"$root/etc/yum.conf"
printf '[bench]\nname=bench\nbaseurl=file://%s/\ngpgcheck=0\nenabled=1\n' "$src" \
	>"$root/etc/yum.repos.d/bench.repo"

timed() { /usr/bin/time -f '%e %M %O' "$@"; }

echo "repository: $npk packages of $size bytes, file:// source; $(nproc) cores"
for tool in alupdate dnf; do
	d=$W/out-$tool
	rm -rf "$d" "$W/dnfcache"
	case $tool in
	alupdate) cmd=("$B/alupdate" --installroot "$root" reposync -p "$d" --download-metadata) ;;
	dnf) cmd=(dnf -q -c "$root/etc/yum.conf" --installroot "$root" --releasever 2
		--setopt=reposdir="$root/etc/yum.repos.d" --setopt=cachedir="$W/dnfcache"
		reposync --repoid bench -p "$d" --download-metadata) ;;
	esac
	for pass in cold warm; do
		if ! timed "${cmd[@]}" >/dev/null 2>"$W/err"; then
			echo "$tool $pass failed:"; tail -5 "$W/err"; continue
		fi
		set -- $(tail -1 "$W/err")
		printf '%-9s %-5s %8.2f s %6d MB peak RSS %7d MB written\n' "$tool" "$pass" "$1" \
			$(($2 / 1024)) $(($3 * 512 / 1048576))
	done
	echo "          copy: $(find "$d" -type f | wc -l) files, $(du -sm "$d" | cut -f1) MB"
done
