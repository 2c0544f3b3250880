"""Audit a Jusha transparency log: no gift dropped, no history rewritten.

    python jusha-audit.py https://jusha.example/log 'jusha.example/log+1a2b3c4d+AR...' [state-file]

Checks the log's signature on its latest checkpoint, downloads every entry, re-hashes them
all into the Merkle tree (RFC 9162) and compares with the signed root. With a state file,
it also checks that the tree you audited last time is still the start of today's tree, then
remembers today's. Needs Python 3 and `pip install cryptography`; nothing from Jusha.
"""

import base64
import hashlib
import sys
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def get(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def root(stack):  # the perfect subtrees of the tree so far, left to right
    acc = stack[-1][1] if stack else hashlib.sha256(b"").digest()
    for _height, h in reversed(stack[:-1]):
        acc = node(h, acc)
    return acc


def tile_path(n):  # 1234067 -> x001/x234/067
    parts = [f"{n % 1000:03d}"]
    while n >= 1000:
        n //= 1000
        parts.append(f"x{n % 1000:03d}")
    return "/".join(reversed(parts))


def main(prefix, vkey, state_file=None):
    prefix = prefix.rstrip("/")
    note = get(prefix + "/checkpoint").decode()
    text, signatures = note[: note.rindex("\n\n") + 1], note[note.rindex("\n\n") + 2 :]
    origin, size, signed_root = text.split("\n")[:3]
    name, key_id, key = vkey.split("+", 2)
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key)[1:])
    for line in signatures.splitlines():
        _dash, signer, signature = line.split(" ")
        raw = base64.b64decode(signature)
        if signer == name and raw[:4].hex() == key_id:
            try:
                public.verify(raw[4:], text.encode())
            except InvalidSignature:
                sys.exit(f"FAIL: the signature of {name} on the checkpoint is forged")
            break
    else:
        sys.exit(f"FAIL: the checkpoint is not signed by {name}")
    if origin != name:
        sys.exit(f"FAIL: the checkpoint is from {origin}, not {name}")
    size, before = int(size), None
    if state_file:
        try:
            before = open(state_file).read().split()  # "<size> <base64 root>"
        except FileNotFoundError:
            pass
    stack, count = [], 0
    for tile in range((size + 255) // 256):
        width = min(256, size - tile * 256)
        bundle = get(f"{prefix}/tile/entries/{tile_path(tile)}" + (f".p/{width}" if width < 256 else ""))
        position = 0
        while position < len(bundle):
            length = int.from_bytes(bundle[position : position + 2], "big")
            h, height = hashlib.sha256(b"\x00" + bundle[position + 2 : position + 2 + length]).digest(), 0
            while stack and stack[-1][0] == height:
                h, height = node(stack.pop()[1], h), height + 1
            stack.append((height, h))
            position, count = position + 2 + length, count + 1
            if before and count == int(before[0]) and base64.b64encode(root(stack)).decode() != before[1]:
                sys.exit(f"FAIL: the tree of {before[0]} entries you audited before was rewritten")
    if count != size or base64.b64encode(root(stack)).decode() != signed_root:
        sys.exit("FAIL: the entries do not make the signed root: entries are missing or history was rewritten")
    if before and int(before[0]) > size:
        sys.exit(f"FAIL: the log shrank from {before[0]} to {size} entries")
    if state_file:
        open(state_file, "w").write(f"{size} {signed_root}\n")
    print(f"OK: {size} entries re-hashed; they make the root signed by {name}.")


if __name__ == "__main__":
    main(*sys.argv[1:4])
