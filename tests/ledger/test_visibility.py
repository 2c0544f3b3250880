"""Who sees a project's ledger (page, API, CSV) and its fund flow: one rule, the project's
(`projects.selectors.is_public`). A project cancelled before it was ever published stays
unknown to the public; one cancelled after it raised money in public stays visible with
its ledger; a draft is visible to its own organisation's members only."""

import pytest

from jusha.projects.services import project_transition
from tests.factories import give, make_member, make_project, make_user

pytestmark = pytest.mark.django_db


def ledger_urls(project) -> list[str]:
    return [
        f"/ledger/{project.slug}/",
        f"/api/v1/projects/{project.slug}/ledger",
        f"/ledger/{project.slug}/ledger.csv",
    ]


def cancelled(project):
    owner = make_member(project.organisation, "owner")
    project_transition(project=project, target="cancelled", actor=owner, reason="No longer needed")
    project.refresh_from_db()
    return project


def test_cancelled_before_publication_is_unknown_to_the_public(client):
    project = cancelled(make_project(status="draft"))
    assert project.status == "cancelled" and project.published_at is None
    for url in [*ledger_urls(project), f"/log/flow/{project.slug}/"]:
        assert client.get(url).status_code == 404, url
    api = client.get(f"/api/v1/projects/{project.slug}/ledger").json()
    assert api["code"] == "not_found"


def test_cancelled_after_publication_stays_visible(client):
    project = make_project()
    give(project, 5000)
    project = cancelled(project)
    assert project.status == "cancelled" and project.published_at is not None
    for url in [*ledger_urls(project), f"/log/flow/{project.slug}/"]:
        assert client.get(url).status_code == 200, url
    kinds = [row["kind"] for row in client.get(f"/api/v1/projects/{project.slug}/ledger").json()["items"]]
    assert "gift" in kinds


def test_a_draft_ledger_is_for_its_members_only(client):
    project = make_project(status="draft")
    for url in ledger_urls(project):
        assert client.get(url).status_code == 404, url
    client.force_login(make_user("outsider@example.org"))
    for url in ledger_urls(project):
        assert client.get(url).status_code == 404, url
    client.force_login(make_member(project.organisation, "editor"))
    for url in ledger_urls(project):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/log/flow/{project.slug}/").status_code == 404  # the fund flow is for the public only


def test_recording_an_expenditure_is_for_finance_members(client, project):
    url = f"/ledger/{project.slug}/expenditures/new/"
    client.force_login(make_member(project.organisation, "editor"))
    assert client.get(url).status_code == 403
    client.force_login(make_user("stranger@example.org"))
    assert client.get(url).status_code == 403
    client.force_login(make_member(project.organisation, "finance"))
    assert client.get(url).status_code == 200
    draft = make_project(status="draft")
    assert client.get(f"/ledger/{draft.slug}/expenditures/new/").status_code == 404  # not theirs, not public


def test_ledger_rows_run_no_queries(project, django_assert_num_queries):
    from jusha.ledger.schemas import ledger_rows
    from jusha.ledger.selectors import project_entries, with_expenditures

    give(project, 5000)
    entries = with_expenditures(project_entries(project))
    with django_assert_num_queries(0):
        rows = ledger_rows(entries)
    assert rows and rows[0]["kind"] == "gift"
