"""What reports draws on the pages of lower apps (registered in apps.py)."""

from jusha.core.sections import Section
from jusha.reports import selectors
from jusha.reports.kinds import ORGANISATION, PROJECT


def project_page(project) -> list[Section]:
    """Beside the progress, when fundraising is suspended: why (the reason staff gave). Under
    the project's accounts: decided reports and their outcomes (never who filed them) and
    the way to report the project."""
    sections = [Section("head", "reports/_head.html")]
    if project.status == "suspended":
        sections.append(Section("figures", "reports/_suspended.html", {"suspension": selectors.suspension_of(project)}))
    sections.append(Section("accounts", "reports/_public.html", {
        "report_kind": PROJECT, "report_key": project.slug, "decided": selectors.decided_about(PROJECT, project.pk),
    }))
    return sections


def organisation_page(organisation) -> Section:
    return Section("projects", "reports/_public.html", {
        "report_kind": ORGANISATION, "report_key": organisation.slug,
        "decided": selectors.decided_about(ORGANISATION, organisation.pk),
    })


def organisation_dashboard(memberships) -> dict:
    answering = [m.organisation for m in memberships if m.role in {"owner", "editor", "finance"}]
    counts = selectors.open_count_of_organisations([o.pk for o in answering])
    return {
        o.pk: Section("work", "reports/_dashboard.html", {"organisation": o, "open_reports": counts[o.pk]})
        for o in answering if counts.get(o.pk)
    }


def staff_dashboard() -> Section:
    return Section("queue", "reports/_staff_queue.html", {"report_counts": selectors.queue_counts()})
