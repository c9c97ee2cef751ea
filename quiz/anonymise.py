"""Deletion on request and at the end of retention: anonymise the person, keep the anonymous results."""
from datetime import datetime, timedelta

from sqlalchemy import func, select

from quiz.database import write_transaction
from quiz.extensions import db
from quiz.models import Citizen, Round, Setting

RETENTION_SETTING = "retention_days_after_last_round"
DEFAULT_RETENTION_DAYS = 180
PERSONAL_FIELDS = ("full_name", "name_key", "phone", "birth_date", "password_hash", "guardian_name", "guardian_phone")


def anonymise(citizen: Citizen, now: datetime) -> None:
    """Clear every personal field; attempts, scores and commune stay, so every figure is unchanged."""
    for field in PERSONAL_FIELDS:
        setattr(citizen, field, None)
    citizen.anonymised_at = now


def retention_days() -> int:
    value = db.session.get(Setting, RETENTION_SETTING)
    return int(value.value) if value else DEFAULT_RETENTION_DAYS


def set_retention_days(days: int) -> None:
    """Organizer setting: how long personal data is kept after the last round closes."""
    setting = db.session.get(Setting, RETENTION_SETTING) or Setting(key=RETENTION_SETTING, value="")
    setting.value = str(days)
    db.session.add(setting)
    db.session.commit()


def retention_deadline() -> datetime | None:
    """When personal data must be gone: the last round's close plus the retention period."""
    last_close = db.session.scalar(select(func.max(Round.closes_at)))
    return last_close + timedelta(days=retention_days()) if last_close else None


def apply_retention(now: datetime) -> int:
    """Anonymise every citizen whose retention has passed; a second run finds nobody (idempotent)."""
    deadline = retention_deadline()
    if deadline is None or now < deadline:
        return 0
    with write_transaction():
        citizens = db.session.scalars(select(Citizen).where(Citizen.anonymised_at.is_(None))).all()
        for citizen in citizens:
            anonymise(citizen, now)
    return len(citizens)
