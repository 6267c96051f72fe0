#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Containers at real size, in one run (issue 16):
#  1. peak RSS of `alupdate image patch` on the sample image with and without
#     a 200 MB layer of one incompressible file, beside umoci unpack and
#     skopeo copy of the same image (tools nobody here wrote; they stream too);
#  2. the build cache mount: the second build of container/Dockerfile.al2 and
#     of Dockerfile.al2-cached (buildah, chroot isolation, vfs), the base
#     image's repositories being the sample mirror (nginx) and a repository of
#     Amazon Linux 2 size (bench/gen-repo.py, 25000 packages, metadata only:
#     nothing in it is installed, its metadata is what the mount saves).
# usage: container.sh BUILDDIR [FILLER_MB]
set -euo pipefail
B=$(cd "$1" && pwd) MB=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
W=$B/bench-container
rm -rf "$W"
mkdir -p "$W"
trap 'bash "$top/repo-mirror/serve.sh" stop "$W/nginx" "$B/mirror" >/dev/null 2>&1 || true;
      [ -n "${BH:-}" ] && { $BH rm --all >/dev/null 2>&1; $BH rmi --all --force >/dev/null 2>&1; } ; rm -rf "$W"' EXIT
bash "$top/repo-mirror/build-mirror.sh" "$B/mirror" >/dev/null
ALU_SERVE_TTL=1800 bash "$top/repo-mirror/serve.sh" start "$W/nginx" "$B/mirror" >/dev/null
. "$W/nginx/ports"
root=$W/root
bash "$top/repo-mirror/make-root.sh" "$root" "$B/mirror" old >/dev/null
sed -i "s|^mirrorlist=.*\(/\$awsregion/\)|mirrorlist=http://127.0.0.1:$HTTP_PORT\1|" "$root/etc/yum.repos.d/amzn2-core.repo"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. peak RSS ----
rss() { /usr/bin/time -f '%M' -o "$W/t" "$@" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }; echo $(( $(tail -n1 "$W/t") / 1024 )); }
layout() { # DIR [FILLER]: the root as one layer, plus one of FILLER when given (umoci writes them)
	umoci init --layout "$1" && umoci new --image "$1:x"
	umoci unpack --image "$1:x" "$W/bundle" >/dev/null
	cp -a "$root/." "$W/bundle/rootfs"
	umoci repack --image "$1:x" "$W/bundle"
	if [ -n "${2:-}" ]; then
		mkdir -p "$W/bundle/rootfs/opt/filler"
		head -c "${MB}M" /dev/urandom >"$W/bundle/rootfs/opt/filler/blob"
		umoci repack --image "$1:x" "$W/bundle"
	fi
	rm -rf "$W/bundle"
}
layout "$W/small"
layout "$W/big" filler
s=$(du -sm "$W/big/blobs" | cut -f1)
a_small=$(rss "$B/alupdate" -q image patch "oci:$W/small:x" "oci:$W/small-out:x" -y)
a_big=$(rss "$B/alupdate" -q image patch "oci:$W/big:x" "oci:$W/big-out:x" -y)
u_big=$(rss umoci unpack --image "$W/big:x" "$W/umoci-bundle")
k_big=$(rss skopeo copy "oci:$W/big:x" "oci:$W/skopeo-out:x")
rm -rf "$W/umoci-bundle" "$W/skopeo-out" "$W/small-out" "$W/big-out"
printf 'image patch, peak RSS: sample image %d MB; with a %d MB file (blobs %d MB) %d MB | umoci unpack %d MB (%.1fx), skopeo copy %d MB (%.1fx)\n' \
	"$a_small" "$MB" "$s" "$a_big" "$u_big" "$(echo "$u_big / $a_big" | bc -l)" "$k_big" "$(echo "$k_big / $a_big" | bc -l)"

# ---- 2. the cache mount ----
command -v buildah >/dev/null || { echo "no buildah: cache mount not measured"; exit 0; }
[ -f "$B/bench/repo/repodata/repomd.xml" ] || /usr/bin/python3 "$here/gen-repo.py" "$B/bench/repo" >/dev/null
cat >"$root/etc/yum.repos.d/bench.repo" <<EOR
[bench]
name=AL2-size metadata
baseurl=file:///bench-repo
gpgcheck=0
EOR
mkdir -p "$W/tmp"
BH="env TMPDIR=$W/tmp buildah --root $W/storage --runroot $W/run --storage-driver vfs"
c=$($BH from scratch)
$BH copy "$c" "$root/." / >/dev/null
$BH commit -q "$c" localhost/al2-bench >/dev/null
$BH rm "$c" >/dev/null
ctx=$W/ctx
mkdir -p "$ctx/build"
cp "$B/alupdate" "$ctx/build/"
cp -r "$top/container" "$ctx/"
$BH bud -q --isolation chroot -f "$ctx/container/Dockerfile.scratch" -t localhost/alupdate "$ctx" >/dev/null
for df in Dockerfile.al2 Dockerfile.al2-cached; do
	for n in 1 2; do
		t0=$(date +%s.%N)
		$BH bud -q --isolation chroot -v "$B/bench/repo:/bench-repo:ro" --build-arg BASE=localhost/al2-bench \
			-f "$ctx/container/$df" -t "localhost/${df,,}-$n" "$ctx" >/dev/null 2>"$W/err" || { cat "$W/err" >&2; exit 1; }
		eval "t_${df//[.-]/_}_$n=$(echo "$(date +%s.%N) - $t0" | bc -l)"
	done
done
printf 'second build: Dockerfile.al2 %.2f s, Dockerfile.al2-cached %.2f s: %.2f s saved (%.1fx); first builds %.2f s and %.2f s\n' \
	"$t_Dockerfile_al2_2" "$t_Dockerfile_al2_cached_2" "$(echo "$t_Dockerfile_al2_2 - $t_Dockerfile_al2_cached_2" | bc -l)" \
	"$(echo "$t_Dockerfile_al2_2 / $t_Dockerfile_al2_cached_2" | bc -l)" "$t_Dockerfile_al2_1" "$t_Dockerfile_al2_cached_1"
