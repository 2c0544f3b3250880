"""The grant rule of every cause fund: pure, public (its text is on every fund's page), and
versioned (each grant records the version that chose it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

RULE_VERSION = 1

RULE_TEXT = _(
    "Once a day, everything the fund holds that is not yet granted goes to the projects of its cause that are "
    "still taking gifts, largest unmet need first (goal minus what gifts and earlier grants have brought; "
    "sponsors' matches do not count), the fewest days left breaking ties. Each project receives at most its "
    "unmet need, so no project is over-funded; the next project gets the rest. Amounts smaller than the "
    "minimum grant wait for the next day. Every grant is an entry in the public ledger and a fact in the "
    "public log."
)


def allocate(*, available: int, needs: list[tuple[int, int]], minimum: int) -> list[tuple[int, int, int]]:
    """The rule: (project id, amount, need) for each grant, from `needs` (project id, unmet
    need) already in the rule's order (largest need first, fewest days left next). Each
    grant is at most the project's need; nothing below `minimum` is granted (it waits),
    unless it fills a need completely."""
    grants: list[tuple[int, int, int]] = []
    left = available
    for project_id, need in needs:
        if left <= 0:
            break
        if need <= 0:
            continue
        amount = min(need, left)
        if amount < minimum and amount < need:
            break  # too small to be worth a grant: the rest waits for more gifts
        grants.append((project_id, amount, need))
        left -= amount
    return grants
