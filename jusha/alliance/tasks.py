"""Background work of the alliance (thin wrappers; the logic lives in services and
federation)."""

from django_tasks import task


@task()
def deliver(delivery_ids: list[int]) -> list[str | None]:
    """The first attempt of an event's deliveries (one task for all its endpoints, so the
    gift path queues one task row, not one per endpoint), or a replay."""
    from jusha.alliance.services import delivery_send

    return [delivery_send(pk) for pk in delivery_ids]


@task()
def deliver_due() -> int:
    from jusha.alliance.services import deliveries_send_due

    return deliveries_send_due()


@task()
def notify_disabled(endpoint_id: int) -> int:
    from jusha.alliance.services import endpoint_disabled_email

    return endpoint_disabled_email(endpoint_id)


@task()
def federate(delivery_id: int) -> str | None:
    """An ActivityPub activity's first attempt to one inbox."""
    from jusha.alliance.federation import activity_delivery_send

    return activity_delivery_send(delivery_id)
