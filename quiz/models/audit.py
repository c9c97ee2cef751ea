"""The append-only audit log of staff actions: IDs only, never personal values."""
from datetime import datetime
from typing import Any, NoReturn

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model


class AuditEvent(Model):
    """Who did what to which records, when and why."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(30), default="")
    target_ids: Mapped[list] = mapped_column(JSON, default=list)
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    citizen_count: Mapped[int] = mapped_column(Integer, default=0)


class AuditSubject(Model):
    """Which citizens an audit event touched: an index for "everyone who accessed citizen Y"."""

    __tablename__ = "audit_subjects"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), primary_key=True, index=True)


class CitizenChange(Model):
    """A correction of a citizen's data: which fields changed, by whom; never the values."""

    __tablename__ = "citizen_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


def _refuse_change(mapper: Mapper[Any], connection: Connection, target: object) -> NoReturn:
    raise PermissionError("audit rows are append-only")


for _model in (AuditEvent, AuditSubject):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
