"""Loading a project's batches on someone's behalf: public to all once the project is, with
the viewer's roles attached for the organisation's own tools; and what the viewer may do
with a batch, from the transition table (`batch_actions`), for the pages to show."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.fulfilment import states
from jusha.fulfilment.models import Batch, DeliveryConfirmation
from jusha.giving.permissions import access_giving_project
from jusha.projects.models import Project
from jusha.projects.permissions import access_project

SIGNATURE_VIEWERS = states.MEMBERS | {"staff"}


def _batch_of(project, number: int) -> Batch:
    batch = Batch.objects.select_related("expenditure").filter(project=project, number=number).first()
    if batch is None:
        raise NotFound(_("There is no such delivery batch."), code="batch_unknown")
    batch.project = project
    return batch


def access_batch(*, user, slug: str, number: int, roles=None) -> Batch:
    """The batch of the project (NotFound for an unknown one, or a project the user may
    not see; Forbidden without one of `roles`), with `project.viewer_roles` set."""
    return _batch_of(access_project(user=user, slug=slug, roles=roles), number)


def access_public_batches(*, slug: str) -> Project:
    """The project whose batches the public API lists: public projects only."""
    return access_giving_project(slug=slug)


def access_public_batch(*, slug: str, number: int) -> Batch:
    """A batch of a public project, with its purchase (the public API's)."""
    return _batch_of(access_public_batches(slug=slug), number)


def access_confirmation(*, batch, pk: int) -> DeliveryConfirmation:
    """One of the batch's delivery confirmations (the batch already loaded for the user)."""
    confirmation = DeliveryConfirmation.objects.filter(batch=batch, pk=pk).first()
    if confirmation is None:
        raise NotFound(_("There is no such delivery."))
    return confirmation


@dataclass(frozen=True)
class BatchActions:
    """What the viewer may do with a batch now, as its page offers it: the next steps the
    transition table allows their roles (guards, such as the purchase's invoice, still
    apply when they take them)."""

    is_member: bool = False
    can_purchase: bool = False
    can_ship: bool = False
    can_mark_delivered: bool = False
    can_disclose: bool = False
    can_confirm: bool = False  # confirm a delivery to one more recipient
    can_see_signatures: bool = False


def batch_actions(batch, roles) -> BatchActions:
    """The viewer's actions on the batch, from `states.BATCH` and their roles in its
    organisation (`project.viewer_roles`); `batch.delivered` is the confirmations so far."""
    roles = set(roles or ())
    targets = {target for role in roles for target in states.BATCH.targets(batch.status, role)}
    members = bool(roles & states.MEMBERS)
    return BatchActions(
        is_member=members,
        can_purchase=states.PURCHASING in targets,
        can_ship=states.SHIPPED in targets,
        can_mark_delivered=states.DELIVERED in targets,
        can_disclose=states.DISCLOSED in targets,
        can_confirm=members and batch.status in states.CONFIRMABLE and batch.delivered < batch.units,
        can_see_signatures=bool(roles & SIGNATURE_VIEWERS),
    )
