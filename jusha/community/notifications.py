"""In-app notifications, each kind with an opt-out per channel, and one daily digest email
(never one mail per event), through Django's mail backend."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jusha.community.models import Notification, NotificationOptOut

APP, EMAIL = NotificationOptOut.Channel.APP, NotificationOptOut.Channel.EMAIL
DIGEST_BATCH = 500  # members per run of the digest job


def notify(*, users, kind: str, text: str, url: str = "") -> int:
    """One notification to each of `users` (ids) who has not turned this kind off in both
    the app and the email. Written in the caller's transaction."""
    users = {int(u) for u in users if u}
    if not users:
        return 0
    off_everywhere = _off_everywhere(users, kind)
    rows = [Notification(user_id=u, kind=kind, text=text[:300], url=url[:200]) for u in sorted(users - off_everywhere)]
    Notification.objects.bulk_create(rows)
    return len(rows)


def _off_everywhere(users, kind) -> set[int]:
    channels = defaultdict(set)
    for user_id, channel in NotificationOptOut.objects.filter(user_id__in=users, kind=kind).values_list("user_id", "channel"):
        channels[user_id].add(channel)
    return {u for u, chosen in channels.items() if chosen >= {APP, EMAIL}}


def opt_outs_of(user) -> set[tuple[str, str]]:
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", "channel"))


def opt_outs_set(*, user, opt_outs: set[tuple[str, str]]) -> None:
    kinds, channels = set(Notification.Kind.values), set(NotificationOptOut.Channel.values)
    wanted = {(k, c) for k, c in opt_outs if k in kinds and c in channels}
    NotificationOptOut.objects.filter(user=user).delete()
    NotificationOptOut.objects.bulk_create([NotificationOptOut(user=user, kind=k, channel=c) for k, c in sorted(wanted)])


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    found = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        found = found.filter(pk__in=list(ids))
    return found.update(read_at=timezone.now())


def digest_send(*, now=None) -> int:
    """The daily digest: for each member with notifications not yet digested, one email
    listing those of the kinds they get by email (none sent when none are left); every
    notification is digested once. Safe to run twice at once: rows are claimed first."""
    now = now or timezone.now()
    users = list(
        Notification.objects.filter(digested_at__isnull=True, created_at__lte=now)
        .values_list("user_id", flat=True).distinct().order_by("user_id")[:DIGEST_BATCH]
    )
    sent = 0
    for user in get_user_model().objects.filter(pk__in=users, is_active=True):
        with transaction.atomic():
            claimed = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(user=user, digested_at__isnull=True, created_at__lte=now).order_by("created_at")
            )
            if not claimed:
                continue
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(digested_at=now)
            muted = set(NotificationOptOut.objects.filter(user=user, channel=EMAIL).values_list("kind", flat=True))
            wanted = [n for n in claimed if n.kind not in muted]
            if wanted and user.email:
                subject, body = _digest(user, wanted)
                transaction.on_commit(lambda s=subject, b=body, to=user.email: send_mail(s, b, None, [to]))
                sent += 1
    return sent


def _digest(user, items) -> tuple[str, str]:
    base = settings.JUSHA_PUBLIC_URL.rstrip("/")
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        subject = _("Jusha: %(n)d things happened in your circles and teams") % {"n": len(items)}
        lines = [_("Hello %(name)s, here is what happened since the last digest:") % {"name": user.public_name}, ""]
        lines += [f"- {n.text}" + (f"\n  {base}{n.url}" if n.url else "") for n in items]
        lines += ["", _("Choose which notifications you get by email: %(url)s") % {"url": base + "/community/settings/"}]
    return subject, "\n".join(lines)
