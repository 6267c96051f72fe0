/* SPDX-License-Identifier: MIT */
/* Unit tests for src/net: URLs, mirror lists, HTTP head and chunked parsing. */
#include "net/http.h"
#include "net/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond) do { \
	if (cond) passed++; \
	else { failed++; fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

static void url_ok(const char *in, const char *scheme, const char *host, int port,
	const char *path, int ipv6)
{
	struct alu_url u;
	struct alu_err e = { 0 };
	int r = alu_url_parse(&u, in, &e);

	CHECK(r == 0);
	if (r) {
		fprintf(stderr, "  %s: %s\n", in, e.msg);
		alu_url_free(&u);
		return;
	}
	CHECK(!strcmp(u.scheme, scheme));
	CHECK(!strcmp(u.host, host));
	CHECK(u.port == port);
	CHECK(u.ipv6 == ipv6);
	CHECK(!strcmp(u.path, path));
	if (strcmp(u.path, path))
		fprintf(stderr, "  %s: path %s\n", in, u.path);
	alu_url_free(&u);
}

static void url_bad(const char *in, int code)
{
	struct alu_url u;
	struct alu_err e = { 0 };
	int r = alu_url_parse(&u, in, &e);

	CHECK(r == code);
	CHECK(e.msg[0] != 0);
	if (r != code)
		fprintf(stderr, "  %s: got %d (%s)\n", in, r, e.msg);
	alu_url_free(&u);
}

static void test_url(void)
{
	url_ok("http://example.com", "http", "example.com", 80, "/", 0);
	url_ok("HTTPS://Mirror.Example.COM/2/core/", "https", "mirror.example.com", 443, "/2/core/", 0);
	url_ok("http://127.0.0.1:8080/a%20b/c?x=1#frag", "http", "127.0.0.1", 8080, "/a%20b/c?x=1", 0);
	url_ok("http://[::1]:9/x", "http", "::1", 9, "/x", 1);
	url_ok("https://[2001:db8::1]/", "https", "2001:db8::1", 443, "/", 1);
	url_ok("http://host?q=1", "http", "host", 80, "/?q=1", 0);
	url_ok("file:///srv/mirror/repo", "file", "", 0, "/srv/mirror/repo", 0);
	url_ok("file://localhost/srv/x", "file", "", 0, "/srv/x", 0);
	{
		struct alu_url u;
		CHECK(alu_url_parse(&u, "http://user:p%40ss@proxy:3128", NULL) == 0);
		CHECK(!strcmp(u.userinfo, "user:p%40ss"));
		CHECK(!strcmp(u.host, "proxy") && u.port == 3128);
		alu_url_free(&u);
	}
	url_bad("ftp://example.com/", -ALUE_UNSUPPORTED);
	url_bad("example.com/path", -ALUE_CONFIG);
	url_bad("http://", -ALUE_CONFIG);
	url_bad("http://host:0/", -ALUE_CONFIG);
	url_bad("http://host:65536/", -ALUE_CONFIG);
	url_bad("http://host:12a/", -ALUE_CONFIG);
	url_bad("http://[::1/", -ALUE_CONFIG);
	url_bad("http://[::1]x/", -ALUE_CONFIG);
	url_bad("http://ho st/", -ALUE_CONFIG);
	url_bad("http://host/a b", -ALUE_CONFIG);
	url_bad("file://relative/x", -ALUE_CONFIG);
}

static void join(const char *base, const char *rel, const char *want)
{
	char *out = NULL;

	CHECK(alu_url_join(base, rel, &out) == 0);
	CHECK(out && !strcmp(out, want));
	if (out && strcmp(out, want))
		fprintf(stderr, "  join(%s, %s) = %s, want %s\n", base, rel, out, want);
	free(out);
}

static void test_join(void)
{
	join("http://h/2/core/x86_64", "repodata/repomd.xml", "http://h/2/core/x86_64/repodata/repomd.xml");
	join("http://h/2/core/x86_64/", "repodata/repomd.xml", "http://h/2/core/x86_64/repodata/repomd.xml");
	join("http://h/base/", "./Packages/a.rpm", "http://h/base/Packages/a.rpm");
	join("http://h/base/", "/other/x", "http://h/other/x");
	join("http://h:81", "/x", "http://h:81/x");
	join("http://h", "x", "http://h/x");
	join("http://h/b/", "https://other/y", "https://other/y");
	join("https://s3/b?sig=1", "repodata/repomd.xml", "https://s3/b/repodata/repomd.xml?sig=1");
	join("file:///srv/repo", "repodata/repomd.xml", "file:///srv/repo/repodata/repomd.xml");
	join("file:///srv/repo/", "/abs", "file:///abs");
}

static void test_mirrorlist(void)
{
	struct alu_mirrors m = { 0 };
	struct alu_err e = { 0 };
	const char *t1 = "# AL2\n\nhttps://a.example/2/core/$basearch\r\n  http://b.example/${basearch}/x  \n"
		"file:///srv/m/$basearch";

	CHECK(alu_mirrors_from_list(&m, t1, strlen(t1), "x86_64", &e) == 0);
	CHECK(m.n == 3);
	if (m.n == 3) {
		CHECK(!strcmp(m.v[0].url, "https://a.example/2/core/x86_64"));
		CHECK(!strcmp(m.v[1].url, "http://b.example/x86_64/x"));
		CHECK(!strcmp(m.v[2].url, "file:///srv/m/x86_64"));
		CHECK(m.v[0].failure == NULL);
	}
	alu_mirrors_free(&m);
	CHECK(m.n == 0 && m.v == NULL);

	/* one URL without newline, as AL2's mirror.list often is */
	const char *t2 = "https://amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-1.amazonaws.com/2/core/2.0.20231101.0/$basearch";
	CHECK(alu_mirrors_from_list(&m, t2, strlen(t2), NULL, &e) == 0);
	CHECK(m.n == 1 && strstr(m.v[0].url, "$basearch"));
	alu_mirrors_free(&m);

	const char *t3 = "http://ok/\nnot a url\n";
	alu_err_clear(&e);
	CHECK(alu_mirrors_from_list(&m, t3, strlen(t3), NULL, &e) == -ALUE_CORRUPT);
	CHECK(strstr(e.msg, "line 2") != NULL);
	alu_mirrors_free(&m);

	alu_err_clear(&e);
	CHECK(alu_mirrors_from_list(&m, "# nothing\n\n", 11, NULL, &e) == -ALUE_CORRUPT);
	alu_mirrors_free(&m);

	/* an empty set is a configuration error, not a crash */
	alu_err_clear(&e);
	CHECK(alu_mirrors_get_file(NULL, &m, "x", NULL, "/nonexistent/x", NULL, 0, &e) == -ALUE_CONFIG);
}

/* feed a head in pieces of `step` bytes */
static int head(const char *s, size_t step, struct alu_http_head *h, size_t *body_off)
{
	size_t n = strlen(s), off = 0;
	int r = 0;

	memset(h, 0, sizeof(*h));
	while (off < n && r == 0) {
		size_t k = n - off < step ? n - off : step, used;
		r = alu_http_head_feed(h, s + off, k, &used);
		off += used;
	}
	*body_off = off;
	return r;
}

static void test_head(void)
{
	static const char ok[] = "HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\n"
		"Content-Range: bytes 100-109/110\r\nConnection: keep-alive\r\nX-Y:  z \r\n\r\nBODY";
	struct alu_http_head h;
	size_t off;

	for (size_t step = 1; step <= sizeof(ok); step += step < 4 ? 1 : 37) {
		CHECK(head(ok, step, &h, &off) == 1);
		CHECK(h.status == 206 && h.minor == 1 && !strcmp(h.reason, "Partial Content"));
		CHECK(h.length == 10 && !h.chunked && !h.close);
		CHECK(h.range_start == 100 && h.range_total == 110);
		CHECK(!strcmp(ok + off, "BODY"));
		alu_http_head_free(&h);
	}
	CHECK(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 1,
		&h, &off) == 1);
	CHECK(h.chunked && h.length == -1);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.0 302 Found\nLocation: /x/y\n\n", 3, &h, &off) == 1);
	CHECK(h.status == 302 && h.close && h.location && !strcmp(h.location, "/x/y"));
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n", 5, &h, &off) == 1);
	CHECK(h.status == 404 && h.close && h.length == -1);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 200\r\n\r\n", 1, &h, &off) == 1);
	CHECK(h.status == 200 && h.reason[0] == 0);
	alu_http_head_free(&h);
	/* malformed */
	CHECK(head("HTTP/2 200 OK\r\n\r\n", 1, &h, &off) == -ALUE_HTTP);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 7, &h, &off)
		== -ALUE_HTTP);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 7, &h, &off) == -ALUE_HTTP);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 7, &h, &off)
		== -ALUE_HTTP);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 7, &h, &off) == -ALUE_HTTP);
	alu_http_head_free(&h);
	CHECK(head("HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", 7, &h, &off) == -ALUE_HTTP);
	alu_http_head_free(&h);
	/* more than the head limit without an end */
	{
		char *big = malloc(ALU_HTTP_HEAD_MAX + 100);
		memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
		for (size_t i = 17; i < ALU_HTTP_HEAD_MAX + 99; i++)
			big[i] = i % 50 == 49 ? '\n' : 'a';
		big[ALU_HTTP_HEAD_MAX + 99] = 0;
		CHECK(head(big, 4096, &h, &off) == -ALUE_HTTP);
		alu_http_head_free(&h);
		free(big);
	}
}

static int dechunk(const char *in, size_t step, char *out, size_t *outn, size_t *rest)
{
	struct alu_http_chunked c = { 0 };
	size_t n = strlen(in), off = 0;
	char buf[256];

	*outn = 0;
	while (off < n && !c.done) {
		size_t k = n - off < step ? n - off : step, used, got;
		memcpy(buf, in + off, k);
		int r = alu_http_chunked_feed(&c, buf, k, &used, &got);
		if (r)
			return r;
		memcpy(out + *outn, buf, got);
		*outn += got;
		off += used;
	}
	out[*outn] = 0;
	*rest = n - off;
	return c.done ? 1 : 0;
}

static void test_chunked(void)
{
	static const char ok[] = "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	char out[256];
	size_t n, rest;

	for (size_t step = 1; step < sizeof(ok); step++) {
		CHECK(dechunk(ok, step, out, &n, &rest) == 1);
		CHECK(n == 16 && !strcmp(out, "hello 0123456789"));
		CHECK(rest == 4);
	}
	CHECK(dechunk("3\nabc\n0\n\n", 1, out, &n, &rest) == 1 && !strcmp(out, "abc"));
	CHECK(dechunk("5\r\nhel", 1, out, &n, &rest) == 0 && !strcmp(out, "hel"));
	CHECK(dechunk("zz\r\n", 1, out, &n, &rest) == -ALUE_HTTP);
	CHECK(dechunk("\r\n", 1, out, &n, &rest) == -ALUE_HTTP);
	CHECK(dechunk("3\r\nabcX\r\n", 2, out, &n, &rest) == -ALUE_HTTP);
	CHECK(dechunk("ffffffffffffffffff\r\n", 3, out, &n, &rest) == -ALUE_HTTP);
}

int main(void)
{
	test_url();
	test_join();
	test_mirrorlist();
	test_head();
	test_chunked();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
