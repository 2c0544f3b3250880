"""What the log says about one gift, checked the way a donor's own verifier checks it:
the bundle for the receipt, run through the standalone verifier, against the log's key."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field


from jusha.transparency import keys, selectors
from jusha.transparency.leaves import parse
from jusha.transparency.verify import VerifyError, verify
from jusha.transparency.witnesses import log_witnesses


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass
class ReceiptCheck:
    state: str  # "none" (not a paid gift), "queued" (not yet in the log), "included"
    donation_id: str = ""
    receipt: str = ""
    amount: int = 0
    currency: str = "CNY"
    project_title: str = ""  # what the reader knows the project by (the log records its slug)
    index: int | None = None
    size: int = 0
    verified: bool = False
    failed_check: str = ""
    fact: dict = field(default_factory=dict)
    refunds: list[tuple[int | None, int]] = field(default_factory=list)  # (log index, amount)
    cosigners: list[str] = field(default_factory=list)
    vkey: str = ""

    @property
    def command(self) -> str:
        witnesses = "".join(f" --witness '{vkey}'" for vkey, _url in log_witnesses())
        return (f"python jusha-verify.py jusha-{self.receipt}.tlog-proof --key '{self.vkey}'{witnesses}"
                f" --receipt {self.receipt} --amount {self.amount}")


def receipt_check(donation) -> ReceiptCheck:
    if donation is None or not donation.receipt_number:
        return ReceiptCheck("none")
    check = ReceiptCheck("queued", str(donation.pk), donation.receipt_number, donation.amount, donation.currency,
                         donation.project.title)
    index = selectors.log_index_for("gift", str(donation.pk))
    if index is None:
        return check if selectors.fact_for("gift", str(donation.pk)) else ReceiptCheck("none")
    check.state, check.index = "included", index
    head = selectors.log_head()
    check.size, check.vkey = head.size, keys.log_verifier().vkey
    witnesses = [vkey for vkey, _url in log_witnesses()]
    try:
        result = verify(selectors.proof_bundle(index, head).text, key=check.vkey, witnesses=witnesses,
                        expect={"receipt": donation.receipt_number, "amount": donation.amount, "id": str(donation.pk)})
    except VerifyError as exc:
        check.failed_check = exc.check
    else:
        check.verified, check.fact, check.cosigners = True, result.fact, result.cosigners
    refunds = [str(pk) for pk in donation.refunds.values_list("pk", flat=True)]
    check.refunds = [(place, parse(leaf).get("amount", 0)) for place, leaf in selectors.facts_with_places("refund", refunds)]
    return check
