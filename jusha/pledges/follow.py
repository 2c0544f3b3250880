"""Pledges that follow their target: the writes a higher app makes on the pledges that go to
one of its targets (a sponsorship pauses while the organisation follows up, resumes by the
donor's choice, ends). The higher app calls these by target kind and ref; pledges never
names it. Each runs in the caller's transaction (a savepoint of its own), through the
pledge transition table, with its PledgeChange row."""

from __future__ import annotations

import logging

from django.db import transaction

from jusha.core.errors import DomainError
from jusha.core.statemachine import SYSTEM
from jusha.payments.providers import get_provider
from jusha.pledges import services
from jusha.pledges.models import Pledge

logger = logging.getLogger("jusha.pledges")


def target_pledges(kind: str, ref: str):
    """The pledges to one target that are not cancelled (newest first)."""
    return Pledge.objects.filter(target_kind=kind, target_ref=str(ref)).exclude(status=Pledge.Status.CANCELLED)


def target_pledges_pause(*, kind: str, ref: str, reason: str) -> int:
    """Pause every active pledge to the target (the platform's step: nothing is charged
    until the target resumes them)."""
    paused = 0
    with transaction.atomic():
        for pledge in target_pledges(kind, ref).select_for_update().filter(status=Pledge.Status.ACTIVE):
            services._move(pledge, Pledge.Status.PAUSED, roles={SYSTEM}, reason=reason)
            paused += 1
    return paused


def target_pledges_resume(*, kind: str, ref: str) -> int:
    """Resume the target's paused pledges on their donor's behalf (the donor chose to carry
    on with the target). A pledge that cannot resume (its project takes no gifts) stays
    paused, logged: the target's own rules then ask the donor."""
    resumed = 0
    for pledge in list(target_pledges(kind, ref).filter(status=Pledge.Status.PAUSED).select_related("donor")):
        try:
            services.pledge_update(pledge=pledge, actor=pledge.donor, status=Pledge.Status.ACTIVE)
        except DomainError as exc:
            logger.warning("pledge %s to %s:%s stays paused: %s", pledge.pk, kind, ref, exc.code)
            continue
        resumed += 1
    return resumed


def target_pledges_cancel(*, kind: str, ref: str, reason: str) -> int:
    """Cancel every pledge to the target (it has ended); their agreements are revoked at the
    provider after commit (nothing is ever charged for a cancelled pledge either way)."""
    count, revoke = 0, []
    with transaction.atomic():
        for pledge in target_pledges(kind, ref).select_for_update():
            services._move(pledge, Pledge.Status.CANCELLED, roles={SYSTEM}, reason=reason)
            count += 1
            if pledge.agreement_id:
                revoke.append((pledge.provider, pledge.agreement_id, pledge.pk))
    for provider, agreement_id, pledge_id in revoke:
        transaction.on_commit(lambda p=provider, a=agreement_id, i=pledge_id: _revoke(p, a, i))
    return count


def _revoke(provider: str, agreement_id: str, pledge_id) -> None:
    try:
        get_provider(provider).agreement_revoke(agreement_id)
    except Exception:  # noqa: BLE001 - cancelled here either way: no charge is ever made for it
        logger.exception("could not revoke agreement of pledge %s", pledge_id)
