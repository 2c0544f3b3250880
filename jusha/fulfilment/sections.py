"""What fulfilment draws on other apps' pages and adds to their answers (registered in
apps.py). Each section carries the data its template shows, read here by fulfilment's
selectors, so the template's tags only hand it on."""

from jusha.core.sections import Section
from jusha.fulfilment import selectors


def project_page(project) -> Section:
    """After the project's story: its delivery batches."""
    return Section("accounts", "fulfilment/_timeline.html",
                   {"project_fulfilment": selectors.project_fulfilment(project)})


def organisation_dashboard(memberships) -> dict[int, Section]:
    """In each of the user's organisations: the delivery batches waiting for action."""
    return {
        m.organisation_id: Section("work", "fulfilment/_dashboard.html",
                                   {"batches_needing_action": selectors.batches_needing_action(m.organisation)})
        for m in memberships
    }


def project_detail_fields(project) -> dict:
    """The project API's batch size (units per delivery batch; None without a plan)."""
    return {"batch_size": selectors.batch_size_of(project)}


def receipt_page(donation) -> Section:
    """A gift's receipt: the delivery batches its money went into."""
    return Section("impact", "fulfilment/_impact.html", {"donations": donation, "donor_impact": selectors.donor_impact_rows(donation)})


def my_gifts_page(donations) -> Section:
    """A member's gifts page: the batches their gifts went into."""
    return Section("impact", "fulfilment/_impact.html", {
        "donations": donations, "with_project": True, "donor_impact": selectors.donor_impact_rows(donations)})
