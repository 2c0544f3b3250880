"""A giving day's page shared into WeChat (or any chat app) shows a proper card: title,
description and an absolute image address in the Open Graph tags, the image itself a PNG
drawn without any font; on a phone the share button opens the system share sheet."""

import io
import re

import pytest
from django.test import Client
from PIL import Image

from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


def meta(html: str, prop: str) -> str:
    return re.search(rf'<meta property="{prop}" content="([^"]*)">', html).group(1)


def test_campaign_page_carries_its_card_and_a_share_sheet_button():
    campaign = make_campaign(title="九九公益日", summary="一起捐，一起配捐")
    html = Client().get(f"/campaigns/{campaign.slug}/").content.decode()
    assert meta(html, "og:title") == "九九公益日"
    assert meta(html, "og:description") == "一起捐，一起配捐"
    assert meta(html, "og:url") == f"http://testserver/campaigns/{campaign.slug}/"
    assert meta(html, "og:image") == f"http://testserver/campaigns/{campaign.slug}/card.png"
    assert 'data-share-sheet' in html and f'data-share-url="http://testserver/campaigns/{campaign.slug}/"' in html

    card = Client().get(f"/campaigns/{campaign.slug}/card.png")
    assert card.status_code == 200 and card["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(card.content)).size == (1200, 630)


def test_an_unpublished_campaign_has_no_card():
    campaign = make_campaign(publish=False)
    assert Client().get(f"/campaigns/{campaign.slug}/card.png").status_code == 404
