#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerate the OpenPGP fixtures of tests/unit/test_pgp.c. Run from
# anywhere; writes into this directory. Needs gpg (2.2), openssl, rpmbuild,
# rpmsign, rpmkeys and /usr/bin/python3. The outputs are committed, so the
# unit test needs none of these. Every signature made here is checked by an
# independent verifier (gpg or rpmkeys) before it is kept.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'gpgconf --homedir "$tmp/gnupg" --kill all 2>/dev/null || true; rm -rf "$tmp"' EXIT
export GNUPGHOME="$tmp/gnupg"
mkdir -m 700 "$GNUPGHOME"
g() { gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
export GPG_TTY=/dev/null
cd "$here"

# 1. Keys: RSA 2048 (signs itself), RSA 4096 whose signing key is a subkey,
#    Ed25519 (must be refused as unsupported).
g --quick-gen-key "Alu Test RSA2048 <rsa2048@alupdate.test>" rsa2048 sign never
g --quick-gen-key "Alu Test RSA4096 <rsa4096@alupdate.test>" rsa4096 cert never
fpr4096=$(g --with-colons --list-keys rsa4096@alupdate.test | awk -F: '/^fpr/ {print $10; exit}')
g --quick-add-key "$fpr4096" rsa4096 sign never
g --quick-gen-key "Alu Test Ed25519 <ed25519@alupdate.test>" ed25519 sign never
g --armor --export rsa2048@alupdate.test > rsa2048.pub.asc
g --export rsa2048@alupdate.test > rsa2048.pub.gpg
g --armor --export rsa4096@alupdate.test > rsa4096.pub.asc
g --armor --export ed25519@alupdate.test > ed25519.pub.asc
# two keys in one armor block, and two blocks in one file
g --armor --export rsa2048@alupdate.test rsa4096@alupdate.test > two-in-one-block.asc
{ echo "Keys for the test repository."; echo; cat rsa2048.pub.asc; echo; cat ed25519.pub.asc; } > two-blocks.asc

# 2. The signed file: trailing blanks, a CRLF line and no final newline,
#    so that text mode (0x01) canonicalisation is exercised.
printf 'first line\ntrailing blanks  \t \nwindows line\r\n\n<repomd>\n  <revision>1</revision>\nlast line, no newline  ' > data.txt

# 3. Detached signatures, each checked with gpg.
sig() { out=$1; shift; g "$@" --output "$out" --detach-sign data.txt; g --verify "$out" data.txt; }
sig data.txt.sha256.asc --armor -u rsa2048@alupdate.test --digest-algo SHA256
sig data.txt.sha256.sig -u rsa2048@alupdate.test --digest-algo SHA256
sig data.txt.sha1.asc --armor -u rsa2048@alupdate.test --digest-algo SHA1
sig data.txt.sha384.asc --armor -u rsa2048@alupdate.test --digest-algo SHA384
sig data.txt.sha512.asc --armor -u rsa2048@alupdate.test --digest-algo SHA512
sig data.txt.text.asc --armor --textmode -u rsa2048@alupdate.test --digest-algo SHA256
sig data.txt.subkey.asc --armor -u rsa4096@alupdate.test --digest-algo SHA256
sig data.txt.ed25519.asc --armor -u ed25519@alupdate.test
# two signatures in one file: unknown-to-the-test key first
g --armor --output data.txt.two.asc -u ed25519@alupdate.test -u rsa2048@alupdate.test --detach-sign data.txt
g --verify data.txt.two.asc data.txt

# 4. A V3 signature (see mkv3.py), checked by gpg after importing its key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/v3.pem" 2>/dev/null
/usr/bin/python3 mkv3.py "$tmp/v3.pem" data.txt v3key.pub.gpg data.txt.v3.sig \
	v3legacy.pub.gpg data.txt.v3legacy.sig > "$tmp/v3.out"
mkdir -m 700 "$tmp/gv3"
GNUPGHOME="$tmp/gv3" g --import v3key.pub.gpg
GNUPGHOME="$tmp/gv3" g --verify data.txt.v3.sig data.txt

# 5. Signed RPMs. rpmsign's default (rpm 4.18) is the header-only V4
#    signature, tag 268 (RSAHEADER); --rpmv3 adds tag 1002 (PGP) over
#    header+payload. The second is signed by the RSA 4096 key's subkey.
mkdir -p "$tmp/rpm/SPECS" "$tmp/rpmdb"
cat > "$tmp/rpm/SPECS/alu-sigtest.spec" <<'SPEC'
Name: alu-sigtest
Version: 1.0
Release: 1
Summary: signature test package for alupdate
License: MIT
BuildArch: noarch
%description
A tiny package whose only purpose is to be signed.
%install
mkdir -p %{buildroot}/usr/share/alu-sigtest
echo hello > %{buildroot}/usr/share/alu-sigtest/hello.txt
%files
/usr/share/alu-sigtest/hello.txt
SPEC
rpmbuild --quiet --define "_topdir $tmp/rpm" --define "_buildhost alupdate.test" \
	--define "source_date_epoch_from_changelog 0" -bb "$tmp/rpm/SPECS/alu-sigtest.spec"
cp "$tmp/rpm/RPMS/noarch/alu-sigtest-1.0-1.noarch.rpm" sigtest-v4.rpm
cp sigtest-v4.rpm sigtest-v3.rpm
rpmsign --addsign --define "_gpg_name rsa2048@alupdate.test" --define "_gpg_digest_algo sha256" \
	--define "__gpg /usr/bin/gpg" --define "_gpg_path $GNUPGHOME" sigtest-v4.rpm >/dev/null
rpmsign --addsign --rpmv3 --define "_gpg_name rsa4096@alupdate.test" --define "_gpg_digest_algo sha256" \
	--define "__gpg /usr/bin/gpg" --define "_gpg_path $GNUPGHOME" sigtest-v3.rpm >/dev/null
rpmkeys --dbpath "$tmp/rpmdb" --import rsa2048.pub.asc rsa4096.pub.asc
rpmkeys --dbpath "$tmp/rpmdb" -Kv sigtest-v4.rpm sigtest-v3.rpm

# 6. What the test expects, as gpg (and mkv3.py for the V3 key) say it.
fprs() { gpg --with-colons --fingerprint --list-keys "$1" | awk -F: '/^fpr/ {print $10}'; }
{
	echo "rsa2048 $(fprs rsa2048@alupdate.test)"
	fprs rsa4096@alupdate.test | { read p; read s; echo "rsa4096 $p"; echo "rsa4096sub $s"; }
	echo "ed25519 $(fprs ed25519@alupdate.test)"
	echo "v3 $(GNUPGHOME="$tmp/gv3" fprs v3@alupdate.test)"
	echo "v3legacy $(awk '{print $4}' "$tmp/v3.out")"
} > expected.txt
echo "fixtures written to $here"
