"""Open data that funders and researchers already read, at stable addresses:

- IATI 2.03 (`/data/iati/<org>/activities.xml`, `organisation.xml`): an organisation's
  public projects as activities (transaction types 1 incoming funds: gifts per day, refunds
  as negative incoming funds, matches per sponsor pool; 4 expenditure: each expenditure),
  budgets, results from final reports; a sponsor's matching pools are activities too, with
  type 3 disbursements to the projects they matched.
- 360Giving (`/data/360giving/<org>.json`): the grants an organisation made as a funder (a
  sponsor's matched money per pool and project; the platform's cause-fund grants under
  the platform's own slug, from `grant_providers`).
- The whole public ledger as one CSV (`/data/ledger.csv`).

Only public facts: public projects, amounts, dates, budget lines; no donor is named (gifts
are summed per day). Text is cleaned of characters XML cannot hold.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Exists, F, IntegerField, Min, Q, Sum, When
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from jusha.alliance.rules import xml_text
from jusha.core.events import Contributions
from jusha.core.money import EXPONENTS
from jusha.core.richtext import plain_text
from jusha.funds.models import Grant as FundGrant
from jusha.ledger.models import Expenditure, JournalEntry
from jusha.matching.models import Match, Pool
from jusha.organisations.models import Organisation
from jusha.projects import states as project_states
from jusha.projects.models import Project, StatusChange
from jusha.projects.regions import region_name

IATI_VERSION = "2.03"
LANG = "zh"
# Activity status (IATI codelist ActivityStatus) of each public project status.
ACTIVITY_STATUS = {"fundraising": "1", "funded": "2", "executing": "2", "completed": "4", "cancelled": "5"}
ORG_TYPE = "22"  # IATI OrganisationType: national NGO
GIVING_360_VERSION = "1.4"

# Providers of more 360Giving grants: each is called with the organisation's slug and
# returns a list of grant dicts in the 360Giving shape (an app above alliance may add
# one). A sponsor's matching-pool grants and the platform's cause-fund grants (jusha/funds,
# under the organisation that holds the funds) are read here directly.
grant_providers = Contributions("360Giving grants")


def base() -> str:
    return settings.JUSHA_PUBLIC_URL.rstrip("/")


def org_identifier(organisation) -> str:
    return f"{settings.JUSHA_IATI_PREFIX}-{organisation.uscc}"


def platform_identifier() -> str:
    return f"XI-JUSHA-{settings.JUSHA_PLATFORM_SLUG}"


def activity_identifier(project) -> str:
    return f"{org_identifier(project.organisation)}-{project.slug}"


def pool_identifier(pool) -> str:
    return f"{org_identifier(pool.sponsor)}-pool-{pool.pk}"


def public_projects_of(organisation):
    visible = Q(status__in=project_states.PUBLIC) | Q(status=project_states.CANCELLED, published_at__isnull=False)
    return (Project.objects.filter(visible, organisation=organisation).select_related("organisation")
            .prefetch_related("budget_lines").order_by("published_at", "pk"))


def public_pools_of(organisation):
    return Pool.objects.filter(sponsor=organisation).exclude(status=Pool.Status.DRAFT).select_related("sponsor", "campaign")


def _major(amount: int, currency: str) -> str:
    """Minor units → the decimal text IATI and 360Giving expect (fen 12345 → "123.45")."""
    exponent = EXPONENTS.get(currency, 2)
    return str(Decimal(amount).scaleb(-exponent)) if exponent else str(amount)


def _day(value) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


# --- IATI ---------------------------------------------------------------------------------

def _narrative(parent, tag: str, text: str, **attrs):
    element = etree.SubElement(parent, tag, **attrs)
    narrative = etree.SubElement(element, "narrative")
    narrative.set("{http://www.w3.org/XML/1998/namespace}lang", LANG)
    narrative.text = xml_text(text) or "-"
    return element


def _reporting_org(parent, organisation):
    _narrative(parent, "reporting-org", organisation.name, ref=org_identifier(organisation), type=ORG_TYPE)


def _value(parent, amount: int, currency: str, day: str, tag: str = "value"):
    value = etree.SubElement(parent, tag, currency=currency, **{"value-date": day})
    value.text = _major(amount, currency)
    return value


def _transaction(parent, *, code: str, day: str, amount: int, currency: str, description: str,
                 provider=None, receiver=None):
    transaction = etree.SubElement(parent, "transaction")
    etree.SubElement(transaction, "transaction-type", code=code)
    etree.SubElement(transaction, "transaction-date", **{"iso-date": day})
    _value(transaction, amount, currency, day)
    _narrative(transaction, "description", description)
    for tag, party in (("provider-org", provider), ("receiver-org", receiver)):
        if party:
            name, attrs = party
            _narrative(transaction, tag, name, **attrs)


def _gifts_by_day(project_ids) -> dict:
    rows = (JournalEntry.objects.filter(project_id__in=project_ids, kind__in=("gift", "refund"))
            .annotate(day=TruncDate("created_at")).values("project_id", "kind", "currency", "day")
            .annotate(total=Sum("amount")).order_by("project_id", "day", "kind"))
    found = defaultdict(list)
    for row in rows:
        found[row["project_id"]].append(row)
    return found


def _matched(filters) -> list[dict]:
    """Net matched money per (pool, project): what was journalled less what went back."""
    net = Case(When(journalled__gt=0, then=F("journalled") - F("returned")), default=0, output_field=IntegerField())
    return list(Match.objects.filter(**filters).values("pool_id", "project_id")
                .annotate(total=Sum(net), first=Min("created_at")).filter(total__gt=0).order_by("pool_id", "project_id"))


def _completed_at(project) -> dt.datetime | None:
    change = StatusChange.objects.filter(project=project, target=project_states.COMPLETED).order_by("-created_at").first()
    return change.created_at if change else None


def _project_activity(root, project, gifts, matches, pools, expenditures):
    organisation = project.organisation
    activity = etree.SubElement(root, "iati-activity", **{
        "default-currency": project.currency, "last-updated-datetime": timezone.now().isoformat(timespec="seconds"),
        "{http://www.w3.org/XML/1998/namespace}lang": LANG,
    })
    etree.SubElement(activity, "iati-identifier").text = activity_identifier(project)
    _reporting_org(activity, organisation)
    _narrative(activity, "title", project.title)
    _narrative(activity, "description", project.summary or plain_text(project.story)[:1000] or project.title, type="1")
    _narrative(activity, "participating-org", organisation.name, ref=org_identifier(organisation), role="4", type=ORG_TYPE)
    for pool in {m["pool_id"]: pools[m["pool_id"]] for m in matches}.values():
        _narrative(activity, "participating-org", pool.sponsor.name, ref=org_identifier(pool.sponsor), role="1",
                   type=ORG_TYPE, **{"activity-id": pool_identifier(pool)})
    etree.SubElement(activity, "activity-status", code=ACTIVITY_STATUS.get(project.status, "2"))
    started = project.published_at or project.created_at
    etree.SubElement(activity, "activity-date", type="2", **{"iso-date": _day(started)})
    etree.SubElement(activity, "activity-date", type="3", **{"iso-date": _day(project.ends_at)})
    completed = _completed_at(project) if project.status == project_states.COMPLETED else None
    if completed:
        etree.SubElement(activity, "activity-date", type="4", **{"iso-date": _day(completed)})
    if project.region_code:
        etree.SubElement(activity, "recipient-country", code="CN", percentage="100")
        location = etree.SubElement(activity, "location")
        _narrative(location, "name", region_name(project.region_code) or project.region_code)
        etree.SubElement(location, "administrative", vocabulary="G1", level="1", code=project.region_code)
    # Budget: the goal over the project's first year (IATI budgets are at most a year long).
    start = timezone.localtime(started).date()
    end = min(timezone.localtime(project.ends_at).date(), start + dt.timedelta(days=364))
    end = max(end, start)
    budget = etree.SubElement(activity, "budget", type="1", status="2" if project.status != "fundraising" else "1")
    etree.SubElement(budget, "period-start", **{"iso-date": start.isoformat()})
    etree.SubElement(budget, "period-end", **{"iso-date": end.isoformat()})
    _value(budget, project.goal, project.currency, start.isoformat())
    donors = ("Individual donors", {"type": "90"})  # IATI OrganisationType 90: other (the public)
    for row in gifts:
        amount = row["total"] if row["kind"] == "gift" else -row["total"]
        words = "Gifts received on the day" if row["kind"] == "gift" else "Gifts refunded on the day"
        _transaction(activity, code="1", day=row["day"].isoformat(), amount=amount, currency=row["currency"],
                     description=words, provider=donors)
    for match in matches:
        pool = pools[match["pool_id"]]
        _transaction(activity, code="1", day=_day(match["first"]), amount=match["total"], currency=pool.currency,
                     description=f"Matched by {pool.name}",
                     provider=(pool.sponsor.name, {"ref": org_identifier(pool.sponsor),
                                                   "provider-activity-id": pool_identifier(pool)}))
    for expenditure in expenditures:
        _transaction(activity, code="4", day=expenditure.spent_on.isoformat(), amount=expenditure.amount,
                     currency=expenditure.currency,
                     description=f"{expenditure.budget_line.title}: {expenditure.description}")
    etree.SubElement(activity, "document-link", format="text/html",
                     url=base() + reverse("ledger:project", args=[project.slug]))
    document = activity[-1]
    _narrative(document, "title", "Public ledger")
    etree.SubElement(document, "category", code="A07")  # IATI DocumentCategory: financial information
    if project.status == project_states.COMPLETED and project.final_report:
        result = etree.SubElement(activity, "result", type="1")
        _narrative(result, "title", "Final report")
        _narrative(result, "description", plain_text(project.final_report)[:4000])
        indicator = etree.SubElement(result, "indicator", measure="5")  # qualitative
        _narrative(indicator, "title", project.unit_name or "Beneficiaries")
        _narrative(indicator, "description", f"{project.beneficiary_count} beneficiaries planned")


def _pool_activity(root, pool, grants, projects):
    sponsor = pool.sponsor
    activity = etree.SubElement(root, "iati-activity", **{
        "default-currency": pool.currency, "last-updated-datetime": timezone.now().isoformat(timespec="seconds"),
        "{http://www.w3.org/XML/1998/namespace}lang": LANG,
    })
    etree.SubElement(activity, "iati-identifier").text = pool_identifier(pool)
    _reporting_org(activity, sponsor)
    _narrative(activity, "title", pool.name)
    _narrative(activity, "description", f"Matching pool of {sponsor.name}", type="1")
    _narrative(activity, "participating-org", sponsor.name, ref=org_identifier(sponsor), role="1", type=ORG_TYPE)
    closed = pool.status == Pool.Status.CLOSED
    etree.SubElement(activity, "activity-status", code="4" if closed else "2")
    etree.SubElement(activity, "activity-date", type="2", **{"iso-date": _day(pool.starts_at)})
    etree.SubElement(activity, "activity-date", type="4" if closed else "3", **{"iso-date": _day(pool.ends_at)})
    for grant in grants:
        project = projects[grant["project_id"]]
        _transaction(activity, code="3", day=_day(grant["first"]), amount=grant["total"], currency=pool.currency,
                     description=f"Matched gifts to {project.title}",
                     receiver=(project.organisation.name, {"ref": org_identifier(project.organisation),
                                                            "receiver-activity-id": activity_identifier(project)}))


def files_of(organisation) -> tuple[bool, bool]:
    """(made grants, has activities) of an organisation, in one query."""
    pools = Exists(public_pools_of(organisation))
    projects = Exists(public_projects_of(organisation))
    found = Organisation.objects.filter(pk=organisation.pk).values_list(pools, projects).first()
    return (bool(found[0]), bool(found[0] or found[1])) if found else (False, False)


def has_activities(organisation) -> bool:
    return public_projects_of(organisation).exists() or public_pools_of(organisation).exists()


def iati_activities(organisation) -> bytes | None:
    """The organisation's IATI 2.03 activity file (bytes, UTF-8, with its declaration), or
    None when it has no public project and no pool (the standard's file needs an activity)."""
    if not has_activities(organisation):
        return None
    root = etree.Element("iati-activities", version=IATI_VERSION,
                         **{"generated-datetime": timezone.now().isoformat(timespec="seconds")})
    projects = list(public_projects_of(organisation))
    ids = [p.pk for p in projects]
    gifts = _gifts_by_day(ids)
    matches = defaultdict(list)
    incoming = _matched({"project_id__in": ids})
    pools = {p.pk: p for p in Pool.objects.filter(pk__in={m["pool_id"] for m in incoming}).select_related("sponsor")}
    for match in incoming:
        matches[match["project_id"]].append(match)
    expenditures = defaultdict(list)
    for expenditure in Expenditure.objects.filter(project_id__in=ids).select_related("budget_line").order_by("spent_on", "pk"):
        expenditures[expenditure.project_id].append(expenditure)
    for project in projects:
        _project_activity(root, project, gifts.get(project.pk, []), matches.get(project.pk, []), pools,
                          expenditures.get(project.pk, []))
    own_pools = list(public_pools_of(organisation))
    if own_pools:
        given = _matched({"pool__in": own_pools})
        targets = {p.pk: p for p in Project.objects.filter(pk__in={g["project_id"] for g in given}).select_related("organisation")}
        by_pool = defaultdict(list)
        for grant in given:
            by_pool[grant["pool_id"]].append(grant)
        for pool in own_pools:
            _pool_activity(root, pool, by_pool.get(pool.pk, []), targets)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def iati_organisation(organisation) -> bytes:
    """The organisation's IATI 2.03 organisation file: who it is, its total budget (the
    goals of its public projects) and expenditure per year."""
    root = etree.Element("iati-organisations", version=IATI_VERSION,
                         **{"generated-datetime": timezone.now().isoformat(timespec="seconds")})
    currency = "CNY"
    element = etree.SubElement(root, "iati-organisation", **{
        "default-currency": currency, "last-updated-datetime": timezone.now().isoformat(timespec="seconds"),
        "{http://www.w3.org/XML/1998/namespace}lang": LANG,
    })
    etree.SubElement(element, "organisation-identifier").text = org_identifier(organisation)
    _narrative(element, "name", organisation.name)
    _reporting_org(element, organisation)
    budgets = defaultdict(int)
    for project in public_projects_of(organisation).filter(currency=currency):
        budgets[timezone.localtime(project.published_at or project.created_at).year] += project.goal
    for year, amount in sorted(budgets.items()):
        total = etree.SubElement(element, "total-budget", status="2")
        etree.SubElement(total, "period-start", **{"iso-date": f"{year}-01-01"})
        etree.SubElement(total, "period-end", **{"iso-date": f"{year}-12-31"})
        _value(total, amount, currency, f"{year}-01-01")
    spent = defaultdict(int)
    for row in (Expenditure.objects.filter(project__organisation=organisation, currency=currency)
                .values("spent_on__year").annotate(total=Sum("amount"))):
        spent[row["spent_on__year"]] += row["total"]
    for year, amount in sorted(spent.items()):
        total = etree.SubElement(element, "total-expenditure")
        etree.SubElement(total, "period-start", **{"iso-date": f"{year}-01-01"})
        etree.SubElement(total, "period-end", **{"iso-date": f"{year}-12-31"})
        _value(total, amount, currency, f"{year}-01-01")
    link = etree.SubElement(element, "document-link", format="text/html",
                            url=base() + reverse("organisations:detail", args=[organisation.slug]))
    _narrative(link, "title", organisation.name)
    etree.SubElement(link, "category", code="B01")  # IATI DocumentCategory: annual report
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- 360Giving ------------------------------------------------------------------------------

def _number(amount: int, currency: str):
    value = Decimal(_major(amount, currency))
    return int(value) if value == value.to_integral_value() else float(value)


def _org(organisation) -> dict:
    found = {"id": org_identifier(organisation), "name": xml_text(organisation.name)}
    if organisation.website:
        found["url"] = organisation.website
    return found


def giving360_grants(organisation) -> list[dict]:
    grants = []
    pools = list(public_pools_of(organisation))
    if pools:
        given = _matched({"pool__in": pools})
        by_pk = {p.pk: p for p in pools}
        projects = {p.pk: p for p in Project.objects.filter(pk__in={g["project_id"] for g in given}).select_related("organisation")}
        for grant in given:
            pool, project = by_pk[grant["pool_id"]], projects[grant["project_id"]]
            programme = {"code": f"pool-{pool.pk}", "title": xml_text(pool.name)}
            if pool.campaign_id:
                programme["url"] = base() + reverse("campaigns:detail", args=[pool.campaign.slug])
            grants.append({
                "id": f"360G-{settings.JUSHA_PLATFORM_SLUG}-pool-{pool.pk}-{project.slug}",
                "title": xml_text(f"{pool.name}: {project.title}")[:140],
                "description": xml_text(f"Gifts to {project.title} matched by {pool.name}."),
                "currency": pool.currency,
                "amountAwarded": _number(grant["total"], pool.currency),
                # A full date-time: the schema's oneOf (date-time | YYYY-MM-DD) matches a bare
                # date twice when formats are not asserted, so a bare date fails validation.
                "awardDate": timezone.localtime(grant["first"]).isoformat(timespec="seconds"),
                "url": base() + reverse("projects:detail", args=[project.slug]),
                "recipientOrganization": [_org(project.organisation)],
                "fundingOrganization": [_org(organisation)],
                "grantProgramme": [programme],
                "beneficiaryLocation": [{"countryCode": "CN", "geoCode": project.region_code,
                                         "name": region_name(project.region_code) or project.region_code}],
                "dateModified": timezone.now().isoformat(timespec="seconds"),
                "dataSource": base() + f"/data/360giving/{organisation.slug}.json",
            })
    grants += _fund_grants(organisation)
    for provided in grant_providers.collect(organisation.slug):
        grants += provided
    return grants


def _fund_grants(organisation) -> list[dict]:
    """The platform's cause-fund grants (jusha/funds), under the organisation that holds the
    funds: each grant its rule made, to the project with the largest unmet need of the cause."""
    grants = []
    rows = (FundGrant.objects.filter(fund__project__organisation=organisation)
            .select_related("fund__project", "project__organisation").order_by("created_at", "pk"))
    for grant in rows:
        fund_project, project = grant.fund.project, grant.project
        grants.append({
            "id": f"360G-{settings.JUSHA_PLATFORM_SLUG}-fund-{grant.pk}",
            "title": xml_text(f"{fund_project.title}: {project.title}")[:140],
            "description": xml_text(f"Granted by {fund_project.title} to {project.title}, the project of the cause "
                                    f"with the largest unmet need when the public rule (version {grant.rule_version}) ran."),
            "currency": grant.currency,
            "amountAwarded": _number(grant.amount, grant.currency),
            "awardDate": timezone.localtime(grant.created_at).isoformat(timespec="seconds"),
            "url": base() + reverse("projects:detail", args=[project.slug]),
            "recipientOrganization": [_org(project.organisation)],
            "fundingOrganization": [_org(organisation)],
            "grantProgramme": [{"code": f"fund-{grant.fund.cause}", "title": xml_text(fund_project.title),
                                "url": base() + reverse("projects:detail", args=[fund_project.slug])}],
            "beneficiaryLocation": [{"countryCode": "CN", "geoCode": project.region_code,
                                     "name": region_name(project.region_code) or project.region_code}],
            "dateModified": timezone.now().isoformat(timespec="seconds"),
            "dataSource": base() + f"/data/360giving/{organisation.slug}.json",
        })
    return grants


def giving360_package(funder_name: str, grants: list[dict]) -> dict:
    return {
        "version": GIVING_360_VERSION,
        "title": xml_text(f"Grants made by {funder_name}"),
        "description": "Published by Jusha (聚沙) from its public ledger.",
        "license": settings.JUSHA_DATA_LICENCE_URL,
        "grants": grants,
    }


# --- the public ledger as CSV -----------------------------------------------------------------

def public_entries():
    """Every journal entry of a public project, oldest first (a stable order: consumers
    can resume from the last id they read)."""
    visible = Q(project__status__in=project_states.PUBLIC) | Q(project__status=project_states.CANCELLED,
                                                              project__published_at__isnull=False)
    return JournalEntry.objects.filter(visible).select_related("project__organisation").order_by("pk")
