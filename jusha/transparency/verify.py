"""Verify a Jusha receipt's proof bundle offline: the standard library and `cryptography` only.

    python jusha-verify.py receipt.tlog-proof --key 'jusha.localhost/log+1a2b3c4d+AR...'
        [--receipt JS2026...] [--amount 5000] [--witness VKEY ...] [--quorum N] [--lang zh-Hans|en]

(jusha-verify.py is this module and the ones it uses in one file, from /log/jusha-verify.py;
in a clone of the repository, `python -m jusha.transparency.verify` is the same program.)

Checks, in order, each by name: format (the bundle parses), origin (the checkpoint is
from the log the key names), signature (the log signed it; every other signature line is
by a --witness key and verifies), witnesses (at least --quorum of them cosigned), leaf (the
entry is a canonical fact), inclusion (the entry is at its index in the signed tree), facts
(the entry is the receipt's: --receipt, --amount). Prints what was verified in plain words
and exits 0; otherwise names the failed check and exits with its number (2 to 8). Speaks
Simplified Chinese unless --lang en (the names of the checks stay as above in both).
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


LANGUAGES = ("zh-Hans", "en")
MESSAGES = {
    "en": {
        "signed": "OK: the log {origin} signed a checkpoint of {size} entries (signature checked).",
        "included": "OK: entry {index} is included in that checkpoint (inclusion proof checked).",
        "says": "OK: the entry says: {what}.",
        "cosigned": "OK: cosigned by the witnesses {names}.",
        "note": "Note: compare the entry with your receipt, or pass --receipt and --amount to have it checked.",
        "failed": "FAILED check {check}: {detail}",
        "why": "{explain}",
        "not_utf8": "the bundle is not UTF-8 text",
        "cannot_read": "cannot read {path}: {error}",
    },
    "zh-Hans": {
        "signed": "通过：日志 {origin} 签署了一个含 {size} 条记录的检查点（签名已核验）。",
        "included": "通过：第 {index} 条记录在这个检查点之中（包含证明已核验）。",
        "says": "通过：这条记录写的是：{what}。",
        "cosigned": "通过：见证方 {names} 已联署这个检查点。",
        "note": "提示：请把这条记录和您的收据对照，或加上 --receipt 和 --amount，由本程序替您核对。",
        "failed": "未通过：{name}检查（FAILED check {check}）。{explain}",
        "why": "详情：{detail}",
        "not_utf8": "证明文件不是 UTF-8 文本",
        "cannot_read": "无法读取 {path}：{error}",
    },
}
CHECK_NAMES = {"format": "格式", "origin": "来源", "signature": "签名", "witnesses": "见证",
               "leaf": "记录", "inclusion": "包含证明", "facts": "收据信息"}
EXPLAIN = {
    "en": {
        "format": "The proof file or a key is malformed: perhaps an incomplete download.",
        "origin": "The checkpoint is not from the log the key names.",
        "signature": "The checkpoint's signature does not hold: the file was changed, or the key is not the log's.",
        "witnesses": "Too few witnesses cosigned the checkpoint.",
        "leaf": "The entry in the proof file is not a well-formed record.",
        "inclusion": "The entry is not part of the signed log: the file was changed.",
        "facts": "The entry is not this receipt's: the receipt number or the amount differs.",
    },
    "zh-Hans": {
        "format": "证明文件或密钥的格式不对，可能没有下载完整。",
        "origin": "这个检查点不是密钥所指的那个日志发布的。",
        "signature": "检查点的签名不成立：文件被改动过，或者密钥不是这个日志的。",
        "witnesses": "联署这个检查点的见证方不够。",
        "leaf": "证明文件里的记录格式不规范。",
        "inclusion": "这条记录不在已签名的日志之中：文件被改动过。",
        "facts": "这条记录不是这张收据的：收据编号或金额不一致。",
    },
}
FACT_NAMES = {"kind": "类型", "receipt": "收据编号", "amount": "金额（分）", "currency": "币种",
              "project": "项目", "id": "编号", "at": "时间", "refund": "退款", "donation": "捐款"}


def say(lang: str, key: str, **values) -> str:
    return MESSAGES.get(lang, MESSAGES["zh-Hans"])[key].format(**values)


def failure(error: "VerifyError", lang: str) -> str:
    """The failed check, named, explained, with the detail, in the reader's language."""
    lang = lang if lang in MESSAGES else "zh-Hans"
    head = say(lang, "failed", check=error.check, name=CHECK_NAMES.get(error.check, error.check),
               explain=EXPLAIN[lang].get(error.check, ""), detail=str(error))
    return head if lang == "en" else head + "\n" + say(lang, "why", detail=str(error))


@dataclass
class Verified:
    origin: str
    index: int
    size: int
    fact: dict
    cosigners: list[str]

    def summary(self, lang: str = "en") -> str:
        items = sorted((k, v) for k, v in self.fact.items() if k not in ("v", "commitment"))
        if lang == "en":
            what = ", ".join(f"{k} {v}" for k, v in items)
        else:
            what = "，".join(f"{FACT_NAMES.get(k, k)} {v}" for k, v in items)
        lines = [
            say(lang, "signed", origin=self.origin, size=self.size),
            say(lang, "included", index=self.index),
            say(lang, "says", what=what),
        ]
        if self.cosigners:
            lines.append(say(lang, "cosigned", names=", ".join(self.cosigners)))
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
    parser = argparse.ArgumentParser(prog="jusha-verify.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="the .tlog-proof file from the receipt page ('-' for standard input)")
    parser.add_argument("--key", required=True, help="the log's verifier key (from /log/key), or a file holding it")
    parser.add_argument("--witness", action="append", default=[], help="a witness's verifier key (repeatable)")
    parser.add_argument("--quorum", type=int, default=0, help="how many witness cosignatures are required")
    parser.add_argument("--receipt", help="the receipt number printed on your receipt")
    parser.add_argument("--amount", type=int, help="the amount on your receipt, in fen")
    parser.add_argument("--lang", choices=LANGUAGES, default="zh-Hans",
                        help="the language of the report: zh-Hans (简体中文, the default) or en")
    args = parser.parse_args(argv)
    lang = args.lang
    try:
        raw = sys.stdin.buffer.read() if args.bundle == "-" else open(args.bundle, "rb").read()  # noqa: SIM115
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        print(failure(VerifyError("format", say(lang, "not_utf8")), lang), file=sys.stderr)
        return 2
    except OSError as exc:
        print(say(lang, "cannot_read", path=args.bundle, error=exc), file=sys.stderr)
        return 1
    try:
        result = verify(text, key=_arg_text(args.key), witnesses=[_arg_text(w) for w in args.witness],
                        quorum=args.quorum, expect={"receipt": args.receipt, "amount": args.amount})
    except VerifyError as exc:
        print(failure(exc, lang), file=sys.stderr)
        return exc.exit_code
    print(result.summary(lang))
    if args.receipt is None and args.amount is None:
        print(say(lang, "note"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
