"""What cause funds draw on other apps' pages (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.funds import rules, selectors


def pause_offer(project, amount):
    """The pause screen offers the fund of the project's cause: it sends money where the need is largest."""
    fund = selectors.fund_for_cause(project.cause)
    if fund is None or fund.project_id == project.pk:
        return None
    return Section("offer", "funds/_pause_offer.html", {"fund": fund})


def project_page(project):
    """A fund's own project page shows the grant rule and the grants; a project that
    received grants lists them."""
    fund = selectors.fund_of_project(project)
    if fund is not None:
        return Section("accounts", "funds/_fund_grants.html",
                       {"fund": fund, "grants": selectors.fund_grants(fund), "rule_text": rules.RULE_TEXT})
    grants = selectors.project_grants(project)
    if grants:
        return Section("accounts", "funds/_project_grants.html", {"received_grants": grants})
    return None
