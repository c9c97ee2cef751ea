"""What reports need to be reproducible: each citizen's commune history and every report issued with a cut-off."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, event
from sqlalchemy.orm import Mapped, mapped_column

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model


class CommuneChange(Model):
    """A citizen moved from one commune to another at a time: figures as of an earlier cut-off use the old one."""

    __tablename__ = "commune_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    from_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    to_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class IssuedReport(Model):
    """A report an organizer downloaded with a cut-off: who, when, the figures and the exact bytes sent."""

    __tablename__ = "issued_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))  # quick | appendix_xlsx | appendix_csv
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    cut_off: Mapped[datetime] = mapped_column(DateTime)
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    filename: Mapped[str] = mapped_column(String(120))
    mimetype: Mapped[str] = mapped_column(String(120))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


def _refuse_change(mapper, connection, target):
    raise PermissionError("history and issued reports are append-only")


for _model in (CommuneChange, IssuedReport):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)
