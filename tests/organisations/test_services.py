from datetime import timedelta

import pytest
from django.core import mail

from jusha.core.errors import Conflict, Forbidden, Invalid, NotFound, TransitionRefused
from jusha.core.models import AuditLog
from jusha.organisations import services
from jusha.organisations.models import Invitation, Membership, Organisation
from jusha.organisations.selectors import invitation_by_token, organisation_can_publish
from tests.factories import make_member, make_org, make_user

pytestmark = pytest.mark.django_db

DETAILS = {
    "name": "Sunflower Elders",
    "legal_name": "Fujian Sunflower Elders Care Foundation",
    "uscc": "91350100M000100Y43",
    "contact_email": "hello@sunflower.example",
    "public_fundraising_qualified": True,
    "region_code": "350100",
}


def create(actor=None, **overrides):
    return services.organisation_create(actor=actor or make_user(), **{**DETAILS, **overrides})


def snapshot(org):
    org.refresh_from_db()
    return (org.verification, org.rejection_reason, org.verification_changes.count(), AuditLog.objects.count())


def test_create_makes_the_actor_owner():
    user = make_user()
    org = create(user, uscc=" 91350100m000100y43 ")
    assert org.uscc == "91350100M000100Y43" and org.slug == "sunflower-elders"
    assert org.verification == "unverified" and not organisation_can_publish(org)
    assert Membership.objects.get(organisation=org).user == user
    assert Membership.objects.get(organisation=org).role == "owner"
    assert AuditLog.objects.filter(action="organisation.create", target_id=str(org.pk)).exists()


def test_create_finds_a_free_ascii_slug():
    assert create(name="阳光敬老").slug == "org-100y43"
    assert create(name="New", uscc="91110000600037341L").slug == "new-2"  # "new" is a reserved address
    assert create(name="Sunflower Elders", uscc="91440300708461136T").slug == "sunflower-elders"
    assert Organisation.objects.filter(slug="sunflower-elders").count() == 1


@pytest.mark.parametrize(
    "overrides, error, code",
    [
        ({"uscc": "91350100M000100Y44"}, Invalid, "uscc_invalid"),
        ({"uscc": "91350100M000100Y4"}, Invalid, "uscc_invalid"),
        ({"region_code": "35010"}, Invalid, "region_invalid"),
        ({"contact_email": "not-an-email"}, Invalid, "invalid"),
        ({"name": ""}, Invalid, "invalid"),
        ({"slug": "Not a slug!"}, Invalid, "slug_invalid"),
        ({"slug": "staff"}, Conflict, "slug_taken"),
    ],
)
def test_create_refuses_bad_details_and_creates_nothing(overrides, error, code):
    with pytest.raises(error) as info:
        create(**overrides)
    assert info.value.code == code
    assert not Organisation.objects.exists() and not Membership.objects.exists()


def test_a_registered_code_cannot_be_registered_again():
    create()
    with pytest.raises(Conflict) as info:
        create(name="Copycat", uscc="91350100M000100Y43")
    assert info.value.code == "uscc_taken"
    assert Organisation.objects.count() == 1


def test_submit_verify_flow_records_every_change():
    owner, staff = make_user(), make_user(is_staff=True)
    org = create(owner)
    services.organisation_submit(organisation=org, actor=owner)
    assert org.verification == "submitted"
    with pytest.raises(Invalid):
        services.organisation_reject(organisation=org, reason="   ", actor=staff)
    assert snapshot(org)[:3] == ("submitted", "", 1)
    services.organisation_reject(organisation=org, reason="The certificate is unreadable.", actor=staff)
    assert org.verification == "rejected" and org.rejection_reason == "The certificate is unreadable."
    services.organisation_submit(organisation=org, actor=owner)
    services.organisation_verify(organisation=org, actor=staff)
    org.refresh_from_db()
    assert org.verification == "verified" and org.verified_at and org.rejection_reason == ""
    assert organisation_can_publish(org)
    changes = list(org.verification_changes.order_by("pk").values_list("source", "target", "actor"))
    assert changes == [
        ("unverified", "submitted", owner.pk),
        ("submitted", "rejected", staff.pk),
        ("rejected", "submitted", owner.pk),
        ("submitted", "verified", staff.pk),
    ]
    actions = list(AuditLog.objects.filter(target_id=str(org.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == [
        "organisation.create", "organisation.submitted", "organisation.rejected",
        "organisation.submitted", "organisation.verified",
    ]


def test_owners_are_emailed_the_decision(django_capture_on_commit_callbacks):
    owner, staff = make_user("owner@example.org"), make_user(is_staff=True)
    org = create(owner)
    services.organisation_submit(organisation=org, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_reject(organisation=org, reason="Send a clearer scan.", actor=staff)
    assert mail.outbox[-1].to == ["owner@example.org"] and "Send a clearer scan." in mail.outbox[-1].body
    services.organisation_submit(organisation=org, actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(organisation=org, actor=staff)
    assert len(mail.outbox) == 2 and "\n" not in mail.outbox[-1].subject


@pytest.mark.parametrize(
    "status, call, actor_kind",
    [
        ("verified", "submit", "owner"),          # verified stays verified
        ("unverified", "verify", "staff"),        # staff only decide on submitted ones
        ("unverified", "reject", "staff"),
        ("submitted", "submit", "owner"),
        ("rejected", "verify", "staff"),
        ("submitted", "verify", "owner"),         # owners cannot verify themselves
        ("unverified", "submit", "editor"),       # only owners submit
        ("unverified", "submit", "finance"),
        ("unverified", "submit", "outsider"),
        ("submitted", "verify", "staff_member"),  # staff cannot verify their own organisation
    ],
)
def test_refused_transitions_change_nothing(status, call, actor_kind):
    org = make_org(verified=status == "verified")
    Organisation.objects.filter(pk=org.pk).update(verification=status)
    actor = {
        "owner": lambda: make_member(org, "owner"),
        "editor": lambda: make_member(org, "editor"),
        "finance": lambda: make_member(org, "finance"),
        "staff": lambda: make_user(is_staff=True),
        "staff_member": lambda: make_member(org, "owner", is_staff=True),
        "outsider": make_user,
    }[actor_kind]()
    before = snapshot(org)
    kwargs = {"reason": "no"} if call == "reject" else {}
    with pytest.raises((TransitionRefused, Forbidden)):
        getattr(services, f"organisation_{call}")(organisation=org, actor=actor, **kwargs)
    assert snapshot(org) == before


def test_owner_edits_details_but_not_legal_ones_once_submitted():
    owner, editor = make_user(), make_user()
    org = create(owner)
    Membership.objects.create(organisation=org, user=editor, role="editor")
    with pytest.raises(Forbidden):
        services.organisation_update(organisation=org, actor=editor, name="Hijacked")
    services.organisation_update(
        organisation=org, actor=owner, legal_name="Sunflower Foundation", uscc="91110000600037341l"
    )
    org.refresh_from_db()
    assert (org.legal_name, org.uscc) == ("Sunflower Foundation", "91110000600037341L")
    services.organisation_submit(organisation=org, actor=owner)
    with pytest.raises(Conflict) as info:
        services.organisation_update(organisation=org, actor=owner, uscc="91350100M000100Y43")
    assert info.value.code == "legal_details_locked"
    services.organisation_update(organisation=org, actor=owner, description="Care for elders", uscc=org.uscc)
    org.refresh_from_db()
    assert org.description == "Care for elders" and org.uscc == "91110000600037341L"


# --- invitations and members ---------------------------------------------------------


def invite(org, actor, email="new@example.org", role="editor"):
    return services.invitation_create(organisation=org, email=email, role=role, actor=actor)


def token_from(message) -> str:
    return message.body.split("/orgs/invitations/")[1].split("/")[0]


def test_emails_are_plain_text_with_names_as_written(django_capture_on_commit_callbacks):
    """An organisation's name and a rejection reason are text in the plain-text emails: not
    escaped into &lt;…&gt;, not HTML, and never a second header line."""
    org = make_org(name='Acme <script>alert(1)</script> & "Sons"\nBcc: x@evil.example')
    owner = make_member(org, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        invite(org, owner, email="new@example.org", role="finance")
    (message,) = mail.outbox
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    assert 'Acme <script>alert(1)</script> & "Sons"' in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body and "&quot;" not in message.body
    assert "\n" not in message.subject and message.to == ["new@example.org"] and not message.bcc
    staff, reason = make_user(is_staff=True), "<b>Blurred</b> scan & \"wrong\" seal"
    applicant = make_user("applicant@example.org")
    pending = create(applicant)
    services.organisation_submit(organisation=pending, actor=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_reject(organisation=pending, reason=reason, actor=staff)
    assert reason in mail.outbox[-1].body and "&lt;" not in mail.outbox[-1].body


def test_invitation_round_trip(django_capture_on_commit_callbacks):
    org = make_org()
    owner = make_member(org, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(org, owner, email="New@Example.org", role="finance")
    assert invitation.email == "new@example.org"
    assert mail.outbox[0].to == ["new@example.org"] and org.name in mail.outbox[0].subject
    token = token_from(mail.outbox[0])
    assert invitation.token_digest not in mail.outbox[0].body and token not in invitation.token_digest
    assert invitation_by_token(token) == invitation
    newcomer = make_user("new@example.org")
    membership = services.invitation_accept(token=token, actor=newcomer)
    assert (membership.user, membership.role) == (newcomer, "finance")
    with pytest.raises(Conflict) as info:
        services.invitation_accept(token=token, actor=newcomer)
    assert info.value.code == "invitation_used"


def test_invitation_needs_the_same_email(django_capture_on_commit_callbacks):
    org = make_org()
    owner = make_member(org, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(org, owner)
    with pytest.raises(Forbidden) as info:
        services.invitation_accept(token=token_from(mail.outbox[0]), actor=make_user("someone-else@example.org"))
    assert info.value.code == "invitation_wrong_email"
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and org.memberships.count() == 1


def test_expired_revoked_and_unknown_invitations_are_refused(django_capture_on_commit_callbacks):
    org = make_org()
    owner = make_member(org, "owner")
    user = make_user("new@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        expired = invite(org, owner)
    Invitation.objects.filter(pk=expired.pk).update(created_at=expired.created_at - timedelta(days=14, seconds=1))
    with pytest.raises(Conflict) as info:
        services.invitation_accept(token=token_from(mail.outbox[0]), actor=user)
    assert info.value.code == "invitation_expired"
    with django_capture_on_commit_callbacks(execute=True):
        revoked = invite(org, owner)
    services.invitation_revoke(invitation=revoked, actor=owner)
    with pytest.raises(Conflict) as info:
        services.invitation_accept(token=token_from(mail.outbox[1]), actor=user)
    assert info.value.code == "invitation_revoked"
    with pytest.raises(NotFound):
        services.invitation_accept(token="made-up", actor=user)
    assert org.memberships.count() == 1


def test_a_new_invitation_replaces_the_pending_one():
    org = make_org()
    owner = make_member(org, "owner")
    first = invite(org, owner)
    second = invite(org, owner, role="owner")
    first.refresh_from_db()
    assert first.revoked_at is not None and second.revoked_at is None


def test_members_cannot_be_invited_twice():
    org = make_org()
    owner = make_member(org, "owner")
    member = make_member(org, "editor")
    with pytest.raises(Conflict):
        invite(org, owner, email=member.email.upper())
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["editor", "finance", None, "staff"])
def test_only_owners_invite_and_manage_members(role):
    org = make_org()
    owner = make_member(org, "owner")
    member = make_member(org, "editor")
    actor = make_user(is_staff=True) if role == "staff" else make_member(org, role) if role else make_user()
    pending = invite(org, owner)
    before = (Invitation.objects.count(), list(org.memberships.values_list("user", "role").order_by("user")))
    target = org.memberships.get(user=member)
    for call in (
        lambda: invite(org, actor, email="friend@example.org"),
        lambda: services.invitation_revoke(invitation=pending, actor=actor),
        lambda: services.membership_remove(membership=target, actor=actor),
        lambda: services.membership_change_role(membership=target, role="owner", actor=actor),
    ):
        with pytest.raises(Forbidden):
            call()
    pending.refresh_from_db()
    assert pending.revoked_at is None
    assert before == (Invitation.objects.count(), list(org.memberships.values_list("user", "role").order_by("user")))


def test_the_last_owner_stays():
    org = make_org()
    owner = make_member(org, "owner")
    mine = org.memberships.get(user=owner)
    for call in (
        lambda: services.membership_remove(membership=mine, actor=owner),
        lambda: services.membership_change_role(membership=mine, role="editor", actor=owner),
    ):
        with pytest.raises(Conflict) as info:
            call()
        assert info.value.code == "last_owner"
    mine.refresh_from_db()
    assert mine.role == "owner"
    second = make_member(org, "editor")
    services.membership_change_role(membership=org.memberships.get(user=second), role="owner", actor=owner)
    services.membership_remove(membership=mine, actor=owner)
    assert list(org.memberships.values_list("user", "role")) == [(second.pk, "owner")]


def test_members_may_leave():
    org = make_org()
    make_member(org, "owner")
    editor = make_member(org, "editor")
    services.membership_remove(membership=org.memberships.get(user=editor), actor=editor)
    assert not org.memberships.filter(user=editor).exists()
    assert AuditLog.objects.filter(action="membership.remove").count() == 1
