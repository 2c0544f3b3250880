from jusha.projects import regions


def test_all_34_province_level_divisions():
    assert len(regions.PROVINCES) == 34
    assert regions.region_name("110000") == "北京市"
    assert regions.region_name("710000") == "台湾省"
    assert regions.region_name("810000") == "香港特别行政区"
    assert regions.region_name("820000") == "澳门特别行政区"
    assert all(code.endswith("0000") and len(code) == 6 for code in regions.PROVINCES)


def test_demo_places():
    assert regions.region_name("110105") == "朝阳区"
    assert regions.region_label("511921") == "四川省 巴中市 通江县"
    assert regions.region_label("522634") == "贵州省 黔东南苗族侗族自治州 雷山县"
    assert regions.region_label("621121") == "甘肃省 定西市 通渭县"
    assert regions.region_label("433127") == "湖南省 湘西土家族苗族自治州 永顺县"
    assert regions.region_label("110105") == "北京市 朝阳区"
    assert regions.region_label("510000") == "四川省"


def test_validity_and_province():
    assert regions.is_valid_region("511921")
    for bad in ("", "51192", "5119210", "999999", None, 511921, "51192x"):
        assert not regions.is_valid_region(bad)
        assert regions.region_name(bad) == ""
        assert regions.province_of(bad) is None
    assert regions.province_of("511921") == "510000"
    assert regions.province_of("510000") == "510000"
    assert regions.prefecture_of("511921") == "511900"
    assert regions.prefecture_of("510000") is None


def test_prefixes_and_choices():
    assert regions.region_prefix("510000") == "51"
    assert regions.region_prefix("511900") == "5119"
    assert regions.region_prefix("511921") == "511921"
    choices = dict(regions.region_choices())
    assert choices["511921"] == "四川省 巴中市 通江县"
    assert len(regions.province_choices()) == 34


# --- the full county-level table ---------------------------------------------------------

# Every code the old hand-picked table had, and every code the demo and tests use: still
# valid, with the same name.
KNOWN_BEFORE = {
    "110101": "东城区", "110102": "西城区", "110105": "朝阳区", "110108": "海淀区", "320100": "南京市",
    "330100": "杭州市", "430100": "长沙市", "433100": "湘西土家族苗族自治州", "433127": "永顺县",
    "440100": "广州市", "440300": "深圳市", "510100": "成都市", "511900": "巴中市", "511921": "通江县",
    "520100": "贵阳市", "522600": "黔东南苗族侗族自治州", "522634": "雷山县", "620100": "兰州市",
    "621100": "定西市", "621121": "通渭县", "110000": "北京市", "510000": "四川省", "520000": "贵州省",
    "620000": "甘肃省",
}


def test_the_table_has_every_county():
    assert len(regions.COUNTIES) > 2800
    assert 300 < len(regions.PREFECTURES) < 400
    assert len(regions.REGIONS) == len(regions.PROVINCES) + len(regions.PREFECTURES) + len(regions.COUNTIES)
    assert regions.region_label("110105") == "北京市 朝阳区"
    assert regions.region_label("440305") == "广东省 深圳市 南山区"
    assert regions.region_label("650102") == "新疆维吾尔自治区 乌鲁木齐市 天山区"
    assert regions.region_label("441900") == "广东省 东莞市"  # a prefecture without counties
    assert regions.region_label("429004") == "湖北省 仙桃市"  # a county its province governs directly
    assert regions.region_label("653229") == "新疆维吾尔自治区 和田地区 和安县"  # set up in 2024


def test_codes_in_use_stay_valid_with_their_names():
    for code, name in KNOWN_BEFORE.items():
        assert regions.is_valid_region(code), code
        assert regions.region_name(code) == name


def test_every_county_has_its_city_and_province_and_nothing_is_finer():
    for code, name in regions.REGIONS.items():
        assert len(code) == 6 and code.isdigit() and name, code
    for code in regions.COUNTIES:
        assert regions.province_of(code) in regions.PROVINCES, code
        city = regions.city_of(code)
        if city is None:  # only the counties a province governs directly, coded xx90xx
            assert code[2:4] == "90" and code[:4] + "00" not in regions.REGIONS, code
        else:
            assert city in regions.REGIONS and regions.region_label(code).startswith(regions.region_label(city)), code
    for code in regions.PREFECTURES:
        assert regions.province_of(code) in regions.PROVINCES, code
    assert regions.city_of("110105") == "110000" and regions.city_of("511921") == "511900"
    assert regions.city_of("429004") is None and regions.city_of("511900") is None and regions.city_of("x") is None
    # The municipalities' placeholder rows are not places of their own.
    assert not any(code in regions.REGIONS for code in ("110100", "120100", "310100", "500100", "500200"))
    # 台湾省, 香港 and 澳门: the province-level code only, as in GB/T 2260.
    assert not any(code[:2] in {"71", "81", "82"} for code in regions.PREFECTURES | regions.COUNTIES)


def test_choices_group_every_division_under_its_province():
    groups = regions.region_choices_by_province()
    assert [name for name, _items in groups] == list(regions.PROVINCES.values())
    flat = [code for _name, items in groups for code, _label in items]
    assert flat == sorted(regions.REGIONS)
    sichuan = dict(dict(groups)["四川省"])
    assert sichuan["510000"] == "四川省" and sichuan["511921"] == "四川省 巴中市 通江县"
    areas = dict((name, dict(items)) for name, items in regions.area_choices_by_province())
    assert "511900" in areas["四川省"] and "511921" not in areas["四川省"]
    assert "110105" in areas["北京市"]  # a municipality's districts stand at the prefecture's level


def test_committed_table_is_what_the_script_builds_from_the_package():
    """`python -m jusha.projects.gbt2260` writes the table from the pinned source package."""
    from importlib import metadata

    from jusha.projects import gbt2260

    try:
        metadata.distribution(gbt2260.SOURCE[0])
    except metadata.PackageNotFoundError:
        import pytest

        pytest.skip(f"{gbt2260.SOURCE[0]} is not installed (requirements.txt installs it)")
    assert gbt2260.TABLE.read_text(encoding="utf-8") == gbt2260.render(gbt2260.table(gbt2260.source_rows()))
