import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jusha.core.models import AuditLog
from jusha.organisations import services
from jusha.organisations.models import Invitation, Membership, Organisation, VerificationChange
from tests.factories import make_member, make_org, make_project, make_user

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Sunflower Elders",
    "legal_name": "Fujian Sunflower Elders Care Foundation",
    "uscc": "91350100M000100Y43",
    "public_fundraising_qualified": "on",
    "contact_email": "hello@sunflower.example",
    "contact_phone": "",
    "website": "https://sunflower.example",
    "region_code": "350100",
    "description": "We visit elders who live alone.",
}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counts():
    return (
        Organisation.objects.count(), Membership.objects.count(), Invitation.objects.count(),
        VerificationChange.objects.count(), AuditLog.objects.count(),
        list(Membership.objects.order_by("pk").values_list("role", flat=True)),
        list(Invitation.objects.order_by("pk").values_list("revoked_at", flat=True)),
        list(Organisation.objects.order_by("pk").values_list("verification", flat=True)),
    )


def test_register_an_organisation_through_the_page():
    user = make_user()
    client = logged_in(user)
    assert client.get(reverse("organisations:create")).status_code == 200
    response = client.post(reverse("organisations:create"), FORM)
    org = Organisation.objects.get()
    assert response.status_code == 302 and response.url == reverse("organisations:manage", args=[org.slug])
    assert org.memberships.get().user == user and org.public_fundraising_qualified
    page = client.get(response.url)
    assert page.status_code == 200 and page.context["can_submit"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"uscc": "91350100M000100Y44"}, "uscc"),
        ({"uscc": "9135010OM000100Y43"}, "uscc"),
        ({"region_code": "35A100"}, "region_code"),
        ({"contact_email": ""}, "contact_email"),
        ({"slug": "staff"}, "slug"),
    ],
)
def test_bad_details_are_form_errors_and_nothing_is_created(change, field):
    client = logged_in(make_user())
    response = client.post(reverse("organisations:create"), {**FORM, **change})
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert not Organisation.objects.exists()


def test_a_taken_code_is_a_form_error():
    taken = make_org().uscc
    response = logged_in(make_user()).post(reverse("organisations:create"), {**FORM, "uscc": taken})
    assert response.context["form"].errors["uscc"]
    assert Organisation.objects.count() == 1


def test_registering_needs_log_in_and_a_csrf_token():
    response = Client().post(reverse("organisations:create"), FORM)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert client.post(reverse("organisations:create"), FORM).status_code == 403
    assert not Organisation.objects.exists()


def test_owner_submits_and_staff_verify_from_the_dashboard():
    org = make_org(verified=False)
    owner = make_member(org, "owner")
    staff = make_user(is_staff=True)
    assert logged_in(owner).post(reverse("organisations:submit", args=[org.slug])).status_code == 302
    org.refresh_from_db()
    assert org.verification == "submitted"
    client = logged_in(staff)
    page = client.get(reverse("organisations:staff_dashboard"))
    assert page.status_code == 200 and org in page.context["organisations"]
    client.post(reverse("organisations:staff_verify", args=[org.slug]))
    org.refresh_from_db()
    assert org.verification == "verified" and org.verification_changes.count() == 2
    assert AuditLog.objects.filter(actor=staff, action="organisation.verified").count() == 1


def test_staff_reject_needs_a_reason():
    org = make_org(verified=False)
    owner = make_member(org, "owner")
    services.organisation_submit(organisation=org, actor=owner)
    client = logged_in(make_user(is_staff=True))
    before = counts()
    response = client.post(reverse("organisations:staff_reject", args=[org.slug]), {"reason": " "})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    assert counts() == before
    client.post(reverse("organisations:staff_reject", args=[org.slug]), {"reason": "Unreadable certificate."})
    org.refresh_from_db()
    assert org.verification == "rejected" and org.rejection_reason == "Unreadable certificate."
    assert "Unreadable certificate." in logged_in(owner).get(reverse("organisations:dashboard")).content.decode()


def test_a_refused_transition_is_a_message_and_changes_nothing():
    org = make_org()  # already verified
    owner = make_member(org, "owner")
    before = counts()
    response = logged_in(owner).post(reverse("organisations:submit", args=[org.slug]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert counts() == before


@pytest.mark.parametrize("role", ["editor", "finance", None])
def test_non_owners_are_refused_and_nothing_changes(role):
    org = make_org(verified=False)
    owner = make_member(org, "owner")
    other = make_member(org, "editor")
    pending = services.invitation_create(organisation=org, email="x@example.org", role="editor", actor=owner)
    actor = make_member(org, role) if role else make_user()
    client = logged_in(actor)
    target = org.memberships.get(user=other)
    before = counts()
    posts = [
        (reverse("organisations:invite", args=[org.slug]), {"email": "friend@example.org", "role": "owner"}),
        (reverse("organisations:invitation_revoke", args=[org.slug, pending.pk]), {}),
        (reverse("organisations:member_remove", args=[org.slug, target.pk]), {}),
        (reverse("organisations:member_role", args=[org.slug, target.pk]), {"role": "owner"}),
        (reverse("organisations:submit", args=[org.slug]), {}),
        (reverse("organisations:edit", args=[org.slug]), {**FORM, "name": "Hijacked"}),
        (reverse("organisations:staff_verify", args=[org.slug]), {}),
        (reverse("organisations:staff_reject", args=[org.slug]), {"reason": "x"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
    assert counts() == before
    assert Organisation.objects.get().name == org.name
    # Outsiders do not even see the management page.
    assert client.get(reverse("organisations:manage", args=[org.slug])).status_code == (200 if role else 403)


def test_unknown_organisations_and_members_are_404():
    org = make_org()
    owner = make_member(org, "owner")
    other_org = make_org()
    stranger = make_member(other_org, "editor")
    client = logged_in(owner)
    assert client.get(reverse("organisations:manage", args=["no-such-org"])).status_code == 404
    membership = other_org.memberships.get(user=stranger)
    assert client.post(reverse("organisations:member_remove", args=[org.slug, membership.pk])).status_code == 404
    assert other_org.memberships.filter(pk=membership.pk).exists()


def test_owner_invites_and_the_invitee_accepts(django_capture_on_commit_callbacks):
    org = make_org()
    owner = make_member(org, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(owner).post(
            reverse("organisations:invite", args=[org.slug]), {"email": "helper@example.org", "role": "editor"}
        )
    assert response.status_code == 302
    path = "/orgs/invitations/" + mail.outbox[0].body.split("/orgs/invitations/")[1].split()[0]
    # Not logged in: off to log in, and back.
    anonymous = Client().get(path)
    assert anonymous.status_code == 302 and "next=" in anonymous.url
    # Logged in with another address: told so, nothing happens.
    wrong = logged_in(make_user("other@example.org"))
    assert wrong.get(path).context["email_matches"] is False
    assert wrong.post(path).status_code == 403 and org.memberships.count() == 1
    helper = logged_in(make_user("helper@example.org"))
    assert helper.get(path).context["email_matches"]
    response = helper.post(path)
    assert response.status_code == 302 and response.url == reverse("organisations:manage", args=[org.slug])
    assert org.memberships.get(user__email="helper@example.org").role == "editor"


def test_invite_form_errors_are_shown():
    org = make_org()
    owner = make_member(org, "owner")
    response = logged_in(owner).post(
        reverse("organisations:invite", args=[org.slug]), {"email": owner.email, "role": "editor"}
    )
    assert response.status_code == 200 and response.context["invite_form"].errors["email"]
    assert not Invitation.objects.exists()


def test_owner_changes_roles_but_keeps_an_owner():
    org = make_org()
    owner = make_member(org, "owner")
    editor = make_member(org, "editor")
    client = logged_in(owner)
    client.post(reverse("organisations:member_role", args=[org.slug, org.memberships.get(user=editor).pk]),
                {"role": "finance"})
    assert org.memberships.get(user=editor).role == "finance"
    response = client.post(
        reverse("organisations:member_remove", args=[org.slug, org.memberships.get(user=owner).pk]), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"
    assert org.memberships.filter(user=owner, role="owner").exists()


def test_public_page_escapes_what_organisations_write():
    org = make_org(name="<script>alert('name')</script>", description="<script>alert('about')</script>\nSecond line")
    page = Client().get(reverse("organisations:detail", args=[org.slug])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;name&#x27;)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#x27;about&#x27;)&lt;/script&gt;" in page


def test_public_page_shows_details_and_public_projects_only():
    org = make_org(name="Sunflower Elders")
    public = make_project(org, status="fundraising")
    draft = make_project(org, status="draft")
    in_review = make_project(org, status="in_review")
    response = Client().get(reverse("organisations:detail", args=[org.slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert org.uscc in page and org.legal_name in page and f"/projects/{public.slug}/" in page
    assert draft.title not in page and in_review.title not in page


def test_unverified_organisations_are_seen_only_by_members_and_staff():
    org = make_org(verified=False)
    member = make_member(org, "editor")
    url = reverse("organisations:detail", args=[org.slug])
    assert Client().get(url).status_code == 404
    assert logged_in(make_user()).get(url).status_code == 404
    assert logged_in(member).get(url).status_code == 200
    assert logged_in(make_user(is_staff=True)).get(url).status_code == 200


def test_public_page_queries_do_not_grow_with_projects():
    small, large = make_org(), make_org()
    for _ in range(2):
        make_project(small, status="fundraising")
    for _ in range(10):
        make_project(large, status="executing")
    client, seen = Client(), []
    for org, expected in ((small, 2), (large, 10)):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(reverse("organisations:detail", args=[org.slug])).context["projects"]) == expected
        seen.append(len(queries))
    # The organisation, its projects, their totals, its verification steps, its latest rating,
    # the reports decided about it, which open-data files it has: a constant number, however
    # many projects it has.
    assert seen[0] == seen[1] <= 6


def test_staff_dashboard_is_for_staff_only():
    org = make_org(verified=False)
    owner = make_member(org, "owner")
    services.organisation_submit(organisation=org, actor=owner)
    project = make_project(make_org(), status="in_review")
    url = reverse("organisations:staff_dashboard")
    assert Client().get(url).status_code == 302
    assert logged_in(owner).get(url).status_code == 403
    response = logged_in(make_user(is_staff=True)).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert org.name in page and f'href="/projects/{project.slug}/"' in page


def test_member_dashboard_lists_what_needs_action():
    org = make_org()
    owner = make_member(org, "owner")
    draft = make_project(org, status="draft")
    public = make_project(org, status="fundraising")
    services.invitation_create(organisation=org, email="later@example.org", role="finance", actor=owner)
    unverified = make_org(verified=False, name="Young Org")
    Membership.objects.create(organisation=unverified, user=owner, role="editor")
    response = logged_in(owner).get(reverse("organisations:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"/projects/{draft.slug}/" in page and f"/projects/{public.slug}/" not in page
    assert f"/projects/new/?org={org.slug}" in page
    assert "later@example.org" in page and "Young Org" in page
    finance = make_member(org, "finance")
    page = logged_in(finance).get(reverse("organisations:dashboard")).content.decode()
    assert f"/projects/{draft.slug}/" not in page and "later@example.org" not in page


def test_admin_actions_go_through_the_services():
    org = make_org(verified=False)
    owner = make_member(org, "owner")
    services.organisation_submit(organisation=org, actor=owner)
    admin = logged_in(make_user(is_staff=True, is_superuser=True))
    url = reverse("admin:organisations_organisation_changelist")
    # Rejecting first shows the reason form, then applies.
    page = admin.post(url, {"action": "reject", "_selected_action": [org.pk]})
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    org.refresh_from_db()
    assert org.verification == "submitted"
    admin.post(url, {"action": "reject", "_selected_action": [org.pk], "apply": "1", "reason": "Expired licence."})
    org.refresh_from_db()
    assert (org.verification, org.rejection_reason) == ("rejected", "Expired licence.")
    # Verifying a rejected organisation is refused: an error message, nothing changed.
    response = admin.post(url, {"action": "verify", "_selected_action": [org.pk]}, follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    org.refresh_from_db()
    assert org.verification == "rejected" and org.verification_changes.count() == 2
    services.organisation_submit(organisation=org, actor=owner)
    admin.post(url, {"action": "verify", "_selected_action": [org.pk]})
    org.refresh_from_db()
    assert org.verification == "verified" and AuditLog.objects.filter(action="organisation.verified").exists()


def test_admin_pages_render():
    org = make_org()
    make_member(org, "owner")
    admin = logged_in(make_user(is_staff=True, is_superuser=True))
    for name in ["organisation", "membership", "invitation", "verificationchange"]:
        assert admin.get(reverse(f"admin:organisations_{name}_changelist")).status_code == 200
    assert admin.get(reverse("admin:organisations_organisation_change", args=[org.pk])).status_code == 200
    assert admin.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert admin.get(reverse("admin:accounts_user_add")).status_code == 200
    assert admin.get(reverse("admin:accounts_apitoken_changelist")).status_code == 200


def test_a_member_leaves_through_the_page():
    org = make_org()
    make_member(org, "owner")
    editor = make_member(org, "editor")
    response = logged_in(editor).post(
        reverse("organisations:member_remove", args=[org.slug, org.memberships.get(user=editor).pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("organisations:dashboard")
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert not org.memberships.filter(user=editor).exists()


def test_owner_edits_the_details():
    org = make_org(verified=False)
    owner = make_member(org, "owner")
    client = logged_in(owner)
    assert client.get(reverse("organisations:edit", args=[org.slug])).status_code == 200
    data = {**FORM, "uscc": org.uscc, "name": "Renamed"}
    assert client.post(reverse("organisations:edit", args=[org.slug]), data).status_code == 302
    org.refresh_from_db()
    assert org.name == "Renamed" and org.legal_name == FORM["legal_name"]


def test_legal_details_stay_as_verified_on_the_edit_page():
    org = make_org()
    owner = make_member(org, "owner")
    form = logged_in(owner).get(reverse("organisations:edit", args=[org.slug])).context["form"]
    assert form.fields["uscc"].disabled and form.fields["legal_name"].disabled
    data = {**FORM, "uscc": "91350100M000100Y43", "legal_name": "Someone Else", "description": "New words"}
    assert logged_in(owner).post(reverse("organisations:edit", args=[org.slug]), data).status_code == 302
    before_uscc, before_legal = org.uscc, org.legal_name
    org.refresh_from_db()
    assert (org.uscc, org.legal_name, org.description) == (before_uscc, before_legal, "New words")
