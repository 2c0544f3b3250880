"""What monthly giving draws on other apps' pages, and its two built-in target kinds
(registered in apps.py)."""

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.core.sections import Section
from jusha.funds.selectors import fund_for_cause
from jusha.pledges import selectors
from jusha.pledges.stats import retention_figures
from jusha.pledges.models import Pledge
from jusha.projects.models import Cause, Project
from jusha.projects.selectors import is_public


def resolve_project(ref: str) -> Project:
    project = Project.objects.select_related("organisation").filter(slug=ref).first()
    if project is None or not is_public(project):
        raise NotFound(_("There is no such project."), code="not_found")
    return project


def label_project(ref: str) -> str:
    return Project.objects.filter(slug=ref).values_list("title", flat=True).first() or ref


def resolve_cause(ref: str) -> Project:
    fund = fund_for_cause(ref)
    if fund is None:
        raise NotFound(_("There is no fund for this cause."), code="no_fund")
    return fund.project


def label_cause(ref: str) -> str:
    return _("%(cause)s fund") % {"cause": Cause(ref).label if ref in Cause.values else ref}


def my_giving(user):
    """The member's pledges at the top of "my giving", each with its one-click buttons, and a
    banner for any that waits for their choice (its project closed)."""
    pledges = pledges_of_member(user)
    return Section("top", "pledges/_mine.html", {
        "pledges": pledges, "waiting": [p for p in pledges if p.pause_reason == Pledge.PauseReason.PROJECT_CLOSED],
        "receipt_years": selectors.gift_years(user),
    })


def pause_offer(project, amount):
    return Section("offer", "pledges/_pause_offer.html", {"pledge_project": project, "pledge_amount": amount})


def donate_offer(project):
    return Section("offer", "pledges/_pause_offer.html", {"pledge_project": project})


def fund_offer(fund):
    return Section("offer", "pledges/_fund_offer.html", {"pledge_fund": fund})


def pledges_of_member(user) -> list[Pledge]:
    return selectors.pledges_for_page(Pledge.objects.filter(donor=user).exclude(status=Pledge.Status.CANCELLED)
                                      .select_related("project"))


def organisation_dashboard(memberships) -> dict:
    """In each of the member's organisations: do its donors come back (and a link to the full figures)."""
    return {
        m.organisation_id: Section("work", "pledges/_dashboard.html", {
            "retention": retention_figures(organisation=m.organisation), "retention_org": m.organisation})
        for m in memberships
    }
