"""The alliance's pure decisions."""

import random
from datetime import timedelta

from lxml import etree

from jusha.alliance import rules


def test_retries_grow_and_stop_within_a_day():
    rng = random.Random(1)
    waits = [rules.retry_delay(n, rng=rng) for n in range(1, rules.MAX_ATTEMPTS)]
    assert all(w is not None for w in waits)
    assert all(later > earlier for earlier, later in zip(waits, waits[1:-1]))  # the last two are both ~8 h
    assert timedelta(hours=20) < sum(waits, timedelta()) < timedelta(hours=26)
    assert rules.retry_delay(rules.MAX_ATTEMPTS) is None  # all attempts made: give up
    assert rules.retry_delay(0) is None


def test_jitter_stays_within_ten_percent():
    for seed in range(50):
        wait = rules.retry_delay(4, rng=random.Random(seed))
        assert timedelta(minutes=27) <= wait <= timedelta(minutes=33)


def test_events_are_stored_once_in_canonical_order():
    assert rules.events_field(["project.updated", "donation.paid", "donation.paid"]) == ",donation.paid,project.updated,"
    assert rules.events_field([]) == ""


def test_only_a_day_of_failure_disables():
    from django.utils import timezone

    now = timezone.now()
    assert not rules.should_disable(None, now)
    assert not rules.should_disable(now - timedelta(hours=23), now)
    assert rules.should_disable(now - timedelta(hours=24), now)


def test_text_xml_cannot_hold_is_dropped_and_the_rest_kept():
    text = "冬日\x00暖\x0bpack\ud800 \U0001F600 <&>\ufffe"
    clean = rules.xml_text(text)
    assert clean == "冬日暖pack \U0001F600 <&>"
    element = etree.Element("t")
    element.text = clean  # lxml refuses what XML cannot hold: this must not raise
    assert etree.fromstring(etree.tostring(element)).text == clean
