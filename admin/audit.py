"""Recording staff actions in the append-only audit log (IDs, never personal values)."""
from collections.abc import Iterable

from quiz.clock import utcnow
from quiz.extensions import db
from quiz.models import AuditEvent


def record(actor_id: int | None, action: str, target_type: str = "",
           target_ids: Iterable[int | str] = (), changes: dict | None = None,
           reason: str = "") -> AuditEvent:
    """Add an audit event to the session; it is committed with the action it describes."""
    ids = list(target_ids)
    event = AuditEvent(at=utcnow(), actor_id=actor_id, action=action, target_type=target_type,
                       target_ids=ids, changes=changes or {}, reason=reason,
                       citizen_count=len(ids) if target_type == "citizen" else 0)
    db.session.add(event)
    return event
