"""Checking a certificate against the public log, the way anyone can: each entry's
inclusion proof against the log's signed checkpoint (the standalone verifier of
jusha/transparency), and the certificate's name against the entry's salted commitment.
Reads the log only: no volunteering table is trusted."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from jusha.transparency import keys, leaves
from jusha.transparency import selectors as log
from jusha.transparency.verify import VerifyError, verify
from jusha.volunteering.hours import FACT_KIND, personal_of

MAX_ENTRIES = 60
_ITEM = re.compile(r"^(0|[1-9][0-9]{0,14})\.([A-Za-z0-9_-]{43})$")


@dataclass
class Entry:
    index: int
    fact: dict = field(default_factory=dict)
    bundle: str = ""
    proof: list[str] = field(default_factory=list)
    included: bool = False
    name_matches: bool = False
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.included and self.name_matches


@dataclass
class CertificateCheck:
    entries: list[Entry] = field(default_factory=list)
    size: int = 0
    root: str = ""
    vkey: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.entries) and all(e.ok for e in self.entries)

    @property
    def minutes(self) -> int:
        return sum(int(e.fact.get("minutes", 0)) for e in self.entries if e.ok)


def parse_code(code: str) -> list[tuple[int, bytes]]:
    items = [part for part in (code or "").split(",") if part]
    if not items or len(items) > MAX_ENTRIES:
        raise ValueError("count")
    parsed = []
    for item in items:
        match = _ITEM.match(item)
        if not match:
            raise ValueError(item)
        parsed.append((int(match[1]), base64.urlsafe_b64decode(match[2] + "=")))
    return parsed


def check_certificate(*, name: str, code: str) -> CertificateCheck:
    result = CertificateCheck()
    try:
        items = parse_code(code)
    except ValueError:
        result.error = _("This link is not a certificate's: scan the QR code on the certificate again.")
        return result
    if not name:
        result.error = _("The certificate's name is missing from the link.")
        return result
    head = log.log_head()
    result.size, result.root = head.size, base64.b64encode(head.root).decode()
    result.vkey = keys.log_verifier().vkey
    witnesses = [vkey for vkey, _url in settings.JUSHA_LOG_WITNESSES]
    for index, salt in items:
        entry = Entry(index)
        result.entries.append(entry)
        if index >= head.size:
            entry.problem = _("The log has no entry %(n)d.") % {"n": index}
            continue
        bundle = log.proof_bundle(index, head)
        entry.bundle = bundle.text
        entry.proof = [base64.b64encode(h).decode() for h in bundle.proof]
        try:
            verified = verify(bundle.text, key=result.vkey, witnesses=witnesses)
        except VerifyError as exc:
            entry.problem = str(exc)
            continue
        entry.fact, entry.included = verified.fact, True
        if verified.fact.get("kind") != FACT_KIND:
            entry.problem = _("This entry is not a volunteer hours record.")
            entry.included = False
            continue
        entry.name_matches = leaves.commitment_matches(verified.fact, salt, personal_of(name))
        if not entry.name_matches:
            entry.problem = _("The entry's commitment does not open to this name with this salt.")
    return result
