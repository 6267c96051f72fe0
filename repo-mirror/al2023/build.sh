# SPDX-License-Identifier: MIT
# Sourced by ../build-mirror.sh (uses its $here $T $OUT $W $R, RPMBUILD_DEFS,
# sign): the sample mirror's Amazon Linux 2023 repositories, in AL2023's
# layout (FORMATS.md; the real host is
# https://al2023-repos-$awsregion-de612dc2.s3.dualstack.$awsregion.$awsdomain):
#
#   www/al2023/<region>/core/releasemd.xml              the releases, oldest first
#   www/al2023/<region>/core/mirrors/<release>/{x86_64,SRPMS}/mirror.list
#   www/al2023/<region>/core/mirrors/latest/...          = the newest release
#   www/al2023/<region>/core/guids/<guid>/{x86_64,SRPMS}/  the repositories
#
# mirror.list lines end in "/" as AL2023's do. releasemd.xml has the shape
# AL2023 publishes (root/releases/release[@version]/update/{name,
# version_string,release_notes}, declared encoding "utf8" as the real one).
# Each release's repository is signed and has its own cumulative updateinfo
# (ALAS2023-* ids, capitalized severities). Listed in $OUT/al2023/manifest.txt.
al=$here/al2023
AL_REGION=us-east-1
AL_OUT=$T/al2023
mkdir -p "$AL_OUT" "$R/al2023"
log "al2023: building packages"
declare -a AL_LINES=() AL_RELEASES=()
while read -r name ver rel spec rels root; do
	case $name in '' | '#'*) continue ;; esac
	AL_LINES+=("$name $ver $rel $spec $rels $root")
	for r in ${rels//,/ }; do
		case " ${AL_RELEASES[*]} " in *" $r "*) ;; *) AL_RELEASES+=("$r") ;; esac
	done
done <"$al/packages.txt"
mapfile -t AL_RELEASES < <(printf '%s\n' "${AL_RELEASES[@]}" | sort -V)
for line in "${AL_LINES[@]}"; do
	read -r name ver rel spec rels root <<<"$line"
	own=$R/al2023/own/$name-$ver-$rel
	mkdir -p "$own/BUILD" "$own/BUILDROOT" "$own/tmp"
	specf=$here/specs/$spec.spec
	[ -e "$al/$spec.spec" ] && specf=$al/$spec.spec
	while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
	rpmbuild -ba "${RPMBUILD_DEFS[@]}" --define "dist .amzn2023" \
		--define "_topdir $R/al2023" \
		--define "_builddir $own/BUILD" --define "_buildrootdir $own/BUILDROOT" \
		--define "_tmppath $own/tmp" --define "pkgver $ver" --define "pkgrel $rel" \
		--define "_binary_payload w19.zstdio" --define "_source_payload w19.zstdio" \
		"$specf" >"$own/log" 2>&1 || { tail -n 30 "$own/log" >&2; touch "$R/al2023/FAILED"; } &
done
wait
[ ! -e "$R/al2023/FAILED" ] || { echo "build-mirror: al2023 rpmbuild failed" >&2; exit 1; }
mapfile -t AL_RPMS < <(find "$R/al2023/RPMS" "$R/al2023/SRPMS" -name '*.rpm')
# rpm >= 4.16 signs the header only, as AL2023's packages are
sign "${AL_RPMS[@]}"
gpgconf --kill all >/dev/null 2>&1 || true

log "al2023: repositories"
base=$W/al2023/$AL_REGION/core
{
	echo '<?xml version="1.0" encoding="utf8"?>'
	echo '<root>'
	echo '  <releases>'
} >"$AL_OUT/releasemd.xml"
echo "# nevra release path-under-www root" >"$AL_OUT/manifest.txt"
for relv in "${AL_RELEASES[@]}"; do
	guid=$(printf '%s' "al2023-$relv" | sha256sum | cut -c1-64)
	for sub in x86_64 SRPMS; do
		d=$base/guids/$guid/$sub
		mkdir -p "$d/Packages" "$base/mirrors/$relv/$sub"
		for line in "${AL_LINES[@]}"; do
			read -r name ver rel spec rels root <<<"$line"
			case ",$rels," in *",$relv,"*) ;; *) continue ;; esac
			for f in "${AL_RPMS[@]}"; do
				case ${f##*/} in
				"$name-$ver-$rel.amzn2023.src.rpm") [ "$sub" = SRPMS ] || continue ;;
				"$name-$ver-$rel.amzn2023."*.rpm) [ "$sub" = x86_64 ] || continue ;;
				*) continue ;;
				esac
				cp -l "$f" "$d/Packages/"
				nevra=$(rpm -qp --nosignature --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}' "$f")
				[ "$sub" = SRPMS ] && nevra=${nevra%.*}.src
				echo "$nevra $relv ${d#"$W"/}/Packages/${f##*/} $root" >>"$AL_OUT/manifest.txt"
			done
		done
		createrepo_c --quiet --checksum sha256 --repomd-checksum sha256 --revision "$relv" \
			--no-database "$d"
		if [ "$sub" = x86_64 ]; then
			ALU_OS_NAME="Amazon Linux 2023" ALU_COLLECTION=amazon-linux-2023 \
				"$here/mkupdateinfo.py" "$al/advisories-$relv.txt" >"$AL_OUT/updateinfo.xml"
			modifyrepo_c --mdtype updateinfo --compress-type gz --checksum sha256 \
				"$AL_OUT/updateinfo.xml" "$d/repodata"
			rm -f "$AL_OUT/updateinfo.xml"
		fi
		printf '%s\n' "file://$OUT/www/al2023/$AL_REGION/core/guids/$guid/$sub/" \
			>"$base/mirrors/$relv/$sub/mirror.list"
	done
	notes=https://docs.aws.amazon.com/linux/al2023/release-notes/relnotes-$relv.html
	cat >>"$AL_OUT/releasemd.xml" <<XML
    <release version="$relv">
      <update>
        <name>$relv</name>
        <version_string>$relv</version_string>
        <release_notes>$notes</release_notes>
      </update>
    </release>
XML
done
printf '  </releases>\n</root>\n' >>"$AL_OUT/releasemd.xml"
mv "$AL_OUT/releasemd.xml" "$base/releasemd.xml"
# latest: the newest release's mirror lists
cp -a "$base/mirrors/${AL_RELEASES[-1]}" "$base/mirrors/latest"
echo "# releases=${AL_RELEASES[*]} region=$AL_REGION" >>"$AL_OUT/manifest.txt"
