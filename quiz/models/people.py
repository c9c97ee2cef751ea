"""People who log in: citizens (contestants) and staff (organizers, commune admins)."""
from datetime import date, datetime

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
from sqlalchemy import false as sa_false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model
from quiz.infra.passwords import hash_password, new_session_token, verify_password
from quiz.infra.passwords_hash import HashCost
from quiz.infra.settings import settings
from quiz.models.geography import Commune


def password_cost() -> HashCost:
    """The argon2id cost of the app (tests use a cheap one), read once at start-up."""
    return settings().password_cost


class PasswordMixin:
    """A password hash and the per-account session token that every session and remember-me cookie carries."""

    id: Mapped[int]
    password_hash: Mapped[str | None]
    session_token: Mapped[str]
    ID_KIND = ""
    # A rehash found due by check_password (an older scrypt hash, or a changed cost), for the caller to store.
    upgraded_password_hash: str | None = None

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password, password_cost())

    def check_password(self, password: str) -> bool:
        check = verify_password(self.password_hash, password, password_cost())
        self.upgraded_password_hash = check.new_hash
        return check.matches

    def end_sessions(self) -> None:
        """A new token: every session and remember-me cookie carrying the old one stops working."""
        self.session_token = new_session_token()

    def get_id(self) -> str:
        """Flask-Login's id, in the session and in the remember-me cookie: kind, row id and session token."""
        if not self.session_token:
            self.session_token = new_session_token()
        return f"{self.ID_KIND}:{self.id}:{self.session_token}"


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
    referral_code: Mapped[str | None] = mapped_column(String(16), unique=True)  # the share link (lan tỏa)
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id"), index=True)
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # set by a staff reset: the temporary password opens one session before this time (then it is spent)
    temporary_password_until: Mapped[datetime | None] = mapped_column(DateTime)

    commune: Mapped[Commune] = relationship()  # loaded on use: the login loader needs only the code
    ID_KIND = "c"

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
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)

    commune: Mapped[Commune | None] = relationship()
    ID_KIND = "s"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_staff(self) -> bool:
        return True

    @property
    def is_organizer(self) -> bool:
        return self.role == self.ORGANIZER
