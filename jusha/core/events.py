"""How a lower app tells higher ones that something happened, without naming them.

The layer order (docs/architecture.md) lets an app import only the apps below it. When
something in a lower app matters to higher ones (a gift was paid, a project was
cancelled), the lower app announces an `Event`; the higher apps subscribe in their
`AppConfig.ready()`. Each subscriber says when it runs:

- `in_transaction`: inside the announcer's transaction, so its writes commit or roll back
  with the announcer's (a gift's match, its relay figures);
- `after_commit`: once that transaction has committed (tasks to queue, totals to re-read).
  These run robustly: one subscriber's failure is logged and never stops the others nor
  undoes the committed work. One that subscribes with `many=True` takes a list of
  payloads: inside a `batch()`, once after commit with all of the batch's payloads (in
  the order announced), so that it reads what it needs for all of them at once (the
  projects' totals); outside a batch, with the one payload.

Subscribers run in the order of their `order` numbers, which are explicit and unique per
event and phase, so that the order is a decision (and a test), not an accident of which
app happened to load first.

The platform's shared events are declared here, in the lowest app, so that any app can
subscribe; only the app that owns the fact announces it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction

logger = logging.getLogger("jusha.events")

_batch = threading.local()


@contextmanager
def batch():
    """Many announcements of one event in one transaction (giving's settler: a batch of
    paid gifts). Inside it `batch_state()` is a dict that in-transaction subscribers may
    keep what they took for one payload in, for the next (matching: the pool chunk it
    draws on); it is forgotten when the block ends, before the transaction commits, after
    the callbacks given to `at_batch_end` have run."""
    outer = getattr(_batch, "state", None) is None
    if outer:
        _batch.state = {}
    try:
        yield
        if outer:
            ends = _batch.state.get("core.events.at_end", [])
            while ends:
                ends.pop(0)()
    finally:
        if outer:
            _batch.state = None


def batch_state() -> dict | None:
    """The current batch's scratch dict (see `batch`), or None outside a batch."""
    return getattr(_batch, "state", None)


def at_batch_end(callback: Callable[[], None]) -> None:
    """Inside a batch: call `callback()` once the batch's announcements are done (when the
    block ends without an error), still in its transaction, in the order registered: a
    subscriber that kept writes back for the batch makes them then, all at once (matching:
    the batch's matches and what it drew on its chunks)."""
    state = batch_state()
    if state is None:
        raise RuntimeError("at_batch_end is for a batch (core.events.batch)")
    state.setdefault("core.events.at_end", []).append(callback)


IN_TRANSACTION = "in_transaction"
AFTER_COMMIT = "after_commit"
PHASES = (IN_TRANSACTION, AFTER_COMMIT)


@dataclass(frozen=True)
class Subscriber:
    order: int
    phase: str
    handler: Callable
    many: bool = False  # after commit: takes a list of payloads (a batch's, at once)

    @property
    def name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


@dataclass
class Event:
    """A named happening with ordered subscribers. `announce(payload)` must be called
    inside a transaction when any subscriber runs after commit."""

    name: str
    _subscribers: list[Subscriber] = field(default_factory=list, repr=False)

    def subscribe(self, handler: Callable, *, order: int, phase: str = IN_TRANSACTION, many: bool = False) -> Callable:
        if phase not in PHASES:
            raise ValueError(f"unknown phase {phase!r} for {self.name}")
        if many and phase != AFTER_COMMIT:
            raise ValueError(f"{self.name}: only after-commit subscribers take many payloads at once")
        for existing in self._subscribers:
            if existing.handler is handler and existing.phase == phase:
                return handler  # ready() may run twice (tests, reloads): subscribing is idempotent
            if existing.order == order and existing.phase == phase:
                raise ValueError(f"{self.name}: order {order} ({phase}) is taken by {existing.name}")
        self._subscribers.append(Subscriber(order, phase, handler, many))
        self._subscribers.sort(key=lambda s: (PHASES.index(s.phase), s.order))
        return handler

    def subscribers(self, phase: str | None = None) -> list[Subscriber]:
        return [s for s in self._subscribers if phase is None or s.phase == phase]

    def announce(self, payload) -> None:
        for subscriber in self.subscribers(IN_TRANSACTION):
            subscriber.handler(payload)
        state = batch_state()
        for subscriber in self.subscribers(AFTER_COMMIT):
            if subscriber.many:
                if state is None:
                    transaction.on_commit(partial(_run_after_commit, self.name, subscriber, [payload]))
                    continue
                # In a batch: one run after commit, with the list that the batch's later
                # announcements add their payloads to.
                key = ("core.events.many", self.name, subscriber.order)
                if key not in state:
                    state[key] = []
                    transaction.on_commit(partial(_run_after_commit, self.name, subscriber, state[key]))
                state[key].append(payload)
                continue
            transaction.on_commit(partial(_run_after_commit, self.name, subscriber, payload))


def _run_after_commit(event: str, subscriber: Subscriber, payload) -> None:
    try:
        subscriber.handler(payload)
    except Exception:  # noqa: BLE001 - the announcer's work has committed; the others still run
        logger.exception("%s: after-commit subscriber %s failed", event, subscriber.name)


# --- the platform's shared events ------------------------------------------------------

@dataclass(frozen=True)
class GiftOpened:
    """A gift was opened (pending payment), in the transaction that saved it. `client` is
    the core.client.ClientContext of whoever opened it; `ref` the share-link code it came
    through ("" for none); `context` what the opening page adds (a campaign, later a team)."""

    donation: object  # giving.models.Donation
    client: object
    ref: str = ""
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GiftPaid:
    """A gift's payment was recorded (once, in the transaction that recorded it).
    `overflow`: it arrived when its project was no longer taking gifts (expired intent,
    full or closed project): it is never matched."""

    donation: object  # giving.models.Donation, loaded with its project
    overflow: bool


@dataclass(frozen=True)
class GiftRefunded:
    """(Part of) a paid gift was refunded: `refund` is the giving.models.Refund row."""

    donation: object
    refund: object


@dataclass(frozen=True)
class GiftFeeChanged:
    """What a payment provider keeps of a paid gift changed after it was paid: its statement
    added to the fee (`refund` None), or it gave part of the fee back with `refund` (the
    giving.models.Refund). The fee journalled when the gift is paid is known to gift_paid's
    subscribers already (journalled before it is announced): this event is not announced for it."""

    donation: object
    refund: object = None


@dataclass(frozen=True)
class ProjectCancelled:
    """A project was cancelled (by its organisation, by staff or by the platform when its
    fundraising ended short), in that transaction. `reason`: the one given (may be empty);
    `raised`: what it had raised (paid gifts minus refunds) when it was cancelled."""

    project: object
    actor: object = None
    reason: str = ""
    raised: int = 0


@dataclass(frozen=True)
class CampaignChanged:
    """A campaign was published or its window or hours edited, in that transaction (what
    its pools may match changes with it)."""

    campaign: object


@dataclass(frozen=True)
class DeliveryConfirmed:
    """One unit of a delivery batch was handed to one recipient (fulfilment's
    DeliveryConfirmation, with its batch), in the transaction that recorded it."""

    confirmation: object
    batch: object
    actor: object = None


@dataclass(frozen=True)
class ProjectStatusChanged:
    """A project moved from `source` to `target` (every step of its lifecycle, cancelling
    included), in that transaction. `actor` None: the platform itself."""

    project: object
    source: str
    target: str
    actor: object = None
    reason: str = ""


@dataclass(frozen=True)
class ProjectUpdated:
    """A project's public content changed, in that transaction: a progress update was
    posted (`update` is the projects.models.ProjectUpdate), or its draft was edited
    (`update` None)."""

    project: object
    update: object = None


@dataclass(frozen=True)
class ExpenditureRecorded:
    """Money was spent on a project (ledger.models.Expenditure), in that transaction."""

    expenditure: object


@dataclass(frozen=True)
class BatchDelivered:
    """A delivery batch (fulfilment.models.Batch, with its project) was delivered."""

    batch: object


@dataclass(frozen=True)
class MissingCaseFound:
    """A missing person was found (missing.models.Case, its organisation loaded); the
    case's private fields are never part of what subscribers may publish."""

    case: object


gift_opened = Event("gift opened")  # announced by giving; GiftOpened
gift_paid = Event("gift paid")  # announced by giving; GiftPaid
gift_refunded = Event("gift refunded")  # announced by giving; GiftRefunded
gift_fee_changed = Event("gift fee changed")  # announced by giving; GiftFeeChanged
project_cancelled = Event("project cancelled")  # announced by projects; ProjectCancelled
campaign_changed = Event("campaign changed")  # announced by campaigns; CampaignChanged
delivery_confirmed = Event("delivery confirmed")  # announced by fulfilment; DeliveryConfirmed
project_status_changed = Event("project status changed")  # announced by projects; ProjectStatusChanged
project_updated = Event("project updated")  # announced by projects; ProjectUpdated
expenditure_recorded = Event("expenditure recorded")  # announced by ledger; ExpenditureRecorded
batch_delivered = Event("batch delivered")  # announced by fulfilment; BatchDelivered
missing_case_found = Event("missing case found")  # announced by missing; MissingCaseFound


# --- contributions: a lower app's page or answer that higher apps add to ----------------

@dataclass
class Contributions:
    """A named extension point: a lower app's page, API answer or check offers it, higher
    apps `register` providers in `AppConfig.ready()`, and `collect(...)` calls them in the
    order of their explicit, unique `order` numbers and returns their results."""

    name: str
    _providers: list[tuple[int, Callable]] = field(default_factory=list, repr=False)

    def register(self, provider: Callable, *, order: int) -> Callable:
        for existing_order, existing in self._providers:
            if existing is provider:
                return provider  # ready() may run twice: registering is idempotent
            if existing_order == order:
                raise ValueError(f"{self.name}: order {order} is taken by {existing.__module__}.{existing.__qualname__}")
        self._providers.append((order, provider))
        self._providers.sort(key=lambda pair: pair[0])
        return provider

    def providers(self) -> list[Callable]:
        return [provider for _order, provider in self._providers]

    def collect(self, *args, **kwargs) -> list:
        return [provider(*args, **kwargs) for provider in self.providers()]
