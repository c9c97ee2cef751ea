"""What keeps the contest fair: per-phone allowances, one-time codes, verified phones, integrity flags."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model


class RoundAllowance(Model):
    """The attempts a phone used in a round, keyed by a keyed hash (HMAC) of the phone, never the number.

    It outlives the citizen's deletion (so deleting and registering again gives no fresh attempts)
    and is deleted with the round's retention.
    """

    __tablename__ = "round_allowances"
    __table_args__ = (UniqueConstraint("round_id", "phone_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    phone_key: Mapped[str] = mapped_column(String(64))
    attempts_used: Mapped[int] = mapped_column(Integer, default=0)
    # a per-day or per-week allowance: the phone's attempts in the Vietnam day/week that starts at window_start
    window_start: Mapped[datetime | None] = mapped_column(DateTime)
    window_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    best_score: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PhoneCode(Model):
    """A one-time code sent by SMS, stored as a keyed hash; for one purpose (verify_phone, reset_password…)."""

    __tablename__ = "phone_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(30))
    code_hash: Mapped[str] = mapped_column(String(64))
    ip_key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class PhoneVerification(Model):
    """A citizen's phone is theirs: proven by a code (method "sms") or checked in person by a commune admin."""

    __tablename__ = "phone_verifications"

    SMS = "sms"
    IN_PERSON = "in_person"

    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), primary_key=True)
    method: Mapped[str] = mapped_column(String(20))
    verified_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class ClientSignal(Model):
    """Keyed hashes of the network (/24 or /64) and of the device cookie, at a registration or an attempt's start.

    Only for the integrity flags; no address or cookie value is stored, and rows go with the round's retention.
    """

    __tablename__ = "client_signals"

    REGISTRATION = "registration"
    ATTEMPT = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    net_key: Mapped[str] = mapped_column(String(24))
    device_key: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class IntegrityFlag(Model):
    """A reason to look at a citizen's result in a round; it never blocks anything by itself."""

    __tablename__ = "integrity_flags"
    __table_args__ = (UniqueConstraint("round_id", "citizen_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Disqualification(Model):
    """An organizer took a citizen's result out of a round's ranking and prizes (lifted_at set: reversed)."""

    __tablename__ = "disqualifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)
