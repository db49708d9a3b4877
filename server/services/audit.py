"""The audit trail: every state change records who did what."""
from __future__ import annotations

from ..extensions import db
from ..models import AuditEvent


def record(actor, action: str, obj=None, **details) -> AuditEvent:
    """Add an audit entry to the session (the caller's transaction commits it)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if getattr(obj, "id", None) is not None else None,
        details=details or None,
    )
    db.session.add(event)
    return event
