"""Every write of projects. A project's status changes only through `project_transition`."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.events import (
    ProjectCancelled,
    ProjectStatusChanged,
    ProjectUpdated,
    project_cancelled,
    project_status_changed,
    project_updated,
)
from jusha.core.money import EXPONENTS, Money, require_currency, require_money, require_positive
from jusha.core.richtext import paragraphs, plain_text, sanitize_html, text_field
from jusha.core.statemachine import SYSTEM
from jusha.core.uploads import clean_image
from jusha.projects import states
from jusha.projects.models import BudgetLine, Cause, Project, ProjectUpdate, StatusChange, UpdatePhoto
from jusha.projects.permissions import user_roles
from jusha.projects.regions import is_valid_region
from jusha.projects.selectors import project_sums
from jusha.organisations.selectors import organisation_can_publish

logger = logging.getLogger("jusha.projects")

MAX_GOAL_MAJOR = 100_000_000  # 100 million yuan
MAX_BUDGET_LINES = 30
MAX_BENEFICIARIES = 1_000_000_000
MAX_PHOTOS = 9
RESERVED_SLUGS = {"new"}
_SLUG_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def _require_editor(actor, organisation) -> None:
    if not user_roles(actor, organisation) & states.MEMBERS:
        raise Forbidden(_("Only the organisation's owners and editors can do this."), code="not_project_editor")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _clean_fields(
    *, title, summary, story, cause, region_code, goal: Money, ends_at, beneficiary_count,
    unit_name, unit_cost: Money | None, shortfall_rule, overflow_rule, budget_lines: list[tuple[str, Money]],
) -> tuple[dict, list[tuple[str, int]]]:
    """Check and normalise what people typed; raise Invalid with a clear message. Amounts
    are Money, all in the goal's currency; the model keeps their minor units."""
    require_money(goal, name="goal")
    currency = require_currency(goal.currency)
    if cause not in Cause.values:
        raise Invalid(_("Choose one of the listed causes."), code="invalid_cause")
    if not is_valid_region(region_code):
        raise Invalid(_("Choose a region from the list (a GB/T 2260 code)."), code="invalid_region")
    require_positive(
        goal, code="invalid_goal", message=_("The goal must be more than zero."),
        at_most=Money(MAX_GOAL_MAJOR * 10 ** EXPONENTS[currency], currency),
        large_message=_("The goal is larger than this site accepts."),
    )
    if not isinstance(ends_at, datetime) or timezone.is_naive(ends_at):
        raise Invalid(_("Give the date and time fundraising ends."), code="invalid_ends_at")
    if ends_at <= timezone.now():
        raise Invalid(_("Fundraising must end in the future."), code="invalid_ends_at")
    if not _is_int(beneficiary_count) or not 0 <= beneficiary_count <= MAX_BENEFICIARIES:
        raise Invalid(
            _("The number of beneficiaries must be a whole number, zero or more."), code="invalid_beneficiary_count"
        )
    if unit_cost is not None:
        require_positive(
            unit_cost, name="unit_cost", currency=currency, code="invalid_unit_cost", at_most=goal,
            message=_("The unit cost must be positive and no more than the goal."),
            large_message=_("The unit cost must be positive and no more than the goal."),
        )
    if shortfall_rule not in Project.ShortfallRule.values:
        raise Invalid(_("Say what happens if the goal is not reached."), code="invalid_shortfall_rule")
    if overflow_rule not in Project.OverflowRule.values:
        raise Invalid(_("Say what happens to gifts after the goal is reached."), code="invalid_overflow_rule")

    lines: list[tuple[str, Money]] = []
    for line_title, amount in budget_lines or []:
        line_title = text_field(line_title, limit=120, label=_("Budget line"))
        require_positive(
            amount, name="budget line amount", currency=currency, code="invalid_budget_line",
            message=_("The budget line “%(title)s” must have a positive amount.") % {"title": line_title},
        )
        lines.append((line_title, amount))
    if not lines:
        raise Invalid(_("Add at least one budget line."), code="budget_required")
    if len(lines) > MAX_BUDGET_LINES:
        raise Invalid(_("A budget has at most %(n)d lines.") % {"n": MAX_BUDGET_LINES}, code="budget_too_long")
    total = sum((amount for _title, amount in lines), Money.zero(currency))
    if total != goal:
        params = {"total": total, "goal": goal, "difference": Money(abs(goal.amount - total.amount), currency)}
        message = (
            _("The budget lines add up to %(total)s, %(difference)s less than the goal of %(goal)s.")
            if total < goal
            else _("The budget lines add up to %(total)s, %(difference)s more than the goal of %(goal)s.")
        )
        raise Invalid(message % params, code="budget_mismatch", extra={"difference": goal.amount - total.amount})

    fields = dict(
        title=text_field(title, limit=120, label=_("Title")),
        summary=text_field(summary, limit=280, label=_("Summary"), required=False),
        story=sanitize_html(story),
        cause=cause,
        region_code=region_code,
        currency=currency,
        goal=goal.amount,
        ends_at=ends_at,
        beneficiary_count=beneficiary_count,
        unit_name=text_field(unit_name, limit=40, label=_("Unit name"), required=False),
        unit_cost=None if unit_cost is None else unit_cost.amount,
        shortfall_rule=shortfall_rule,
        overflow_rule=overflow_rule,
    )
    return fields, [(line_title, amount.amount) for line_title, amount in lines]


def _slug_for(title: str) -> str:
    """ASCII only: the words of a Latin title, else "p-" and six random characters."""
    base = slugify(title)[:60].strip("-")
    if len(base) < 3 or base in RESERVED_SLUGS:
        base = "p-" + get_random_string(6, _SLUG_ALPHABET)
    slug = base
    while slug in RESERVED_SLUGS or Project.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(4, _SLUG_ALPHABET)}"
    return slug


def _save_lines(project: Project, lines: list[tuple[str, int]]) -> None:
    BudgetLine.objects.bulk_create(
        [BudgetLine(project=project, title=title, amount=amount, position=i) for i, (title, amount) in enumerate(lines)]
    )


def _lock(project) -> Project:
    """The project's row, for a change of its own fields. FOR NO KEY UPDATE: rows that
    merely refer to the project (a gift, a delivery batch) are inserted meanwhile without
    waiting, so a cancellation that waits for a batch creator is never waited on by it."""
    return Project.objects.select_for_update(no_key=True, of=("self",)).select_related("organisation").get(pk=project.pk)


def _sync(project: Project, fresh: Project) -> None:
    """Let the caller's instance see what was written through the locked copy."""
    if project is not fresh:
        for field in Project._meta.concrete_fields:
            setattr(project, field.attname, getattr(fresh, field.attname))


@transaction.atomic
def project_create(
    *, organisation, actor, title, summary, story, cause, region_code, goal: Money, ends_at,
    beneficiary_count, unit_name="", unit_cost: Money | None = None, shortfall_rule, overflow_rule,
    budget_lines: list[tuple[str, Money]], cover=None, slug_hint: str = "", pooled: bool = False,
) -> Project:
    """A new draft, by an owner or editor of the organisation. The goal's currency is the
    project's; the unit cost and budget lines are in it too. `slug_hint` proposes the
    web address (made ASCII and unique); by default it comes from the title. `pooled`: the
    receiving side of a cause fund (jusha.funds), never listed as an unmet need itself."""
    _require_editor(actor, organisation)
    fields, lines = _clean_fields(
        title=title, summary=summary, story=story, cause=cause, region_code=region_code, goal=goal,
        ends_at=ends_at, beneficiary_count=beneficiary_count, unit_name=unit_name,
        unit_cost=unit_cost, shortfall_rule=shortfall_rule, overflow_rule=overflow_rule, budget_lines=budget_lines,
    )
    image = clean_image(cover) if cover else None
    project = Project(
        organisation=organisation, slug=_slug_for(slug_hint or fields["title"]), created_by=actor, status=states.DRAFT,
        pooled=bool(pooled), **fields
    )
    if image:
        project.cover.save(image.content.name, image.content, save=False)
    project.save()
    _save_lines(project, lines)
    return project


@transaction.atomic
def project_edit(
    *, project, actor, title, summary, story, cause, region_code, goal: Money, ends_at,
    beneficiary_count, unit_name="", unit_cost: Money | None = None, shortfall_rule, overflow_rule,
    budget_lines: list[tuple[str, Money]], cover=None,
) -> Project:
    """Replace a draft's content and budget (cover=None keeps the cover); amounts as in
    `project_create`. A project whose reviewer asked for changes goes back to draft, to be
    submitted again."""
    locked = _lock(project)
    _require_editor(actor, locked.organisation)
    if locked.status not in states.EDITABLE:
        raise Conflict(
            _("Only a draft, or a project sent back for changes, can be edited."), code="project_not_editable"
        )
    fields, lines = _clean_fields(
        title=title, summary=summary, story=story, cause=cause, region_code=region_code, goal=goal,
        ends_at=ends_at, beneficiary_count=beneficiary_count, unit_name=unit_name, unit_cost=unit_cost, shortfall_rule=shortfall_rule, overflow_rule=overflow_rule,
        budget_lines=budget_lines,
    )
    image = clean_image(cover) if cover else None
    if locked.status == states.CHANGES_REQUESTED:
        locked = project_transition(project=locked, target=states.DRAFT, actor=actor, reason="Edited after review")
    for name, value in fields.items():
        setattr(locked, name, value)
    if image:
        locked.cover.save(image.content.name, image.content, save=False)
    locked.save()
    locked.budget_lines.all().delete()
    _save_lines(locked, lines)
    project_updated.announce(ProjectUpdated(project=locked))
    _sync(project, locked)
    return locked


def _facts(project: Project, source: str, target: str, *, reason: str, report: str) -> states.Facts:
    pair = (source, target)
    facts = dict(
        now=timezone.now(), goal=project.goal, currency=project.currency, ends_at=project.ends_at,
        shortfall_rule=project.shortfall_rule, reason=reason, final_report=plain_text(report),
    )
    if pair == (states.IN_REVIEW, states.FUNDRAISING):
        facts["organisation_verified"] = organisation_can_publish(project.organisation)
        facts["budget_total"] = project.budget_lines.aggregate(total=Sum("amount"))["total"] or 0
    if source in (states.FUNDRAISING, states.FUNDED, states.EXECUTING):
        facts["raised"] = project_sums([project.pk])[project.pk].raised
    return states.Facts(**facts)


@transaction.atomic
def project_transition(*, project, target: str, actor, reason: str = "", final_report=None) -> Project:
    """Move a project to `target` on behalf of `actor` (None: the platform itself).

    Locks the row, checks the table (who) and the guards (when), and writes the change
    with its StatusChange row, and an audit row when staff act. Cancelling announces
    `core.events.project_cancelled` (fulfilment cancels the batches not yet purchased, in
    this transaction; giving refunds the gifts, after commit). Refused: TransitionRefused,
    nothing changed.
    """
    locked = _lock(project)
    roles = {SYSTEM} if actor is None else user_roles(actor, locked.organisation)
    if not roles:
        raise Forbidden(
            _("Only the organisation's members and platform staff can change this project."), code="not_project_member"
        )
    source = locked.status
    states.PROJECT.check(source, target, roles)
    reason = plain_text(reason)
    report = sanitize_html(final_report) if final_report else ""
    facts = _facts(locked, source, target, reason=reason, report=report)
    states.check_guards(source, target, system=actor is None, facts=facts)

    locked.status = target
    changed = ["status"]
    if target == states.FUNDRAISING:
        locked.published_at = timezone.now()
        changed.append("published_at")
    if states.STAFF in roles and target in (states.CHANGES_REQUESTED, states.FUNDRAISING):
        locked.review_note = reason
        changed.append("review_note")
    if target == states.COMPLETED:
        locked.final_report = report
        changed.append("final_report")
    locked.save(update_fields=changed)
    StatusChange.objects.create(project=locked, source=source, target=target, reason=reason, actor=actor)
    if actor is not None and actor.is_staff:
        audit_record(
            actor=actor,
            action=f"project.{target}",
            target=locked,
            data={"from": source, "to": target, "reason": reason},
        )
    if target == states.CANCELLED:
        # The apps above act on it: delivery batches not yet purchased are cancelled in this
        # transaction (their money is the donors' again), the gifts refunded after commit.
        project_cancelled.announce(ProjectCancelled(project=locked, actor=actor, reason=reason, raised=facts.raised))
    project_status_changed.announce(
        ProjectStatusChanged(project=locked, source=source, target=target, actor=actor, reason=reason)
    )
    _sync(project, locked)
    return locked


@transaction.atomic
def project_mark_funded_if_full(*, project_id: int) -> Project | None:
    """After each paid gift: a fundraising project whose gifts reach the goal is funded.
    The row lock makes concurrent calls (one per gift) change it once."""
    # Checked first without a lock: on the gift path the row is locked only when it fills.
    unlocked = Project.objects.filter(pk=project_id).only("status", "goal").first()
    if unlocked is None or unlocked.status != states.FUNDRAISING:
        return unlocked
    if project_sums([project_id])[project_id].toward_goal < unlocked.goal:
        return unlocked
    project = Project.objects.select_for_update(no_key=True).filter(pk=project_id).first()
    if project is None or project.status != states.FUNDRAISING:
        return project
    if project_sums([project.pk])[project.pk].toward_goal >= project.goal:
        return project_transition(project=project, target=states.FUNDED, actor=None, reason="The goal was reached.")
    return project


def _close_one(project_id: int, now) -> str | None:
    project = Project.objects.select_for_update(no_key=True).filter(pk=project_id).first()
    if project is None or project.status != states.FUNDRAISING or project.ends_at > now:
        return None  # closed meanwhile by someone else
    sums = project_sums([project.pk])[project.pk]
    raised = sums.raised
    if sums.toward_goal >= project.goal:
        target, reason = states.FUNDED, "The goal was reached."
    elif raised > 0 and project.shortfall_rule == Project.ShortfallRule.PROPORTIONAL:
        target = states.EXECUTING
        reason = (
            "Fundraising ended short of the goal: the funds raised are used as budgeted, in proportion,"
            " as the project stated."
        )
    elif raised > 0:
        target = states.CANCELLED
        reason = "Fundraising ended short of the goal: every gift is refunded, as the project stated."
    else:
        target, reason = states.CANCELLED, "Fundraising ended with nothing raised."
    project_transition(project=project, target=target, actor=None, reason=reason)
    return target


def projects_close_ended(*, now=None) -> dict[str, int]:
    """Periodic: close fundraising projects whose end date has passed, by their stated
    shortfall rule. One short transaction per project; safe to run twice at once."""
    now = now or timezone.now()
    ended = Project.objects.filter(status=states.FUNDRAISING, ends_at__lte=now).order_by("ends_at")
    ids = list(ended.values_list("pk", flat=True)[:500])
    closed: Counter[str] = Counter()
    for pk in ids:
        try:
            with transaction.atomic():
                target = _close_one(pk, now)
        except Exception:  # noqa: BLE001 - one project must not stop the sweep
            logger.exception("could not close project %s", pk)
            continue
        if target:
            closed[target] += 1
    return dict(closed)


@transaction.atomic
def update_post(*, project, actor, title, body, photos=()) -> ProjectUpdate:
    """A progress update with photos, by an owner or editor, once the project is public."""
    _require_editor(actor, project.organisation)
    status = Project.objects.filter(pk=project.pk).values_list("status", flat=True).get()
    if status not in states.UPDATABLE:
        raise Conflict(
            _("Progress updates can be posted once the project is raising money."), code="project_not_published"
        )
    title = text_field(title, limit=120, label=_("Title"))
    body = sanitize_html(paragraphs(body))  # typed in a plain box: its paragraphs kept
    if not plain_text(body):
        raise Invalid(_("Write what has happened."), code="field_required")
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise Invalid(_("At most %(n)d photos per update.") % {"n": MAX_PHOTOS}, code="too_many_photos")
    images = [clean_image(photo) for photo in photos]
    update = ProjectUpdate.objects.create(project=project, title=title, body=body, author=actor)
    for image in images:
        photo = UpdatePhoto(update=update)
        photo.image.save(image.content.name, image.content, save=True)
    project_updated.announce(ProjectUpdated(project=project, update=update))
    return update
