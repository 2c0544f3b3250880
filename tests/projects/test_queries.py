"""Pages and the API read a constant number of queries however much data there is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import give, make_member, make_org, make_project

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def with_projects(n: int):
    for _ in range(n):
        project = make_project(make_org())
        give(project, 1_000)


@pytest.mark.parametrize("url", [reverse("projects:list"), "/api/v1/projects", "/"])
def test_lists_are_constant(client, url):
    # The home page's second list leaves out the first's six: start with both lists shown.
    with_projects(8 if url == "/" else 2)
    few = queries(client, url)
    with_projects(10)
    assert queries(client, url) == few


def test_detail_is_constant_in_donations_and_updates(client, org):
    from jusha.projects.services import update_post
    from tests.factories import image_upload

    project = make_project(org, goal=10_000_000)
    other = make_project(make_org(), status="funded")
    editor = make_member(org, "editor")
    for n in range(2):
        give(project, 1_000, name=f"Donor {n}")
    update_post(project=project, actor=editor, title="One", body="<p>x</p>", photos=[image_upload()])
    urls = [reverse("projects:detail", args=[project.slug]), reverse("projects:detail", args=[other.slug]),
            f"/api/v1/projects/{project.slug}", reverse("projects:progress", args=[project.slug])]
    few = [queries(client, url) for url in urls]
    for n in range(28):
        give(project, 1_000, message=f"Gift {n}")
    for _ in range(3):
        update_post(project=project, actor=editor, title="More", body="<p>y</p>", photos=[image_upload(), image_upload()])
        make_project(make_org())
    assert [queries(client, url) for url in urls] == few
    client.force_login(editor)
    logged_in = queries(client, urls[0])
    give(project, 1_000)
    assert queries(client, urls[0]) == logged_in
