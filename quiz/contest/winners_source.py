"""The winners of a round (period): the one place certificates and public pages ask for them.

Winners are the frozen list of issue 18 (`quiz/contest/prizes.py`): the standing computation's rows of
`winners`, never derived from the live ranking. A round with no frozen list has no winners, and its winners
are published only once the organizer published the list after the appeal window.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.contest.prizes import current_computation
from quiz.infra.extensions import db
from quiz.models import Round
from quiz.models import Winner as FrozenWinner


@dataclass(frozen=True)
class Winner:
    """A citizen's prize in a round: the tier's name and their place in the ranking."""

    citizen_id: int
    tier: str
    rank: int


def winners_published(round_: Round, now: datetime) -> bool:
    """Whether the round's frozen winners were published (after the appeal window) by `now`."""
    computation = current_computation(round_.id)
    return (computation is not None and computation.published_at is not None
            and now >= max(computation.published_at, computation.appeal_ends_at))


def round_winners(round_: Round) -> list[Winner]:
    """The round's frozen winners, best prize first, then by place; none when no list was frozen."""
    stmt = (select(FrozenWinner.citizen_id, FrozenWinner.tier_name, FrozenWinner.rank)
            .where(FrozenWinner.round_id == round_.id)
            .order_by(FrozenWinner.rank, FrozenWinner.citizen_id))
    return [Winner(citizen_id, tier, rank) for citizen_id, tier, rank in db.session.execute(stmt)]


def winner_of(round_: Round, citizen_id: int) -> Winner | None:
    """The citizen's prize in the round, if any."""
    return next((w for w in round_winners(round_) if w.citizen_id == citizen_id), None)
