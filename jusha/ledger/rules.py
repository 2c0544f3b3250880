"""Pure bookkeeping rules: balance checks and how an entry reads on the public ledger."""

from collections import defaultdict

IN = "in"
OUT = "out"
HELD = "held"  # moves inside the project: money set aside for a delivery batch, or taken back
SETTLED = "settled"  # cash moves between organisations for what the fund already counts (a match)

# How each kind of entry reads on a project's public ledger.
DIRECTIONS = {"gift": IN, "refund": OUT, "expenditure": OUT, "fee": OUT, "fee_return": IN, "match": IN, "match_return": OUT,
              "commitment": HELD, "release": HELD, "settlement": SETTLED}


class UnbalancedEntry(ValueError):
    pass


def check_balanced(lines: list[tuple[str, int, str]]) -> int:
    """lines: (account key, signed amount, currency); debits positive, credits negative.

    Returns the entry's total (sum of debits). Refuses empty, zero or unbalanced lines,
    and floats: money is integers of minor units.
    """
    if len(lines) < 2:
        raise UnbalancedEntry("an entry needs at least two postings")
    per_currency: dict[str, int] = defaultdict(int)
    debits = 0
    for key, amount, currency in lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise UnbalancedEntry(f"posting to {key} is not an integer amount")
        if amount == 0:
            raise UnbalancedEntry(f"posting to {key} is zero")
        per_currency[currency] += amount
        if amount > 0:
            debits += amount
    unbalanced = {c: s for c, s in per_currency.items() if s != 0}
    if unbalanced:
        raise UnbalancedEntry(f"entry does not balance: {unbalanced}")
    return debits
