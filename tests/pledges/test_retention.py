"""Retention figures: repeat-donation rate, monthly cohorts (SVG and table), gifts per
donor, pledge churn — for the platform (public), an organisation and a project (members)."""

from datetime import date

import pytest

from jusha.pledges.retention import retention
from tests.factories import PASSWORD, give, make_member, make_project, make_user

pytestmark = pytest.mark.django_db


def test_retention_arithmetic():
    today = date(2026, 12, 6)
    gifts = [
        ("a", date(2025, 11, 3)), ("a", date(2026, 2, 1)),  # repeat within 12 months, observable
        ("b", date(2025, 10, 1)), ("b", date(2026, 11, 1)),  # again, but after 13 months: not a repeat
        ("c", date(2026, 10, 5)), ("c", date(2026, 11, 9)), ("c", date(2026, 12, 1)),  # young donor, repeats
        ("d", date(2026, 10, 20)),
    ]
    r = retention(gifts=gifts, pledges=[(date(2026, 9, 1), None), (date(2026, 9, 2), date(2026, 11, 15))], today=today)
    assert (r.donors, r.gifts, r.repeat_donors, r.observable_donors) == (4, 8, 2, 2)
    assert r.repeat_rate == 0.5  # over the donors whose 12 months are complete (a yes, b no)
    assert r.gifts_per_donor == 2
    october = next(c for c in r.cohorts if c["month"] == "2026-10")
    assert october["donors"] == 2 and october["retained"][:4] == [1.0, 0.5, 0.5, None]
    november = next(c for c in r.churn if c["month"] == "2026-11")
    assert (november["active_at_start"], november["cancelled"]) == (2, 1)
    assert r.pledges_active == 1


def test_public_page_and_api(client):
    project = make_project(goal=10_000_000)
    donor = make_user("again@example.org")
    give(project, 1_000, donor=donor)
    give(project, 1_000, donor=donor)
    give(project, 1_000, email="guest@example.org")
    body = client.get("/api/v1/stats/retention").json()
    assert body["scope"] == "platform" and body["donors"] == 2 and body["gifts"] == 3 and body["repeat_donors"] == 1
    assert len(body["cohorts"]) == 12 and body["gifts_per_donor"] == 1.5
    page = client.get("/pledges/retention/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<svg" in page and 'data-testid="cohort-table"' in page and 'data-testid="repeat-rate"' in page


def test_organisation_figures_for_members_only(client):
    project = make_project(goal=10_000_000)
    give(project, 1_000, email="g@example.org")
    assert client.get(f"/api/v1/stats/retention?organisation={project.organisation.slug}").status_code == 403
    assert client.get(f"/pledges/retention/org/{project.organisation.slug}/").status_code in (302, 403)
    owner = make_member(project.organisation, "owner")
    client.login(email=owner.email, password=PASSWORD)
    body = client.get(f"/api/v1/stats/retention?organisation={project.organisation.slug}").json()
    assert body["scope"] == "organisation" and body["donors"] == 1
    assert client.get(f"/api/v1/stats/retention?project={project.slug}").json()["donors"] == 1
    page = client.get(f"/pledges/retention/org/{project.organisation.slug}/").content.decode()
    assert 'data-testid="per-project"' in page and project.title in page
    dashboard = client.get("/orgs/dashboard/").content.decode()
    assert 'data-testid="dashboard-retention"' in dashboard
