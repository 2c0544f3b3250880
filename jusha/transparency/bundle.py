"""C2SP tlog-proof@v1: an offline-verifiable proof that an entry is in a checkpointed log.

    c2sp.org/tlog-proof@v1
    extra <base64 of the leaf bytes>
    index <n>
    <base64 inclusion proof hash, one per line, leaf's sibling first>

    <the signed checkpoint, verbatim>

Pure (standard library only). Jusha puts the leaf itself in `extra`: it is not trusted as
such, but its hash must be the entry proven at `index`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from jusha.transparency.note import NoteError, b64decode

HEADER = "c2sp.org/tlog-proof@v1"
_INDEX = re.compile(r"^index (0|[1-9][0-9]{0,19})$")


@dataclass(frozen=True)
class ProofBundle:
    index: int
    proof: list[bytes]
    checkpoint: str
    extra: bytes | None = None

    @property
    def text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines += [base64.b64encode(h).decode() for h in self.proof]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def parse_bundle(text: str) -> ProofBundle:
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines or lines[0] != HEADER:
        raise NoteError(f"not a {HEADER} proof")
    lines = lines[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        extra = b64decode(lines.pop(0)[6:])
    if not lines or not _INDEX.match(lines[0]):
        raise NoteError("the proof has no valid 'index <n>' line")
    index = int(lines.pop(0)[6:])
    proof = []
    for line in lines:
        digest = b64decode(line)
        if len(digest) != 32:
            raise NoteError("an inclusion proof line is not a 32-byte hash")
        proof.append(digest)
    return ProofBundle(index, proof, checkpoint, extra)
