"""Recording staff actions in the append-only audit log (IDs, never personal values), and reading it."""
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from quiz.errors import ValidationError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import AuditEvent, AuditSubject


def record(actor_id: int | None, action: str, target_type: str = "",
           target_ids: Iterable[int | str] = (), changes: dict | None = None,
           reason: str = "") -> AuditEvent:
    """Add an audit event to the session; it is committed with the action it describes."""
    ids = list(target_ids)
    event = AuditEvent(at=utcnow(), actor_id=actor_id, action=action, target_type=target_type,
                       target_ids=ids, changes=changes or {}, reason=reason,
                       citizen_count=len(ids) if target_type == "citizen" else 0)
    db.session.add(event)
    if target_type == "citizen" and ids:
        db.session.flush()
        db.session.add_all(AuditSubject(event_id=event.id, citizen_id=int(i)) for i in set(ids))
    return event


def events(actor_id: int | None = None, citizen_id: int | None = None, action: str | None = None,
           since: datetime | None = None, until: datetime | None = None, limit: int = 200) -> list[AuditEvent]:
    """Audit events filtered by staff member, citizen touched, action and time range, newest first."""
    stmt = select(AuditEvent)
    if citizen_id is not None:
        stmt = stmt.join(AuditSubject, AuditSubject.event_id == AuditEvent.id).where(AuditSubject.citizen_id == citizen_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at <= until)
    return list(db.session.scalars(stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


REASON_MIN_LENGTH = 5  # a reason for seeing personal data: short, but never empty


def require_reason(reason: str, what: str) -> str:
    """The stated reason for an access to personal data, or ValidationError naming `what` was wanted."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(f"Vui lòng ghi lý do cần {what} (ít nhất {REASON_MIN_LENGTH} ký tự).", "reason")
    return reason[:500]
