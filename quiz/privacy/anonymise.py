"""Deletion on request and at the end of retention: anonymise the person, keep the anonymous results."""
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from quiz.audit import record
from quiz.contest.allowance import keep_before_deletion
from quiz.contest.prizes import keep_winner_keys_before_deletion
from quiz.errors import DomainError
from quiz.infra.converters import bounded_int
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.passwords import new_session_token
from quiz.models import AuditEvent, AuditSubject, Citizen, DataRequest, Round, Setting

RETENTION_SETTING = "retention_days_after_last_round"
DEFAULT_RETENTION_DAYS = 180
RETENTION_DAYS_RANGE = range(1, 3651)  # up to ten years: any more overflows no date, but means nothing
PERSONAL_FIELDS = ("full_name", "name_key", "phone", "birth_date", "password_hash", "guardian_name", "guardian_phone",
                   "referral_code")  # the share link stops working; who was referred stays as an anonymous count


ANONYMISED_DETAIL = "(đã ẩn danh)"
RETENTION_BATCH = 1000


def anonymise(citizen: Citizen, now: datetime) -> None:
    """Clear every personal field; attempts, scores and commune stay, so every figure is unchanged.
    What is counted per person (the attempt allowance, the prize cap) keeps the phone's pseudonym first."""
    keep_before_deletion(citizen.id, now)
    keep_winner_keys_before_deletion(citizen.id)
    for field in PERSONAL_FIELDS:
        setattr(citizen, field, None)
    citizen.anonymised_at = now
    # what the person wrote in a request may name them; the request itself (kind, dates) stays as proof
    citizen.session_token = new_session_token()
    db.session.execute(update(DataRequest).where(DataRequest.citizen_id == citizen.id)
                       .values(detail=ANONYMISED_DETAIL), execution_options={"synchronize_session": "fetch"})
    redact_audit_reasons([citizen.id])


def redact_audit_reasons(citizen_ids: list[int]) -> None:
    """A staff member's free-text reason (reveal, export) may name the person: it goes with their data.

    The audit row stays (who did what, when, to which IDs); only its reason text is replaced. A bulk
    UPDATE, deliberately: the ORM refuses edits of audit rows (append-only) and this is the one exception.
    """
    events = select(AuditSubject.event_id).where(AuditSubject.citizen_id.in_(citizen_ids))
    db.session.execute(update(AuditEvent).where(AuditEvent.id.in_(events), AuditEvent.reason != "")
                       .values(reason=ANONYMISED_DETAIL), execution_options={"synchronize_session": False})


def retention_days() -> int:
    """The organizer's setting: days personal data is kept after the last round closes."""
    value = db.session.get(Setting, RETENTION_SETTING)
    try:
        days = bounded_int(value.value, 0, 10**10) if value else DEFAULT_RETENTION_DAYS
    except ValueError:
        return DEFAULT_RETENTION_DAYS
    return min(max(days, RETENTION_DAYS_RANGE.start), RETENTION_DAYS_RANGE.stop - 1)


def set_retention_days(days: int, staff_id: int | None = None) -> None:
    """Organizer setting: how long personal data is kept after the last round closes (audited)."""
    if days not in RETENTION_DAYS_RANGE:
        raise DomainError("Thời gian lưu dữ liệu phải từ 1 đến 3.650 ngày.", "days")
    with write_transaction():
        setting = db.session.get(Setting, RETENTION_SETTING) or Setting(key=RETENTION_SETTING, value="")
        old = setting.value
        setting.value = str(days)
        db.session.add(setting)
        record(staff_id, "set_retention_days", "setting", [RETENTION_SETTING], changes={"old": old, "new": str(days)})


def retention_deadline() -> datetime | None:
    """When personal data must be gone: the last round's close plus the retention period."""
    last_close = db.session.scalar(select(func.max(Round.closes_at)))
    return last_close + timedelta(days=retention_days()) if last_close else None


def apply_retention(now: datetime) -> int:
    """Anonymise every citizen whose retention has passed; a second run finds nobody (idempotent)."""
    deadline = retention_deadline()
    if deadline is None or now < deadline:
        return 0
    total = 0
    while True:  # batches keep each transaction (and the lock on SQLite) short for a city-sized table
        with write_transaction():
            ids = list(db.session.scalars(select(Citizen.id).where(Citizen.is_active)
                                          .order_by(Citizen.id).limit(RETENTION_BATCH)))
            if ids:
                db.session.execute(update(Citizen).where(Citizen.id.in_(ids)).values(
                    {**dict.fromkeys(PERSONAL_FIELDS), "anonymised_at": now,
                     "session_token": new_session_token()}),
                    execution_options={"synchronize_session": False})
                db.session.execute(update(DataRequest).where(DataRequest.citizen_id.in_(ids))
                                   .values(detail=ANONYMISED_DETAIL), execution_options={"synchronize_session": False})
                redact_audit_reasons(ids)
        if not ids:
            break
        total += len(ids)
    if total:
        with write_transaction():
            record(None, "apply_retention", "", [], changes={"citizens": total})
    db.session.expire_all()
    return total
