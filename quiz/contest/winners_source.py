"""The winners of a round (period): the one place certificates and public pages ask for them.

Until the frozen winners of issue 18 exist, winners are the top of the round's ranking among
citizens who passed, by PRIZE_TIERS, and a round's winners are published once it has closed.
Connecting the frozen table means reimplementing `round_winners` and `winners_published` only.
"""
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.contest.ranking import round_ranking
from quiz.infra.extensions import db
from quiz.models import BestResult, Round

# (prize name, how many) in order; the stand-in for the organizer's prize tiers of issue 18.
PRIZE_TIERS: tuple[tuple[str, int], ...] = (("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Ba", 3),
                                            ("Giải Khuyến khích", 5))


@dataclass(frozen=True)
class Winner:
    """A citizen's prize in a round: the tier's name and their place in the ranking."""

    citizen_id: int
    tier: str
    rank: int


def winners_published(round_: Round, now: datetime) -> bool:
    """Whether the round's winners may be shown in public and certified."""
    return now >= round_.closes_at


WINNERS_MEMO_SECONDS = 60.0  # a closed round's ranking cannot move; the memo only spares the ORDER BY
_memo: dict[tuple, tuple[float, list[Winner]]] = {}
_memo_lock = threading.Lock()


def round_winners(round_: Round) -> list[Winner]:
    """The round's winners in ranking order (only citizens who passed can win).

    For a closed round the list is kept per process for a minute: the public winners page asks
    for it on every request, and the ranking's ORDER BY over a whole round is its slowest part.
    """
    key = (round_.id, round_.closes_at, round_.prediction_answer)
    with _memo_lock:
        kept = _memo.get(key)
    if kept and kept[0] > time.monotonic():
        return kept[1]
    winners = _ranked_winners(round_)
    with _memo_lock:
        if len(_memo) >= 32:  # the public page shows at most a dozen rounds
            _memo.clear()
        _memo[key] = (time.monotonic() + WINNERS_MEMO_SECONDS, winners)
    return winners


def _ranked_winners(round_: Round) -> list[Winner]:
    places = sum(count for _, count in PRIZE_TIERS)
    rows = round_ranking(round_, places)
    passed = set(db.session.scalars(select(BestResult.citizen_id).where(
        BestResult.round_id == round_.id, BestResult.passed.is_(True),
        BestResult.citizen_id.in_([row.result.citizen_id for row in rows]))))
    tiers = [name for name, count in PRIZE_TIERS for _ in range(count)]
    eligible = [row for row in rows if row.result.citizen_id in passed and row.prize_eligible]  # verified phone, if required
    return [Winner(row.result.citizen_id, tier, row.place) for row, tier in zip(eligible, tiers)]


def winner_of(round_: Round, citizen_id: int) -> Winner | None:
    """The citizen's prize in the round, if any."""
    return next((w for w in round_winners(round_) if w.citizen_id == citizen_id), None)
