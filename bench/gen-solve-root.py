#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An installed root for the solve-time rows (bench/solve-scale.sh).

usage: gen-solve-root.py names [--installed N] [--old K]
       gen-solve-root.py root ROOT WORKDIR [--installed N] [--old K]

The first N x86_64 package names of bench/gen-repo.py's repository (the
same random sequence), K of them installed at 0.1-1.amzn2 and the rest at
the newest version the repository has. `names` prints NAME=9.0-1.amzn2 for
the K old ones: gen-repo.py --names adds those versions and an advisory for
each, so `update` and `update --security` have K packages to do. `root`
builds the N packages with one rpmbuild (subpackages; each requires the
previous one's library, as real packages do) and puts them in ROOT's rpm
database with rpm --justdb.
"""
import os
import random
import subprocess
import sys


def repo_names(n):
    """(name, newest version-release) of the first n x86_64 names."""
    rnd = random.Random(2)
    arches = ['x86_64'] * 6 + ['noarch'] * 3 + ['i686']
    out = []
    i = 0
    while len(out) < n:
        name = 'pkg%05d-%s' % (i, rnd.choice(['libs', 'devel', 'tools', 'common', 'data']))
        arch = rnd.choice(arches)
        vers = [(rnd.randint(0, 30), r + 1) for r in range(3)]
        if arch == 'x86_64':
            x, r = max(vers)   # 1.X-R.amzn2: X decides, then R
            out.append((name, '1.%d' % x, '%d.amzn2' % r))
        i += 1
    return out


def main():
    args = sys.argv[1:]
    mode = args.pop(0)
    pos = []
    n, k = 150, 40
    while args:
        a = args.pop(0)
        if a == '--installed':
            n = int(args.pop(0))
        elif a == '--old':
            k = int(args.pop(0))
        else:
            pos.append(a)
    names = repo_names(n)
    # every n/k-th name is an old one
    old = set(names[i * n // k][0] for i in range(k))
    if mode == 'names':
        print(' '.join('%s=9.0-1.amzn2' % nm for nm, _, _ in names if nm in old))
        return
    root, work = pos
    top = os.path.join(work, 'rpmbuild')
    spec = ['Name: solvebench\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\n%description\nx\n']
    prev = None
    for nm, ver, rel in names:
        if nm in old:
            ver, rel = '0.1', '1.amzn2'
        spec.append('%%package -n %s\nSummary: x\nVersion: %s\nRelease: %s\nProvides: lib%s.so.1()(64bit)\n%s'
                    '%%description -n %s\nx\n%%files -n %s\n'
                    % (nm, ver, rel, nm, 'Requires: lib%s.so.1()(64bit)\n' % prev if prev else '', nm, nm))
        prev = nm
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, 'root.spec'), 'w') as f:
        f.write(''.join(spec))
    subprocess.run(['rpmbuild', '-bb', '--quiet', '--define', '_topdir ' + top, '--define', '_build_id_links none',
                    '--define', '__os_install_post %{nil}', os.path.join(work, 'root.spec')], check=True)
    rpms = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(top, 'RPMS')) for f in fs
            if not f.startswith('solvebench-')]
    os.makedirs(os.path.join(root, 'etc', 'yum.repos.d'), exist_ok=True)
    subprocess.run(['rpm', '--root', root, '--define', '_dbpath /var/lib/rpm', '-i', '--justdb', '--nodeps',
                    '--noscripts'] + rpms, check=True, stderr=subprocess.DEVNULL)


if __name__ == '__main__':
    main()
