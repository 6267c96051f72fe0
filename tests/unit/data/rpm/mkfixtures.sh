#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Rebuild the rpm fixtures of test_rpmhdr from tiny.spec, and the expected
# values from what rpm -qp says about them (rpm is the oracle):
#
#   tests/unit/data/rpm/mkfixtures.sh
#
# Writes, next to this script:
#   tiny-xz.rpm      binary, xz payload, x86_64
#   tiny-zstd.rpm    binary, zstd payload, noarch, sha512 file digests
#   tiny.src.rpm     source package (lead type 1), gzip payload
#   <rpm>.expect     tab-separated fields from rpm -qp --queryformat
#   <rpm>.<kind>     scriptlet bodies (pretrans, post, ...) when present
# and copies the packages, and their main header blobs (.hdr), to
# tests/fuzz/seeds/rpmhdr/.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
seeds="$here/../../../fuzz/seeds/rpmhdr"
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT

build() { # out-name rpmbuild-args...
	out=$1
	shift
	rpmbuild --quiet --nodeps --define "_topdir $top" \
		--define '_buildhost alupdate.invalid' --define 'use_source_date_epoch_as_buildtime 1' \
		--define 'clamp_mtime_to_source_date_epoch 1' "$@" >/dev/null
	find "$top/RPMS" "$top/SRPMS" -name '*.rpm' -exec mv {} "$here/$out" \;
}

export SOURCE_DATE_EPOCH=1793577600
build tiny-xz.rpm -bb --target x86_64 --define '_binary_payload w9.xzdio' "$here/tiny.spec"
build tiny-zstd.rpm -bb --target noarch --define '_binary_payload w19.zstdio' \
	--define '_binary_filedigest_algorithm 10' "$here/tiny.spec"
build tiny.src.rpm -bs --define '_source_payload w9.gzdio' "$here/tiny.spec"

qf='NAME\t%{NAME}\nEPOCH\t%{EPOCH}\nVERSION\t%{VERSION}\nRELEASE\t%{RELEASE}\nARCH\t%{ARCH}\n'
qf="$qf"'SUMMARY\t%{SUMMARY}\nLICENSE\t%{LICENSE}\nURL\t%{URL}\nSOURCERPM\t%{SOURCERPM}\n'
qf="$qf"'SIZE\t%{LONGSIZE}\nBUILDTIME\t%{BUILDTIME}\nCOMPRESSOR\t%{PAYLOADCOMPRESSOR}\n'
qf="$qf"'FORMAT\t%{PAYLOADFORMAT}\nDIGESTALGO\t%{FILEDIGESTALGO}\nNEVRA\t%{NEVRA}\n'
qf="$qf"'[REQUIRES\t%{REQUIRENAME}\t%{REQUIREFLAGS}\t%{REQUIREVERSION}\n]'
qf="$qf"'[PROVIDES\t%{PROVIDENAME}\t%{PROVIDEFLAGS}\t%{PROVIDEVERSION}\n]'
qf="$qf"'[CONFLICTS\t%{CONFLICTNAME}\t%{CONFLICTFLAGS}\t%{CONFLICTVERSION}\n]'
qf="$qf"'[OBSOLETES\t%{OBSOLETENAME}\t%{OBSOLETEFLAGS}\t%{OBSOLETEVERSION}\n]'
qf="$qf"'[FILE\t%{FILENAMES}\t%{FILEMODES}\t%{FILESIZES}\t%{FILEMTIMES}\t%{FILEFLAGS}\t%{FILEUSERNAME}\t%{FILEGROUPNAME}\t%{FILELINKTOS}\t%{FILEDIGESTS}\t%{FILEINODES}\n]'
qf="$qf"'[PRETRANSPROG\t%{PRETRANSPROG}\n][POSTINPROG\t%{POSTINPROG}\n][POSTUNPROG\t%{POSTUNPROG}\n]'

be32() { # file offset: the big-endian 32-bit number there
	od -An -tu1 -j "$2" -N4 "$1" | awk '{ print (($1 * 256 + $2) * 256 + $3) * 256 + $4 }'
}

# The main header blob of a package (from the index count on, as rpmdb
# stores it): a fuzz seed for alu_hdr_parse().
blob() {
	sil=$(be32 "$1" 104)
	sdl=$(be32 "$1" 108)
	off=$((96 + 16 + 16 * sil + sdl))
	off=$((off + (8 - off % 8) % 8))
	il=$(be32 "$1" $((off + 8)))
	dl=$(be32 "$1" $((off + 12)))
	tail -c +$((off + 9)) "$1" | head -c $((8 + 16 * il + dl))
}

mkdir -p "$seeds"
for p in tiny-xz.rpm tiny-zstd.rpm tiny.src.rpm; do
	rpm -qp --nosignature --nodigest --queryformat "$qf" "$here/$p" > "$here/$p.expect"
	rm -f "$here/$p".pretrans "$here/$p".post "$here/$p".postun
	for k in pretrans:PRETRANS post:POSTIN postun:POSTUN; do
		body=$(rpm -qp --nosignature --nodigest --queryformat "%{${k#*:}}" "$here/$p")
		[ "$body" = "(none)" ] || rpm -qp --nosignature --nodigest \
			--queryformat "%{${k#*:}}" "$here/$p" > "$here/$p.${k%%:*}"
	done
	cp "$here/$p" "$seeds/"
	blob "$here/$p" > "$seeds/${p%.rpm}.hdr"
	echo "$p: $(wc -c < "$here/$p") bytes"
done
