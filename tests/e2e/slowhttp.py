# SPDX-License-Identifier: MIT
"""A slow link in front of a directory: HTTP/1.1 with keep-alive on
127.0.0.1, a delay before every response and a per-connection rate limit.
It counts what a client did (connections, requests, the most requests in
flight at once) so that tests can prove parallel downloads and connection
reuse without timing anything. Used by tests/e2e/test_parallel_download.py
and bench/net-slow.sh.

As a module: SlowServer(root, latency=0.05, rate=5e6, ttl=120,
             rpm_latency=None (packages' delay; default latency)).start().
As a script: slowhttp.py ROOT [--latency-ms 50] [--rate BYTES_PER_S]
             [--ttl SECONDS] --port-file FILE
It stops by itself after ttl seconds (and, as a script, when its parent
exits).
"""
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHUNK = 16384


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_GET(self):
        srv = self.server
        path = self.path.split("?", 1)[0]
        with srv.lock:
            srv.requests += 1
            srv.log.append(path)
            srv.inflight += 1
            srv.max_inflight = max(srv.max_inflight, srv.inflight)
            if path.endswith(".rpm"):
                srv.rpm_inflight += 1
                srv.max_rpm_inflight = max(srv.max_rpm_inflight, srv.rpm_inflight)
        try:
            time.sleep(srv.rpm_latency if path.endswith(".rpm") else srv.latency)
            self.answer(path)
        finally:
            with srv.lock:
                srv.inflight -= 1
                if path.endswith(".rpm"):
                    srv.rpm_inflight -= 1

    def answer(self, path):
        srv = self.server
        rule = next((v for k, v in srv.rules.items() if path.endswith(k)), None)
        f = (srv.root / path.lstrip("/")).resolve()
        if rule == "500" or not str(f).startswith(str(srv.root)) or not f.is_file():
            code = 500 if rule == "500" else 404
            body = b"no\n"
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = f.read_bytes()
        if rule == "corrupt":
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        # the rate limit of this connection: CHUNK bytes, then the time they take
        t0 = time.monotonic()
        for off in range(0, len(data), CHUNK):
            self.wfile.write(data[off:off + CHUNK])
            if srv.rate:
                ahead = t0 + (off + CHUNK) / srv.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)


class SlowServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root, latency=0.05, rate=5_000_000, ttl=120, port=0, rpm_latency=None):
        super().__init__(("127.0.0.1", port), Handler)
        self.root = Path(root).resolve()
        self.latency, self.rate, self.ttl = latency, rate, ttl
        self.rpm_latency = latency if rpm_latency is None else rpm_latency
        self.lock = threading.Lock()
        self.rules = {}          # path suffix -> "500" | "corrupt"
        self.reset()

    def reset(self):
        self.connections = self.requests = 0
        self.inflight = self.max_inflight = 0
        self.rpm_inflight = self.max_rpm_inflight = 0
        self.log = []

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server_address[1]

    def start(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        self._timer = threading.Timer(self.ttl, self.shutdown)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self):
        self._timer.cancel()
        self.shutdown()
        self.server_close()


def main(argv):
    root, args = argv[0], argv[1:]
    opt = dict(zip(args[::2], args[1::2]))
    srv = SlowServer(root, latency=int(opt.get("--latency-ms", "50")) / 1000,
                     rate=float(opt.get("--rate", "5000000")), ttl=float(opt.get("--ttl", "900")))
    srv.start()
    Path(opt["--port-file"]).write_text("%d\n" % srv.server_address[1])
    parent, end = os.getppid(), time.monotonic() + srv.ttl
    while time.monotonic() < end and os.getppid() == parent:
        time.sleep(0.5)
    srv.shutdown()


if __name__ == "__main__":
    main(sys.argv[1:])
