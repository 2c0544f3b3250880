import datetime as dt

from jusha.missing import rules


def test_age():
    assert rules.age_on(dt.date(2016, 5, 1), dt.date(2026, 4, 30)) == 9
    assert rules.age_on(dt.date(2016, 5, 1), dt.date(2026, 5, 1)) == 10


def test_region_prefixes():
    assert rules.region_prefixes("510923") == ["510923", "5109", "51"]
    assert rules.region_prefixes("510900") == ["5109", "51"]
    assert rules.region_prefixes("510000") == ["51"]
    assert rules.region_prefixes("x") == []
    assert rules.region_prefixes("") == []
    assert rules.region_prefixes("000000") == []


def test_rank():
    prefixes = rules.region_prefixes("510923")
    assert rules.rank_for_region("510923", prefixes) == 0
    assert rules.rank_for_region("510904", prefixes) == 1
    assert rules.rank_for_region("510104", prefixes) == 2
    assert rules.rank_for_region("110105", prefixes) == 3
