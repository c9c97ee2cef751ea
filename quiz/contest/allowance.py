"""One person, one allowance: a round's attempts are counted per phone (a keyed hash), not per registration.

Deleting one's data anonymises the citizen row (the phone is gone from it), so a count kept per
citizen would start again at zero for the same phone registered anew. The count kept here is keyed
by the phone's pseudonym and outlives the deletion; it is deleted with the round's retention.
"""
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, delete, func, select

from quiz.errors import AttemptError
from quiz.infra.extensions import db
from quiz.infra.pseudonyms import phone_key
from quiz.models import Attempt, BestResult, Citizen, ClientSignal, Round, RoundAllowance

REGISTRATION_SIGNALS_KEPT = timedelta(days=90)  # registration bursts are judged within minutes of them


def _citizen_phone_key(citizen_id: int) -> str | None:
    phone = db.session.scalar(select(Citizen.phone).where(Citizen.id == citizen_id))
    return phone_key(phone) if phone else None


def _own_count(round_id: int, citizen_id: int) -> int:
    stmt = select(func.count(Attempt.id)).where(Attempt.round_id == round_id, Attempt.citizen_id == citizen_id)
    return db.session.scalar(stmt) or 0


def attempts_used(round_id: int, citizen_id: int) -> int:
    """Attempts the citizen's phone used in the round, across every registration of that phone."""
    key = _citizen_phone_key(citizen_id)
    used = db.session.scalar(select(RoundAllowance.attempts_used).where(
        RoundAllowance.round_id == round_id, RoundAllowance.phone_key == key)) if key else None
    return max(used or 0, _own_count(round_id, citizen_id))


def take_one(round_: Round, citizen_id: int, now: datetime) -> int:
    """Count one more attempt for the citizen's phone (inside the start's write transaction).

    Returns the citizen's own number for the new attempt; raises AttemptError when the phone used them all.
    """
    own = _own_count(round_.id, citizen_id)
    key = _citizen_phone_key(citizen_id)
    row = None
    if key is not None:
        row = db.session.scalar(select(RoundAllowance).where(
            RoundAllowance.round_id == round_.id, RoundAllowance.phone_key == key).with_for_update())
    used = max(row.attempts_used if row else 0, own)
    # a per-day or per-week allowance (issue 18) is checked by contest_rules.check_allowance; this is the period's
    if round_.allowance_period == "round" and used >= round_.attempts_allowed:
        raise AttemptError(f"Bạn đã dùng hết {round_.attempts_allowed} lượt thi của đợt này.")
    if key is not None:
        if row is None:
            row = RoundAllowance(round_id=round_.id, phone_key=key, attempts_used=0)
            db.session.add(row)
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
