"""Pure decisions about notices: age, visibility, which cases a region's notice shows."""

from __future__ import annotations

import datetime as dt

REGION_LEVELS = (6, 4, 2)  # county, prefecture, province: how many leading digits match


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    return max(years, 0)


def region_prefixes(code: str) -> list[str]:
    """"510923" → ["510923", "5109", "51"]: the county, its prefecture, its province; a
    coarse code starts at its own level ("510900" → ["5109", "51"], "510000" → ["51"])."""
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit()) or code.startswith("00"):
        return []
    significant = len(code.rstrip("0"))
    significant = max(significant + significant % 2, 2)
    return [code[:digits] for digits in REGION_LEVELS if digits <= significant]


def rank_for_region(case_region: str, prefixes: list[str]) -> int:
    """0 for the same county, 1 same prefecture, 2 same province, 3 elsewhere."""
    for prefix in prefixes:
        if case_region.startswith(prefix):
            return REGION_LEVELS.index(len(prefix))
    return len(REGION_LEVELS)

