"""Every write of the missing-persons app: partners, cases, sites, sightings, counters.

Each is atomic and writes its audit row in the same transaction. The audit log names a
case by its id only; no missing-person data goes into the transparency log, ever."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Conflict, Forbidden, Invalid, TooLarge
from jusha.core.events import MissingCaseFound, missing_case_found
from jusha.core.statemachine import SYSTEM
from jusha.core.uploads import clean_image
from jusha.missing import feeds, states
from jusha.missing.images import notice_copy
from jusha.missing.notice import notice_changed
from jusha.missing.models import Case, DailyCount, Feed, FeedRun, Partner, Sighting, Site
from jusha.projects.regions import is_valid_region
from jusha.transparency import remote

PUBLIC_FIELDS = ("name", "sex", "birth_date", "lost_at", "region_code", "lost_place", "features", "hotline",
                 "source_url", "expires_on", "ref")
PRIVATE_FIELDS = ("consent_by", "consent_recorded_by", "family_contact", "reporter_contact", "notes")
EDITABLE = PUBLIC_FIELDS + PRIVATE_FIELDS


# --- partners -------------------------------------------------------------------------

@transaction.atomic
def partner_grant(*, organisation, actor) -> Partner:
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff may grant this permission."), code="forbidden")
    if not organisation.is_verified:
        raise Conflict(_("Only a verified organisation may publish missing persons."), code="not_verified")
    partner, created = Partner.objects.get_or_create(organisation=organisation, defaults={"granted_by": actor})
    if not created:
        partner.revoked_at = None
        partner.granted_by = actor
        partner.granted_at = timezone.now()
        partner.save()
    _changed()
    audit_record(actor=actor, action="missing.partner_granted", target=organisation)
    return partner


@transaction.atomic
def partner_revoke(*, organisation, actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise Forbidden(_("Only platform staff may revoke this permission."), code="forbidden")
    Partner.objects.filter(organisation=organisation, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _changed()
    audit_record(actor=actor, action="missing.partner_revoked", target=organisation)


# --- cases ----------------------------------------------------------------------------

def _changed() -> None:
    """What notices may show has changed: now (the cache write joins this transaction when
    the cache is the database) and again once committed (a shared cache such as Redis could
    otherwise let another process keep a memo built before the commit)."""
    notice_changed()
    transaction.on_commit(notice_changed)


def _validate(values: dict) -> None:
    if not is_valid_region(values.get("region_code")):
        raise Invalid(_("Choose a region from the list (a GB/T 2260 code)."), code="region_invalid")
    today = timezone.localdate()
    birth, lost = values.get("birth_date"), values.get("lost_at")
    if birth and birth > today:
        raise Invalid(_("The birth date cannot be in the future."), code="birth_date_invalid")
    if lost and lost > timezone.now() + dt.timedelta(minutes=5):
        raise Invalid(_("The date last seen cannot be in the future."), code="lost_at_invalid")
    if birth and lost and lost.date() < birth:
        raise Invalid(_("The date last seen cannot be before the birth date."), code="lost_at_invalid")
    if not (values.get("consent_by") and (values.get("consent_recorded_by") or "").strip()):
        raise Invalid(
            _("A case can be published only with the family's or an authority's consent on file, "
              "and the name of who recorded it."),
            code="consent_missing",
        )


def _set_photo(case: Case, photo) -> None:
    if photo is None:
        return
    clean = clean_image(photo)
    data = clean.content.read()
    clean.content.seek(0)
    case.photo.save(clean.content.name, clean.content, save=False)
    case.notice_photo.save("n.jpg", notice_copy(data), save=False)


@transaction.atomic
def case_create(*, organisation, values: dict, photo=None, actor, is_demo=False) -> Case:
    """A new active case. Refused (422, nothing saved) without consent on file."""
    values = {k: v for k, v in values.items() if k in EDITABLE}
    _validate(values)
    case = Case(organisation=organisation, is_demo=is_demo, **values)
    case.consent_recorded_at = timezone.now()
    _set_photo(case, photo)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        raise Conflict(_("This organisation already has a case with that id."), code="case_ref_taken") from exc
    _changed()
    audit_record(actor=actor, action="missing.case_created", target=case)
    return case


@transaction.atomic
def case_update(*, case: Case, values: dict, photo=None, actor) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_active:
        raise Conflict(_("A found or withdrawn case can no longer be changed."), code="case_closed")
    values = {k: v for k, v in values.items() if k in EDITABLE}
    merged = {f: getattr(case, f) for f in EDITABLE} | values
    _validate(merged)
    consent_changed = any(values.get(f, getattr(case, f)) != getattr(case, f) for f in ("consent_by", "consent_recorded_by"))
    for field, value in values.items():
        setattr(case, field, value)
    if consent_changed:
        case.consent_recorded_at = timezone.now()
    _set_photo(case, photo)
    case.save()
    _changed()
    audit_record(actor=actor, action="missing.case_updated", target=case, data={"fields": sorted(values)})
    return case


def _delete_files(case: Case) -> None:
    for field in (case.photo, case.notice_photo):
        if field:
            field.delete(save=False)


@transaction.atomic
def case_close(*, case: Case, status: str, roles, actor) -> Case:
    """Found or withdrawn: gone from every public place at once (the list, the notice,
    the page); its photos are deleted now, its private fields after the purge period."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    states.check(states.CASE, case.status, status, roles)
    case.status = status
    case.closed_at = timezone.now()
    files = [f.name for f in (case.photo, case.notice_photo) if f]
    case.photo = case.notice_photo = ""
    case.save(update_fields=["status", "closed_at", "photo", "notice_photo", "updated_at"])
    _changed()
    audit_record(actor=actor, action=f"missing.case_{status}", target=case)
    if status == Case.Status.FOUND:
        missing_case_found.announce(MissingCaseFound(case=case))

    def delete_files():
        from django.core.files.storage import default_storage

        for name in files:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
    return case


def case_private_viewed(*, case: Case, actor, where: str) -> None:
    """Every view of a case's private fields leaves an audit row (who, which case, where)."""
    audit_record(actor=actor, action="missing.private_viewed", target=case, data={"where": where})


def cases_purge_closed(now=None) -> int:
    """Private fields of cases found or withdrawn more than JUSHA_MISSING_PURGE_DAYS ago,
    and their sightings' contacts and photos, are erased."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.JUSHA_MISSING_PURGE_DAYS)
    done = 0
    for case in Case.objects.filter(closed_at__lt=cutoff, purged_at__isnull=True):
        with transaction.atomic():
            for sighting in Sighting.objects.filter(case=case):
                if sighting.photo:
                    sighting.photo.delete(save=False)
                sighting.contact = ""
                sighting.save(update_fields=["contact", "photo"])
            Case.objects.filter(pk=case.pk).update(
                consent_recorded_by="", family_contact="", reporter_contact="", notes="", purged_at=now
            )
            done += 1
    return done


# --- sites ----------------------------------------------------------------------------

def _clean_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().removeprefix("https://").removeprefix("http://").split("/")[0]
    labels = domain.split(".")
    if not domain or len(domain) > 253 or len(labels) < 2 or not all(
        label and len(label) <= 63 and all(c.isalnum() or c == "-" for c in label) for label in labels
    ):
        raise Invalid(_("Enter the site's domain, such as example.com."), code="domain_invalid")
    return domain


@transaction.atomic
def site_register(*, owner, domain: str, region_code: str = "", language: str = "zh-hans", is_demo=False) -> Site:
    if region_code and not is_valid_region(region_code):
        raise Invalid(_("Choose a region from the list (a GB/T 2260 code)."), code="region_invalid")
    if language not in Site.Language.values:
        raise Invalid(_("Choose one of the languages offered."), code="language_invalid")
    site = Site.objects.create(
        owner=owner, domain=_clean_domain(domain), region_code=region_code, language=language, is_demo=is_demo
    )
    _changed()
    audit_record(actor=owner, action="missing.site_registered", target=site)
    return site


@transaction.atomic
def site_revoke(*, site: Site, actor) -> None:
    Site.objects.filter(pk=site.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _changed()
    audit_record(actor=actor, action="missing.site_revoked", target=site)


# --- sightings ------------------------------------------------------------------------

@transaction.atomic
def sighting_submit(*, case: Case, place: str, seen_at, description: str, contact: str = "", photo=None,
                    site: Site | None = None) -> Sighting:
    """A member of the public's sighting, for the case's organisation only."""
    if not case.is_active:
        raise Conflict(_("This person has been found; thank you."), code="case_closed")
    place, description, contact = (place or "").strip(), (description or "").strip(), (contact or "").strip()
    if not place or not description:
        raise Invalid(_("Say where and what you saw."), code="sighting_incomplete")
    if len(place) > 200 or len(description) > 2000 or len(contact) > 200:
        raise Invalid(_("The sighting is too long."), code="sighting_too_long")
    if seen_at > timezone.now() + dt.timedelta(minutes=5):
        raise Invalid(_("The time seen cannot be in the future."), code="seen_at_invalid")
    sighting = Sighting(case=case, place=place, seen_at=seen_at, description=description, contact=contact, site=site)
    if photo is not None:
        clean = clean_image(photo)
        sighting.photo.save(clean.content.name, clean.content, save=False)
    sighting.save()
    return sighting


@transaction.atomic
def sighting_move(*, sighting: Sighting, status: str, roles, actor) -> Sighting:
    sighting = Sighting.objects.select_for_update().get(pk=sighting.pk)
    states.check(states.SIGHTING, sighting.status, status, roles)
    sighting.status = status
    sighting.save(update_fields=["status"])
    audit_record(actor=actor, action="missing.sighting_moved", target=sighting, data={"to": status})
    return sighting


# --- counters -------------------------------------------------------------------------

def count(*, kind: str, site: Site | None, case: Case | None, day=None) -> None:
    """One impression or click, added to the day's counter (no IP, no cookie, no visitor id)."""
    day = day or timezone.localdate()
    updated = DailyCount.objects.filter(day=day, kind=kind, site=site, case=case).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                DailyCount.objects.create(day=day, kind=kind, site=site, case=case, count=1)
        except IntegrityError:
            DailyCount.objects.filter(day=day, kind=kind, site=site, case=case).update(count=F("count") + 1)


# --- partner feeds --------------------------------------------------------------------

FEED_FIELDS = ("name", "sex", "birth_date", "lost_at", "region_code", "lost_place", "features", "source_url",
               "expires_on")


@transaction.atomic
def feed_create(*, organisation, name: str, fmt: str, hotline: str, consent_by: str, consent_recorded_by: str,
                url: str = "", mapping: dict | None = None, full: bool = False, every_hours: int = 24, actor) -> Feed:
    if consent_by not in (Case.ConsentBy.FAMILY, Case.ConsentBy.AUTHORITY) or not (consent_recorded_by or "").strip():
        raise Invalid(_("A feed's cases are published only with consent on file: say who gave it and who "
                        "recorded it."), code="consent_missing")
    if fmt not in Feed.Format.values:
        raise Invalid(_("Choose CSV or JSON."), code="format_invalid")
    mapping = mapping or {}
    if not isinstance(mapping, dict) or any(k not in feeds.COMMON or not isinstance(v, str) for k, v in mapping.items()):
        raise Invalid(_("The mapping pairs our field names (%(names)s) with your column names.")
                      % {"names": ", ".join(feeds.COMMON)}, code="mapping_invalid")
    if not (hotline or "").strip():
        raise Invalid(_("Give the hotline people should call."), code="hotline_missing")
    feed = Feed.objects.create(
        organisation=organisation, name=name, format=fmt, hotline=hotline.strip(), consent_by=consent_by,
        consent_recorded_by=consent_recorded_by.strip(), url=url, mapping=mapping, full=full,
        every_hours=max(int(every_hours or 24), 1),
    )
    audit_record(actor=actor, action="missing.feed_created", target=feed)
    return feed


def _fetch_image(url: str):
    """A picture from a feed, under the outbound rules (no private address, time and size
    limits), then type-sniffed, re-encoded and stripped like an upload."""
    try:
        data = remote.get(url)
    except remote.FetchError as exc:
        raise Invalid(_("The picture could not be fetched."), code="picture_unreachable") from exc
    return ContentFile(data, name="feed")


def _close(case: Case, status: str) -> bool:
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not locked.is_active:
            return False
        case_close(case=locked, status=status, roles={SYSTEM}, actor=None)
    return True


def feed_import(*, feed: Feed, data: bytes, actor=None) -> FeedRun:
    """One run of a feed. Closures (a row marked found or withdrawn; in a full feed, a case
    absent from it) apply at once, whatever else happens. New and changed cases apply all
    together or not at all: any bad row rejects them, with one clear error per bad row."""
    organisation = feed.organisation
    existing = {c.ref: c for c in Case.objects.filter(organisation=organisation).exclude(ref="")}
    try:
        records = feeds.parse(data, feed.format)
    except feeds.FeedUnreadable as exc:
        return _run(feed, errors=[{"row": 0, "id": "", "message": str(exc)}])
    rows = feeds.rows(records, feed.mapping or {}, today=timezone.localdate(), tz=timezone.get_current_timezone())
    closed = 0
    for row in rows:
        if row.status != "active" and row.ref in existing and existing[row.ref].is_active:
            closed += _close(existing[row.ref], row.status)
    if feed.full:
        present = {row.ref for row in rows if row.ref}
        for ref, case in existing.items():
            if ref not in present and case.is_active:
                closed += _close(case, Case.Status.WITHDRAWN)
    errors = [{"row": r.number, "id": r.ref, "message": r.error} for r in rows if r.error]
    pending = []
    for row in rows:
        if row.error or row.status != "active":
            continue
        case = existing.get(row.ref)
        if case is not None and not case.is_active:
            continue  # a found or withdrawn case never comes back through a feed
        changed = case is None or any(getattr(case, f) != row.values[f] for f in FEED_FIELDS) or (
            row.photo_url and row.photo_url != case.photo_source)
        if not changed:
            continue
        photo = None
        if row.photo_url and (case is None or row.photo_url != case.photo_source):
            try:
                photo = clean_image(_fetch_image(row.photo_url))
            except (Invalid, TooLarge) as exc:
                errors.append({"row": row.number, "id": row.ref, "message": str(exc.detail)})
                continue
        pending.append((row, case, photo))
    if errors:
        return _run(feed, closed=closed, errors=sorted(errors, key=lambda e: e["row"]))
    created = changed = 0
    with transaction.atomic():
        for row, case, photo in pending:
            values = {**row.values, "hotline": feed.hotline, "consent_by": feed.consent_by,
                      "consent_recorded_by": feed.consent_recorded_by}
            if case is None:
                case = Case(organisation=organisation, consent_recorded_at=timezone.now(), **values)
                created += 1
            else:
                case = Case.objects.select_for_update().get(pk=case.pk)
                for key, value in values.items():
                    setattr(case, key, value)
                changed += 1
            if photo is not None:
                case.photo_source = row.photo_url
                data_ = photo.content.read()
                photo.content.seek(0)
                case.photo.save(photo.content.name, photo.content, save=False)
                case.notice_photo.save("n.jpg", notice_copy(data_), save=False)
            case.save()
        run = _run(feed, created=created, changed=changed, closed=closed)
        _changed()
        audit_record(actor=actor, action="missing.feed_applied", target=feed,
                     data={"created": created, "changed": changed, "closed": closed})
    return run


def _run(feed, *, created=0, changed=0, closed=0, errors=()) -> FeedRun:
    Feed.objects.filter(pk=feed.pk).update(last_run_at=timezone.now())
    return FeedRun.objects.create(
        feed=feed, outcome=FeedRun.Outcome.REJECTED if errors else FeedRun.Outcome.APPLIED,
        created=created, changed=changed, closed=closed, errors=list(errors),
    )


def feeds_resync_due(now=None) -> int:
    """The worker's job: fetch each feed with a URL whose interval has passed (outbound
    rules of remote.get) and import it; a fetch that fails is a rejected run."""
    now = now or timezone.now()
    done = 0
    for feed in Feed.objects.exclude(url="").select_related("organisation"):
        if feed.last_run_at and feed.last_run_at > now - dt.timedelta(hours=feed.every_hours):
            continue
        try:
            data = remote.get(feed.url)
        except remote.FetchError:
            _run(feed, errors=[{"row": 0, "id": "", "message": _("The feed could not be fetched.")}])
            continue
        feed_import(feed=feed, data=data)
        done += 1
    return done
