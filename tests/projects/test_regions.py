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
