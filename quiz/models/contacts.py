"""Where a citizen turns for help: the commune office's contact, entered by its commune admin."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model


class CommuneContact(Model):
    """The commune's help desk for the contest: who, phone, address, opening hours."""

    __tablename__ = "commune_contacts"

    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), primary_key=True)
    office_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(300))
    hours: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
