"""Background work of the alliance (thin wrappers; the logic lives in services and
federation)."""

from django_tasks import task


@task()
def deliver(delivery_id: int) -> str | None:
    """A webhook delivery's first attempt (or a replay), right after its event committed."""
    from jusha.alliance.services import delivery_send

    return delivery_send(delivery_id)


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
