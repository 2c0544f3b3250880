from datetime import timedelta

from django.conf import settings

from jusha.core.idempotency import purge_expired


def idempotency_purge() -> int:
    """Forget Idempotency-Keys older than their promise (at least 24 h)."""
    return purge_expired(older_than=timedelta(seconds=settings.JUSHA_IDEMPOTENCY_TTL))
