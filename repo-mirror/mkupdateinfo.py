#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""advisories.txt -> updateinfo.xml in Amazon Linux 2's shape.
usage: mkupdateinfo.py advisories.txt > updateinfo.xml (stdlib only)."""
import os
import sys
from xml.sax.saxutils import escape, quoteattr

AUTHOR = "linux-security@amazon.com"
# an extras topic's repository: "amazon-linux-2---TOPIC"
COLLECTION = os.environ.get("ALU_COLLECTION", "amazon-linux-2")
# the product named in titles and <name> ("Amazon Linux 2023" for al2023/)
OS_NAME = os.environ.get("ALU_OS_NAME", "Amazon Linux 2")


def parse(text):
    advs, cur, last = [], None, None
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        if not raw.strip():
            cur = last = None
            continue
        if raw.startswith(" ") and cur is not None and last:
            cur[last][-1] += "\n" + raw[1:]
            continue
        key, _, val = raw.partition(":")
        key, val = key.strip(), val.strip()
        if cur is None:
            cur = {}
            advs.append(cur)
        cur.setdefault(key, []).append(val)
        last = key
    return advs


def one(a, key, default=None):
    v = a.get(key)
    return v[0] if v else default


def render(a):
    aid, typ, sev = one(a, "id"), one(a, "type"), one(a, "severity")
    pkgs = [p.split() for p in a.get("pkg", [])]
    names = sorted({p[0] for p in pkgs})
    title = one(a, "title") or "%s - %s: %s priority package update for %s" % (
        OS_NAME, aid, sev or "unknown", " ".join(names))
    o = ['<update author=%s from=%s status="final" type=%s version="2.0">'
         % (quoteattr(AUTHOR), quoteattr(AUTHOR), quoteattr(typ)),
         "<id>%s</id>" % escape(aid),
         "<title>%s</title>" % escape(title),
         "<issued date=%s />" % quoteattr(one(a, "issued"))]
    if one(a, "updated"):
        o.append("<updated date=%s />" % quoteattr(one(a, "updated")))
    if sev:
        o.append("<severity>%s</severity>" % escape(sev))
    o.append("<description>%s</description>" % escape(one(a, "description", "")))
    o.append("<references>")
    for r in a.get("ref", []):
        rtype, rid, href, *rest = r.split()
        o.append('<reference href=%s id=%s title=%s type=%s />'
                 % (quoteattr(href), quoteattr(rid), quoteattr(" ".join(rest)), quoteattr(rtype)))
    o.append("</references>")
    o.append('<pkglist>\n<collection short="%s">\n<name>%s</name>' % (COLLECTION, OS_NAME))
    for name, epoch, ver, rel, arch in pkgs:
        o.append('<package arch=%s epoch=%s name=%s release=%s version=%s>'
                 % tuple(map(quoteattr, (arch, epoch, name, rel, ver))))
        o.append("<filename>Packages/%s-%s-%s.%s.rpm</filename>" % (name, ver, rel, arch))
        o.append("</package>")
    o.append("</collection>\n</pkglist>\n</update>")
    return "\n".join(o)


def main():
    advs = parse(open(sys.argv[1], encoding="utf-8").read())
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<updates>"]
    out += [render(a) for a in advs]
    out.append("</updates>")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
