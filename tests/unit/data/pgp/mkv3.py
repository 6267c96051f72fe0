#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Craft what gpg 2 can no longer make: an OpenPGP V3 signature (old rpm
# signed packages so). The RSA key comes from openssl; this script wraps
# it in a V4 public key packet with a user id and a V4 self-signature (so
# that gpg can import it and act as the oracle), then writes a V3 detached
# signature over a file. Every RSA operation is `openssl pkeyutl -sign`
# with a SHA-256 DigestInfo (PKCS#1 v1.5), so the signatures are real.
#
# It also writes the same RSA key as a V3 key packet (key id = low 64 bits
# of n; gpg 2 no longer reads those) and a V3 signature naming that id.
#
# usage: mkv3.py KEY.pem DATA OUT_KEY.gpg OUT_SIG.sig OUT_V3KEY.gpg OUT_V3KEYSIG.sig
import hashlib, re, struct, subprocess, sys

CREATED = 1700000000
UID = b"Alu Test V3 <v3@alupdate.test>"


def mpi(b):
    b = b.lstrip(b"\0")
    bits = len(b) * 8 - (8 - b[0].bit_length())
    return struct.pack(">H", bits) + b


def new_pkt(tag, body):
    assert len(body) < 8384
    if len(body) < 192:
        hdr = bytes([len(body)])
    else:
        n = len(body) - 192
        hdr = bytes([(n >> 8) + 192, n & 0xFF])
    return bytes([0xC0 | tag]) + hdr + body


def old_pkt(tag, body):  # two-octet length, as rpm's V3 signatures are framed
    return bytes([0x80 | tag << 2 | 1]) + struct.pack(">H", len(body)) + body


def rsa_sign(key, digest):
    return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", key,
                           "-pkeyopt", "digest:sha256"], input=digest,
                          check=True, capture_output=True).stdout


def main(key, data, out_key, out_sig, out_v3key, out_v3sig):
    txt = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-text"],
                         check=True, capture_output=True, text=True).stdout
    n = bytes.fromhex(re.search(r"modulus:\n((?:\s+[0-9a-f:]+\n)+)", txt)
                      .group(1).replace(":", "").replace(" ", "").replace("\n", ""))
    e = int(re.search(r"publicExponent: (\d+)", txt).group(1))
    eb = e.to_bytes((e.bit_length() + 7) // 8, "big")

    body = bytes([4]) + struct.pack(">I", CREATED) + bytes([1]) + mpi(n) + mpi(eb)
    fpr = hashlib.sha1(b"\x99" + struct.pack(">H", len(body)) + body).digest()
    keyid = fpr[-8:]

    # V4 positive certification (0x13) of the user id.
    hashed = (bytes([5, 2]) + struct.pack(">I", CREATED) +
              bytes([22, 33, 4]) + fpr)
    unhashed = bytes([9, 16]) + keyid
    trailer = bytes([4, 0x13, 1, 8]) + struct.pack(">H", len(hashed)) + hashed
    h = hashlib.sha256(b"\x99" + struct.pack(">H", len(body)) + body +
                       b"\xb4" + struct.pack(">I", len(UID)) + UID +
                       trailer + b"\x04\xff" + struct.pack(">I", len(trailer))).digest()
    s = rsa_sign(key, h)
    selfsig = trailer + struct.pack(">H", len(unhashed)) + unhashed + h[:2] + mpi(s)
    with open(out_key, "wb") as f:
        f.write(new_pkt(6, body) + new_pkt(13, UID) + new_pkt(2, selfsig))

    with open(data, "rb") as f:
        msg = f.read()
    with open(out_sig, "wb") as f:
        f.write(v3sig(key, msg, keyid))

    # The legacy V3 key: version 3, created, validity days, algorithm, n, e.
    body3 = (bytes([3]) + struct.pack(">IH", CREATED, 0) + bytes([1]) +
             mpi(n) + mpi(eb))
    with open(out_v3key, "wb") as f:
        f.write(old_pkt(6, body3) + old_pkt(13, UID))
    with open(out_v3sig, "wb") as f:
        f.write(v3sig(key, msg, n[-8:]))
    print("v3 key id", n[-8:].hex().upper())


def v3sig(key, msg, keyid):
    # V3 binary-document signature: hash(data, type, created).
    created = CREATED + 3600
    h = hashlib.sha256(msg + bytes([0]) + struct.pack(">I", created)).digest()
    s = rsa_sign(key, h)
    sig = (bytes([3, 5, 0]) + struct.pack(">I", created) + keyid +
           bytes([1, 8]) + h[:2] + mpi(s))
    return old_pkt(2, sig)


if __name__ == "__main__":
    main(*sys.argv[1:7])
