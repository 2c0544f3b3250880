"""Audit rows: written in the same transaction as the action they record."""

from jusha.core.models import AuditLog


def audit_record(*, actor, action: str, target=None, data: dict | None = None) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
