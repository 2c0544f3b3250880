"""A team page shared into WeChat shows a proper card: title, description, absolute image."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_team_page_card_has_title_description_and_an_absolute_image(project, team):
    html = Client().get(f"/community/teams/{team.slug}/").content.decode()
    tags = dict(re.findall(r'<meta property="(og:[a-z:]+)" content="([^"]*)">', html))
    assert team.name in tags["og:title"] and tags["og:description"]
    assert tags["og:image"] == f"http://testserver/s/card/{project.slug}.png"
    assert 'data-share' in html and "poster.svg" in html
