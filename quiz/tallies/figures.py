"""Contest figures computed from the database: the truth the live tallies must equal."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Date, Integer, cast, func, literal_column, select, union_all
from sqlalchemy.sql import ColumnElement

from quiz.infra.clock import UTC_OFFSET_HOURS
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Commune
from quiz.tallies.commune_history import grouped_as_of, moved_after


@dataclass
class CommuneFigures:
    """One commune's (or the city's) figures for a round."""

    code: str
    registered: int = 0
    completed: int = 0
    attempts: int = 0
    passed: int = 0
    score_sum: int = 0

    @property
    def average_score(self) -> float | None:
        return self.score_sum / self.completed if self.completed else None

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.registered if self.registered else None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.completed if self.completed else None

    def as_tuple(self) -> tuple[int, int, int, int, int]:
        return (self.registered, self.completed, self.attempts, self.passed, self.score_sum)


@dataclass
class FiguresView:
    """Figures of every commune of the province, with where and when they were read."""

    by_commune: dict[str, CommuneFigures]
    as_of: datetime
    degraded: bool = False
    totals: CommuneFigures = field(default_factory=lambda: CommuneFigures("all"))

    def __post_init__(self) -> None:
        self.totals = city_totals(self.by_commune.values())


def city_totals(rows) -> CommuneFigures:
    """Sum commune figures into the city's."""
    total = CommuneFigures("all")
    for row in rows:
        total.registered += row.registered
        total.completed += row.completed
        total.attempts += row.attempts
        total.passed += row.passed
        total.score_sum += row.score_sum
    return total


def province_codes(province_code: str) -> list[str]:
    return list(db.session.scalars(select(Commune.code).where(Commune.province_code == province_code)
                                   .order_by(Commune.code)))


def figures_from_database(province_code: str, round_id: int | None,
                          as_of: datetime | None = None) -> dict[str, CommuneFigures]:
    """Every commune's figures, from GROUP BY queries (as of a cut-off time when given)."""
    figures = {code: CommuneFigures(code) for code in province_codes(province_code)}
    for code, count in _registrations(as_of):
        if code in figures:
            figures[code].registered = count
    if round_id is not None:
        for code, completed, passed, score_sum in _best_results(round_id, as_of):
            if code in figures:
                figures[code].completed, figures[code].passed = completed, int(passed or 0)
                figures[code].score_sum = int(score_sum or 0)
        for code, count in _attempt_counts(round_id, as_of):
            if code in figures:
                figures[code].attempts = count
    return figures


def _registrations(as_of: datetime | None):
    stmt = select().select_from(Citizen)
    if as_of is not None:
        stmt = stmt.where(Citizen.created_at <= as_of)
    return grouped_as_of(stmt, as_of, func.count(Citizen.id))


def _attempt_counts(round_id: int, as_of: datetime | None):
    stmt = (select().select_from(Attempt).join(Citizen, Attempt.citizen_id == Citizen.id)
            .where(Attempt.round_id == round_id, Attempt.is_submitted))
    if as_of is not None:
        stmt = stmt.where(Attempt.submitted_at <= as_of)
    return grouped_as_of(stmt, as_of, func.count(Attempt.id))


def _best_results(round_id: int, as_of: datetime | None):
    """Per commune: citizens who completed, passed (best attempt) and the sum of best scores."""
    stmt, columns = _best_statement(round_id, as_of)
    if as_of is None:
        return grouped_as_of(stmt, None, *columns)
    moved_query = _best_statement(round_id, as_of, select(moved_after(as_of).c.citizen_id))
    return grouped_as_of(stmt, as_of, *columns, moved_query=moved_query)


def _best_statement(round_id: int, as_of: datetime | None, only=None):
    """Best results joined to citizens (as of a time; `only`: a select of the citizen ids to keep)."""
    kept = select(BestResult.citizen_id, BestResult.score, BestResult.passed).where(BestResult.round_id == round_id)
    if only is not None:
        kept = kept.where(BestResult.citizen_id.in_(only))
    if as_of is None:
        best = kept.subquery()
    else:
        best = union_all(kept.where(BestResult.submitted_at <= as_of), _improved_since(round_id, as_of, only)).subquery()
    stmt = select().select_from(best).join(Citizen, Citizen.id == best.c.citizen_id)
    return stmt, (func.count(best.c.citizen_id), func.sum(cast(best.c.passed, Integer)), func.sum(best.c.score))


def _improved_since(round_id: int, as_of: datetime, only=None):
    """The best attempt as of `as_of` of the few citizens whose current best came after it.

    A best result submitted before the cut-off was already the best then; only citizens who completed
    before the cut-off and improved after it need their attempts ranked again.
    """
    improved = select(BestResult.citizen_id).where(BestResult.round_id == round_id,
                                                   BestResult.first_completed_at <= as_of,
                                                   BestResult.submitted_at > as_of)
    if only is not None:
        improved = improved.where(BestResult.citizen_id.in_(only))
    ranked = (select(Attempt.citizen_id, Attempt.score, Attempt.passed,
                     func.row_number().over(partition_by=Attempt.citizen_id,
                                            order_by=(Attempt.score.desc(), Attempt.duration_seconds,
                                                      Attempt.id)).label("place"))
              .where(Attempt.round_id == round_id, Attempt.is_submitted,
                     Attempt.submitted_at <= as_of, Attempt.citizen_id.in_(improved)).subquery())
    return select(ranked.c.citizen_id, ranked.c.score, ranked.c.passed).where(ranked.c.place == 1)


def sql_local_day(column) -> ColumnElement:
    """SQL for the Vietnam calendar day of a stored naive-UTC timestamp, as 'YYYY-MM-DD'."""
    if db.engine.dialect.name == "sqlite":
        return func.date(column, f"+{UTC_OFFSET_HOURS} hours")
    shifted = column + literal_column(f"interval '{UTC_OFFSET_HOURS} hours'")
    return func.to_char(cast(shifted, Date), "YYYY-MM-DD")


def daily_from_database(round_id: int | None, commune_code: str | None = None) -> list[tuple[str, int, int]]:
    """(day, registrations, first completions) per Vietnam day, for the city or one commune."""
    reg_day = sql_local_day(Citizen.created_at)
    regs = select(reg_day, func.count(Citizen.id)).group_by(reg_day)
    if commune_code:
        regs = regs.where(Citizen.commune_code == commune_code)
    days: dict[str, list[int]] = {day: [count, 0] for day, count in db.session.execute(regs)}
    if round_id is not None:
        done_day = sql_local_day(BestResult.first_completed_at)
        done = (select(done_day, func.count(BestResult.id)).where(BestResult.round_id == round_id)
                .group_by(done_day))
        if commune_code:
            done = done.join(Citizen, Citizen.id == BestResult.citizen_id).where(Citizen.commune_code == commune_code)
        for day, count in db.session.execute(done):
            days.setdefault(day, [0, 0])[1] = count
    return [(day, regs_, dones) for day, (regs_, dones) in sorted(days.items())]
