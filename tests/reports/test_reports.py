"""Reports (举报): anyone reports a project or an organisation; staff investigate, uphold
or dismiss with a public outcome; the organisation answers but never learns who reported;
floods, bad files and an organisation's own attempts to read or delete change nothing."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from jusha.accounts.services import api_token_create
from jusha.core.errors import Conflict, Forbidden, Invalid, TooLarge, TransitionRefused
from jusha.reports import services
from jusha.reports.kinds import ORGANISATION, PROJECT
from jusha.reports.models import Evidence, Report, ReportEvent
from tests.factories import give, make_member, make_project, make_user, png_bytes

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = api_token_create(name="t", actor=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post_report(client, body, **headers):
    return client.post("/api/v1/reports", body, content_type="application/json", **headers)


def snapshot():
    return (
        list(Report.objects.values_list("pk", "status", "answer", "outcome")),
        ReportEvent.objects.count(), Evidence.objects.count(),
    )


# --- submitting ---------------------------------------------------------------------------

def test_a_guest_reports_a_project_through_the_api(client, project):
    owner = make_member(project.organisation, "owner", email="owner-a@example.org")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = post_report(client, {"project": project.slug, "reason": "fraud", "details": "Photos are stolen"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "new" and Report.objects.get(pk=body["id"]).organisation == project.organisation
    report = Report.objects.get()
    assert report.kind == PROJECT and report.object_id == project.pk and report.reporter is None
    # The organisation is told, with the reason but without the reporter.
    assert len(mail.outbox) == 1 and owner.email in mail.outbox[0].to and "Photos" not in mail.outbox[0].body


def test_a_member_reports_an_organisation_once(client, org):
    reporter = make_user()
    response = post_report(client, {"organisation": org.slug, "reason": "misuse"}, **bearer(reporter))
    assert response.status_code == 201
    again = post_report(client, {"organisation": org.slug, "reason": "misuse"}, **bearer(reporter))
    assert again.status_code == 409 and again.json()["code"] == "already_reported"
    assert Report.objects.get().reporter == reporter and Report.objects.count() == 1


@pytest.mark.parametrize("body", [
    {"project": "x"},  # no reason
    {"reason": "fraud"},  # no target
    {"project": "x", "organisation": "y", "reason": "fraud"},  # two targets
    {"project": "x", "reason": "because"},  # not a reason
])
def test_bad_bodies_are_422_and_change_nothing(client, project, body):
    body = {k: (project.slug if v == "x" else v) for k, v in body.items()}
    response = post_report(client, body)
    assert response.status_code == 422 and Report.objects.count() == 0


def test_unknown_or_unpublished_targets_are_404(client):
    draft = make_project(status="draft")
    assert post_report(client, {"project": "nope", "reason": "fraud"}).status_code == 404
    assert post_report(client, {"project": draft.slug, "reason": "fraud"}).status_code == 404
    assert Report.objects.count() == 0


def test_members_cannot_report_their_own_organisation(client, project):
    member = make_member(project.organisation, "editor")
    response = post_report(client, {"project": project.slug, "reason": "fraud"}, **bearer(member))
    assert response.status_code == 422 and response.json()["code"] == "own_target"
    assert Report.objects.count() == 0


def test_a_flood_from_one_network_is_refused(client, project, settings):
    settings.JUSHA_RATE_LIMIT_ENABLED = True
    settings.JUSHA_RATE_LIMITS = {**settings.JUSHA_RATE_LIMITS, "report_network": (2, 3600)}
    statuses = [post_report(client, {"project": project.slug, "reason": "other"}, REMOTE_ADDR="203.0.113.9").status_code
                for _ in range(3)]
    # Another member from the same network is refused too: the limit is the network's.
    member = post_report(client, {"project": project.slug, "reason": "other"}, REMOTE_ADDR="203.0.113.9",
                         **bearer(make_user()))
    assert statuses == [201, 201, 429] and member.status_code == 429 and "Retry-After" in member
    assert post_report(client, {"project": project.slug, "reason": "other"}, REMOTE_ADDR="198.51.100.4").status_code == 201
    assert Report.objects.count() == 3


def test_evidence_through_the_page_is_cleaned_and_private(project, settings, tmp_path):
    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"
    page = browser().get(f"/reports/new/?project={project.slug}")
    assert page.status_code == 200
    photo = SimpleUploadedFile("a.png", png_bytes((60, 40)), content_type="image/png")
    response = browser().post(f"/reports/new/?project={project.slug}", {
        "reason": "false_information", "details": "The hospital bill is fake", "evidence": [photo],
    })
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "image/png" and "/media/" not in evidence.file.path


@pytest.mark.parametrize("upload,status", [
    (lambda: SimpleUploadedFile("bill.pdf", b"<script>alert(1)</script>", content_type="application/pdf"), 422),
    (lambda: SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png"), 422),
    (lambda: SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 200, content_type="image/png"), 413),
])
def test_disguised_or_oversize_files_are_refused_and_nothing_is_kept(project, settings, tmp_path, upload, status):
    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"
    settings.JUSHA_UPLOAD_MAX_BYTES = 100
    response = browser().post(f"/reports/new/?project={project.slug}", {"reason": "fraud", "evidence": [upload()]})
    assert response.status_code == status
    assert Report.objects.count() == 0 and Evidence.objects.count() == 0


def test_the_page_form_needs_a_reason(project):
    response = browser().post(f"/reports/new/?project={project.slug}", {"details": "?"})
    assert response.status_code == 422 and Report.objects.count() == 0


# --- the organisation's side: it answers, never learns who reported -----------------------

def _report(project, reporter=None, **kw):
    return services.report_submit(kind=PROJECT, target=project, reason=kw.pop("reason", "fraud"),
                                  details=kw.pop("details", "Suspicious"), reporter=reporter, **kw)


def test_the_organisation_sees_and_answers_reports_but_never_the_reporter(client, project):
    reporter = make_user(email="whistle@example.org", display_name="Whistle Blower")
    report = _report(project, reporter, contact="ignored for members")
    owner = make_member(project.organisation, "owner")
    page = browser(owner).get(f"/reports/org/{project.organisation.slug}/").content.decode()
    assert "Suspicious" in page and "whistle" not in page and "Whistle" not in page
    listed = client.get(f"/api/v1/orgs/{project.organisation.slug}/reports", **bearer(owner))
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert "whistle" not in listed.content.decode() and "reporter" not in listed.json()["items"][0]
    # It cannot read the whole report (staff only): unknown, not forbidden.
    assert client.get(f"/api/v1/reports/{report.pk}", **bearer(owner)).status_code == 404
    assert browser(owner).get(f"/reports/staff/{report.pk}/").status_code == 404
    answered = client.post(f"/api/v1/orgs/{project.organisation.slug}/reports/{report.pk}/answer",
                           {"answer": "Here are the receipts."}, content_type="application/json", **bearer(owner))
    assert answered.status_code == 200 and answered.json()["answer"] == "Here are the receipts."


def test_an_organisation_cannot_delete_or_decide_a_report_about_itself(client, project):
    report = _report(project, make_user())
    owner = make_member(project.organisation, "owner")
    before = snapshot()
    assert client.delete(f"/api/v1/reports/{report.pk}", **bearer(owner)).status_code in (404, 405)
    with pytest.raises(TransitionRefused):
        services.report_transition(report=report, target="dismissed", actor=owner, outcome="all fine")
    assert browser(owner).post(f"/reports/staff/{report.pk}/decide/", {"target": "dismissed", "outcome": "x"}).status_code == 404
    outsider = make_user()
    with pytest.raises(Forbidden):
        services.report_answer(report=report, actor=outsider, answer="I am not them")
    assert browser(outsider).get(f"/reports/org/{project.organisation.slug}/").status_code == 403
    assert snapshot() == before


# --- staff: the queue, the trail, outcomes, suspension --------------------------------------

def test_staff_uphold_with_suspension_and_the_project_refuses_gifts(client, project, staff):
    reporter = make_user(email="reporter-x@example.org")
    report = _report(project, reporter)
    assert "reporter-x@example.org" in browser(staff).get(f"/reports/staff/{report.pk}/").content.decode()
    services.report_transition(report=report, target="investigating", actor=staff)
    with pytest.raises(Invalid):
        services.report_transition(report=report, target="upheld", actor=staff, outcome="")
    services.report_transition(report=report, target="upheld", actor=staff, suspend=True,
                               outcome="The photos were taken from another charity's page.")
    project.refresh_from_db()
    assert project.status == "suspended"
    refused = client.post(f"/api/v1/projects/{project.slug}/donations", {"amount": 1000, "currency": "CNY"},
                          content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-suspended")
    assert refused.status_code == 409 and refused.json()["code"] == "project_suspended"
    page = browser().get(f"/projects/{project.slug}/").content.decode()
    assert "The photos were taken" in page and "reporter-x" not in page
    actions = list(ReportEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["submitted", "investigating", "upheld", "suspended"]
    with pytest.raises(TransitionRefused):  # decided is final
        services.report_transition(report=report, target="dismissed", actor=staff, outcome="changed my mind")


def test_a_suspended_project_resumes_or_is_cancelled_by_staff_only(project, staff):
    from jusha.projects.services import project_transition

    owner = project.organisation.memberships.get(role="owner").user
    give(project, 2000)
    with pytest.raises(TransitionRefused):
        project_transition(project=project, target="suspended", actor=owner, reason="x")
    with pytest.raises(TransitionRefused):  # a reason is required
        project_transition(project=project, target="suspended", actor=staff)
    project_transition(project=project, target="suspended", actor=staff, reason="A report is being investigated")
    with pytest.raises(TransitionRefused):
        project_transition(project=project, target="fundraising", actor=owner, reason="please")
    project_transition(project=project, target="fundraising", actor=staff, reason="Nothing wrong found")
    project.refresh_from_db()
    assert project.status == "fundraising"


def test_staff_queue_lists_open_reports(project, staff):
    _report(project, make_user())
    page = browser(staff).get("/reports/staff/")
    assert page.status_code == 200 and project.title in page.content.decode()
    assert browser(make_user()).get("/reports/staff/").status_code == 403


def test_evidence_downloads_are_staff_only_and_audited(project, staff, settings, tmp_path):
    from jusha.core.models import AuditLog

    settings.JUSHA_PRIVATE_ROOT = tmp_path / "private"
    photo = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    report = _report(project, None, files=[photo])
    evidence = report.evidence.get()
    url = f"/reports/staff/{report.pk}/evidence/{evidence.pk}/"
    owner = project.organisation.memberships.get(role="owner").user
    assert browser(owner).get(url).status_code == 404
    response = browser(staff).get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert AuditLog.objects.filter(action="report.evidence_view").count() == 1


def test_dismissed_reports_show_their_outcome_too(project, staff):
    report = _report(project, None, reason="other")
    services.report_transition(report=report, target="dismissed", actor=staff, outcome="The bills were checked and are real.")
    assert "The bills were checked" in browser().get(f"/projects/{project.slug}/").content.decode()
