# SPDX-License-Identifier: MIT
# Sourced by make-root.sh and make-root-al2023.sh (they set ROOT): rpm_ runs
# Debian's rpm on ROOT's database (ROOT/var/lib/rpm).
RPM=(rpm --root "$ROOT" --define "_dbpath /var/lib/rpm")
rpm_() { # Debian's rpm says "use Alien instead" on every install: drop that
	local rc=0
	"${RPM[@]}" "$@" 2>"$ROOT/.rpm-err" || rc=$?
	grep -v -e 'use Alien instead' -e 'assuming you know what you are doing' "$ROOT/.rpm-err" >&2 || true
	rm -f "$ROOT/.rpm-err"
	return $rc
}
