#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Serves the sample mirror with nginx on 127.0.0.1 (http and https).
# usage: serve.sh start|stop STATEDIR MIRROR_OUTDIR
#   start: makes (once, cached in MIRROR_OUTDIR/tls/) a throwaway CA and a
#          certificate for 127.0.0.1/localhost, picks two free ports, writes
#          STATEDIR/nginx.conf and starts nginx as a daemon; writes and prints
#          STATEDIR/ports (HTTP_PORT=, HTTPS_PORT=, CA=; shell-sourceable).
#          A watchdog stops nginx after ALU_SERVE_TTL seconds (default 3600),
#          or once the process ALU_SERVE_PARENT (a pid, optional) has ended.
#   stop:  stops nginx and its watchdog.
set -euo pipefail
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 3 ] || { echo "usage: $0 start|stop STATEDIR MIRROR_OUTDIR" >&2; exit 2; }
cmd=$1
S=$(realpath -m "$2")
M=$(realpath -m "$3")
CORE=$(sed -n 's/^# core=\([^ ]*\).*/\1/p' "$M/manifest.txt" 2>/dev/null || true)
: "${CORE:=2.0.20261101}"

make_tls() { # MIRROR_OUTDIR/tls/{ca.crt,ca.key,server.crt,server.key}
	local d=$M/tls
	[ -s "$d/server.crt" ] && [ -s "$d/ca.crt" ] && return 0
	local t=$d.tmp.$$
	rm -rf "$t"
	mkdir -p "$t"
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$t/ca.key" \
		-out "$t/ca.crt" -subj "/CN=alupdate test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$t/server.key" -out "$t/server.csr" \
		-subj "/CN=localhost" 2>/dev/null
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$t/ext"
	openssl x509 -req -sha256 -days 3650 -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" \
		-CAcreateserial -extfile "$t/ext" -out "$t/server.crt" 2>/dev/null
	rm -f "$t/server.csr" "$t/ext" "$t/ca.srl"
	rm -rf "$d"
	mv "$t" "$d"
}

free_ports() {
	/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])'
}

alive() { # a zombie (waiting for a slow init to reap it) counts as gone
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[[ $st != Z* ]]
}

do_stop() {
	if [ -s "$S/watchdog.pid" ]; then
		kill -- "-$(cat "$S/watchdog.pid")" 2>/dev/null || true
		rm -f "$S/watchdog.pid"
	fi
	[ -s "$S/nginx.pid" ] || return 0
	local pid
	pid=$(cat "$S/nginx.pid")
	# TERM: nginx's fast shutdown (QUIT would wait for slow clients)
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		alive "$pid" || break
		sleep 0.05
	done
	rm -f "$S/nginx.pid"
}

do_start() {
	[ -d "$M/www" ] || { echo "serve.sh: no mirror in $M (run build-mirror.sh)" >&2; exit 1; }
	do_stop
	make_tls
	mkdir -p "$S/tmp"
	local user="" try http https
	[ "$(id -u)" -ne 0 ] || user="user root;"
	for try in 1 2 3 4 5; do
		read -r http https < <(free_ports)
		sed -e "s|@USER@|$user|" -e "s|@HTTP_PORT@|$http|" -e "s|@HTTPS_PORT@|$https|" \
			-e "s|@CERT@|$M/tls/server.crt|" -e "s|@KEY@|$M/tls/server.key|" \
			-e "s|@WWW@|$M/www|" -e "s|@CORE@|$CORE|g" \
			"$here/nginx.conf.in" >"$S/nginx.conf"
		if nginx -p "$S" -e "$S/error.log" -c "$S/nginx.conf" </dev/null >/dev/null 2>>"$S/error.log"; then
			break
		fi
		[ "$try" -lt 5 ] || { tail -n 5 "$S/error.log" >&2; exit 1; }
	done
	for try in $(seq 50); do [ -s "$S/nginx.pid" ] && break; sleep 0.1; done
	# The watchdog, in its own process group (stop ends it with its sleep):
	# stops nginx after ALU_SERVE_TTL seconds, or as soon as the process
	# ALU_SERVE_PARENT (e.g. a pytest session) is gone, however it ended.
	# shellcheck disable=SC2016
	setsid -f bash -c '
		echo $$ >"$1/watchdog.pid"
		end=$((SECONDS + $2))
		while [ $SECONDS -lt $end ]; do
			if [ -n "$3" ]; then
				st=$(ps -o stat= -p "$3" 2>/dev/null) || break
				case $st in Z*) break ;; esac
			fi
			sleep 1
		done
		kill -TERM "$(cat "$1/nginx.pid")"' \
		_ "$S" "${ALU_SERVE_TTL:-3600}" "${ALU_SERVE_PARENT:-}" </dev/null >/dev/null 2>&1
	for try in $(seq 50); do [ -s "$S/watchdog.pid" ] && break; sleep 0.1; done
	printf 'HTTP_PORT=%s\nHTTPS_PORT=%s\nCA=%s\n' "$http" "$https" "$M/tls/ca.crt" >"$S/ports"
	cat "$S/ports"
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
*) echo "usage: $0 start|stop STATEDIR MIRROR_OUTDIR" >&2; exit 2 ;;
esac
