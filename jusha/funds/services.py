"""Every write of cause funds: opening a cause's fund, and granting its money by the rule."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid
from jusha.core.money import Money
from jusha.funds import rules
from jusha.funds.models import CauseFund, Grant
from jusha.funds.sql import gift_totals_lock
from jusha.ledger.services import grant_post, project_funds_lock
from jusha.projects import tasks as project_tasks
from jusha.projects.models import Cause, Project
from jusha.projects.selectors import project_sums, unmet_needs
from jusha.projects.services import MAX_GOAL_MAJOR, project_create, project_transition
from jusha.transparency.services import fact_queue

logger = logging.getLogger("jusha.funds")

FUND_YEARS = 10


@transaction.atomic
def fund_open(*, cause: str, organisation, actor, region_code: str = "") -> CauseFund:
    """Open the platform-run fund of a cause: staff only, held by the platform's own
    (verified) organisation, of which the actor is an owner or editor. Its receiving side is
    an ordinary project (`pooled`, so never listed as a need itself) that donors give to
    through the ordinary gift path; it is published at once (staff review it by opening it).
    Its region is the organisation's (where the platform is registered): grants go nationwide."""
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff can open a cause fund."), code="not_staff")
    if cause not in Cause.values:
        raise Invalid(_("Unknown cause."), code="invalid_cause")
    if CauseFund.objects.filter(cause=cause).exists():
        raise Conflict(_("This cause already has a fund."), code="fund_exists")
    goal = Money(MAX_GOAL_MAJOR * 100, "CNY")
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the site's first language
        label = str(Cause(cause).label)
        title = _("%(cause)s fund") % {"cause": label}
        summary = _("Give to the cause, not one project: the fund grants its money to the %(cause)s projects with "
                    "the largest unmet need, by a public rule.") % {"cause": label}
        story = "<p>" + str(rules.RULE_TEXT) + "</p>"
        line = str(_("Grants to projects of the cause"))
    project = project_create(
        organisation=organisation, actor=actor, title=title, summary=summary, story=story, cause=cause,
        region_code=region_code or organisation.region_code or "110000", goal=goal,
        ends_at=timezone.now() + timedelta(days=365 * FUND_YEARS), beneficiary_count=0,
        shortfall_rule=Project.ShortfallRule.PROPORTIONAL, overflow_rule=Project.OverflowRule.KEEP,
        budget_lines=[(line, goal)], slug_hint=f"fund-{cause}", pooled=True,
    )
    project_transition(project=project, target="in_review", actor=actor, reason="cause fund")
    project_transition(project=project, target="fundraising", actor=actor, reason="cause fund opened by staff")
    try:
        with transaction.atomic():
            fund = CauseFund.objects.create(cause=cause, project=project, created_by=actor)
    except IntegrityError as exc:
        raise Conflict(_("This cause already has a fund."), code="fund_exists") from exc
    audit_record(actor=actor, action="fund.open", target=fund, data={"cause": cause, "project": project.slug})
    return fund


def fund_grant(*, fund: CauseFund, actor=None, now=None) -> list[Grant]:
    """Grant what the fund holds by the rule (rules.allocate), in one transaction under the
    fund project's lock (one grant run per fund at a time) and with the gift totals of the
    projects it grants to locked: each grant a row, two journal entries and a public fact. Staff may
    run it by hand (audit-logged); the worker runs it for every fund once a day."""
    if actor is not None and not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff can run a fund's grants."), code="not_staff")
    with transaction.atomic():
        source = Project.objects.select_related("organisation").get(pk=fund.project_id)
        project_funds_lock(source)
        available = project_sums([source.pk])[source.pk].available
        # Exact under concurrency: every project the rule chooses has its gift totals locked
        # (sql.gift_totals_lock waits for gifts being paid to it) BEFORE its need is read, so
        # no grant takes a project past its goal. Gifts to the others never wait: the rule is
        # run again after each lock, and only on the last reading are grants made.
        locked: set[int] = set()
        while True:
            plan = rules.allocate(
                available=available, needs=unmet_needs(cause=fund.cause, currency=source.currency, now=now),
                minimum=settings.JUSHA_FUND_MIN_GRANT,
            )
            unlocked = {project_id for project_id, _amount, _need in plan} - locked
            if not unlocked:
                break
            gift_totals_lock(unlocked)
            locked |= unlocked
        targets = Project.objects.in_bulk([pid for pid, _amount, _need in plan])
        grants = []
        for project_id, amount, need in plan:
            target = targets[project_id]
            grant = Grant.objects.create(
                fund=fund, project=target, amount=amount, currency=source.currency, need_before=need,
                rule_version=rules.RULE_VERSION, created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            grant_post(reference=str(grant.pk), source=source, target=target, amount=Money(amount, source.currency),
                       memo=f"Grant from the {fund.cause} fund", actor=actor)
            fact_queue(kind="grant", public={
                "id": str(grant.pk), "fund": fund.cause, "from": source.slug, "project": target.slug, "amount": amount,
                "currency": grant.currency, "need_before": need, "rule_version": rules.RULE_VERSION,
            })
            grants.append(grant)
            transaction.on_commit(lambda pid=project_id: project_tasks.project_check_full.enqueue(pid))
        if actor is not None and grants:
            audit_record(actor=actor, action="fund.grant", target=fund, data={"grants": len(grants), "total": sum(g.amount for g in grants)})
    return grants


def funds_grant_all() -> int:
    """Periodic: every fund grants what it holds, each in its own transaction. Returns how many grants were made."""
    made = 0
    for fund in list(CauseFund.objects.all()):
        try:
            made += len(fund_grant(fund=fund))
        except Exception:  # noqa: BLE001 - one fund's failure must not stop the others
            logger.exception("grants of the %s fund failed", fund.cause)
    return made
