"""Which commune a citizen belonged to at a given time: the current one, unless a later change moved them."""
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.sql import Subquery

from quiz.infra.extensions import db
from quiz.models import Citizen, CommuneChange


def record_commune_move(citizen_id: int, from_code: str, to_code: str, at: datetime,
                        staff_id: int | None = None) -> None:
    """Add the move to the session: it is committed with the correction it belongs to."""
    db.session.add(CommuneChange(citizen_id=citizen_id, from_code=from_code, to_code=to_code, at=at,
                                 by_staff_id=staff_id))


def moved_after(as_of: datetime) -> Subquery:
    """Per citizen moved after `as_of`: the commune they left in their first move after it (their commune then)."""
    first = (select(CommuneChange.citizen_id, func.min(CommuneChange.id).label("first_id"))
             .where(CommuneChange.at > as_of).group_by(CommuneChange.citizen_id).subquery())
    return (select(CommuneChange.citizen_id, CommuneChange.from_code)
            .join(first, first.c.first_id == CommuneChange.id).subquery())


def moves_since(moment: datetime) -> dict[int, list[tuple[datetime, str]]]:
    """Per citizen moved after `moment`: those moves in order, as (when, the commune they left)."""
    moves: dict[int, list[tuple[datetime, str]]] = {}
    stmt = (select(CommuneChange.citizen_id, CommuneChange.at, CommuneChange.from_code)
            .where(CommuneChange.at > moment).order_by(CommuneChange.id))
    for citizen_id, at, left in db.session.execute(stmt):
        moves.setdefault(citizen_id, []).append((at, left))
    return moves


def commune_at(moves: list[tuple[datetime, str]], current: str, moment: datetime) -> str:
    """A citizen's commune at `moment`: the one left in their first move after it, else the current one."""
    return next((left for at, left in moves if at > moment), current)


def moved_since(moment: datetime) -> Select:
    """The ids of the citizens moved after `moment` (a subquery: no bound list however many they are)."""
    return select(CommuneChange.citizen_id).where(CommuneChange.at > moment)


def grouped_as_of(stmt: Select, as_of: datetime | None, *columns, citizen_key=Citizen.id,
                  moved_query: tuple[Select, tuple] | None = None) -> list[tuple]:
    """Additive `columns` of `stmt` (already joined to citizens) per commune, current or as of a time.

    As of a time: grouped by current commune, then the few citizens moved since are shifted back to
    the commune they had then. (One outer join with COALESCE would be simpler, but SQLite reruns the
    grouped subquery for every citizen: seconds at 100,000 registrations.) `citizen_key` is the
    citizen id column to filter on; `moved_query`, the same statement and columns already limited to
    the moved citizens (a grouped subquery is cheaper limited inside than filtered after).
    """
    current = db.session.execute(stmt.add_columns(Citizen.commune_code, *columns)
                                 .group_by(Citizen.commune_code)).all()
    if as_of is None:
        return [tuple(row) for row in current]
    moved = moved_after(as_of)
    then: dict[int, str] = {row[0]: row[1] for row in db.session.execute(select(moved.c.citizen_id, moved.c.from_code))}
    if not then:
        return [tuple(row) for row in current]
    # per moved citizen (an IN list is evaluated once; a join to the subquery would be rerun per row)
    only_moved, moved_columns = moved_query or (stmt.where(citizen_key.in_(select(moved.c.citizen_id))), columns)
    per_citizen = db.session.execute(only_moved
                                     .add_columns(Citizen.id, Citizen.commune_code, *moved_columns)
                                     .group_by(Citizen.id, Citizen.commune_code)).all()
    return _shift(current, [(code, then[citizen_id], *values) for citizen_id, code, *values in per_citizen
                            if citizen_id in then])


def _shift(current: Sequence, shifted: Sequence) -> list[tuple]:
    totals: dict[str, list[int]] = {row[0]: [int(v or 0) for v in row[1:]] for row in current}
    for now_code, then_code, *values in shifted:
        width = len(values)
        here = totals.setdefault(now_code, [0] * width)
        there = totals.setdefault(then_code, [0] * width)
        for index, value in enumerate(values):
            here[index] -= int(value or 0)
            there[index] += int(value or 0)
    return [(code, *values) for code, values in totals.items()]
