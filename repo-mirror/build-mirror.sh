#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The signed sample mirror in Amazon Linux 2's shape.
# usage: build-mirror.sh OUTDIR
#
# Builds the RPMs of packages.txt from specs/ with rpmbuild, signs them with a
# throwaway key, and lays out OUTDIR/www/<region>/2/core/<release>/{x86_64,SRPMS}
# (ALU_MIRROR_ARCH=aarch64: packages built with rpmbuild --target aarch64 in
# .../{aarch64,SRPMS}; their programs are the host's, so the scriptlets of a
# sample root run without binfmt, only the packages' architecture differs)
# with createrepo_c metadata, updateinfo (advisories.txt) and mirror.list files.
# Skips everything while OUTDIR/.stamp is newer than every input in
# repo-mirror/; otherwise builds OUTDIR.tmp from scratch and renames it.
# Layout and contents: OUTDIR/manifest.txt.
set -euo pipefail
export LC_ALL=C TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUT=$(realpath -m "$1")

ARCH=${ALU_MIRROR_ARCH:-x86_64}   # $basearch of the binary repositories
case $ARCH in x86_64 | aarch64) ;; *) echo "build-mirror: ALU_MIRROR_ARCH=$ARCH: x86_64 or aarch64" >&2; exit 2 ;; esac
CORE=2.0.20261101                 # the core repository's release directory
REGIONS=(us-east-1 eu-west-1)     # us-east-1: XML primary; eu-west-1: SQLite only
KEY_NAME="alupdate test signing key"
KEY_ID=test@alupdate.invalid
OTHER_NAME="alupdate unrelated key"

# Inputs: everything in repo-mirror/ except the scripts that only use the mirror.
inputs() {
	find "$here" -type f ! -name serve.sh ! -name make-root.sh ! -name make-root-al2023.sh ! -name root-rpm.sh ! -name demo.sh \
		! -name nginx.conf.in "$@"
}
if [ -e "$OUT/.stamp" ] && [ -z "$(inputs -newer "$OUT/.stamp" | head -n1)" ]; then
	echo "mirror: $OUT is up to date" >&2
	exit 0
fi

T=$OUT.tmp
rm -rf "$T"
mkdir -p "$T"
log() { printf '== mirror: [%2d s] %s\n' $((SECONDS - t0)) "$*" >&2; }
t0=$SECONDS

# --- keys -------------------------------------------------------------------
export GNUPGHOME=$T/gnupg
mkdir -m 700 "$GNUPGHOME"
trap 'gpgconf --kill all >/dev/null 2>&1 || true' EXIT
genkey() { # NAME EMAIL
	gpg --batch --quiet --gen-key 2>/dev/null <<EOF
%no-protection
Key-Type: RSA
Key-Length: 3072
Key-Usage: sign
Name-Real: $1
Name-Email: $2
Expire-Date: 0
%commit
EOF
}
log "generating keys"
genkey "$KEY_NAME" "$KEY_ID"
genkey "$OTHER_NAME" other@alupdate.invalid
gpg --batch --armor --export "$KEY_ID" >"$T/RPM-GPG-KEY-alupdate-test"
gpg --batch --armor --export other@alupdate.invalid >"$T/RPM-GPG-KEY-alupdate-other"

# --- packages ---------------------------------------------------------------
R=$T/rpmbuild
mkdir -p "$R"/{BUILD,RPMS,SRPMS,tmp}
RPMBUILD_DEFS=(
	--define "_topdir $R"
	--define "_tmppath $R/tmp"
	--define "_sourcedir $here/src"
	--define "dist .amzn2"
	--define "_build_id_links none"
	--define "_buildhost build.alupdate.invalid"
	--define "packager alupdate test <test@alupdate.invalid>"
	--define "vendor Amazon Linux"
	--define "clamp_mtime_to_source_date_epoch 1"
)
[ "$ARCH" = x86_64 ] || RPMBUILD_DEFS+=(--target "$ARCH")
declare -a PKG_LINES=()
while read -r name ver rel payload sig sets; do
	case $name in '' | '#'*) continue ;; esac
	PKG_LINES+=("$name $ver $rel $payload $sig $sets")
done <"$here/packages.txt"

# Each build gets its own BUILD and BUILDROOT: two releases of one version
# (hello-2.10-1, hello-2.10-2) built at once would otherwise share
# BUILD/hello-2.10, and one's %prep deletes the other's files.
build_one() { # name version release payload [spec]
	local log=$R/tmp/$1-$2-$3.log own=$R/own/$1-$2-$3 spec=${5:-$1}
	mkdir -p "$own/BUILD" "$own/BUILDROOT" "$own/tmp"
	if ! rpmbuild -ba "${RPMBUILD_DEFS[@]}" \
		--define "_builddir $own/BUILD" --define "_buildrootdir $own/BUILDROOT" \
		--define "_tmppath $own/tmp" \
		--define "pkgver $2" --define "pkgrel $3" \
		--define "_binary_payload $4" --define "_source_payload $4" \
		--define "pkgname $1" \
		"$here/specs/$spec.spec" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		echo "build-mirror: rpmbuild failed for $1 $2-$3" >&2
		touch "$R/tmp/FAILED"
	fi
}
jobs=$(nproc)
log "building ${#PKG_LINES[@]} packages ($jobs at a time)"
declare -a SIGN_V3=() SIGN_HDR=()
# Each package line gets its own file times (SOURCE_DATE_EPOCH, clamped): two
# releases built in the same second would otherwise carry equal size and mtime
# for a changed file, which tools that diff trees by stat (buildah's vfs layer
# diff) take for unchanged.
n=0
for line in "${PKG_LINES[@]}"; do
	read -r name ver rel payload sig sets <<<"$line"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	n=$((n + 1))
	(export SOURCE_DATE_EPOCH=$((1767225600 + n * 60)); build_one "$name" "$ver" "$rel" "$payload") &
done
# extras topics' packages (extras/packages.txt): one generic spec
declare -a XPKG_LINES=()
while read -r topic name ver rel; do
	case $topic in '' | '#'*) continue ;; esac
	XPKG_LINES+=("$topic $name $ver $rel")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	build_one "$name" "$ver" "$rel" w19.zstdio extra-topic &
done <"$here/extras/packages.txt"
wait
[ ! -e "$R/tmp/FAILED" ] || exit 1
for line in "${PKG_LINES[@]}"; do
	read -r name ver rel payload sig sets <<<"$line"
	mapfile -t files < <(find "$R/RPMS" "$R/SRPMS" -name "$name-$ver-$rel.amzn2.*.rpm")
	[ ${#files[@]} -eq 2 ] || { echo "build-mirror: no RPMs for $name $ver-$rel" >&2; exit 1; }
	case $sig in
	rpmv3) SIGN_V3+=("${files[@]}") ;;
	header) SIGN_HDR+=("${files[@]}") ;;
	*) echo "build-mirror: bad signature column '$sig'" >&2; exit 1 ;;
	esac
done

# Debian's rpm 4.18 signs through gpg with _gpg_name (its default %__gpg is
# gpg2, which Debian does not ship); _openpgp_sign_id is rpm >= 4.19 only.
SIGN=(rpmsign --addsign --define "_gpg_name $KEY_ID" --define "_gpg_digest_algo sha256"
	--define "__gpg /usr/bin/gpg")
log "signing"
sign() { # rpmsign warns once per package that stdin is no tty: keep that quiet
	"${SIGN[@]}" "$@" </dev/null >"$R/tmp/sign.log" 2>&1 || { cat "$R/tmp/sign.log" >&2; exit 1; }
}
xpool=$T/xpool
mkdir -p "$xpool"
for line in "${XPKG_LINES[@]}"; do
	read -r topic name ver rel <<<"$line"
	mkdir -p "$xpool/$topic"
	mv -t "$xpool/$topic" "$R/RPMS/noarch/$name-$ver-$rel.amzn2.noarch.rpm"
	rm -f "$R/SRPMS/$name-$ver-$rel.amzn2.src.rpm"
	SIGN_V3+=("$xpool/$topic/$name-$ver-$rel.amzn2.noarch.rpm")
done
[ ${#SIGN_V3[@]} -eq 0 ] || sign --rpmv3 "${SIGN_V3[@]}"
[ ${#SIGN_HDR[@]} -eq 0 ] || sign "${SIGN_HDR[@]}"
gpgconf --kill all >/dev/null 2>&1 || true

# --- tree -------------------------------------------------------------------
W=$T/www
pool=$T/pool
mkdir -p "$pool/$ARCH" "$pool/SRPMS"
find "$R/RPMS" -name '*.rpm' -exec mv -t "$pool/$ARCH" {} +
find "$R/SRPMS" -name '*.rpm' -exec mv -t "$pool/SRPMS" {} +
# advisories.txt names x86_64 packages (and one aarch64-only fix): on the
# aarch64 mirror the two trade places, so the same tests hold there
if [ "$ARCH" = x86_64 ]; then
	cp "$here/advisories.txt" "$T/advisories.txt"
else
	sed -e 's/^\(pkg: .*\) aarch64$/\1 @other@/' -e "s/^\(pkg: .*\) x86_64\$/\1 $ARCH/" \
		-e 's/^\(pkg: .*\) @other@$/\1 x86_64/' "$here/advisories.txt" >"$T/advisories.txt"
fi
"$here/mkupdateinfo.py" "$T/advisories.txt" >"$T/updateinfo.xml"
rm -f "$T/advisories.txt"

# mirror.list as AL2's: one URL, no trailing newline (and, like AL2's, no
# trailing slash: clients join "repodata/repomd.xml" as a path).
mirrorlists() { # REGION [TARGET-REGION [URL-PREFIX-BEFORE...]]
	local region=$1 target=${2:-$1} sub pre
	shift $(($# < 2 ? $# : 2))
	for sub in $ARCH SRPMS; do
		mkdir -p "$W/$region/2/core/latest/$sub"
		rm -f "$W/$region/2/core/latest/$sub/mirror.list"
		{
			for pre in "$@"; do printf '%s\n' "$pre/$sub"; done
			printf '%s' "file://$OUT/www/$target/2/core/$CORE/$sub"
		} >"$W/$region/2/core/latest/$sub/mirror.list"
	done
}

# Extras topics: the catalogs (v2 with conflicts; v1 with whitelists, for
# tests through CATALOGURL) and per topic of the catalog a signed
# repository at extras/TOPIC/latest/$basearch with its own updateinfo and
# a mirror.list naming itself; SRPMS and debuginfo are empty repositories.
extras() { # REGION
	local x=$W/$1/2 topic sub d
	mkdir -p "$x" "$T/xu"
	cp "$here/extras/extras-catalog.json" "$x/extras-catalog.json"
	cp "$here/extras/extras-catalog.json" "$x/extras-catalog-$ARCH.json"
	cp "$here/extras/extras-catalog-v1.json" "$x/extras-catalog-v1.json"
	for topic in $(python3 -c 'import json,sys; print(" ".join(t["n"] for t in json.load(open(sys.argv[1]))["topics"]))' \
		"$here/extras/extras-catalog.json"); do
		for sub in $ARCH SRPMS debuginfo/$ARCH; do
			d=$x/extras/$topic/latest/$sub
			mkdir -p "$d/Packages"
			[ "$sub" != "$ARCH" ] || [ ! -d "$xpool/$topic" ] || cp -l "$xpool/$topic"/*.rpm "$d/Packages/"
			"${CR[@]}" --no-database "$d"
			if [ "$sub" = "$ARCH" ] && [ -e "$here/extras/$topic.advisories.txt" ]; then
				ALU_COLLECTION="amazon-linux-2---$topic" "$here/mkupdateinfo.py" \
					"$here/extras/$topic.advisories.txt" >"$T/xu/updateinfo.xml"
				modifyrepo_c --mdtype updateinfo --compress-type gz --checksum sha256 \
					"$T/xu/updateinfo.xml" "$d/repodata"
				rm -f "$T/xu/updateinfo.xml"
			fi
			printf '%s' "file://$OUT/www/$1/2/extras/$topic/latest/$sub" >"$d/mirror.list"
		done
		# each version of the catalog (enable T=VER) is the same repository here
		for v in $(python3 -c 'import json,sys; print(" ".join(*(t["versions"] for t in json.load(open(sys.argv[1]))["topics"] if t["n"] == sys.argv[2])))' \
			"$here/extras/extras-catalog.json" "$topic"); do
			[ "$v" = latest ] || ln -sfn latest "$x/extras/$topic/$v"
		done
	done
}

# createrepo_c options shared by both regions; sha256 everywhere
CR=(createrepo_c --quiet --checksum sha256 --repomd-checksum sha256 --revision "$CORE")
for region in "${REGIONS[@]}"; do
	log "repositories for $region"
	for sub in $ARCH SRPMS; do
		d=$W/$region/2/core/$CORE/$sub
		mkdir -p "$d/Packages"
		cp -l "$pool/$sub"/*.rpm "$d/Packages/"
		# AL2 publishes its groups (group, group_gz) for the binary repository only
		groups=()
		[ "$sub" = SRPMS ] || groups=(-g "$here/comps.xml")
		if [ "$region" = us-east-1 ]; then
			"${CR[@]}" "${groups[@]}" --no-database "$d"
		else
			# AL2's mirrors: SQLite primary_db/filelists_db/other_db (bz2) and no XML
			"${CR[@]}" "${groups[@]}" --database --compress-type bz2 "$d"
			for t in primary filelists other; do
				modifyrepo_c --remove "$t" "$d/repodata"
			done
		fi
		if [ "$sub" = "$ARCH" ]; then
			modifyrepo_c --mdtype updateinfo --compress-type gz --checksum sha256 \
				"$T/updateinfo.xml" "$d/repodata"
		fi
	done
	mirrorlists "$region"
	extras "$region"
done

# Fault trees for failover tests (nginx adds broken-500, broken-404 and a
# slow broken-slow by itself):
# broken-tamper: us-east-1 whose primary.xml.gz no longer matches repomd.xml
# (still valid gzip; one byte of the XML changed).
log "fault trees"
cp -al "$W/us-east-1" "$W/broken-tamper"
mirrorlists broken-tamper
p=$(find "$W/broken-tamper/2/core/$CORE/$ARCH/repodata" -name '*-primary.xml.gz')
gzip -dc "$p" | sed '0,/Hello, world!/s//Hello, World!/;0,/<summary>/s//<summary>~/' >"$T/primary.xml"
rm -f "$p"
gzip -9n <"$T/primary.xml" >"$p"
rm -f "$T/primary.xml"
if cmp -s "$p" "$W/us-east-1/2/core/$CORE/$ARCH/repodata/${p##*/}"; then
	echo "build-mirror: tampering changed nothing" >&2
	exit 1
fi
# broken-slow: the same tree (nginx serves it at 1 byte/s)
cp -al "$W/us-east-1" "$W/broken-slow"
mirrorlists broken-slow
# failover: a mirror.list whose first two entries do not exist
mirrorlists failover us-east-1 "file://$OUT/www/does-not-exist/2/core/$CORE" \
	"file://$OUT/www/broken-tamper/2/core/$CORE"

# failover's extras topics: mirror.lists that list a missing mirror first
for d in "$W"/us-east-1/2/extras/*/latest; do
	t=${d#"$W"/us-east-1/2/extras/}
	t=${t%/latest}
	for sub in $ARCH SRPMS debuginfo/$ARCH; do
		mkdir -p "$W/failover/2/extras/$t/latest/$sub"
		printf '%s\n%s' "file://$OUT/www/does-not-exist/2/extras/$t/latest/$sub" \
			"file://$OUT/www/us-east-1/2/extras/$t/latest/$sub" \
			>"$W/failover/2/extras/$t/latest/$sub/mirror.list"
	done
done

# Amazon Linux 2023 releases (al2023/build.sh)
. "$here/al2023/build.sh"

# --- manifest ---------------------------------------------------------------
{
	echo "# alupdate sample mirror, built $(date -u '+%Y-%m-%d %H:%M:%S')"
	echo "# core=$CORE regions=${REGIONS[*]} key=$KEY_ID arch=$ARCH"
	echo "# www/<region>/2/core/$CORE/{$ARCH,SRPMS}; broken-tamper, broken-slow: copies of us-east-1"
	echo "# nevra path-under-core-release sets"
	for line in "${PKG_LINES[@]}"; do
		read -r name ver rel payload sig sets <<<"$line"
		nvr=$name-$ver-$rel.amzn2
		for f in "$pool/$ARCH/$nvr".*.rpm "$pool/SRPMS/$nvr.src.rpm"; do
			nevra=$(rpm -qp --nosignature --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}' "$f")
			sub=$ARCH
			case $f in *.src.rpm) nevra=${nevra%.*}.src sub=SRPMS sets=- ;; esac
			printf '%s %s %s\n' "$nevra" "$sub/Packages/${f##*/}" "$sets"
		done
	done
} >"$T/manifest.txt"

rm -rf "$R" "$pool" "$xpool" "$T/updateinfo.xml"
touch "$T/.stamp"
rm -rf "$OUT"
mv "$T" "$OUT"
log "done in $((SECONDS - t0)) s: $OUT"
