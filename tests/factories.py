"""Factories: valid objects in their default state. Other states come from services."""

import io
import itertools
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from jusha.core.money import Money
from jusha.core.client import ClientContext
from jusha.accounts.models import User
from jusha.organisations.models import Membership, Organisation

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def uscc_with_checksum(body17: str) -> str:
    from jusha.organisations.uscc import checksum_char

    return body17 + checksum_char(body17)


def make_user(email=None, *, password=PASSWORD, **extra) -> User:
    n = next(_seq)
    return User.objects.create_user(email or f"user{n}@example.org", password, **extra)


def make_org(*, verified=True, name=None, **extra) -> Organisation:
    n = next(_seq)
    body = f"53100000{n:09d}"[:17]
    org = Organisation.objects.create(
        slug=f"org-{n}",
        name=name or f"Org {n}",
        legal_name=f"Org {n} Foundation",
        uscc=uscc_with_checksum(body),
        contact_email=f"org{n}@example.org",
        public_fundraising_qualified=True,
        verification=Organisation.Verification.VERIFIED if verified else Organisation.Verification.UNVERIFIED,
        verified_at=timezone.now() if verified else None,
        **extra,
    )
    return org


def make_member(org, role="owner", **kw) -> User:
    user = make_user(**kw)
    Membership.objects.create(organisation=org, user=user, role=role)
    return user


def png_bytes(size=(32, 24), color=(200, 80, 60), exif=False) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, 0.0), 3: "E", 4: (116.0, 23.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def image_upload(name="photo.png", data=None, content_type="image/png"):
    return SimpleUploadedFile(name, data if data is not None else png_bytes(), content_type=content_type)


def make_project(org=None, *, status="fundraising", goal=1_000_000, **extra):
    """A project with two budget lines. status='fundraising' publishes it through services."""
    from jusha.projects.models import BudgetLine, Project

    org = org or make_org()
    n = next(_seq)
    fields = dict(
        organisation=org,
        slug=f"project-{n}",
        title=f"Project {n}",
        summary="Warm packs for elders living alone",
        story="<p>Story</p>",
        cause="elders",
        region_code="110000",
        currency="CNY",
        goal=goal,
        ends_at=timezone.now() + timedelta(days=30),
        beneficiary_count=50,
        status="draft",
    )
    fields.update(extra)
    project = Project.objects.create(**fields)
    half = goal // 2
    BudgetLine.objects.create(project=project, title="Warm packs", amount=goal - half, position=0)
    BudgetLine.objects.create(project=project, title="Delivery", amount=half, position=1)
    path = STATUS_PATHS[status]
    if path:
        from jusha.projects.services import project_transition

        owner = make_member(org, "owner")
        staff = make_user(is_staff=True)
        for target in path:
            actor = {"fundraising": staff, "changes_requested": staff, "funded": None}.get(target, owner)
            reason = "Final report" if target == "completed" else "factory"
            project_transition(project=project, target=target, actor=actor, reason=reason,
                               final_report="Final report: all delivered." if target == "completed" else None)
        project.refresh_from_db()
    return project


# How a project reaches each status, through the same services users go through.
STATUS_PATHS = {
    "draft": [],
    "in_review": ["in_review"],
    "changes_requested": ["in_review", "changes_requested"],
    "fundraising": ["in_review", "fundraising"],
    "funded": ["in_review", "fundraising", "funded"],
    "executing": ["in_review", "fundraising", "funded", "executing"],
    "completed": ["in_review", "fundraising", "funded", "executing", "completed"],
    "cancelled": ["in_review", "fundraising", "cancelled"],
}


@pytest.fixture
def org():
    return make_org()


@pytest.fixture
def project(org):
    return make_project(org)


@pytest.fixture
def donor():
    return make_user("donor@example.org")


@pytest.fixture
def staff():
    return make_user("staff@example.org", is_staff=True)


def give(project, amount=5000, *, result="succeeded", **fields):
    """A gift through the real flow: intent at the sandbox, payer's choice, signed notification."""
    from jusha.giving.services import donation_open
    from jusha.payments.sandbox import SandboxProvider

    donation, token = donation_open(project=project, amount=Money(amount, project.currency), client=ClientContext(), **fields)
    if result:
        from django.test import TestCase

        # After-commit work (receipts, overflow refunds, "funded") runs as it would in production.
        with TestCase.captureOnCommitCallbacks(execute=True):
            SandboxProvider().complete(donation.intent_id, result)
        donation.refresh_from_db()
    donation.access_token = token
    return donation


def make_campaign(*, projects=(), publish=True, **fields):
    """A published campaign, open from a day ago for two more days, with `projects` accepted."""
    from jusha.campaigns.services import application_submit, application_transition, campaign_create

    n = next(_seq)
    staff = make_user(is_staff=True)
    now = timezone.now()
    fields = {"slug": f"campaign-{n}", "title": f"Giving day {n}", "starts_at": now - timedelta(days=1),
              "ends_at": now + timedelta(days=2), "publish": publish, **fields}
    campaign = campaign_create(actor=staff, **fields)
    for project in projects:
        owner = project.organisation.memberships.filter(role="owner").first()
        applicant = owner.user if owner else make_member(project.organisation, "owner")
        application = application_submit(campaign=campaign, project=project, actor=applicant)
        application_transition(application=application, target="accepted", actor=staff)
    return campaign


def make_pool(*, campaign=None, sponsor=None, budget=100_000, min_bp=10_000, max_bp=None, funded=True, active=True, **rules):
    """A matching pool (1:1 by default) funded by a deposit and activated by staff."""
    from jusha.core.money import Money
    from jusha.matching.services import pool_create, pool_deposit, pool_transition

    sponsor = sponsor or make_org(name="Sponsor")
    owner = make_member(sponsor, "owner")
    staff = make_user(is_staff=True)
    if campaign is None:
        rules.setdefault("starts_at", timezone.now() - timedelta(days=1))
        rules.setdefault("ends_at", timezone.now() + timedelta(days=2))
    for name in ("min_gift", "gift_cap", "donor_daily_cap", "project_cap"):  # fen, as Money
        if rules.get(name) is not None:
            rules[name] = Money(rules[name])
    rules["tranches"] = [Money(t) for t in rules.get("tranches", ())]
    pool = pool_create(
        sponsor=sponsor, actor=owner, name=f"Pool {next(_seq)}", budget=Money(budget), min_bp=min_bp,
        max_bp=min_bp if max_bp is None else max_bp, campaign=campaign, **rules,
    )
    if funded:
        pool_deposit(pool=pool, amount=Money(budget), reference="BANK-0001", actor=staff)
    if active:
        pool_transition(pool=pool, target="active", actor=staff)
    pool.refresh_from_db()
    pool.staff = staff
    return pool
