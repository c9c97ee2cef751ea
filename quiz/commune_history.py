"""Which commune a citizen belonged to at a given time: the current one, unless a later change moved them."""
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement, Subquery

from quiz.extensions import db
from quiz.models import Citizen, CommuneChange


def record_commune_move(citizen_id: int, from_code: str, to_code: str, at: datetime,
                        staff_id: int | None = None) -> None:
    """Add the move to the session: it is committed with the correction it belongs to."""
    db.session.add(CommuneChange(citizen_id=citizen_id, from_code=from_code, to_code=to_code, at=at,
                                 by_staff_id=staff_id))


def _first_move_after(as_of: datetime) -> Subquery:
    """Per citizen moved after `as_of`: the commune they left in their first move after it (their commune then)."""
    first = (select(CommuneChange.citizen_id, func.min(CommuneChange.id).label("first_id"))
             .where(CommuneChange.at > as_of).group_by(CommuneChange.citizen_id).subquery())
    return (select(CommuneChange.citizen_id, CommuneChange.from_code)
            .join(first, first.c.first_id == CommuneChange.id).subquery())


def citizen_communes_as_of(as_of: datetime) -> tuple[Subquery, ColumnElement]:
    """(subquery to outer-join on citizen_id, the citizen's commune code at `as_of`)."""
    moved = _first_move_after(as_of)
    return moved, func.coalesce(moved.c.from_code, Citizen.commune_code)
