"""A consistent snapshot of the database in the shape of the live tallies (for a rebuild)."""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen
from quiz.tallies.figures import CommuneFigures, figures_from_database, sql_local_day


@dataclass
class RoundSnapshot:
    figures: dict[str, CommuneFigures]
    completions_by_day: Counter  # (commune, day) -> first completions
    graded_attempt_ids: list[int]


@dataclass
class Snapshot:
    registered: dict[str, int]
    registrations_by_day: Counter  # (commune, day) -> registrations
    citizen_ids: list[int]
    rounds: dict[int, RoundSnapshot] = field(default_factory=dict)


def take_snapshot(province_code: str) -> Snapshot:
    """Read everything the tallies hold, inside one read transaction (one consistent view).

    SQLite gets it from BEGIN under WAL; PostgreSQL needs REPEATABLE READ, since under READ COMMITTED
    a row committed between two statements would be in the guard bitmaps but not in the counts.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    with session.begin():
        if db.engine.dialect.name == "postgresql":  # every statement below must see the same snapshot
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        registered = {code: f.registered for code, f in figures_from_database(province_code, None).items()}
        snapshot = Snapshot(registered, registrations_by_day(), list(session.scalars(select(Citizen.id))))
        round_ids = session.scalars(select(BestResult.round_id).distinct())
        for round_id in list(round_ids):
            snapshot.rounds[round_id] = RoundSnapshot(
                figures_from_database(province_code, round_id), completions_by_day(round_id),
                list(session.scalars(select(Attempt.id).where(Attempt.round_id == round_id,
                                                              Attempt.is_submitted))))
    return snapshot


def registrations_by_day() -> Counter:
    day = sql_local_day(Citizen.created_at)
    stmt = select(Citizen.commune_code, day, func.count(Citizen.id)).group_by(Citizen.commune_code, day)
    return Counter({(code, d): n for code, d, n in db.session.execute(stmt)})


def completions_by_day(round_id: int) -> Counter:
    day = sql_local_day(BestResult.first_completed_at)
    stmt = (select(Citizen.commune_code, day, func.count(BestResult.id))
            .join(Citizen, Citizen.id == BestResult.citizen_id)
            .where(BestResult.round_id == round_id).group_by(Citizen.commune_code, day))
    return Counter({(code, d): n for code, d, n in db.session.execute(stmt)})


def bitmap(ids: list[int]) -> bytes:
    """A Redis bitmap (bit n set for each id n; bit 0 is the high bit of byte 0)."""
    if not ids:
        return b""
    data = bytearray(max(ids) // 8 + 1)
    for ident in ids:
        data[ident // 8] |= 0x80 >> (ident % 8)
    return bytes(data)
