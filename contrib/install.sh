#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the built alupdate: install.sh BUILD PREFIX [DESTDIR]
# (./build.sh install and alupdate.spec's %install both run this).
# The binary, the yum-utils names it answers to (links), the man pages and
# the bash and zsh completions; the boot-update unit when the tree has one.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
B=${1:?usage: install.sh BUILD PREFIX [DESTDIR]}
PREFIX=${2:?usage: install.sh BUILD PREFIX [DESTDIR]}
D=${3:-}
bin=$D$PREFIX/bin
man=$D$PREFIX/share/man
bc=$D$PREFIX/share/bash-completion/completions
zc=$D$PREFIX/share/zsh/site-functions
links=(yum-config-manager repoquery package-cleanup reposync yumdownloader amazon-linux-extras)

for f in "$B/alupdate" "$B/static/doc/alupdate.8" "$B/static/doc/alupdate.yaml.5"; do
	[ -f "$f" ] || { echo "install.sh: $f missing: run ./build.sh build first" >&2; exit 1; }
done
install -d "$bin" "$man/man8" "$man/man5" "$bc" "$zc"
install -m 0755 "$B/alupdate" "$bin/alupdate"
install -m 0644 "$B/static/doc/alupdate.8" "$man/man8/alupdate.8"
install -m 0644 "$B/static/doc/alupdate.yaml.5" "$man/man5/alupdate.yaml.5"
install -m 0644 "$src/contrib/completion/alupdate.bash" "$bc/alupdate"
install -m 0644 "$src/contrib/completion/_alupdate" "$zc/_alupdate"
for l in "${links[@]}"; do
	ln -sfn alupdate "$bin/$l"
	ln -sfn alupdate "$bc/$l"   # bash-completion loads a completion by command name
done
unit=$src/container/alupdate-boot-update.service
if [ -f "$unit" ]; then
	install -d "$D$PREFIX/lib/systemd/system"
	install -m 0644 "$unit" "$D$PREFIX/lib/systemd/system/"
fi
