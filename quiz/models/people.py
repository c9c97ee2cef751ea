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
    Integer,
    String,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model
from quiz.models.geography import Commune


class PasswordMixin:
    password_hash: Mapped[str | None]

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return self.password_hash is not None and check_password_hash(self.password_hash, password)


class Citizen(PasswordMixin, UserMixin, Model):
    """A registered contestant. Personal fields become NULL when the person is anonymised."""

    __tablename__ = "citizens"

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
