"""Reads of cause funds."""

from __future__ import annotations

from jusha.funds.models import CauseFund, Grant
from jusha.projects.selectors import project_cards, project_sums


def funds_list() -> list[CauseFund]:
    """Every fund, each with its project's card figures and `sums` (received, granted out, held)."""
    funds = list(CauseFund.objects.select_related("project__organisation"))
    project_cards([f.project for f in funds])
    sums = project_sums([f.project_id for f in funds])
    for fund in funds:
        fund.sums = sums[fund.project_id]
    return funds


def fund_for_cause(cause: str) -> CauseFund | None:
    return CauseFund.objects.select_related("project").filter(cause=cause).first()


def fund_of_project(project) -> CauseFund | None:
    """The fund whose receiving project this is (None for an ordinary project)."""
    if not getattr(project, "pooled", False):
        return None
    return CauseFund.objects.filter(project=project).first()


def fund_grants(fund: CauseFund, limit: int = 50) -> list[Grant]:
    return list(fund.grants.select_related("project").order_by("-created_at")[:limit])


def project_grants(project, limit: int = 20) -> list[Grant]:
    """Grants a project received from a cause fund."""
    return list(Grant.objects.filter(project=project).select_related("fund").order_by("-created_at")[:limit])
