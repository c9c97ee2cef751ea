"""The letter's per-day table: registrations and first completions per Vietnam day, up to the cut-off itself."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.models import BestResult, Citizen
from quiz.tallies.figures import sql_local_day


@dataclass
class DayRow:
    """One Vietnam calendar day; the last one counts only up to the cut-off time."""

    day: str  # YYYY-MM-DD
    registered: int
    completed: int
    registered_total: int
    completed_total: int


def daily_until(round_id: int | None, cut_off: datetime) -> list[DayRow]:
    """Per day up to the cut-off (nothing after it), with running totals."""
    reg_day = sql_local_day(Citizen.created_at)
    days: dict[str, list[int]] = {day: [count, 0] for day, count in db.session.execute(
        select(reg_day, func.count(Citizen.id)).where(Citizen.created_at <= cut_off).group_by(reg_day))}
    if round_id is not None:
        done_day = sql_local_day(BestResult.first_completed_at)
        stmt = (select(done_day, func.count(BestResult.id))
                .where(BestResult.round_id == round_id, BestResult.first_completed_at <= cut_off).group_by(done_day))
        for day, count in db.session.execute(stmt):
            days.setdefault(day, [0, 0])[1] = count
    rows, registered_total, completed_total = [], 0, 0
    for day, (registered, completed) in sorted(days.items()):
        registered_total += registered
        completed_total += completed
        rows.append(DayRow(day, registered, completed, registered_total, completed_total))
    return rows
