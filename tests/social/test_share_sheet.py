"""The project's share flow on a phone ends in the system share sheet (Web Share API, the
button shown by site.js where the browser has one) or in the poster to save."""

import pytest

from jusha.social.models import ShareLink
from tests.social.test_pages import browser

pytestmark = pytest.mark.django_db


def test_share_page_offers_the_share_sheet_and_the_poster(project):
    visitor = browser()
    visitor.post(f"/s/share/{project.slug}/")
    link = ShareLink.objects.get()
    html = visitor.get(f"/s/share/{project.slug}/").content.decode()
    assert 'data-testid="share-sheet"' in html and f'data-share-url="http://testserver/s/{link.code}"' in html
    assert f"/s/{link.code}/poster.svg" in html  # the poster to save, with or without script
