"""The pages a reviewer looks at: every public page of the demo platform, found in the
database (so the list follows the demo data, not hard-coded ids). Used by `make screenshots`
(tools/screenshots.py) and by the browser test that no public page overflows a 390 px phone."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from jusha.campaigns.models import Campaign
from jusha.community.models import Circle, Gathering, Team
from jusha.funds.models import CauseFund
from jusha.giving.models import Donation
from jusha.organisations.models import Organisation
from jusha.projects.models import Project
from jusha.social.models import ShareLink
from jusha.volunteering.models import Activity, Group
from jusha.volunteering.selectors import certificate_of, hours_for_records, verify_link
from jusha.sponsorship.permissions import public_beneficiaries


def public_pages() -> list[tuple[str, str]]:
    """(name, path) for every public page a donor can reach without logging in."""
    pages = [
        ("home", reverse("home")),
        ("projects", reverse("projects:list")),
        ("campaigns", reverse("campaigns:list")),
        ("transparency", reverse("transparency:index")),
        ("verify", reverse("transparency:verify")),
        ("flow", reverse("transparency:flow")),
        ("open-data", reverse("opendata:data")),
        ("alliance", reverse("alliance:index")),
        ("funds", reverse("funds:list")),
        ("retention", reverse("pledges:retention")),
    ]
    fund = CauseFund.objects.order_by("cause").first()
    if fund:
        pages.append(("fund", reverse("funds:detail", args=[fund.cause])))
    project = (Project.objects.filter(slug="warm-packs-for-elders").first()
               or Project.objects.exclude(status="draft").exclude(status="in_review").order_by("pk").first())
    if project:
        slug = project.slug
        pages += [
            ("project", reverse("projects:detail", args=[slug])),
            ("project-progress", reverse("projects:progress", args=[slug])),
            ("donate", reverse("giving:donate", args=[slug])),
            ("project-donations", reverse("giving:project_donations", args=[slug])),
            ("ledger", reverse("ledger:project", args=[slug])),
            ("flow-project", reverse("transparency:flow_project", args=[slug])),
            ("batches", reverse("fulfilment:list", args=[slug])),
            ("relay", reverse("social:relay", args=[slug])),
            ("share", reverse("social:share", args=[slug])),
        ]
        pages.append(("organisation", reverse("organisations:detail", args=[project.organisation.slug])))
        pages += [
            ("rating", reverse("ratings:organisation", args=[project.organisation.slug])),
            ("report-new", reverse("reports:new") + f"?project={slug}"),
        ]
        donation = (Donation.objects.filter(project=project, status="paid", match__isnull=False).order_by("paid_at").first()
                    or Donation.objects.filter(project=project, status="paid").order_by("paid_at").first())
        if donation:
            pages += [
                ("receipt", reverse("giving:receipt", args=[donation.pk])),
                ("receipt-print", reverse("giving:receipt", args=[donation.pk]) + "?print=1"),
            ]
    campaign = Campaign.objects.order_by("pk").first()
    if campaign:
        pages += [
            ("campaign", reverse("campaigns:detail", args=[campaign.slug])),
            ("campaign-live", reverse("campaigns:live", args=[campaign.slug])),
            ("campaign-results", reverse("campaigns:results", args=[campaign.slug])),
        ]
    pages.append(("rating-method", reverse("ratings:method")))
    suspended = Project.objects.filter(status="suspended").order_by("pk").first()
    if suspended:  # a suspended project, its upheld report's outcome on its page
        pages.append(("project-suspended", reverse("projects:detail", args=[suspended.slug])))
    pages.append(("sponsorship", reverse("sponsorship:list")))
    waiting = public_beneficiaries().filter(status="waiting").order_by("pk").first()
    if waiting:
        pages.append(("sponsorship-student", reverse("sponsorship:student", args=[waiting.pk])))
    link = ShareLink.objects.order_by("pk").first()
    if link:
        pages.append(("share-link", reverse("social:open", args=[link.code])))
    pages.append(("circles", reverse("community:circles")))
    team = Team.objects.filter(visibility="visible").order_by("pk").first()
    if team:
        pages += [("team", reverse("community:team", args=[team.slug])),
                  ("project-teams", reverse("community:project_teams", args=[team.project.slug]))]
    circle = Circle.objects.filter(slug="cause-elders").first() or Circle.objects.order_by("pk").first()
    if circle:
        pages.append(("circle", reverse("community:circle", args=[circle.slug])))
    gathering = Gathering.objects.order_by("pk").first()
    if gathering:
        pages.append(("gathering", reverse("community:gathering", args=[gathering.pk])))
    pages += [("volunteer", reverse("volunteering:list")), ("volunteer-figures", reverse("volunteering:figures")),
              ("volunteer-groups", reverse("volunteering:groups"))]
    activity = Activity.objects.filter(group__isnull=False).order_by("pk").first() or Activity.objects.order_by("pk").first()
    if activity:
        pages.append(("volunteer-activity", reverse("volunteering:activity", args=[activity.pk])))
    group = Group.objects.order_by("pk").first()
    if group:
        pages.append(("volunteer-group", reverse("volunteering:group", args=[group.slug])))
    volunteer = get_user_model().objects.filter(email="volunteer@demo.jusha").first()
    if volunteer:
        certificate = certificate_of(volunteer, title="", records=hours_for_records(volunteer))
        if certificate.provable:  # once the worker's sequencer has taken its facts in
            pages.append(("volunteer-verify", verify_link(certificate)))
    return pages
