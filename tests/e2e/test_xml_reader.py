# SPDX-License-Identifier: MIT
"""primary.xml and updateinfo.xml through the binary's XML reader
(src/repo/xmlscan*): the sample mirror's metadata written in other
well-formed ways (CRLF line ends, character references, comments, and a
prolog the fast path hands to expat: a DOCTYPE and a Latin-1 declaration)
must give the same query and advisory output, on the sample root, as the
createrepo_c original; a malformed file is refused with file and line, and
the previous metadata stays."""
import glob
import gzip
import hashlib
import os
import re
import subprocess
from xml.sax.saxutils import unescape

from conftest import ALU_BIN as ALU
from test_repo import DATA_TMPL   # repomd's <data> entry, as test_repo writes it


def xml(mirror, name):
    path = glob.glob(os.path.join(str(mirror.repo()), "repodata", "*-%s.xml.gz" % name))[0]
    return gzip.decompress(open(path, "rb").read())


def write_repo(dest, primary, updateinfo, rev):
    """A repository in @dest from the two documents (bytes)."""
    rd = os.path.join(dest, "repodata")
    os.makedirs(rd, exist_ok=True)
    for f in os.listdir(rd):
        os.unlink(os.path.join(rd, f))
    md = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<repomd xmlns="http://linux.duke.edu/metadata/repo">\n'
          '  <revision>%s</revision>\n' % rev)
    for typ, doc in (("primary", primary), ("updateinfo", updateinfo)):
        blob = gzip.compress(doc)
        s = hashlib.sha256(blob).hexdigest()
        name = "%s-%s.xml.gz" % (s, typ)
        with open(os.path.join(rd, name), "wb") as f:
            f.write(blob)
        md += DATA_TMPL.format(type=typ, sum=s, name=name, size=len(blob))
    with open(os.path.join(rd, "repomd.xml"), "w") as f:
        f.write(md + "</repomd>\n")


def use_repo(root, repo):
    """Point the sample root at @repo alone."""
    for f in glob.glob(os.path.join(str(root), "etc", "yum.repos.d", "*.repo")):
        os.unlink(f)
    with open(os.path.join(str(root), "etc", "yum.repos.d", "t.repo"), "w") as f:
        f.write("[fx]\nname=fixture\nbaseurl=file://%s\nenabled=1\ngpgcheck=0\n"
                "metadata_expire=0\n" % repo)
    return str(root)


def alu(root, *args):
    return subprocess.run([ALU, "--installroot", root] + list(args),
                          capture_output=True, text=True, timeout=120)


def views(root):
    """What a user sees of the metadata: every package's info, every advisory."""
    out = []
    for args in (["list", "available"], ["info", "*"], ["check-update"],
                 ["updateinfo", "info", "all"], ["updateinfo", "list", "all"],
                 ["updateinfo", "list", "cves", "all"], ["provides", "/usr/bin/*"]):
        r = alu(root, "-C", *args)
        out.append((args, r.returncode, r.stdout))
    return out


def cdata(m):
    text = unescape(m.group(2).decode(), {"&quot;": '"', "&apos;": "'"}).encode()
    return m.group(1) + b"<![CDATA[" + text + b"]]></description>"


def crlf_refs_cdata(doc):
    """Same content, other spelling: CRLF, 'e' as a character reference in
    text and attribute values, descriptions in CDATA, comments between tags."""
    doc = re.sub(rb"(<description>)([^<]*)</description>", cdata, doc)
    doc = doc.replace(b"\n", b"\r\n")
    doc = re.sub(rb"<summary>([^<]*)</summary>",
                 lambda m: b"<summary>" + m.group(1).replace(b"e", b"&#101;") + b"</summary>", doc)
    doc = re.sub(rb'name="([^"]*)"', lambda m: b'name="' + m.group(1).replace(b"e", b"&#x65;") + b'"', doc)
    doc = doc.replace(b"</package>", b"<!-- end -->\r\n</package>")
    return doc


def latin1_doctype(doc):
    """A prolog the fast path leaves to expat. The fixture is ASCII, so the
    bytes mean the same in Latin-1."""
    doc.decode("ascii")
    first = doc.index(b"?>") + 2
    root = re.search(rb"<(metadata|updates)\b", doc).group(1)
    return (b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE ' + root +
            b' [<!ENTITY unused "x">]>' + doc[first:])


def test_other_spellings_same_result(tmp_path, mirror, sample_root):
    repo = str(tmp_path / "repo")
    primary, updateinfo = xml(mirror, "primary"), xml(mirror, "updateinfo")
    write_repo(repo, primary, updateinfo, "1")
    root = use_repo(sample_root, repo)
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    alu(root, "list", "installed")   # adoption of the rpmdb says so once
    want = views(root)
    # every view works, and the sample root has updates and advisories: not empty
    assert all(rc in (0, 100) and out for _, rc, out in want), want
    assert want[2][1] == 100 and "ALAS2" in want[4][2] and "CVE-" in want[5][2], want
    for n, form in enumerate((crlf_refs_cdata, latin1_doctype)):
        write_repo(repo, form(primary), form(updateinfo), str(n + 2))
        r = alu(root, "makecache")
        assert r.returncode == 0, (form.__name__, r.stderr)
        assert views(root) == want, form.__name__


def test_malformed_refused_old_metadata_kept(tmp_path, mirror, sample_root):
    repo = str(tmp_path / "repo")
    primary, updateinfo = xml(mirror, "primary"), xml(mirror, "updateinfo")
    write_repo(repo, primary, updateinfo, "1")
    root = use_repo(sample_root, repo)
    assert alu(root, "makecache").returncode == 0
    alu(root, "list", "installed")
    want = views(root)
    lines = primary.split(b"\n")
    line = next(i for i, l in enumerate(lines) if b"<url>" in l) + 1
    bad = primary.replace(b"</url>", b"</uri>", 1)
    write_repo(repo, bad, updateinfo, "2")
    r = alu(root, "makecache")
    assert r.returncode == 1
    assert "primary.xml: line %d: mismatched tag" % line in r.stderr, r.stderr
    assert views(root) == want
