"""One person, one allowance: a round's attempts are counted per phone (a keyed hash), not per registration.

Deleting one's data anonymises the citizen row (the phone is gone from it), so a count kept per
citizen would start again at zero for the same phone registered anew. The count kept here is keyed
by the phone's pseudonym and outlives the deletion; it is deleted with the round's retention. A
per-day or per-week allowance is counted the same way, for the Vietnam day or week under way.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, and_, bindparam, delete, func, insert, select, update

from quiz.infra.clock import local_to_utc, to_local
from quiz.infra.database import execute_core
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


@dataclass(frozen=True)
class _OwnCounts:
    """This registration's figures in a round, and its phone's pseudonym (None: anonymised)."""

    phone_key: str | None
    total: int  # attempts started in the round
    in_window: int  # of those, started in the day or week (all of them without a window)
    best_score: int | None


class _AllowanceRow(NamedTuple):
    """The phone's allowance in a round, as stored."""

    id: int
    attempts_used: int
    window_start: datetime | None
    window_used: int
    best_score: int | None


def _own_counts(round_id: int, citizen_id: int, start: datetime | None, end: datetime | None) -> _OwnCounts:
    """The phone, the attempts (in the whole round and in [start, end)) and the best score, in one query."""
    parameters = {"round_id": round_id, "citizen_id": citizen_id}
    if start is None:
        row = execute_core(_OWN_COUNTS, parameters).first()
    else:
        row = execute_core(_OWN_COUNTS_IN_WINDOW, {**parameters, "start": start, "end": end}).first()
    return _own_counts_of(row)


def _own_counts_of(row: Sequence[Any] | None) -> _OwnCounts:
    """_OWN_COUNTS's (or _OWN_COUNTS_IN_WINDOW's) columns as _OwnCounts (no row: no such citizen, no attempts)."""
    if row is None:
        return _OwnCounts(None, 0, 0, None)
    phone, total, best_score, *window = row
    return _OwnCounts(phone_key(phone) if phone else None, total, window[0] if window else total, best_score)


def _own_counts_and_row(round_id: int, citizen_id: int, start: datetime | None, end: datetime | None,
                        phone: str) -> tuple[_OwnCounts, _AllowanceRow | None]:
    """_own_counts and _phone_row in one query, given the phone the caller read; should the citizen's phone
    differ by now, the row of the phone as stored is read after all."""
    parameters = {"round_id": round_id, "citizen_id": citizen_id, "phone_key": phone_key(phone)}
    if start is None:
        row, width = execute_core(_OWN_COUNTS_AND_ROW, parameters).first(), _OWN_WIDTH
    else:
        row = execute_core(_OWN_COUNTS_IN_WINDOW_AND_ROW, {**parameters, "start": start, "end": end}).first()
        width = _OWN_WIDTH + 1
    own = _own_counts_of(row[:width] if row is not None else None)
    if row is None or row.phone != phone:
        return own, _phone_row(round_id, own.phone_key)
    return own, _AllowanceRow(*row[width:]) if row[width] is not None else None


# Built once: a start runs them, and statements built per call cost more CPU than their round trip.
_OWN_ATTEMPTS = select(func.count(Attempt.id)).where(Attempt.round_id == bindparam("round_id"),
                                                     Attempt.citizen_id == bindparam("citizen_id"))
_OWN_COUNTS = select(Citizen.phone, _OWN_ATTEMPTS.scalar_subquery(),
                     select(BestResult.score).where(BestResult.round_id == bindparam("round_id"),
                                                    BestResult.citizen_id == bindparam("citizen_id")).scalar_subquery()
                     ).where(Citizen.id == bindparam("citizen_id"))
_OWN_COUNTS_IN_WINDOW = _OWN_COUNTS.add_columns(
    _OWN_ATTEMPTS.where(Attempt.started_at >= bindparam("start"), Attempt.started_at < bindparam("end")).scalar_subquery())
_OWN_WIDTH = 3  # the columns of _OWN_COUNTS


def _phone_count(row: _AllowanceRow | None, start: datetime | None) -> int:
    """The phone's attempts in the whole period (no start) or in the window starting at `start`."""
    if row is None:
        return 0
    if start is None:
        return row.attempts_used
    return row.window_used if row.window_start == start else 0


def _phone_row(round_id: int, key: str | None, for_update: bool = False) -> _AllowanceRow | None:
    if key is None:
        return None
    row = execute_core(_LOCKED_ROW if for_update else _ROW, {"round_id": round_id, "phone_key": key}).first()
    return _AllowanceRow(*row) if row is not None else None


_ROW_COLUMNS = (RoundAllowance.id, RoundAllowance.attempts_used, RoundAllowance.window_start,
                RoundAllowance.window_used, RoundAllowance.best_score)  # in _AllowanceRow's order
_OF_PHONE = and_(RoundAllowance.round_id == bindparam("round_id"), RoundAllowance.phone_key == bindparam("phone_key"))
_ROW = select(*_ROW_COLUMNS).where(_OF_PHONE)
_LOCKED_ROW = _ROW.with_for_update()
_OWN_COUNTS_AND_ROW = _OWN_COUNTS.add_columns(*_ROW_COLUMNS).outerjoin(RoundAllowance, _OF_PHONE)
_OWN_COUNTS_IN_WINDOW_AND_ROW = _OWN_COUNTS_IN_WINDOW.add_columns(*_ROW_COLUMNS).outerjoin(RoundAllowance, _OF_PHONE)


@dataclass(frozen=True)
class PhoneUse:
    """The attempts a citizen's phone used in a round, as a start counts them (see lock_for_start)."""

    round_id: int
    own: _OwnCounts
    row: _AllowanceRow | None  # the phone's allowance (None: none yet, or an anonymised citizen)
    window_start: datetime | None  # the day or week under way (None: the whole period counts)
    window_end: datetime | None

    @property
    def in_period(self) -> int:
        return max(_phone_count(self.row, None), self.own.total)

    @property
    def used(self) -> int:
        """What the allowance counts: the period's attempts, or the day's or week's."""
        return max(_phone_count(self.row, self.window_start), self.own.in_window)


def attempts_used(round_id: int, citizen_id: int, start: datetime | None = None, end: datetime | None = None,
                  known_phone: str | None = None) -> int:
    """Attempts the citizen's phone used in the round (or in the day/week [start, end)), across every
    registration of that phone. Given the citizen's phone as the caller read it, one query instead of two."""
    if known_phone is None:
        own = _own_counts(round_id, citizen_id, start, end)
        row = _phone_row(round_id, own.phone_key)
    else:
        own, row = _own_counts_and_row(round_id, citizen_id, start, end, known_phone)
    return PhoneUse(round_id, own, row, start, end).used


def lock_for_start(round_: Round, citizen_id: int, now: datetime) -> PhoneUse:
    """The phone's use of the round at `now`, its allowance row locked until the start's commit.

    This registration's own attempts are counted before the lock is waited for: two taps at once
    then give the new attempt the same number, and the second one's insert fails (its start
    returns the first one's attempt) instead of taking a second attempt.
    """
    start, end = allowance_window(round_.allowance_period, now)
    own = _own_counts(round_.id, citizen_id, start, end)
    return PhoneUse(round_.id, own, _phone_row(round_.id, own.phone_key, for_update=True), start, end)


def take_one(use: PhoneUse, now: datetime) -> int:
    """Count one more attempt for the phone, in the period and in its day or week (inside the start's
    write transaction, once the allowance was checked); returns the citizen's own number for it."""
    if use.own.phone_key is not None:
        kept = use.row.best_score if use.row is not None else None
        values = {"attempts_used": use.in_period + 1, "best_score": _best(use.own.best_score, kept), "updated_at": now}
        if use.window_start is not None:
            values |= {"window_start": use.window_start, "window_used": use.used + 1}
        if use.row is None:
            execute_core(_INSERT_ROW, {"round_id": use.round_id, "phone_key": use.own.phone_key, "window_used": 0, **values})
        else:
            execute_core(_UPDATE_ROW, {"allowance_id": use.row.id, **values})  # SET the columns named in values
    return use.own.total + 1


_INSERT_ROW = insert(RoundAllowance)
_UPDATE_ROW = update(RoundAllowance).where(RoundAllowance.id == bindparam("allowance_id"))


def _best(score: int | None, kept: int | None) -> int | None:
    return max(s for s in (score, kept) if s is not None) if score is not None or kept is not None else None


def _best_of(round_id: int, citizen_id: int, kept: int | None) -> int | None:
    score = db.session.scalar(select(BestResult.score).where(BestResult.round_id == round_id,
                                                             BestResult.citizen_id == citizen_id))
    return _best(score, kept)


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
