import pytest
from django.utils import timezone

from jusha.missing import services
from jusha.missing.models import DailyCount
from jusha.missing.selectors import case_figures, outcomes_by_month, site_figures
from tests.factories import make_member, make_user
from tests.missing.conftest import make_case, make_partner

pytestmark = pytest.mark.django_db


def test_impressions_and_clicks_are_counted_without_personal_data(client, site):
    case = make_case()
    for _ in range(3):
        assert client.post(f"/api/v1/missing/seen?site={site.key}&case={case.pk}").status_code == 204
    client.post(f"/api/v1/missing/seen?site=unknown&case={case.pk}")
    client.post(f"/api/v1/missing/seen?site={site.key}&case=999999")
    client.get(f"/missing/{case.pk}/?src=404&site={site.key}")
    assert site_figures(site) == {"impressions": 3, "clicks": 1, "days": 30}
    assert case_figures(case) == {"impressions": 3, "clicks": 1}
    fields = {f.name for f in DailyCount._meta.get_fields()}
    assert fields == {"id", "day", "kind", "site", "case", "count"}  # no IP, no visitor
    client.force_login(site.owner)
    assert "3" in client.get(f"/missing/sites/{site.pk}/").content.decode()


def test_outcomes_by_month_and_the_impact_page(client):
    partner = make_partner()
    owner = make_member(partner, "owner")
    helped = make_case(partner)
    services.sighting_submit(case=helped, place="p", seen_at=timezone.now(), description="d")
    services.sighting_submit(case=helped, place="q", seen_at=timezone.now(), description="e")
    alone = make_case(partner)
    withdrawn = make_case(partner)
    for case, status in ((helped, "found"), (alone, "found"), (withdrawn, "withdrawn")):
        services.case_close(case=case, status=status, roles={"owner"}, actor=owner)
    (row,) = outcomes_by_month()
    assert row["found"] == 2 and row["with_sighting"] == 1
    page = client.get("/missing/impact/")
    assert page.status_code == 200 and "<svg" in page.content.decode() and "<table>" in page.content.decode()
