"""Pure rules about projects, shared by pages, the API and the gift path."""

from datetime import datetime

FUNDRAISING = "fundraising"
SUSPENDED = "suspended"


def gift_refusal(*, status: str, ends_at: datetime, raised: int, goal: int, now: datetime) -> str | None:
    """Why a project takes no new gift right now (a stable code), or None when it does.

    Rational charity: a project that has reached its goal stops taking money, even before
    the platform has moved it to "funded".
    """
    if status == SUSPENDED:
        return "project_suspended"
    if status == "funded":
        return "project_fully_funded"  # full, and the platform has since said so
    if status != FUNDRAISING:
        return "project_not_fundraising"
    if ends_at <= now:
        return "project_ended"
    if raised >= goal:
        return "project_fully_funded"
    return None


def gap(*, goal: int, toward_goal: int) -> int:
    """What a project still needs to reach its goal: never below zero. `toward_goal` is
    what counts against the goal (gifts raised and grants from a cause fund; sponsors'
    matches never do: they are reported apart)."""
    return max(goal - toward_goal, 0)
