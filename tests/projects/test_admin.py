"""Staff review from the admin goes through project_transition."""

import pytest
from django.urls import reverse

from jusha.core.models import AuditLog
from tests.factories import make_org, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def test_approve_from_the_admin(admin_client, org):
    project, unverified = make_project(org, status="in_review"), make_project(make_org(verified=False), status="in_review")
    url = reverse("admin:projects_project_changelist")
    response = admin_client.post(url, {"action": "approve", "_selected_action": [project.pk, unverified.pk]}, follow=True)
    project.refresh_from_db()
    unverified.refresh_from_db()
    assert project.status == "fundraising" and unverified.status == "in_review"
    assert "not verified" in response.content.decode()
    assert AuditLog.objects.filter(action="project.fundraising", target_id=str(project.pk)).exists()


def test_request_changes_from_the_admin_asks_for_a_reason(admin_client, org):
    project = make_project(org, status="in_review")
    url = reverse("admin:projects_project_changelist")
    response = admin_client.post(url, {"action": "request_changes", "_selected_action": [project.pk]})
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    project.refresh_from_db()
    assert project.status == "in_review"
    admin_client.post(url, {"action": "request_changes", "_selected_action": [project.pk], "apply": "1", "reason": "More photos"})
    project.refresh_from_db()
    assert project.status == "changes_requested" and project.review_note == "More photos"


def test_admin_pages_render_read_only(admin_client, org):
    project = make_project(org)
    page = admin_client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    assert 'name="featured"' in page and 'name="status"' not in page and 'name="title"' not in page
    assert admin_client.get(reverse("admin:projects_statuschange_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:projects_projectupdate_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:projects_project_add")).status_code == 403
