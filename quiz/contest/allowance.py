"""One person, one allowance: a round's attempts are counted per phone (a keyed hash), not per registration.

Deleting one's data anonymises the citizen row (the phone is gone from it), so a count kept per
citizen would start again at zero for the same phone registered anew. The count kept here is keyed
by the phone's pseudonym and outlives the deletion; it is deleted with the round's retention. A
per-day or per-week allowance is counted the same way, for the Vietnam day or week under way.
"""
from datetime import datetime, time, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, func, select

from quiz.errors import AttemptError
from quiz.infra.clock import local_to_utc, to_local
from quiz.infra.extensions import db
from quiz.infra.pseudonyms import phone_key
from quiz.models import Attempt, BestResult, Citizen, ClientSignal, Round, RoundAllowance

REGISTRATION_SIGNALS_KEPT = timedelta(days=90)  # registration bursts are judged within minutes of them


PER_ROUND, PER_DAY, PER_WEEK = "round", "day", "week"


def allowance_window(period: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The UTC bounds of the day or week (Monday first) in Vietnam time that contains `now`."""
    if period == PER_ROUND:
        return None, None
    local_date = to_local(now).date()
    if period == PER_WEEK:
        local_date -= timedelta(days=local_date.weekday())
    start = local_to_utc(datetime.combine(local_date, time()))
    return start, start + timedelta(days=7 if period == PER_WEEK else 1)


def _citizen_phone_key(citizen_id: int) -> str | None:
    phone = db.session.scalar(select(Citizen.phone).where(Citizen.id == citizen_id))
    return phone_key(phone) if phone else None


def _own_count(round_id: int, citizen_id: int, start: datetime | None = None, end: datetime | None = None) -> int:
    """Attempts this registration started in the round, within [start, end) when given."""
    stmt = select(func.count(Attempt.id)).where(Attempt.round_id == round_id, Attempt.citizen_id == citizen_id)
    if start is not None:
        stmt = stmt.where(Attempt.started_at >= start, Attempt.started_at < end)
    return db.session.scalar(stmt) or 0


def _phone_count(row: RoundAllowance | None, start: datetime | None) -> int:
    """The phone's attempts in the whole period (no start) or in the window starting at `start`."""
    if row is None:
        return 0
    if start is None:
        return row.attempts_used
    return row.window_used if row.window_start == start else 0


def _phone_row(round_id: int, key: str | None, for_update: bool = False) -> RoundAllowance | None:
    if key is None:
        return None
    stmt = select(RoundAllowance).where(RoundAllowance.round_id == round_id, RoundAllowance.phone_key == key)
    return db.session.scalar(stmt.with_for_update() if for_update else stmt)


def attempts_used(round_id: int, citizen_id: int, start: datetime | None = None, end: datetime | None = None) -> int:
    """Attempts the citizen's phone used in the round (or in the day/week [start, end)), across every
    registration of that phone."""
    row = _phone_row(round_id, _citizen_phone_key(citizen_id))
    return max(_phone_count(row, start), _own_count(round_id, citizen_id, start, end))


def take_one(round_: Round, citizen_id: int, now: datetime) -> int:
    """Count one more attempt for the citizen's phone, in the period and in its day or week (inside the
    start's write transaction).

    Returns the citizen's own number for the new attempt; raises AttemptError when the phone used the period's.
    """
    own = _own_count(round_.id, citizen_id)
    key = _citizen_phone_key(citizen_id)
    row = _phone_row(round_.id, key, for_update=True)
    used = max(_phone_count(row, None), own)
    # a per-day or per-week allowance is checked, with its own sentence, by contest_rules.check_allowance
    if round_.allowance_period == PER_ROUND and used >= round_.attempts_allowed:
        raise AttemptError(f"Bạn đã dùng hết {round_.attempts_allowed} lượt thi của đợt này.")
    if key is not None:
        if row is None:
            row = RoundAllowance(round_id=round_.id, phone_key=key, attempts_used=0, window_used=0)
            db.session.add(row)
        start, end = allowance_window(round_.allowance_period, now)
        if start is not None:
            in_window = max(_phone_count(row, start), _own_count(round_.id, citizen_id, start, end))
            row.window_start, row.window_used = start, in_window + 1
        row.attempts_used = used + 1
        row.best_score = _best_of(round_.id, citizen_id, row.best_score)
        row.updated_at = now
    return own + 1


def _best_of(round_id: int, citizen_id: int, kept: int | None) -> int | None:
    score = db.session.scalar(select(BestResult.score).where(BestResult.round_id == round_id,
                                                             BestResult.citizen_id == citizen_id))
    return max(s for s in (score, kept) if s is not None) if score is not None or kept is not None else None


def keep_before_deletion(citizen_id: int, now: datetime) -> None:
    """Write the citizen's best score per round into the phone's allowances before the phone is erased."""
    key = _citizen_phone_key(citizen_id)
    if key is None:
        return
    for row in db.session.scalars(select(RoundAllowance).where(RoundAllowance.phone_key == key)):
        row.best_score = _best_of(row.round_id, citizen_id, row.best_score)
        row.updated_at = now


def purge_expired_allowances(now: datetime, retention_days: int) -> int:
    """Delete the allowances of rounds closed longer ago than the retention period; the number deleted."""
    expired = select(Round.id).where(Round.closes_at < now - timedelta(days=retention_days))
    result = db.session.execute(delete(RoundAllowance).where(RoundAllowance.round_id.in_(expired)))
    db.session.execute(delete(ClientSignal).where(ClientSignal.round_id.in_(expired)))
    db.session.execute(delete(ClientSignal).where(ClientSignal.round_id.is_(None),
                                                  ClientSignal.at < now - REGISTRATION_SIGNALS_KEPT))
    db.session.commit()
    return cast(CursorResult, result).rowcount or 0
