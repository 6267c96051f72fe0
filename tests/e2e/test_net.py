# SPDX-License-Identifier: MIT
"""src/net against servers of our own: HTTP/1.1 with keep-alive, chunked
bodies, Range, redirects, errors, hangs and truncation; HTTPS with a
throwaway CA; a CONNECT proxy. Driven through tests/unit/net_get (env
ALU_NET_GET, else the dev build next to ALU_BIN, else build/dev-net)."""
import hashlib
import os
import select
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIG = os.urandom(300_000)
FILES = {
    "repodata/repomd.xml": b"<repomd>hello</repomd>\n",
    "Packages/big.bin": BIG,
    "small.txt": b"small file\n",
}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def net_get_bin():
    env = os.environ.get("ALU_NET_GET")
    if env:
        return env
    cands = []
    if os.environ.get("ALU_BIN"):
        cands.append(Path(os.environ["ALU_BIN"]).parent / "tests/unit/net_get")
    cands += sorted(ROOT.glob("build/*/tests/unit/net_get"), key=lambda p: -p.stat().st_mtime)
    for c in cands:
        if c.exists():
            return str(c)
    pytest.skip("net_get not built")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def send_body(self, code, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path.startswith("http://"):  # absolute form, through a proxy
            path = urlsplit(path).path + ("?" + urlsplit(path).query if urlsplit(path).query else "")
        with self.server.lock:
            self.server.log.append((path, self.headers.get("Range"), dict(self.headers)))
        path, _, query = path.partition("?")
        parts = path.lstrip("/").split("/", 1)
        mode, name = parts[0], parts[1] if len(parts) > 1 else ""
        data = FILES.get(name)
        if mode in ("redir", "loop", "rel") or mode == "500" or mode == "hang":
            pass
        elif data is None:
            return self.send_body(404, b"not here\n")
        if mode == "ok":
            rng = self.headers.get("Range")
            if rng:
                start = int(rng.split("=")[1].split("-")[0])
                if start >= len(data):
                    return self.send_body(416, b"", [("Content-Range", "bytes */%d" % len(data))])
                return self.send_body(206, data[start:], [
                    ("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))])
            return self.send_body(200, data)
        if mode == "idle":  # answers, then drops the kept-alive connection as an idle server does
            self.send_body(200, data)
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "norange":
            return self.send_body(200, data)
        if mode == "chunk":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(data), 7000):
                piece = data[i:i + 7000]
                self.wfile.write(b"%x;x=y\r\n" % len(piece) + piece + b"\r\n")
            self.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")
            return
        if mode == "close":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True
            return
        if mode == "redir":
            return self.send_body(302, b"moved\n", [("Location", "/ok/" + name)])
        if mode == "rel":
            if query == "via=rel":
                return self.send_body(200, FILES[name])
            return self.send_body(301, b"", [("Location", name.rsplit("/", 1)[-1] + "?via=rel")])
        if mode == "loop":
            return self.send_body(302, b"", [("Location", "/loop/" + name)])
        if mode == "500":
            return self.send_body(500, b"oops\n")
        if mode == "hang":
            self.server.stop.wait(20)
            self.close_connection = True
            return
        if mode == "trunc":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if mode == "bad":
            return self.send_body(200, bytes(b ^ 0x55 for b in data))
        return self.send_body(404, b"no mode\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ctx=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.connections = 0
        self.log = []
        self.stop = threading.Event()
        if ctx:
            self.socket = ctx.wrap_socket(self.socket, server_side=True)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def base(self, scheme="http", host="127.0.0.1"):
        return "%s://%s:%d" % (scheme, host, self.server_address[1])

    def reset(self):
        with self.lock:
            self.connections = 0
            self.log = []

    def close(self):
        self.stop.set()
        self.shutdown()
        self.server_close()


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
            "-keyout", name + ".key", "-out", name + ".pem",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)


def make_leaf(d, ca, name, ext, key="rsa:2048"):
    openssl("req", "-newkey", key, "-nodes", "-subj", "/CN=" + name, "-keyout", name + ".key",
            "-out", name + ".csr", cwd=d)
    (d / (name + ".ext")).write_text(ext)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
            "-CAcreateserial", "-days", "2", "-out", name + ".pem", "-extfile", name + ".ext", cwd=d)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    make_ca(d, "ca")
    make_ca(d, "otherca")
    make_leaf(d, "ca", "server", "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
              "extendedKeyUsage=serverAuth\n")
    make_leaf(d, "ca", "wrongname", "subjectAltName=DNS:other.example,IP:10.9.8.7\n")
    make_leaf(d, "ca", "client", "extendedKeyUsage=clientAuth\n")
    openssl("ecparam", "-name", "prime256v1", "-out", "ecparam.pem", cwd=d)
    make_leaf(d, "ca", "eclient", "extendedKeyUsage=clientAuth\n", key="ec:ecparam.pem")
    make_leaf(d, "ca", "ecserver", "subjectAltName=DNS:localhost,IP:127.0.0.1\n", key="ec:ecparam.pem")
    return d


@pytest.fixture(scope="module")
def http():
    s = Server()
    yield s
    s.close()


def tls_ctx(pki, client_ca=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(pki / "ca.pem")
    return ctx


@pytest.fixture(scope="module")
def https(pki):
    s = Server(tls_ctx(pki))
    yield s
    s.close()


def run(*args, timeout=60):
    t0 = time.monotonic()
    p = subprocess.run([net_get_bin(), *map(str, args)], capture_output=True, timeout=timeout)
    p.elapsed = time.monotonic() - t0
    p.err = p.stderr.decode(errors="replace")
    # sanitizer builds report leaks and undefined behaviour on stderr
    assert "Sanitizer" not in p.err and "runtime error" not in p.err, p.err
    return p


def conns(p):
    return int(p.err.rsplit("connections: ", 1)[1].split()[0])


def test_http_get_and_keepalive(http, tmp_path):
    http.reset()
    b = http.base()
    p = run(b + "/ok/repodata/repomd.xml", tmp_path / "a", b + "/ok/Packages/big.bin", tmp_path / "b",
            b + "/ok/small.txt", tmp_path / "c")
    assert p.returncode == 0, p.err
    assert (tmp_path / "a").read_bytes() == FILES["repodata/repomd.xml"]
    assert (tmp_path / "b").read_bytes() == BIG
    assert not list(tmp_path.glob("*.part"))
    assert conns(p) == 1 and http.connections == 1
    ua = http.log[0][2]
    assert ua["User-Agent"].startswith("alupdate/") and ua["Host"] == b[len("http://"):]


def test_server_closes_idle_connection(http, https, pki, tmp_path):
    for srv, scheme in ((http, "http"), (https, "https")):
        srv.reset()
        b = srv.base(scheme, "localhost")
        p = run("--cacert", pki / "ca.pem", b + "/idle/small.txt", tmp_path / "a", b + "/idle/Packages/big.bin",
                tmp_path / "b", b + "/ok/repodata/repomd.xml", tmp_path / "c")
        assert p.returncode == 0, p.err
        assert (tmp_path / "b").read_bytes() == BIG
        assert srv.connections == 3 and len(srv.log) == 3


def test_chunked_close_delimited_and_mem(http, tmp_path):
    b = http.base()
    p = run(b + "/chunk/Packages/big.bin", tmp_path / "a", b + "/close/small.txt", tmp_path / "b")
    assert p.returncode == 0, p.err
    assert (tmp_path / "a").read_bytes() == BIG
    assert (tmp_path / "b").read_bytes() == FILES["small.txt"]
    p = run("--mem", b + "/chunk/repodata/repomd.xml")
    assert p.returncode == 0 and p.stdout == FILES["repodata/repomd.xml"]
    p = run("--mem", "--max", "1000", b + "/ok/Packages/big.bin")
    assert p.returncode == 1 and "larger than 1000 bytes" in p.err


def test_sha256_and_size(http, tmp_path):
    b = http.base()
    p = run("--sha256", sha(BIG), "--size", len(BIG), b + "/ok/Packages/big.bin", tmp_path / "a")
    assert p.returncode == 0, p.err
    p = run("--sha256", "0" * 64, b + "/ok/small.txt", tmp_path / "s")
    assert p.returncode == 1 and "sha256" in p.err and "expected " + "0" * 64 in p.err
    assert not (tmp_path / "s").exists() and not (tmp_path / "s.part").exists()


def test_redirects(http, tmp_path):
    b = http.base()
    p = run(b + "/redir/small.txt", tmp_path / "a", b + "/rel/Packages/big.bin", tmp_path / "b")
    assert p.returncode == 0, p.err
    assert (tmp_path / "a").read_bytes() == FILES["small.txt"]
    assert (tmp_path / "b").read_bytes() == BIG
    assert conns(p) == 1
    p = run(b + "/loop/small.txt", tmp_path / "c")
    assert p.returncode == 1 and "more than 5 redirects" in p.err


def test_http_errors(http, tmp_path):
    b = http.base()
    p = run(b + "/ok/missing", tmp_path / "a")
    assert p.returncode == 1 and b + "/ok/missing: HTTP 404 Not Found" in p.err
    assert not (tmp_path / "a").exists() and not (tmp_path / "a.part").exists()
    p = run(b + "/500/x", tmp_path / "a")
    assert "HTTP 500 Internal Server Error" in p.err
    # nobody listens on a closed port
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    p = run("http://127.0.0.1:%d/x" % port, tmp_path / "a")
    assert p.returncode == 1 and "Connection refused" in p.err


def test_retries_with_backoff(http, tmp_path):
    http.reset()
    p = run("--retries", 2, "--backoff", 100, http.base() + "/500/x", tmp_path / "a")
    assert p.returncode == 1
    assert len(http.log) == 3 and p.elapsed >= 0.3


def test_resume_from_part(http, tmp_path):
    http.reset()
    (tmp_path / "a.part").write_bytes(BIG[:1000])
    p = run("--sha256", sha(BIG), http.base() + "/ok/Packages/big.bin", tmp_path / "a")
    assert p.returncode == 0, p.err
    assert http.log[0][1] == "bytes=1000-"
    assert (tmp_path / "a").read_bytes() == BIG and not (tmp_path / "a.part").exists()
    # a server that ignores Range: 200 means start again
    (tmp_path / "b.part").write_bytes(BIG[:1000])
    p = run(http.base() + "/norange/Packages/big.bin", tmp_path / "b")
    assert p.returncode == 0 and (tmp_path / "b").read_bytes() == BIG
    # a .part as long as the file: 416, restart
    http.reset()
    (tmp_path / "c.part").write_bytes(FILES["small.txt"])
    p = run("--sha256", "0" * 64, http.base() + "/ok/small.txt", tmp_path / "c")
    assert p.returncode == 1 and "sha256" in p.err
    # 416, then from zero; the checksum still fails, and then once more from zero
    assert [r for _, r, _ in http.log] == ["bytes=%d-" % len(FILES["small.txt"]), None, None]
    assert not (tmp_path / "c.part").exists()
    # without a checksum a .part is never resumed
    http.reset()
    (tmp_path / "e.part").write_bytes(b"stale")
    p = run(http.base() + "/ok/small.txt", tmp_path / "e")
    assert p.returncode == 0 and (tmp_path / "e").read_bytes() == FILES["small.txt"]
    assert http.log[0][1] is None
    # a .part with wrong bytes: checksum fails, one more try from zero
    http.reset()
    (tmp_path / "d.part").write_bytes(b"x" * 1000)
    p = run("--sha256", sha(BIG), http.base() + "/ok/Packages/big.bin", tmp_path / "d")
    assert p.returncode == 0, p.err
    assert [r for _, r, _ in http.log] == ["bytes=1000-", None]
    assert (tmp_path / "d").read_bytes() == BIG


def test_truncated_body_keeps_part_then_resumes(http, tmp_path):
    p = run(http.base() + "/trunc/Packages/big.bin", tmp_path / "x")
    assert p.returncode == 1 and "short read (got 150000 of 300000 bytes)" in p.err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.part").exists()
    p = run("--sha256", sha(BIG), http.base() + "/trunc/Packages/big.bin", tmp_path / "a")
    assert p.returncode == 1 and "short read (got 150000 of 300000 bytes)" in p.err
    assert not (tmp_path / "a").exists()
    assert (tmp_path / "a.part").read_bytes() == BIG[:150000]
    http.reset()
    p = run("--sha256", sha(BIG), http.base() + "/ok/Packages/big.bin", tmp_path / "a")
    assert p.returncode == 0 and http.log[0][1] == "bytes=150000-"
    assert (tmp_path / "a").read_bytes() == BIG


def test_timeout(http, tmp_path):
    p = run("--timeout", 1, http.base() + "/hang/x", tmp_path / "a")
    assert p.returncode == 1 and "timed out after 1 s" in p.err
    assert p.elapsed < 4


def test_query_appended(http, tmp_path):
    http.reset()
    p = run("--query", "instance_id=i-1&region=eu-west-1", http.base() + "/ok/small.txt", tmp_path / "a")
    assert p.returncode == 0, p.err
    assert http.log[0][0] == "/ok/small.txt?instance_id=i-1&region=eu-west-1"


def test_https(https, pki, tmp_path):
    https.reset()
    for host in ("127.0.0.1", "localhost"):
        b = https.base("https", host)
        p = run("--cacert", pki / "ca.pem", b + "/ok/small.txt", tmp_path / "a", b + "/chunk/Packages/big.bin",
                tmp_path / "b")
        assert p.returncode == 0, p.err
        assert (tmp_path / "b").read_bytes() == BIG and conns(p) == 1
    assert https.connections == 2


def test_https_wrong_ca_and_insecure(https, pki, tmp_path):
    b = https.base("https")
    p = run("--cacert", pki / "otherca.pem", b + "/ok/small.txt", tmp_path / "a")
    assert p.returncode == 1 and "TLS" in p.err and "not trusted" in p.err
    assert not (tmp_path / "a").exists() and not (tmp_path / "a.part").exists()
    p = run("--insecure", "--cacert", pki / "otherca.pem", b + "/ok/small.txt", tmp_path / "a")
    assert p.returncode == 0, p.err
    assert (tmp_path / "a").read_bytes() == FILES["small.txt"]
    # a bundle of several CAs, with a key block between them and no final newline
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes((pki / "otherca.pem").read_bytes() + (pki / "client.key").read_bytes()
                       + (pki / "ca.pem").read_bytes().rstrip(b"\n"))
    p = run("--cacert", bundle, b + "/ok/small.txt", tmp_path / "b")
    assert p.returncode == 0, p.err
    p = run("--cacert", tmp_path / "missing.pem", b + "/ok/small.txt", tmp_path / "c")
    assert p.returncode == 1 and "missing.pem: No such file" in p.err
    (tmp_path / "empty.pem").write_text("nothing here\n")
    p = run("--cacert", tmp_path / "empty.pem", b + "/ok/small.txt", tmp_path / "c")
    assert p.returncode == 1 and "no usable CA certificate" in p.err


def test_https_name_mismatch(pki, tmp_path):
    # a valid certificate from the right CA, for other names and addresses
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "wrongname.pem", pki / "wrongname.key")
    s = Server(ctx)
    try:
        for host in ("127.0.0.1", "localhost"):
            p = run("--cacert", pki / "ca.pem", s.base("https", host) + "/ok/small.txt", tmp_path / "a")
            assert p.returncode == 1 and "does not match the host name" in p.err, p.err
        p = run("--insecure", s.base("https") + "/ok/small.txt", tmp_path / "a")
        assert p.returncode == 0, p.err
    finally:
        s.close()


def test_https_ec_server_key(pki, tmp_path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki / "ecserver.pem", pki / "ecserver.key")
    s = Server(ctx)
    try:
        p = run("--cacert", pki / "ca.pem", s.base("https") + "/ok/Packages/big.bin", tmp_path / "a")
        assert p.returncode == 0, p.err
        assert (tmp_path / "a").read_bytes() == BIG
    finally:
        s.close()


def test_https_client_certificate(pki, tmp_path):
    s = Server(tls_ctx(pki, client_ca=True))
    try:
        b = s.base("https")
        p = run("--cacert", pki / "ca.pem", b + "/ok/small.txt", tmp_path / "a")
        assert p.returncode == 1
        p = run("--cacert", pki / "ca.pem", "--cert", pki / "client.pem", "--key", pki / "client.key",
                b + "/ok/small.txt", tmp_path / "a")
        assert p.returncode == 0, p.err
        p = run("--cacert", pki / "ca.pem", "--cert", pki / "eclient.pem", "--key", pki / "eclient.key",
                b + "/ok/small.txt", tmp_path / "b")
        assert p.returncode == 0, p.err
    finally:
        s.close()


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.connects = []
        self.gets = []
        self.get_heads = []
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        c = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            d = c.recv(4096)
            if not d:
                return
            head += d
        line = head.split(b"\r\n", 1)[0].decode()
        method, target, _ = line.split(" ")
        if method == "CONNECT":
            self.server.connects.append((target, head))
            host, port = target.rsplit(":", 1)
            up = socket.create_connection((host, int(port)))
            c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            rest = head.split(b"\r\n\r\n", 1)[1]
        else:
            self.server.gets.append(target)
            self.server.get_heads.append(head)
            u = urlsplit(target)
            up = socket.create_connection((u.hostname, u.port))
            rest = head
        if rest:
            up.sendall(rest)
        socks = [c, up]
        while True:
            r, _, _ = select.select(socks, [], [], 10)
            if not r:
                break
            for s in r:
                d = s.recv(65536)
                if not d:
                    up.close()
                    return
                (up if s is c else c).sendall(d)


def test_proxy(http, https, pki, tmp_path):
    px = Proxy()
    try:
        proxy = "http://user:secret@127.0.0.1:%d" % px.server_address[1]
        p = run("--proxy", proxy, "--cacert", pki / "ca.pem", https.base("https", "localhost") + "/ok/small.txt",
                tmp_path / "a", http.base() + "/ok/repodata/repomd.xml", tmp_path / "b")
        assert p.returncode == 0, p.err
        assert px.connects and px.connects[0][0] == "localhost:%d" % https.server_address[1]
        assert b"Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=" in px.connects[0][1]
        assert px.gets == [http.base() + "/ok/repodata/repomd.xml"]
        assert b"Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=" in px.get_heads[0]
        assert (tmp_path / "a").read_bytes() == FILES["small.txt"]
        assert (tmp_path / "b").read_bytes() == FILES["repodata/repomd.xml"]
        # proxy_username/proxy_password from the configuration win over the URL's
        p = run("--proxy", "http://127.0.0.1:%d" % px.server_address[1], "--proxy-user", "al", "--proxy-password",
                "p:w", http.base() + "/ok/small.txt", tmp_path / "c")
        assert p.returncode == 0, p.err
        assert b"Proxy-Authorization: Basic YWw6cDp3" in px.get_heads[-1]
    finally:
        px.shutdown()
        px.server_close()


def test_ipv6_literal(tmp_path):
    class Server6(Server):
        address_family = socket.AF_INET6

        def __init__(self):
            ThreadingHTTPServer.__init__(self, ("::1", 0), Handler)
            self.lock = threading.Lock()
            self.connections = 0
            self.log = []
            self.stop = threading.Event()
            threading.Thread(target=self.serve_forever, daemon=True).start()
    try:
        s = Server6()
    except OSError:
        pytest.skip("no IPv6 loopback")
    try:
        p = run("http://[::1]:%d/ok/small.txt" % s.server_address[1], tmp_path / "a")
        assert p.returncode == 0, p.err
        assert s.log[0][2]["Host"] == "[::1]:%d" % s.server_address[1]
    finally:
        s.close()


def test_file_urls(tmp_path):
    src = tmp_path / "repo" / "repodata"
    src.mkdir(parents=True)
    (src / "repomd.xml").write_bytes(b"<x/>")
    p = run("file://%s/repodata/repomd.xml" % (tmp_path / "repo"), tmp_path / "out")
    assert p.returncode == 0 and (tmp_path / "out").read_bytes() == b"<x/>"
    p = run("--mem", "file://%s/repodata/repomd.xml" % (tmp_path / "repo"))
    assert p.stdout == b"<x/>"
    p = run("file://%s/missing" % tmp_path, tmp_path / "out2")
    assert p.returncode == 1 and "No such file" in p.err and not (tmp_path / "out2.part").exists()


def test_failover(http, tmp_path):
    b = http.base()
    bad = [b + "/500", b + "/hang/", b + "/trunc", b + "/bad", b + "/ok/nothing-here"]
    args = ["--timeout", 1, "--sha256", sha(BIG)]
    for m in bad + [b + "/ok", b + "/chunk"]:
        args += ["--mirror", m]
    t0 = time.monotonic()
    p = run(*args, "--", "Packages/big.bin", tmp_path / "a")
    assert p.returncode == 0, p.err
    out = p.err
    assert "mirror: %s/ok" % b in out
    assert "failed: %s/500: HTTP 500 Internal Server Error" % b in out
    assert "failed: %s/hang/: waiting for response: timed out after 1 s" % b in out
    assert "failed: %s/trunc: short read (got 150000 of 300000 bytes)" % b in out
    assert "failed: %s/bad: sha256" % b in out
    assert "failed: %s/ok/nothing-here: HTTP 404 Not Found" % b in out
    assert (tmp_path / "a").read_bytes() == BIG
    assert time.monotonic() - t0 < 10


def test_failover_remembers_and_reports_all(http, tmp_path):
    b = http.base()
    http.reset()
    args = ["--timeout", 1]
    for m in (b + "/500", b + "/ok"):
        args += ["--mirror", m]
    p = run(*args, "--", "small.txt", tmp_path / "a", "repodata/repomd.xml", tmp_path / "b")
    assert p.returncode == 0, p.err
    # the 500 mirror is asked once; the second file goes straight to the good one
    assert [x[0] for x in http.log] == ["/500/small.txt", "/ok/small.txt", "/ok/repodata/repomd.xml"]
    args = ["--timeout", 1]
    for m in (b + "/500", b + "/hang", b + "/ok/none"):
        args += ["--mirror", m]
    p = run(*args, "--", "small.txt", tmp_path / "c")
    assert p.returncode == 1
    assert "all 3 mirrors failed for small.txt" in p.err
    for m, why in ((b + "/500", "HTTP 500"), (b + "/hang", "waiting for response: timed out after 1 s"), (b + "/ok/none", "HTTP 404")):
        assert "%s: %s" % (m, why) in p.err
    assert not (tmp_path / "c").exists() and not (tmp_path / "c.part").exists()


def test_mirrorlist(http, tmp_path):
    b = http.base()
    ml = tmp_path / "mirror.list"
    ml.write_text("# regions in order\n%s/500/$basearch\n%s/ok" % (b, b))  # no trailing newline
    p = run("--mirrorlist", ml, "--basearch", "x86_64", "--", "small.txt", tmp_path / "a")
    assert p.returncode == 0, p.err
    assert "failed: %s/500/x86_64: HTTP 500" % b in p.err
