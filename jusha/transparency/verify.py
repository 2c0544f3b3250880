"""Verify a Jusha receipt's proof bundle offline: the standard library and `cryptography` only.

    python -m jusha.transparency.verify receipt.tlog-proof --key 'jusha.localhost/log+1a2b3c4d+AR...'
        [--receipt JS2026...] [--amount 5000] [--witness VKEY ...] [--quorum N]

Checks, in order, each by name: format (the bundle parses), origin (the checkpoint is
from the log the key names), signature (the log signed it; every other signature line is
by a --witness key and verifies), witnesses (at least --quorum of them cosigned), leaf (the
entry is a canonical fact), inclusion (the entry is at its index in the signed tree), facts
(the entry is the receipt's: --receipt, --amount). Prints what was verified in plain words
and exits 0; otherwise names the failed check and exits with its number (2 to 8).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from jusha.transparency import leaves, merkle
from jusha.transparency.bundle import parse_bundle
from jusha.transparency.note import NoteError, open_checkpoint, parse_vkey, split_note

CHECKS = ["format", "origin", "signature", "witnesses", "leaf", "inclusion", "facts"]


class VerifyError(Exception):
    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check

    @property
    def exit_code(self) -> int:
        return 2 + CHECKS.index(self.check)


@dataclass
class Verified:
    origin: str
    index: int
    size: int
    fact: dict
    cosigners: list[str]

    def summary(self) -> str:
        what = ", ".join(f"{k} {v}" for k, v in sorted(self.fact.items()) if k not in ("v", "commitment"))
        lines = [
            f"OK: the log {self.origin} signed a checkpoint of {self.size} entries (signature checked).",
            f"OK: entry {self.index} is included in that checkpoint (inclusion proof checked).",
            f"OK: the entry says: {what}.",
        ]
        if self.cosigners:
            lines.append(f"OK: cosigned by the witnesses {', '.join(self.cosigners)}.")
        return "\n".join(lines)


def verify(text: str, *, key: str, witnesses: list[str] = (), quorum: int = 0, expect: dict | None = None) -> Verified:
    """Verify a bundle; raise VerifyError naming the failed check."""
    try:
        bundle = parse_bundle(text)
        log_key = parse_vkey(key)
        witness_keys = [parse_vkey(w) for w in witnesses]
    except NoteError as exc:
        raise VerifyError("format", str(exc)) from exc
    try:
        checkpoint, cosigners = open_checkpoint(bundle.checkpoint, log_key, cosigners=witness_keys)
        _text, signatures = split_note(bundle.checkpoint)
    except NoteError as exc:
        raise VerifyError(exc.check if exc.check in CHECKS else "format", str(exc)) from exc
    known = {(v.name, v.key_id) for v in [log_key, *witness_keys]}
    strangers = [s.name for s in signatures if (s.name, s.key_id) not in known]
    if strangers:
        names = ", ".join(strangers)
        raise VerifyError("signature", f"signature lines by keys you did not give: {names} (pass them with --witness)")
    if len(cosigners) < quorum:
        raise VerifyError("witnesses", f"{len(cosigners)} witness cosignature(s), {quorum} required")
    if bundle.extra is None:
        raise VerifyError("leaf", "the bundle does not carry the entry (no 'extra' line)")
    try:
        fact = leaves.parse(bundle.extra)
    except leaves.LeafError as exc:
        raise VerifyError("leaf", str(exc)) from exc
    try:
        merkle.verify_inclusion(bundle.index, checkpoint.size, merkle.leaf_hash(bundle.extra), bundle.proof, checkpoint.root)
    except merkle.ProofError as exc:
        raise VerifyError("inclusion", f"entry {bundle.index} is not proven in the checkpoint: {exc}") from exc
    for field, value in (expect or {}).items():
        if value is not None and str(fact.get(field)) != str(value):
            raise VerifyError("facts", f"the entry's {field} is {fact.get(field)!r}, the receipt's is {value!r}")
    return Verified(checkpoint.origin, bundle.index, checkpoint.size, fact, [c.name for c in cosigners])


def _arg_text(value: str) -> str:
    if os.path.exists(value):
        with open(value, encoding="utf-8") as handle:
            return handle.read().strip()
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jusha.transparency.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="the .tlog-proof file from the receipt page ('-' for standard input)")
    parser.add_argument("--key", required=True, help="the log's verifier key (from /log/key), or a file holding it")
    parser.add_argument("--witness", action="append", default=[], help="a witness's verifier key (repeatable)")
    parser.add_argument("--quorum", type=int, default=0, help="how many witness cosignatures are required")
    parser.add_argument("--receipt", help="the receipt number printed on your receipt")
    parser.add_argument("--amount", type=int, help="the amount on your receipt, in fen")
    args = parser.parse_args(argv)
    try:
        raw = sys.stdin.buffer.read() if args.bundle == "-" else open(args.bundle, "rb").read()  # noqa: SIM115
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        print("FAILED check format: the bundle is not UTF-8 text", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot read {args.bundle}: {exc}", file=sys.stderr)
        return 1
    try:
        result = verify(text, key=_arg_text(args.key), witnesses=[_arg_text(w) for w in args.witness],
                        quorum=args.quorum, expect={"receipt": args.receipt, "amount": args.amount})
    except VerifyError as exc:
        print(f"FAILED check {exc.check}: {exc}", file=sys.stderr)
        return exc.exit_code
    print(result.summary())
    if args.receipt is None and args.amount is None:
        print("Note: compare the entry with your receipt, or pass --receipt and --amount to have it checked.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
