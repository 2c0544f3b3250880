"""Community's arithmetic and decisions, with no database: feed keys, team goals and
milestones, how few hidden gifts may be told, and the sizes of what members write."""

from __future__ import annotations

import re
import secrets

from django.utils.text import slugify

# Sizes of what members write (plain-text characters; stored HTML may be longer by its tags).
NAME_MAX = 60
STORY_MAX = 5000
STORY_HTML_MAX = 20000
POST_MAX = 2000
COMMENT_MAX = 500
MILESTONES = (50, 100)
# "N friends supported this": never told for fewer, so that no single friend's hidden gift
# can be worked out from the count.
FRIENDS_SUPPORTED_MIN = 3
SMALLEST_TEAM_GOAL = 100  # fen: a team aims for at least one yuan

PERSON, ORGANISATION, CIRCLE, TEAM = "u", "o", "c", "t"
KINDS = {"person": PERSON, "organisation": ORGANISATION, "circle": CIRCLE}
_SOURCE = re.compile(r"^([uoct]):([1-9][0-9]{0,18})$")


def key(kind: str, pk) -> str:
    """The feed key of a source: "u:12" (a member), "o:3", "c:5", "t:9"."""
    return f"{kind}:{int(pk)}"


def parse_key(value: str) -> tuple[str, int] | None:
    found = _SOURCE.match(value or "")
    return (found.group(1), int(found.group(2))) if found else None


def team_goal_refusal(*, goal: int, project_goal: int) -> str | None:
    """Why a team's goal cannot be (a code), or None: more than nothing, and no more than
    the whole project still aims for (a team cannot promise more than its project takes)."""
    if goal <= 0:
        return "goal_not_positive"
    if goal < SMALLEST_TEAM_GOAL:
        return "goal_too_small"
    if goal > project_goal:
        return "goal_above_project"
    return None


def milestones_crossed(*, before: int, after: int, goal: int) -> list[int]:
    """The milestones (percent of the goal) that `after` reaches and `before` did not."""
    if goal <= 0 or after <= before:
        return []
    return [m for m in MILESTONES if before * 100 < m * goal <= after * 100]


def friends_supported(count: int) -> int | None:
    """How many friends to say supported a project without showing their gifts: None when too few."""
    return count if count >= FRIENDS_SUPPORTED_MIN else None


def new_slug(name: str, prefix: str = "team") -> str:
    """An ASCII slug: the name's ASCII words (Chinese names have none) and a random tail."""
    words = slugify(name)[:40].strip("-")
    return f"{words or prefix}-{secrets.token_hex(3)}"
