"""Places: GB/T 2260 administrative division codes (行政区划代码), no finer than the county.

A code is six digits: two for the province-level division, two for the prefecture,
two for the county. "510000" is a province, "511900" a prefecture in it, "511921" a
county in that. The table is the full one, province to county (`gbt2260.tsv`, built from
a maintained package by `gbt2260.py`): 34 province-level divisions, about 330
prefecture-level and 2,800 county-level ones.

Two kinds of county have no prefecture: the districts of the four municipalities
("110105 朝阳区" is in 北京市 itself) and the county-level divisions a province governs
directly, coded xx90xx ("429004 仙桃市", "659001 石河子市").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jusha.projects.gbt2260 import MUNICIPALITIES


def _load() -> dict[str, str]:
    rows = {}
    for line in Path(__file__).with_name("gbt2260.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name = line.split("\t")
            rows[code] = name
    return rows


REGIONS: dict[str, str] = _load()
PROVINCES: dict[str, str] = {code: name for code, name in REGIONS.items() if code.endswith("0000")}
PREFECTURES: dict[str, str] = {
    code: name for code, name in REGIONS.items() if code.endswith("00") and not code.endswith("0000")
}
COUNTIES: dict[str, str] = {code: name for code, name in REGIONS.items() if not code.endswith("00")}


def is_valid_region(code) -> bool:
    return isinstance(code, str) and code in REGIONS


def region_name(code) -> str:
    """The division's own name ("通江县"); "" for an unknown code."""
    return REGIONS.get(code, "") if isinstance(code, str) else ""


def province_of(code) -> str | None:
    """The province-level code a division belongs to: "511921" -> "510000"."""
    if not is_valid_region(code):
        return None
    return code[:2] + "0000"


def prefecture_of(code) -> str | None:
    if not is_valid_region(code) or code.endswith("0000"):
        return None
    return code[:4] + "00"


def city_of(code) -> str | None:
    """The prefecture-level division a county is in; for a district of a municipality, the
    municipality ("110105" -> "110000"); None for a county its province governs directly
    ("429004"), for a prefecture or a province, and for an unknown code."""
    if code not in COUNTIES:
        return None
    if code[:4] + "00" in PREFECTURES:
        return code[:4] + "00"
    return province_of(code) if province_of(code) in MUNICIPALITIES else None


def region_label(code) -> str:
    """The full place name, province first: "四川省 巴中市 通江县", "北京市 朝阳区"."""
    if not is_valid_region(code):
        return ""
    parts = [province_of(code), prefecture_of(code), code]
    names = [REGIONS[c] for i, c in enumerate(parts) if c and c in REGIONS and c not in parts[:i]]
    return " ".join(names)


def region_prefix(code) -> str | None:
    """The code prefix shared by a division and everything inside it ("51", "5119", "511921")."""
    if not is_valid_region(code):
        return None
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


@cache
def _labelled() -> tuple[tuple[str, str], ...]:
    return tuple((code, region_label(code)) for code in sorted(REGIONS))


def region_choices() -> list[tuple[str, str]]:
    """Every division, in code order, labelled with its full name."""
    return list(_labelled())


def region_choices_by_province() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every division, grouped under its province (a form's <optgroup>s): the province
    itself first, then its prefectures and counties in code order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in _labelled():
        groups.setdefault(code[:2], []).append((code, label))
    return [(PROVINCES[prefix + "0000"], items) for prefix, items in groups.items()]


def area_choices_by_province() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a search filter offers, grouped by province: each province, its prefectures, and
    the districts of the municipalities (which stand at the prefecture's level). A county
    elsewhere is still a valid filter (`is_valid_region`), just not listed: the full list
    would add some 200 KB to every page that shows the filter."""
    return [
        (name, [(code, label) for code, label in items if code not in COUNTIES or province_of(code) in MUNICIPALITIES])
        for name, items in region_choices_by_province()
    ]


def province_choices() -> list[tuple[str, str]]:
    return list(PROVINCES.items())
