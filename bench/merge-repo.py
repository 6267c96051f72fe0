#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""One repository of Amazon Linux 2 size that can really be updated from:
the entries of a generated repository (bench/gen-repo.py, no package files)
plus the sample mirror's real signed packages, their primary entries and
their advisories. Generated entries and advisories that name a sample
package are left out, so every NEVRA is listed once.

usage: merge-repo.py OUTDIR GENREPO SAMPLEREPO

Writes OUTDIR/repodata/{primary.xml.gz, updateinfo.xml.gz, repomd.xml}
(the forms dnf reads) and copies SAMPLEREPO/Packages to OUTDIR/Packages.
"""
import glob, gzip, hashlib, os, re, shutil, sys


def read(repo, typ):
    md = open(os.path.join(repo, 'repodata/repomd.xml')).read()
    m = re.search(r'<data type="%s">.*?<location href="([^"]+)"' % typ, md, re.S)
    return gzip.decompress(open(os.path.join(repo, m.group(1)), 'rb').read()).decode()


def split(text, tag):
    """(head, [elements]) of the top-level <tag ...>...</tag> elements."""
    parts = re.split(r'(?=<%s[ >])' % tag, text)
    head, body = parts[0], parts[1:]
    if body:
        last = body[-1]
        cut = last.rindex('</%s>' % tag) + len(tag) + 3
        body[-1] = last[:cut]
    return head, body


def main():
    out, gen, sample = sys.argv[1:4]
    rd = os.path.join(out, 'repodata')
    os.makedirs(rd, exist_ok=True)
    s_head, s_pkgs = split(read(sample, 'primary'), 'package')
    names = {re.search(r'<name>([^<]+)</name>', p).group(1) for p in s_pkgs}
    g_head, g_pkgs = split(read(gen, 'primary'), 'package')
    g_pkgs = [p for p in g_pkgs if re.search(r'<name>([^<]+)</name>', p).group(1) not in names]
    pkgs = g_pkgs + s_pkgs
    head = re.sub(r'packages="\d+"', 'packages="%d"' % len(pkgs), g_head)
    prim = head + '\n'.join(p.strip() for p in pkgs) + '\n</metadata>\n'
    _, s_upd = split(read(sample, 'updateinfo'), 'update')
    _, g_upd = split(read(gen, 'updateinfo'), 'update')
    g_upd = [u for u in g_upd if not set(re.findall(r'<package name="([^"]+)"', u)) & names]
    upd = '<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n' + \
        '\n'.join(u.strip() for u in g_upd + s_upd) + '\n</updates>\n'
    x = ['<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" '
         'xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n<revision>1700000001</revision>\n']
    for typ, fn, text in (('primary', 'primary.xml.gz', prim), ('updateinfo', 'updateinfo.xml.gz', upd)):
        raw = text.encode()
        data = gzip.compress(raw, mtime=0)
        open(os.path.join(rd, fn), 'wb').write(data)
        x.append('<data type="%s"><checksum type="sha256">%s</checksum><open-checksum type="sha256">%s'
                 '</open-checksum><location href="repodata/%s"/><timestamp>1700000001</timestamp>'
                 '<size>%d</size><open-size>%d</open-size></data>\n'
                 % (typ, hashlib.sha256(data).hexdigest(), hashlib.sha256(raw).hexdigest(), fn,
                    len(data), len(raw)))
    x.append('</repomd>\n')
    open(os.path.join(rd, 'repomd.xml'), 'w').write(''.join(x))
    dst = os.path.join(out, 'Packages')
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(os.path.join(sample, 'Packages'), dst)
    print('%d packages (%d real), %d advisories' % (len(pkgs), len(s_pkgs), len(g_upd) + len(s_upd)))


if __name__ == '__main__':
    main()
