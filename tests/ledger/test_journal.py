"""The journal is append-only at both layers; refunds and expenditures are reversing
entries within what the project holds."""

import datetime
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jusha.core.money import Money, MoneyError
from jusha.core.errors import Conflict, Forbidden, Invalid, TooLarge
from jusha.core.money import Money
from jusha.giving.models import Donation, Refund
from jusha.giving.services import donation_refund
from jusha.ledger.models import AppendOnlyError, Expenditure, JournalEntry, Posting
from jusha.projects.selectors import project_sums
from jusha.ledger.services import expenditure_record, gift_journal
from tests.factories import give, image_upload, make_member, make_org, make_project, make_user

pytestmark = pytest.mark.django_db


def test_model_layer_refuses_updates_and_deletes(project):
    give(project, 5000)
    entry = JournalEntry.objects.get()
    entry.memo = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.filter(pk=entry.pk).update(memo="x")
    with pytest.raises(AppendOnlyError):
        Posting.objects.all().delete()
    assert JournalEntry.objects.get().memo != "changed"


@pytest.mark.parametrize("sql", ["UPDATE ledger_journalentry SET memo = 'x'", "DELETE FROM ledger_posting", "UPDATE ledger_posting SET amount = amount * 2"])
def test_database_refuses_updates_and_deletes(project, sql):
    give(project, 5000)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Posting.objects.count() == 2
    assert sorted(Posting.objects.values_list("amount", flat=True)) == [-5000, 5000]


def test_a_gift_journalled_twice_is_refused_and_the_transaction_goes_on(project):
    """The second entry for the same gift is refused with a clear conflict, writes nothing
    (no posting, no running total), and leaves the caller's transaction usable."""
    gift = give(project, 5000)
    before = (JournalEntry.objects.count(), Posting.objects.count(), project_sums([project.pk])[project.pk].raised)
    with transaction.atomic():
        with pytest.raises(Conflict) as refused:
            gift_journal(donation=Donation.objects.select_related("project").get(pk=gift.pk))
        assert refused.value.code == "already_journalled"
        # Still usable: no error left the transaction aborted (PostgreSQL would refuse this).
        assert JournalEntry.objects.filter(kind="gift", reference=str(gift.pk)).count() == 1
    assert (JournalEntry.objects.count(), Posting.objects.count(), project_sums([project.pk])[project.pk].raised) == before
    call_command("ledger_check")


def test_accounts_are_remembered_once_committed_and_never_from_a_rollback(project):
    """A process finds an account it has seen committed without a query; one created in a
    transaction that rolled back is not remembered (it does not exist)."""
    from django.db import connection
    from django.test import TestCase
    from django.test.utils import CaptureQueriesContext

    from jusha.ledger.models import Account
    from jusha.ledger.services import project_fund_account

    with pytest.raises(RuntimeError), transaction.atomic():
        key = project_fund_account(project).key
        raise RuntimeError("rolled back")
    assert not Account.objects.filter(key=key).exists()
    with CaptureQueriesContext(connection) as asked, TestCase.captureOnCommitCallbacks(execute=True):
        account = project_fund_account(project)  # not remembered: looked up, and created anew
    assert asked.captured_queries and Account.objects.filter(pk=account.pk, key=key).exists()
    with CaptureQueriesContext(connection) as asked:
        assert project_fund_account(project).pk == account.pk
    assert asked.captured_queries == []


def test_ledger_check_passes_then_catches_a_missing_entry(project):
    give(project, 5000)
    give(project, 700)
    call_command("ledger_check")
    # A donation marked paid behind the services' back has no journal entry: caught.
    d = give(project, 100, result=None)
    Donation.objects.filter(pk=d.pk).update(status="paid", paid_at=d.created_at)
    with pytest.raises(CommandError):
        call_command("ledger_check")


def finance_of(project):
    return make_member(project.organisation, "finance")


def test_finance_refunds_part_then_rest_with_reversing_entries(project):
    gift = give(project, 5000)
    finance = finance_of(project)
    donation_refund(donation=gift, amount=Money(2000, "CNY"), reason="Donor asked", actor=finance)
    gift.refresh_from_db()
    assert gift.status == "partially_refunded" and gift.refunded_amount == 2000
    donation_refund(donation=gift, amount=Money(3000, "CNY"), reason="Donor asked again", actor=finance)
    gift.refresh_from_db()
    assert gift.status == "refunded"
    assert project_sums([project.pk])[project.pk].raised == 0
    assert JournalEntry.objects.filter(kind="refund").count() == 2
    with pytest.raises(Conflict) as info:
        donation_refund(donation=gift, amount=Money(1, "CNY"), reason="again", actor=finance)
    assert info.value.code == "already_refunded"
    call_command("ledger_check")


def test_refund_never_more_than_the_gift_or_the_uncommitted_funds(project):
    gift = give(project, 5000)
    finance = finance_of(project)
    with pytest.raises(Conflict) as info:
        donation_refund(donation=gift, amount=Money(5001, "CNY"), reason="too much", actor=finance)
    assert info.value.code == "exceeds_refundable"
    expenditure_record(
        project=project, budget_line=project.budget_lines.first(), amount=Money(4000), description="Warm packs",
        spent_on=datetime.date(2026, 11, 1), voucher=image_upload(), actor=finance,
    )
    with pytest.raises(Conflict) as info:
        donation_refund(donation=gift, amount=Money(1001, "CNY"), reason="spent already", actor=finance)
    assert info.value.extra["refundable"] == 1000
    assert Refund.objects.count() == 0
    donation_refund(donation=gift, amount=Money(1000, "CNY"), reason="what is left", actor=finance)
    call_command("ledger_check")


@pytest.mark.parametrize("role", ["editor", None])
def test_refund_by_non_finance_or_other_org_refused_and_nothing_changes(project, role):
    gift = give(project, 5000)
    actor = make_member(project.organisation, role) if role else make_member(make_org(), "finance")
    with pytest.raises(Forbidden):
        donation_refund(donation=gift, amount=Money(100, "CNY"), reason="no", actor=actor)
    gift.refresh_from_db()
    assert gift.status == "paid" and gift.refunded_amount == 0
    assert Refund.objects.count() == 0 and JournalEntry.objects.filter(kind="refund").count() == 0


def test_refund_requires_reason_and_positive_amount(project):
    gift = give(project, 5000)
    finance = finance_of(project)
    for amount, reason in ((100, "  "), (0, "why"), (-5, "why")):
        with pytest.raises(Invalid):
            donation_refund(donation=gift, amount=Money(amount, "CNY"), reason=reason, actor=finance)
    with pytest.raises(MoneyError):  # a fraction of a fen is not money: it never reaches the service
        Money(1.5, "CNY")
    with pytest.raises(TypeError):  # nor does a bare number
        donation_refund(donation=gift, amount=100, reason="why", actor=finance)
    assert Refund.objects.count() == 0


def test_refund_api_needs_idempotency_key_and_finance(client, project):
    from jusha.accounts.models import ApiToken

    gift = give(project, 5000)
    finance = finance_of(project)
    token = "tok-" + uuid.uuid4().hex
    ApiToken.objects.create(user=finance, prefix=token[:8], digest=ApiToken.digest_of(token))
    url = f"/api/v1/donations/{gift.pk}/refunds"
    body = json.dumps({"amount": 1000, "reason": "asked"})
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.post(url, body, content_type="application/json").status_code == 401
    assert client.post(url, body, content_type="application/json", **auth).status_code == 400
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1", **auth)
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r1", **auth)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Refund.objects.count() == 1
    outsider = make_user()
    token2 = "tok-" + uuid.uuid4().hex
    ApiToken.objects.create(user=outsider, prefix=token2[:8], digest=ApiToken.digest_of(token2))
    denied = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="r2", HTTP_AUTHORIZATION=f"Bearer {token2}")
    assert denied.status_code == 403
    assert Refund.objects.count() == 1


def test_expenditure_with_voucher_on_the_public_ledger(client, project):
    give(project, 50_000)
    finance = finance_of(project)
    x = expenditure_record(
        project=project, budget_line=project.budget_lines.first(), amount=Money(12_000), description="200 warm packs",
        spent_on=datetime.date(2026, 11, 2), voucher=image_upload(), actor=finance,
    )
    assert len(x.voucher_sha256) == 64
    sums = project_sums([project.pk])[project.pk]
    assert (sums.raised, sums.spent, sums.available) == (50_000, 12_000, 38_000)
    rows = client.get(f"/api/v1/projects/{project.slug}/ledger").json()["items"]
    spent = next(r for r in rows if r["kind"] == "expenditure")
    assert spent["direction"] == "out" and spent["amount"] == 12_000
    assert spent["budget_line"] == "Warm packs" and spent["voucher_sha256"] == x.voucher_sha256
    voucher = client.get(spent["voucher_url"].replace("http://testserver", ""))
    assert voucher.status_code == 200
    assert voucher["X-Content-Type-Options"] == "nosniff"
    assert voucher["Content-Disposition"].startswith("attachment")
    csv_text = b"".join(client.get(f"/ledger/{project.slug}/ledger.csv").streaming_content).decode("utf-8-sig")
    assert "200 warm packs" in csv_text and "12000" in csv_text
    call_command("ledger_check")


def test_expenditure_refused_beyond_funds_bad_voucher_or_wrong_member(project, settings):
    give(project, 10_000)
    finance = finance_of(project)
    line = project.budget_lines.first()
    kwargs = dict(project=project, budget_line=line, description="x", spent_on=datetime.date(2026, 11, 2))
    with pytest.raises(Conflict):
        expenditure_record(amount=Money(10_001), voucher=image_upload(), actor=finance, **kwargs)
    svg = SimpleUploadedFile("v.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/svg+xml")
    with pytest.raises(Invalid):
        expenditure_record(amount=Money(100), voucher=svg, actor=finance, **kwargs)
    fake_png = SimpleUploadedFile("v.png", b"just text, not an image", "image/png")
    with pytest.raises(Invalid):
        expenditure_record(amount=Money(100), voucher=fake_png, actor=finance, **kwargs)
    settings.JUSHA_UPLOAD_MAX_BYTES = 100
    with pytest.raises(TooLarge):
        expenditure_record(amount=Money(100), voucher=image_upload(data=b"\x89PNG" + b"0" * 500), actor=finance, **kwargs)
    settings.JUSHA_UPLOAD_MAX_BYTES = 8 * 1024 * 1024
    editor = make_member(project.organisation, "editor")
    with pytest.raises(Forbidden):
        expenditure_record(amount=Money(100), voucher=image_upload(), actor=editor, **kwargs)
    other = make_project()
    with pytest.raises(Invalid):
        expenditure_record(project=project, budget_line=other.budget_lines.first(), amount=Money(100), description="x",
                           spent_on=datetime.date(2026, 11, 2), voucher=image_upload(), actor=finance)
    assert Expenditure.objects.count() == 0
    assert JournalEntry.objects.filter(kind="expenditure").count() == 0


def test_pdf_voucher_kept_and_exif_stripped_from_images(project):
    from PIL import Image

    from tests.factories import jpeg_with_gps

    give(project, 10_000)
    finance = finance_of(project)
    line = project.budget_lines.first()
    pdf = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")
    x = expenditure_record(project=project, budget_line=line, amount=Money(100), description="invoice", spent_on=datetime.date(2026, 11, 2), voucher=pdf, actor=finance)
    assert x.voucher_content_type == "application/pdf"
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), "image/jpeg")
    y = expenditure_record(project=project, budget_line=line, amount=Money(100), description="photo", spent_on=datetime.date(2026, 11, 2), voucher=photo, actor=finance)
    with Image.open(y.voucher.path) as image:
        assert not image.getexif().get_ifd(0x8825)
        assert 0x010F not in image.getexif()


def test_amounts_reach_the_journal_only_as_money_in_the_projects_currency(project):
    """A bare number (fen? yuan?) or another currency is refused before anything is written."""
    from jusha.ledger.services import commitment_post, entry_post, organisation_cash_account, project_fund_account

    give(project, 10_000)
    finance = finance_of(project)
    kwargs = dict(project=project, budget_line=project.budget_lines.first(), description="x",
                  spent_on=datetime.date(2026, 11, 2), actor=finance)
    before = JournalEntry.objects.count()
    with pytest.raises(TypeError, match="must be Money"):
        expenditure_record(amount=100, voucher=image_upload(), **kwargs)
    with pytest.raises(Invalid) as refused:
        expenditure_record(amount=Money(100, "USD"), voucher=image_upload(), **kwargs)
    assert refused.value.code == "currency_mismatch"
    with pytest.raises(Invalid) as refused:
        expenditure_record(amount=Money(0), voucher=image_upload(), **kwargs)
    assert refused.value.code == "invalid_amount"
    with pytest.raises(TypeError):
        commitment_post(project=project, reference="batch-x", amount=500, memo="#1")
    fund, cash = project_fund_account(project), organisation_cash_account(project.organisation_id, "CNY")
    with pytest.raises(TypeError):
        entry_post(kind="expenditure", reference="x", project=project, lines=[(fund, 100), (cash, -100)])
    assert JournalEntry.objects.count() == before and Expenditure.objects.count() == 0
