"""The letter's per-day table: registrations and first completions per Vietnam day, up to the cut-off itself."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from quiz.infra.clock import local_to_utc, to_local
from quiz.infra.extensions import db
from quiz.models import BestResult, Citizen


@dataclass
class DayRow:
    """One Vietnam calendar day; the last one counts only up to the cut-off time."""

    day: str  # YYYY-MM-DD
    registered: int
    completed: int
    registered_total: int
    completed_total: int


def _day_bounds(first: datetime, cut_off: datetime) -> list[tuple[str, datetime, datetime]]:
    """(Vietnam day, start, end) in stored UTC from the first day to the cut-off; the last ends at the cut-off."""
    day = to_local(first).date()
    bounds: list[tuple[str, datetime, datetime]] = []
    while True:
        start = local_to_utc(datetime.combine(day, datetime.min.time()))
        if start > cut_off:
            return bounds
        end = min(start + timedelta(days=1), cut_off + timedelta(microseconds=1))
        bounds.append((day.isoformat(), start, end))
        day += timedelta(days=1)


def daily_until(round_id: int | None, cut_off: datetime) -> list[DayRow]:
    """Per day up to the cut-off (nothing after it), with running totals.

    One range count per day on indexed times (a contest lasts weeks): cheaper than grouping every row
    by a computed local day.
    """
    first = db.session.scalar(select(func.min(Citizen.created_at)).where(Citizen.created_at <= cut_off))
    if first is None:
        return []
    rows: list[DayRow] = []
    registered_total = completed_total = 0
    for day, start, end in _day_bounds(first, cut_off):
        registered = db.session.scalar(select(func.count()).select_from(Citizen).where(
            Citizen.created_at >= start, Citizen.created_at < end)) or 0
        completed = 0 if round_id is None else db.session.scalar(select(func.count()).select_from(BestResult).where(
            BestResult.round_id == round_id, BestResult.first_completed_at >= start,
            BestResult.first_completed_at < end)) or 0
        registered_total += registered
        completed_total += completed
        if registered or completed or rows:
            rows.append(DayRow(day, registered, completed, registered_total, completed_total))
    return rows
