"""The printable e-receipt: readable on a phone (viewport tag) and as complete as the
receipt page: the sponsor's match and the gift's entry in the public log."""

import pytest

from jusha.demo.loader import load_demo
from jusha.giving.models import Donation

pytestmark = pytest.mark.django_db


def test_printable_receipt_has_a_viewport_the_match_and_the_log_entry(client, settings):
    settings.JUSHA_DEMO, settings.DEBUG = True, True
    load_demo(gifts=30, out=lambda *args: None)
    gift = Donation.objects.filter(status="paid", match__isnull=False).first()
    assert gift is not None
    page = client.get(f"/donations/{gift.pk}/?print=1", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'data-testid="donation-matched"' in page and "配捐" in page
    assert 'data-testid="print-log-entry"' in page and "透明日志" in page
    assert gift.receipt_number in page


def test_printable_receipt_of_an_unknown_gift_is_404(client):
    assert client.get("/donations/00000000-0000-0000-0000-000000000000/?print=1").status_code == 404
