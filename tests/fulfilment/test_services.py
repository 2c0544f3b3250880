"""Fulfilment through its services: plans, batches created exactly once from the journal,
each step in order, delivery confirmations and their refusals, overdue flags."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from jusha.core.money import Money
from jusha.core.errors import Conflict, Forbidden, Invalid, TransitionRefused
from jusha.core.money import Money
from jusha.fulfilment import services
from jusha.fulfilment.models import Batch, BatchPlan, DeliveryConfirmation, StatusChange
from jusha.giving.services import donation_refund
from jusha.ledger.checks import ledger_problems
from jusha.ledger.models import Expenditure, JournalEntry
from jusha.projects.selectors import project_sums
from jusha.ledger.services import expenditure_record
from jusha.projects.services import project_create
from tests.factories import give, image_upload, jpeg_with_gps, make_project
from tests.fulfilment.conftest import COST, UNIT, confirm, member, purchase, ship, shipped_batch, warm_project

pytestmark = pytest.mark.django_db


def sums(project):
    return project_sums([project.pk])[project.pk]


def snapshot(project):
    """Everything a refused call must leave as it was."""
    return (
        list(Batch.objects.filter(project=project).values_list("number", "status", "status_changed_at")),
        JournalEntry.objects.count(), DeliveryConfirmation.objects.count(), StatusChange.objects.count(),
        Expenditure.objects.count(), list(BatchPlan.objects.filter(project=project).values_list("batch_size")),
    )


# --- the plan ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "size,code",
    [(0, "invalid_batch_size"), (-3, "invalid_batch_size"), (6, "batch_exceeds_goal")],
)
def test_bad_batch_sizes_are_refused_and_change_nothing(size, code):
    project = warm_project(goal=10_000, size=None)  # goal 100 yuan: at most 5 packs of 20 yuan
    before = snapshot(project)
    with pytest.raises(Invalid) as info:
        services.batch_plan_set(project=project, batch_size=size, actor=member(project, "editor"))
    assert info.value.code == code and info.value.status == 422
    assert snapshot(project) == before


def test_a_batch_dearer_than_the_goal_says_why():
    project = warm_project(goal=10_000, size=None)
    with pytest.raises(Invalid) as info:
        services.batch_plan_set(project=project, batch_size=6, actor=member(project, "owner"))
    text = str(info.value.detail)
    assert "¥120.00" in text and "¥100.00" in text and "never" in text and "at most 5 units" in text


def test_a_plan_needs_a_unit_cost_and_unit_costs_must_be_positive(org):
    project = make_project(org)  # no unit cost
    with pytest.raises(Invalid) as info:
        services.batch_plan_set(project=project, batch_size=5, actor=member(project, "owner"))
    assert info.value.code == "unit_cost_missing"
    editor = member(project, "editor")
    with pytest.raises(Invalid) as info:
        project_create(
            organisation=org, actor=editor, title="Warm packs", summary="", story="", cause="elders",
            region_code="511921", goal=Money(100_000), ends_at=timezone.now() + datetime.timedelta(days=9),
            beneficiary_count=5, unit_name="pack", unit_cost=Money(0), shortfall_rule="proportional",
            overflow_rule="refund", budget_lines=[("Packs", Money(100_000))],
        )
    assert info.value.code == "invalid_unit_cost"
    assert not BatchPlan.objects.exists()


def test_only_owners_and_editors_plan_and_a_refusal_changes_nothing(donor):
    project, outsider = warm_project(size=None), warm_project().organisation.memberships.first().user
    before = snapshot(project)
    for actor in (member(project, "finance"), donor, outsider):
        with pytest.raises(Forbidden):
            services.batch_plan_set(project=project, batch_size=5, actor=actor)
    assert snapshot(project) == before


def test_a_closed_project_cannot_plan(org):
    project = make_project(org, status="completed", unit_name="pack", unit_cost=UNIT)
    with pytest.raises(Conflict) as info:
        services.batch_plan_set(project=project, batch_size=5, actor=member(project, "owner"))
    assert info.value.code == "project_closed"


# --- batches from the journal -------------------------------------------------------------

def test_the_gift_that_covers_a_batch_creates_it_once_and_commits_its_cost():
    project = warm_project()
    owner, finance = project.organisation.memberships.get(role="owner").user, member(project, "finance")
    give(project, 6_000)
    assert not Batch.objects.exists()
    last = give(project, 6_000)
    batch = Batch.objects.get()
    assert (batch.number, batch.units, batch.unit_cost, batch.cost, batch.status) == (1, 5, UNIT, COST, "created")
    assert batch.funded_at == last.paid_at and batch.created_at >= last.paid_at
    entry = JournalEntry.objects.get(kind="commitment")
    assert (entry.reference, entry.amount, entry.project_id) == (str(batch.pk), COST, project.pk)
    s = sums(project)
    assert (s.raised, s.held_for_batches, s.available) == (12_000, COST, 2_000)
    assert ledger_problems() == []
    # Nothing more to create, however often the check runs.
    assert services.batches_create_due(project_id=project.pk) == []
    assert services.batches_create_all_due() == 0
    assert Batch.objects.count() == 1
    # The organisation's owners and finance were told.
    (message,) = [m for m in mail.outbox if "batch" in m.subject]
    assert set(message.to) == {owner.email, finance.email}
    assert "Batch 1: 5 × 温暖包, ¥100.00" in message.body


def test_batch_email_is_plain_text_with_the_title_and_unit_as_written():
    """Plain text: markup in a title or unit is text (not escaped, not HTML), and a newline
    in the title does not break the subject header."""
    project = warm_project(title='Warm\npacks <script>alert(1)</script> & "Co"')
    type(project).objects.filter(pk=project.pk).update(unit_name="<b>温暖包</b> & co")
    mail.outbox.clear()
    give(project, COST)
    (message,) = [m for m in mail.outbox if "batch" in m.subject]
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    assert 'packs <script>alert(1)</script> & "Co"' in message.body and "× <b>温暖包</b> & co," in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body and "&quot;" not in message.body
    assert "\n" not in message.subject and 'Warm packs <script>alert(1)</script> & "Co"' in message.subject


def test_a_large_gift_makes_several_batches_numbered_in_order():
    project = warm_project(goal=1_000_000)
    give(project, 35_000)
    assert list(Batch.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert sums(project).available == 5_000
    give(project, 5_000)
    assert list(Batch.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert sums(project).available == 0
    call_command("ledger_check")


def test_a_run_is_capped_and_queues_the_rest(monkeypatch):
    monkeypatch.setattr(services, "MAX_BATCHES_PER_RUN", 2)
    project = warm_project(goal=1_000_000)
    give(project, 50_000)
    assert Batch.objects.count() == 5 and sums(project).available == 0


def test_money_held_before_the_plan_makes_batches_when_the_plan_is_set():
    project = warm_project(size=None)
    give(project, 25_000)
    assert not Batch.objects.exists()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.batch_plan_set(project=project, batch_size=5, actor=member(project, "editor"))
    assert Batch.objects.count() == 2


def test_the_safety_net_creates_what_a_lost_task_did_not():
    from jusha.payments.sandbox import SandboxProvider

    project = warm_project()
    pending = give(project, 15_000, result=None)
    SandboxProvider().complete(pending.intent_id, "succeeded")  # its after-commit work never runs here
    assert not Batch.objects.exists()
    assert services.batches_create_all_due() == 1
    assert Batch.objects.get().number == 1


def test_no_batches_for_a_closed_project():
    from jusha.payments.sandbox import SandboxProvider
    from jusha.projects.models import Project

    project = warm_project()
    pending = give(project, COST, result=None)
    SandboxProvider().complete(pending.intent_id, "succeeded")  # its after-commit work never runs here
    Project.objects.filter(pk=project.pk).update(status="completed")
    assert services.batches_create_due(project_id=project.pk) == []
    assert services.batches_create_all_due() == 0 and not Batch.objects.exists()


def test_committed_money_cannot_be_refunded_or_spent_elsewhere():
    project = warm_project()
    finance = member(project, "finance")
    gift = give(project, 10_500)
    assert Batch.objects.count() == 1 and sums(project).available == 500
    with pytest.raises(Conflict) as info:
        donation_refund(donation=gift, amount=Money(1_000, "CNY"), reason="Asked", actor=finance)
    assert info.value.code == "exceeds_refundable" and info.value.extra["refundable"] == 500
    with pytest.raises(Conflict) as info:
        expenditure_record(
            project=project, budget_line=project.budget_lines.last(), amount=Money(600), description="Fuel",
            spent_on=timezone.localdate(), voucher=image_upload("v.png"), actor=finance,
        )
    assert info.value.code == "insufficient_funds"
    donation_refund(donation=gift, amount=Money(500, "CNY"), reason="Asked", actor=finance)
    assert sums(project).available == 0 and sums(project).held_for_batches == COST
    assert ledger_problems() == []


def test_cancelling_a_project_gives_its_unpurchased_batches_money_back_to_the_donors():
    """Batches not yet purchased are cancelled with their project and their commitment goes
    back to its fund, so the refunds that follow the cancellation return it; a purchased
    batch's money is spent and stays so."""
    from django.test import TestCase

    from jusha.giving.models import Donation
    from jusha.projects.services import project_transition
    from tests.factories import make_user

    project = warm_project()
    for _ in range(3):
        give(project, COST)
    purchase(Batch.objects.get(project=project, number=1), member(project, "finance"))
    assert sums(project).held_for_batches == 2 * COST
    with TestCase.captureOnCommitCallbacks(execute=True):  # the refunds run after the commit, as a task
        project_transition(project=project, target="cancelled", actor=make_user(is_staff=True), reason="Village moved")
    batches = {b.number: b for b in Batch.objects.filter(project=project)}
    assert {n: b.status for n, b in batches.items()} == {1: "purchasing", 2: "cancelled", 3: "cancelled"}
    assert batches[2].cancelled_at and batches[3].cancelled_at and batches[1].cancelled_at is None
    assert sorted(JournalEntry.objects.filter(kind="release").values_list("reference", flat=True)) == sorted(
        str(b.pk) for b in batches.values()
    )
    s = sums(project)
    assert (s.held_for_batches, s.available) == (0, 0)
    assert sum(Donation.objects.filter(project=project).values_list("refunded_amount", flat=True)) == 2 * COST
    with pytest.raises(TransitionRefused):  # a cancelled batch is never purchased (409)
        purchase(batches[2], member(project, "finance"))
    assert ledger_problems() == []


# --- the steps ------------------------------------------------------------------------------

@pytest.mark.parametrize("invoice,available", [(9_000, 2_000), (COST, 1_000), (11_000, 0)])
def test_purchase_uses_the_commitment_and_the_rest_is_available_again(invoice, available):
    project = warm_project()
    give(project, COST + 1_000)
    batch = Batch.objects.get()
    purchase(batch, member(project, "finance"), amount=invoice)
    batch.refresh_from_db()
    assert batch.status == "purchasing" and batch.purchased_at and batch.expenditure.amount == invoice
    assert JournalEntry.objects.get(kind="release").amount == COST
    s = sums(project)
    assert (s.spent, s.held_for_batches, s.available) == (invoice, 0, available)
    assert ledger_problems() == []


def test_purchase_is_for_finance_and_owners_and_a_refusal_changes_nothing():
    project = warm_project()
    give(project, COST)
    batch = Batch.objects.get()
    before = snapshot(project)
    for actor in (member(project, "editor"), warm_project().organisation.memberships.first().user):
        with pytest.raises(Forbidden):
            purchase(batch, actor)
    with pytest.raises(Invalid):  # a bad invoice: the release is undone with the rest
        services.batch_purchase(
            batch=batch, actor=member(project, "owner"), budget_line=project.budget_lines.first(), amount=Money(COST),
            description="Packs", spent_on=timezone.localdate(),
            invoice=image_upload("x.png", data=b"not an image", content_type="image/png"),
        )
    assert snapshot(project) == before
    assert ledger_problems() == []


def test_a_purchase_amount_is_money():
    project = warm_project()
    give(project, COST)
    batch = Batch.objects.get()
    before = snapshot(project)
    with pytest.raises(TypeError, match="must be Money"):
        services.batch_purchase(
            batch=batch, actor=member(project, "finance"), budget_line=project.budget_lines.first(), amount=COST,
            description="Packs", spent_on=timezone.localdate(), invoice=image_upload("invoice.png"),
        )
    assert snapshot(project) == before


@pytest.mark.parametrize("step", ["ship", "delivered", "disclose"])
def test_skipping_a_state_is_refused_with_409_and_changes_nothing(step):
    project = warm_project()
    give(project, COST)
    batch, owner = Batch.objects.get(), member(project, "owner")
    before = snapshot(project)
    call = {
        "ship": lambda: ship(batch, owner),
        "delivered": lambda: services.batch_mark_delivered(batch=batch, actor=owner),
        "disclose": lambda: services.batch_disclose(batch=batch, actor=owner, note="Done"),
    }[step]
    with pytest.raises(TransitionRefused) as info:
        call()
    assert info.value.status == 409 and info.value.extra["from"] == "created"
    assert snapshot(project) == before


def test_a_batch_goes_through_every_step_with_its_history():
    project = warm_project()
    give(project, COST)
    finance, editor, owner = member(project, "finance"), member(project, "editor"), member(project, "owner")
    batch = purchase(Batch.objects.get(), finance)
    with pytest.raises(Invalid) as info:
        services.batch_ship(batch=batch, actor=owner, carrier="SF", tracking_number="1 2")
    assert info.value.code == "invalid_tracking_number"
    batch = ship(batch, finance)
    assert (batch.carrier, batch.tracking_number) == ("SF Express", "SF1234567890")
    confirm(batch, editor, "Elder 01")
    services.batch_mark_delivered(batch=batch, actor=editor)  # 1 of 5: the rest could not be handed over
    with pytest.raises(Forbidden):
        services.batch_disclose(batch=batch, actor=finance, note="x")
    services.batch_disclose(batch=batch, actor=owner, note="One elder reached; four moved away.")
    batch.refresh_from_db()
    assert batch.status == "disclosed" and batch.disclosure.startswith("One elder")
    steps = ("funded_at", "created_at", "purchased_at", "shipped_at", "delivered_at", "disclosed_at")
    assert all(getattr(batch, step) for step in steps)
    assert list(batch.status_changes.values_list("source", "target", "actor")) == [
        ("", "created", None), ("created", "purchasing", finance.pk), ("purchasing", "shipped", finance.pk),
        ("shipped", "delivered", editor.pk), ("delivered", "disclosed", owner.pk),
    ]


def test_delivered_needs_a_confirmation():
    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    with pytest.raises(Conflict) as info:
        services.batch_mark_delivered(batch=batch, actor=member(project, "owner"))
    assert info.value.code == "no_confirmations"


# --- confirmations --------------------------------------------------------------------------

def test_the_last_unit_confirmed_marks_the_batch_delivered_and_more_are_refused():
    project = warm_project()
    give(project, COST)
    batch, editor = shipped_batch(project), member(project, "editor")
    for n in range(1, 6):
        confirm(batch, editor, f"Elder 0{n}")
    batch.refresh_from_db()
    assert batch.status == "delivered" and batch.status_changes.last().actor is None
    before = snapshot(project)
    with pytest.raises(Conflict) as info:
        confirm(batch, editor, "Elder 06")
    assert info.value.code == "more_recipients_than_units" and info.value.status == 409
    assert snapshot(project) == before


def test_confirmations_after_disclosure_are_refused():
    project = warm_project()
    give(project, COST)
    batch, owner = shipped_batch(project), member(project, "owner")
    confirm(batch, owner, "Elder 01")
    services.batch_mark_delivered(batch=batch, actor=owner)
    confirm(batch, owner, "Elder 02")  # a late one, before disclosure, is still taken
    services.batch_disclose(batch=batch, actor=owner)
    before = snapshot(project)
    with pytest.raises(Conflict) as info:
        confirm(batch, owner, "Elder 03")
    assert info.value.code == "batch_disclosed"
    assert snapshot(project) == before


def test_confirmations_before_shipment_and_for_another_projects_batch_are_refused():
    project, other = warm_project(), warm_project()
    give(project, COST)
    give(other, COST)
    owner = member(project, "owner")
    batch = Batch.objects.get(project=project)
    before = snapshot(project)
    with pytest.raises(Conflict) as info:
        confirm(batch, owner)
    assert info.value.code == "batch_not_shipped"
    with pytest.raises(Invalid) as info:
        confirm(Batch.objects.get(project=other), owner, project=project)
    assert info.value.code == "batch_project_mismatch" and info.value.status == 422
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"recipient": ""}, "field_required"),
        ({"recipient": "王秀英 13800138000"}, "invalid_pseudonym"),
        ({"county_code": "999999"}, "invalid_county"),
        ({"delivered_at": timezone.now() + datetime.timedelta(days=1)}, "invalid_delivered_at"),
        ({"delivered_at": timezone.now() - datetime.timedelta(days=30)}, "invalid_delivered_at"),
        ({"delivered_at": datetime.datetime(2026, 1, 1)}, "invalid_delivered_at"),
        ({"deliverer": " "}, "field_required"),
        ({"signature": None}, "signature_required"),
        ({"signature": image_upload("s.svg", data=b"<svg/>", content_type="image/svg+xml")}, "file_type"),
        ({"photo": image_upload("p.png")}, "photo_without_consent"),
        ({"photo": image_upload("p.png"), "photo_consent": True}, "photo_others_not_consented"),
    ],
)
def test_bad_confirmations_are_422_and_change_nothing(fields, code):
    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    before = snapshot(project)
    with pytest.raises(Invalid) as info:
        confirm(batch, member(project, "editor"), **fields)
    assert info.value.code == code and info.value.status == 422
    assert snapshot(project) == before


def test_a_recipient_gets_one_unit_per_batch_and_outsiders_cannot_confirm(donor):
    project = warm_project()
    give(project, COST)
    batch, editor = shipped_batch(project), member(project, "editor")
    confirm(batch, editor, "Elder 01")
    with pytest.raises(Conflict) as info:
        confirm(batch, editor, "Elder 01")
    assert info.value.code == "recipient_already_confirmed"
    before = snapshot(project)
    for outsider in (donor, warm_project().organisation.memberships.first().user):
        with pytest.raises(Forbidden):
            confirm(batch, outsider, "Elder 02")
    assert snapshot(project) == before


def test_a_consented_photo_is_kept_without_its_location_and_the_signature_stays_private(settings):
    from PIL import Image

    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    c = confirm(batch, member(project, "editor"), photo=image_upload("p.jpg", jpeg_with_gps(), "image/jpeg"),
                photo_consent=True, others_consented=True)
    with Image.open(c.photo.path) as image:
        assert not image.getexif()
    assert str(settings.MEDIA_ROOT) in c.photo.path
    assert c.signature.path.startswith(str(settings.JUSHA_PRIVATE_ROOT))
    assert not c.signature.path.startswith(str(settings.MEDIA_ROOT))
    assert len(c.signature_sha256) == 64


def test_facts_for_the_transparency_log_carry_no_identity():
    from jusha.transparency.models import Fact

    project = warm_project()
    give(project, COST)
    batch = shipped_batch(project)
    confirm(batch, member(project, "editor"), "Elder 01", county_code="511921")
    facts = {f.kind: f.leaf for f in Fact.objects.filter(kind__in=["batch", "delivery"])}
    assert b'"batch":1' in facts["batch"] and b'"units":5' in facts["batch"]
    assert b'"county":"511921"' in facts["delivery"] and b'"count":1' in facts["delivery"]
    assert b"Elder" not in facts["delivery"] and b"Volunteer" not in facts["delivery"]


# --- deadlines ------------------------------------------------------------------------------

def test_overdue_batches_are_flagged_and_told_once_per_status():
    project = warm_project()
    give(project, COST)
    mail.outbox.clear()
    batch = Batch.objects.get()
    assert services.batches_flag_overdue() == 0
    later = timezone.now() + datetime.timedelta(days=8)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.batches_flag_overdue(now=later) == 1
        assert services.batches_flag_overdue(now=later) == 0
    batch.refresh_from_db()
    assert batch.overdue_flagged == "created"
    (message,) = mail.outbox
    assert "late" in message.subject and "“Purchase” was due by" in message.body
    purchase(batch, member(project, "finance"))
    assert services.batches_flag_overdue(now=later + datetime.timedelta(days=15)) == 1
