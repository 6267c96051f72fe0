#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Deterministic repository of Amazon Linux 2 size for benchmarks.

usage: gen-repo.py OUTDIR [--packages N] [--advisories N] [--prefix P] [--names NAME=EVR ...]

Writes OUTDIR/repodata/{primary.xml.gz, primary.sqlite.bz2, filelists.xml.gz,
other.xml.gz, updateinfo.xml.gz, repomd.xml}. Packages are entries only (no
.rpm files): enough for makecache, check-update and updateinfo, which never
download packages. --names adds newer versions of packages a sample root has,
so that there are updates to find. --prefix names the packages P00000-...
(default pkg): repositories of other names, for the scale rows.
"""
import bz2, gzip, hashlib, os, random, sqlite3, sys, time
from xml.sax.saxutils import escape

def q(s):
    return escape(s, {'"': '&quot;'})

def main():
    args = sys.argv[1:]
    out = args.pop(0)
    npk, nadv, extra, prefix = 25000, 2000, [], 'pkg'
    while args:
        a = args.pop(0)
        if a == '--packages': npk = int(args.pop(0))
        elif a == '--advisories': nadv = int(args.pop(0))
        elif a == '--prefix': prefix = args.pop(0)
        elif a == '--names':
            while args and not args[0].startswith('--'):
                extra.append(args.pop(0))
    rnd = random.Random(2)
    rd = os.path.join(out, 'repodata')
    os.makedirs(rd, exist_ok=True)
    arches = ['x86_64'] * 6 + ['noarch'] * 3 + ['i686']
    pkgs = []
    nnames = npk // 3
    for i in range(nnames):
        name = '%s%05d-%s' % (prefix, i, rnd.choice(['libs', 'devel', 'tools', 'common', 'data']))
        arch = rnd.choice(arches)
        for v in range(3):
            pkgs.append((name, '0', '1.%d' % rnd.randint(0, 30), '%d.amzn2' % (v + 1), arch))
    for spec in extra:
        name, evr = spec.split('=')
        arch = 'noarch' if name.startswith('alu-data') or name == 'system-release' else 'x86_64'
        ver, rel = evr.rsplit('-', 1)
        pkgs.append((name, '0', ver, rel, arch))
    t0 = 1700000000
    # primary.xml
    pri = []
    pri.append('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
               'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n' % len(pkgs))
    ids = []
    for k, (n, e, v, r, a) in enumerate(pkgs):
        pid = hashlib.sha256(('%s-%s-%s.%s' % (n, v, r, a)).encode()).hexdigest()
        ids.append(pid)
        req = '' if k % 3 else '<rpm:requires><rpm:entry name="%s"/></rpm:requires>' % pkgs[k - k % 3][0]
        pri.append('<package type="rpm"><name>%s</name><arch>%s</arch><version epoch="%s" ver="%s" rel="%s"/>'
                   '<checksum type="sha256" pkgid="YES">%s</checksum><summary>Summary of %s</summary>'
                   '<description>Generated package %s for benchmarks.</description><packager>Amazon Linux</packager>'
                   '<url>https://example.invalid/%s</url><time file="%d" build="%d"/>'
                   '<size package="%d" installed="%d" archive="%d"/><location href="Packages/%s-%s-%s.%s.rpm"/>'
                   '<format><rpm:license>MIT</rpm:license><rpm:vendor>Amazon Linux</rpm:vendor><rpm:group>Unspecified</rpm:group>'
                   '<rpm:buildhost>build.amazon.com</rpm:buildhost><rpm:sourcerpm>%s-%s-%s.src.rpm</rpm:sourcerpm>'
                   '<rpm:header-range start="4504" end="%d"/><rpm:provides><rpm:entry name="%s" flags="EQ" epoch="%s" ver="%s" rel="%s"/>'
                   '<rpm:entry name="lib%s.so.1()(64bit)"/></rpm:provides>%s<file>/usr/bin/%s</file></format></package>\n'
                   % (q(n), a, e, v, r, pid, q(n), q(n), q(n), t0 + k, t0 + k, 5000 + k, 20000 + k, 21000 + k,
                      n, v, r, a, n, v, r, 9000 + k, q(n), e, v, r, q(n), req, q(n)))
    pri.append('</metadata>\n')
    write_gz(os.path.join(rd, 'primary.xml.gz'), ''.join(pri))
    fl = ['<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="%d">\n' % len(pkgs)]
    ot = ['<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="%d">\n' % len(pkgs)]
    for pid, (n, e, v, r, a) in zip(ids, pkgs):
        fl.append('<package pkgid="%s" name="%s" arch="%s"><version epoch="%s" ver="%s" rel="%s"/><file>/usr/bin/%s</file></package>\n' % (pid, q(n), a, e, v, r, q(n)))
        ot.append('<package pkgid="%s" name="%s" arch="%s"><version epoch="%s" ver="%s" rel="%s"/></package>\n' % (pid, q(n), a, e, v, r))
    fl.append('</filelists>\n')
    ot.append('</otherdata>\n')
    write_gz(os.path.join(rd, 'filelists.xml.gz'), ''.join(fl))
    write_gz(os.path.join(rd, 'other.xml.gz'), ''.join(ot))
    write_sqlite(os.path.join(rd, 'primary.sqlite'), pkgs, ids)
    # updateinfo
    sev = ['critical', 'important', 'medium', 'low']
    ui = ['<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n']
    targets = [p for p in pkgs if p[0] in {x.split('=')[0] for x in extra}]
    for i in range(nadv):
        p = targets[i % len(targets)] if targets and i < len(targets) else pkgs[rnd.randrange(len(pkgs))]
        n, e, v, r, a = p
        typ = 'security' if i % 5 else 'bugfix'
        cves = ''.join('<reference href="https://alas.aws.amazon.com/cve/html/CVE-2024-%05d.html" id="CVE-2024-%05d" title="" type="cve"/>'
                       % (i * 3 + j, i * 3 + j) for j in range(1 + i % 3))
        ui.append('<update author="alas@amazon.com" from="alas@amazon.com" status="final" type="%s" version="2.0">'
                  '<id>ALAS2-2024-%04d</id><title>Amazon Linux 2 2017.12 - ALAS2-2024-%04d: %s priority package update for %s</title>'
                  '<issued date="2024-01-%02d 10:00"/><updated date="2024-02-%02d 10:00"/><severity>%s</severity>'
                  '<description>Package updates are available for Amazon Linux 2 that fix security issues.</description>'
                  '<references>%s</references><pkglist><collection short="amazon-linux-2"><name>Amazon Linux 2</name>'
                  '<package name="%s" version="%s" release="%s" epoch="%s" arch="%s"><filename>Packages/%s-%s-%s.%s.rpm</filename></package>'
                  '</collection></pkglist></update>\n'
                  % (typ, i, i, sev[i % 4], q(n), 1 + i % 28, 1 + i % 28, sev[i % 4], cves, q(n), v, r, e, a, q(n), v, r, a))
    ui.append('</updates>\n')
    write_gz(os.path.join(rd, 'updateinfo.xml.gz'), ''.join(ui))
    write_repomd(rd)

def write_gz(path, text):
    with gzip.GzipFile(path, 'wb', mtime=0) as f:
        f.write(text.encode())

def write_sqlite(path, pkgs, ids):
    if os.path.exists(path):
        os.unlink(path)
    db = sqlite3.connect(path)
    c = db.cursor()
    c.executescript('''
CREATE TABLE db_info (dbversion INTEGER, checksum TEXT);
CREATE TABLE packages ( pkgKey INTEGER PRIMARY KEY, pkgId TEXT, name TEXT, arch TEXT, version TEXT, epoch TEXT, release TEXT, summary TEXT, description TEXT, url TEXT, time_file INTEGER, time_build INTEGER, rpm_license TEXT, rpm_vendor TEXT, rpm_group TEXT, rpm_buildhost TEXT, rpm_sourcerpm TEXT, rpm_header_start INTEGER, rpm_header_end INTEGER, rpm_packager TEXT, size_package INTEGER, size_installed INTEGER, size_archive INTEGER, location_href TEXT, location_base TEXT, checksum_type TEXT);
CREATE TABLE files ( name TEXT, type TEXT, pkgKey INTEGER);
CREATE TABLE requires ( name TEXT, flags TEXT, epoch TEXT, version TEXT, release TEXT, pkgKey INTEGER , pre BOOLEAN DEFAULT FALSE);
CREATE TABLE provides ( name TEXT, flags TEXT, epoch TEXT, version TEXT, release TEXT, pkgKey INTEGER );
CREATE TABLE conflicts ( name TEXT, flags TEXT, epoch TEXT, version TEXT, release TEXT, pkgKey INTEGER );
CREATE TABLE obsoletes ( name TEXT, flags TEXT, epoch TEXT, version TEXT, release TEXT, pkgKey INTEGER );
''')
    c.execute('INSERT INTO db_info VALUES (10, "bench")')
    for k, ((n, e, v, r, a), pid) in enumerate(zip(pkgs, ids), 1):
        c.execute('INSERT INTO packages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
                  (k, pid, n, a, v, e, r, 'Summary of ' + n, 'Generated package %s for benchmarks.' % n,
                   'https://example.invalid/' + n, 1700000000 + k, 1700000000 + k, 'MIT', 'Amazon Linux', 'Unspecified',
                   'build.amazon.com', '%s-%s-%s.src.rpm' % (n, v, r), 4504, 9000 + k, 'Amazon Linux', 5000 + k,
                   20000 + k, 21000 + k, 'Packages/%s-%s-%s.%s.rpm' % (n, v, r, a), None, 'sha256'))
        # the same dependencies as primary.xml: one repository in two forms
        c.execute('INSERT INTO provides VALUES (?,?,?,?,?,?)', (n, 'EQ', e, v, r, k))
        c.execute('INSERT INTO provides VALUES (?,?,?,?,?,?)', ('lib%s.so.1()(64bit)' % n, None, None, None, None, k))
        if (k - 1) % 3 == 0:
            c.execute('INSERT INTO requires VALUES (?,?,?,?,?,?,?)', (n, None, None, None, None, k, 0))
        c.execute('INSERT INTO files VALUES (?,?,?)', ('/usr/bin/' + n, 'file', k))
    c.execute('CREATE INDEX packagename ON packages (name)')
    c.execute('CREATE INDEX providesname ON provides (name)')
    for t in ('files', 'requires', 'provides', 'conflicts', 'obsoletes'):
        c.execute('CREATE INDEX pkg%s ON %s (pkgKey)' % (t, t))
    db.commit()
    db.close()
    with open(path, 'rb') as f, bz2.open(path + '.bz2', 'wb') as g:
        g.write(f.read())
    os.unlink(path)

def write_repomd(rd):
    items = [('primary', 'primary.xml.gz'), ('filelists', 'filelists.xml.gz'), ('other', 'other.xml.gz'),
             ('primary_db', 'primary.sqlite.bz2'), ('updateinfo', 'updateinfo.xml.gz')]
    x = ['<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" '
         'xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n<revision>1700000000</revision>\n']
    for typ, fn in items:
        p = os.path.join(rd, fn)
        data = open(p, 'rb').read()
        if fn.endswith('.gz'):
            opened = gzip.decompress(data)
        else:
            opened = bz2.decompress(data)
        x.append('<data type="%s"><checksum type="sha256">%s</checksum><open-checksum type="sha256">%s</open-checksum>'
                 '<location href="repodata/%s"/><timestamp>1700000000</timestamp><size>%d</size><open-size>%d</open-size>%s</data>\n'
                 % (typ, hashlib.sha256(data).hexdigest(), hashlib.sha256(opened).hexdigest(), fn, len(data), len(opened),
                    '<database_version>10</database_version>' if typ == 'primary_db' else ''))
    x.append('</repomd>\n')
    open(os.path.join(rd, 'repomd.xml'), 'w').write(''.join(x))

if __name__ == '__main__':
    main()
