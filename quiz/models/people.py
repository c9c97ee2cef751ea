"""People who log in: citizens (contestants) and staff (organizers, commune admins)."""
from datetime import date, datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model
from quiz.infra.passwords_hash import (
    OWASP_MINIMUM,
    HashCost,
    hash_password,
    verify_password,
)
from quiz.models.geography import Commune


def _hash_cost() -> HashCost:
    if not has_app_context():
        return OWASP_MINIMUM
    config = current_app.config
    return HashCost(config["ARGON2_MEMORY_KIB"], config["ARGON2_TIME_COST"], config["ARGON2_LANES"])


class PasswordMixin:
    password_hash: Mapped[str | None]
    # A rehash found due by check_password (an older scrypt hash, or a changed cost), for the caller to store.
    upgraded_password_hash: str | None = None

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password, _hash_cost())

    def check_password(self, password: str) -> bool:
        check = verify_password(self.password_hash, password, _hash_cost())
        self.upgraded_password_hash = check.new_hash
        return check.matches


class Citizen(PasswordMixin, UserMixin, Model):
    """A registered contestant. Personal fields become NULL when the person is anonymised."""

    __tablename__ = "citizens"
    # reports as of a cut-off count registrations per commune up to a time: a covering index
    __table_args__ = (Index("ix_citizens_commune_code_created_at", "commune_code", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str | None] = mapped_column(String(100))
    name_key: Mapped[str | None] = mapped_column(String(100), index=True)
    phone: Mapped[str | None] = mapped_column(String(15), unique=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    guardian_name: Mapped[str | None] = mapped_column(String(100))
    guardian_phone: Mapped[str | None] = mapped_column(String(15))
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)

    commune: Mapped[Commune] = relationship()  # loaded on use: the login loader needs only the code

    def get_id(self) -> str:
        return f"c:{self.id}"

    @hybrid_property
    def is_active(self) -> bool:
        """Not anonymised: an anonymised row keeps only its commune and results."""
        return self.anonymised_at is None

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> ColumnElement[bool]:
        return cls.anonymised_at.is_(None)

    @property
    def is_staff(self) -> bool:
        return False


class StaffUser(PasswordMixin, UserMixin, Model):
    """An organizer (whole province) or a commune admin (exactly one commune)."""

    __tablename__ = "staff_users"

    ORGANIZER = "organizer"
    COMMUNE_ADMIN = "commune_admin"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)

    commune: Mapped[Commune | None] = relationship()

    def get_id(self) -> str:
        return f"s:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return True

    @property
    def is_organizer(self) -> bool:
        return self.role == self.ORGANIZER
