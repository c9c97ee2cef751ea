"""Personal-data protection: notices, consents, data-subject requests, settings."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model


class PrivacyNotice(Model):
    """A version of the privacy notice; a new version is a new row, never an edit."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Consent(Model):
    """A consent given (and maybe withdrawn) by a citizen to one notice version."""

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("citizen_id", "purpose", "given_at"),)

    PROCESSING = "processing"  # required to take part
    PUBLISH_WINNER = "publish_winner"  # optional: publish name and commune if winning

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    notice_id: Mapped[int] = mapped_column(ForeignKey("privacy_notices.id"))
    notice_sha256: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(20), default="self")  # self | assisted
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    given_by_guardian: Mapped[bool] = mapped_column(default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)

    notice: Mapped[PrivacyNotice] = relationship()


class DataRequest(Model):
    """A data-subject request (deletion, correction, objection) and its legal deadlines."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="received")
    detail: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    acknowledge_by: Mapped[datetime] = mapped_column(DateTime)
    complete_by: Mapped[datetime] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class Setting(Model):
    """An organizer-editable setting (e.g. retention days), stored as text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
