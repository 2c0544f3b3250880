"""Places: GB/T 2260 administrative division codes (行政区划代码), no finer than the county.

A code is six digits: two for the province-level division, two for the prefecture,
two for the county. "510000" is a province, "511900" a prefecture in it, "511921" a
county in that. All 34 province-level divisions are listed, and the prefectures and
counties the platform's projects use; more can be added from the published standard.
"""

from __future__ import annotations

PROVINCES: dict[str, str] = {
    "110000": "北京市",
    "120000": "天津市",
    "130000": "河北省",
    "140000": "山西省",
    "150000": "内蒙古自治区",
    "210000": "辽宁省",
    "220000": "吉林省",
    "230000": "黑龙江省",
    "310000": "上海市",
    "320000": "江苏省",
    "330000": "浙江省",
    "340000": "安徽省",
    "350000": "福建省",
    "360000": "江西省",
    "370000": "山东省",
    "410000": "河南省",
    "420000": "湖北省",
    "430000": "湖南省",
    "440000": "广东省",
    "450000": "广西壮族自治区",
    "460000": "海南省",
    "500000": "重庆市",
    "510000": "四川省",
    "520000": "贵州省",
    "530000": "云南省",
    "540000": "西藏自治区",
    "610000": "陕西省",
    "620000": "甘肃省",
    "630000": "青海省",
    "640000": "宁夏回族自治区",
    "650000": "新疆维吾尔自治区",
    "710000": "台湾省",
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
}

# Prefectures and counties (including municipal districts) in use.
LOCAL: dict[str, str] = {
    "110101": "东城区",
    "110102": "西城区",
    "110105": "朝阳区",
    "110108": "海淀区",
    "320100": "南京市",
    "330100": "杭州市",
    "430100": "长沙市",
    "433100": "湘西土家族苗族自治州",
    "433127": "永顺县",
    "440100": "广州市",
    "440300": "深圳市",
    "510100": "成都市",
    "511900": "巴中市",
    "511921": "通江县",
    "520100": "贵阳市",
    "522600": "黔东南苗族侗族自治州",
    "522634": "雷山县",
    "620100": "兰州市",
    "621100": "定西市",
    "621121": "通渭县",
}

REGIONS: dict[str, str] = {**PROVINCES, **LOCAL}


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


def region_choices() -> list[tuple[str, str]]:
    """Every listed division, in code order, labelled with its full name (for forms)."""
    return [(code, region_label(code)) for code in sorted(REGIONS)]


def province_choices() -> list[tuple[str, str]]:
    return list(PROVINCES.items())
