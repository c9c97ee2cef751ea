"""A citizen's standing for a whole contest (all its periods) and their own place in one period.

The contest standing adds up, per citizen, the result that counts in each period (best or first, as the
period says): total score first (higher above), then total time taken (shorter above), then attempts
used over the contest (fewer above); equal on all three is a shared place ("đồng hạng"). A period's
result counts only where it holds a place in that period's ranking (`ranking.ranked_entries`: not
disqualified there, registration not deleted). One GROUP BY over the contest's results, with LIMIT.
"""
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Select, and_, func, or_, select

from quiz.contest.ranking import is_frozen, ranked_entries
from quiz.infra.extensions import db
from quiz.infra.public_names import masked_name
from quiz.models import BestResult, Citizen, Commune, FrozenPlace, Round

# the order of the contest standing, as the rules page says it (quiz.contest.rules_text)
STANDING_RULE = ("Thứ hạng cả cuộc thi của mỗi người: cộng điểm bài được tính của từng đợt; tổng điểm cao hơn "
                 "xếp trên, bằng điểm thì tổng thời gian làm bài ngắn hơn xếp trên, rồi tổng số lượt đã dùng ít "
                 "hơn xếp trên; bằng nhau cả ba thì đồng hạng. Bài bị loại ở đợt nào thì không tính ở đợt đó.")


class Standing(NamedTuple):
    """One citizen's totals over the contest and their place."""

    place: int
    citizen_id: int
    periods: int
    total_score: int
    total_seconds: int
    attempts_used: int
    full_name: str = ""
    commune_name: str = ""
    shared: bool = False

    @property
    def key(self) -> tuple[int, int, int]:
        """Equal keys share a place; smaller keys rank higher."""
        return -self.total_score, self.total_seconds, self.attempts_used


def _totals(contest_id: int) -> Select:
    """Per citizen: periods, total score, total time, attempts, over the contest's ranked results."""
    return (select(BestResult.citizen_id, func.count(BestResult.id).label("periods"),
                   func.sum(BestResult.score).label("score"), func.sum(BestResult.duration_seconds).label("seconds"),
                   func.sum(BestResult.attempts_count).label("attempts"))
            .join(Round, Round.id == BestResult.round_id).join(Citizen, Citizen.id == BestResult.citizen_id)
            .where(Round.contest_id == contest_id, *ranked_entries(BestResult.round_id))
            .group_by(BestResult.citizen_id))


def _ordered(totals: Select, limit: int | None) -> Select:
    sub = totals.subquery()
    order = (sub.c.score.desc(), sub.c.seconds.asc(), sub.c.attempts.asc(), sub.c.citizen_id.asc())
    inner = select(sub).order_by(*order)
    if limit is not None:
        inner = inner.limit(limit)
    top = inner.subquery()
    return (select(top.c.citizen_id, top.c.periods, top.c.score, top.c.seconds, top.c.attempts,
                   Citizen.full_name, Commune.name)
            .join(Citizen, Citizen.id == top.c.citizen_id).join(Commune, Commune.code == Citizen.commune_code)
            .order_by(top.c.score.desc(), top.c.seconds.asc(), top.c.attempts.asc(), top.c.citizen_id.asc()))


def with_places(rows: Iterable[tuple]) -> Iterator[Standing]:
    """(citizen, periods, score, seconds, attempts, name, commune) rows in order, with shared places."""
    pending: Standing | None = None
    for index, (citizen_id, periods, score, seconds, attempts, name, commune) in enumerate(rows, start=1):
        standing = Standing(index, citizen_id, periods, int(score), int(seconds), int(attempts), name or "",
                            commune or "")
        if pending is not None and pending.key == standing.key:
            standing = standing._replace(place=pending.place, shared=True)
            pending = pending._replace(shared=True)
        if pending is not None:
            yield pending
        pending = standing
    if pending is not None:
        yield pending


def contest_standings(contest_id: int, limit: int) -> list[Standing]:
    """The top `limit` of the contest (one more is read: is the last place shared?)."""
    rows = db.session.execute(_ordered(_totals(contest_id), max(limit, 0) + 1)).tuples()
    return list(with_places(rows))[:max(limit, 0)]


def all_contest_standings(contest_id: int) -> Iterator[Standing]:
    """Every citizen of the contest in order, streamed (the organizer's export)."""
    stmt = _ordered(_totals(contest_id), None).execution_options(yield_per=5000)
    yield from with_places(db.session.execute(stmt).tuples())


def citizen_standing(contest_id: int, citizen_id: int) -> Standing | None:
    """The citizen's totals and place in the contest (None: no ranked result yet)."""
    mine = db.session.execute(_totals(contest_id).where(BestResult.citizen_id == citizen_id)).first()
    if mine is None:
        return None
    _, periods, score, seconds, attempts = mine
    others = _totals(contest_id).subquery()
    better = db.session.scalar(select(func.count()).select_from(others).where(or_(
        others.c.score > score, and_(others.c.score == score, others.c.seconds < seconds),
        and_(others.c.score == score, others.c.seconds == seconds, others.c.attempts < attempts))))
    return Standing((better or 0) + 1, citizen_id, periods, int(score), int(seconds), int(attempts))


def period_place(round_: Round, citizen_id: int) -> int | None:
    """The citizen's place in the period's ranking (the frozen one once winners are frozen); None: no place."""
    if is_frozen(round_.id):
        return db.session.scalar(select(FrozenPlace.place).where(FrozenPlace.round_id == round_.id,
                                                                 FrozenPlace.citizen_id == citizen_id))
    key = db.session.scalar(select(BestResult.rank_key).join(Citizen, Citizen.id == BestResult.citizen_id)
                            .where(BestResult.round_id == round_.id, BestResult.citizen_id == citizen_id,
                                   *ranked_entries(round_.id)))
    if key is None:
        return None
    better = select(func.count(BestResult.id)).join(Citizen, Citizen.id == BestResult.citizen_id).where(
        BestResult.round_id == round_.id, BestResult.rank_key < key, *ranked_entries(round_.id))
    return (db.session.scalar(better) or 0) + 1


class PeriodStanding(NamedTuple):
    """The citizen's counted score and place in one period of the contest (None: no ranked result)."""

    round_id: int
    name: str
    score: int | None
    max_score: int | None
    place: int | None


class MyStanding(NamedTuple):
    """What a citizen sees of their standing: per period, for the contest, and the contest's top (masked)."""

    contest_name: str
    periods: list[PeriodStanding]
    contest: Standing | None
    top: list[Standing]


LEADERS_SECONDS = 60  # the top of the contest, the same for every citizen, is read at most once a minute a process


@lru_cache(maxsize=32)
def _masked_leaders(contest_id: int, top: int, _minute: int) -> list[Standing]:
    """The contest's top with masked names (an aggregation over every result: 0.5–0.9 s at 1,000,000 attempts)."""
    return [s._replace(full_name=masked_name(s.full_name)) for s in contest_standings(contest_id, top)]


def my_standing(contest_id: int, citizen_id: int, top: int = 10) -> MyStanding:
    """The citizen's standing per period and for the whole contest; the top's names are masked."""
    rounds = db.session.scalars(select(Round).where(Round.contest_id == contest_id).order_by(Round.opens_at)).all()
    counted = dict(db.session.execute(select(BestResult.round_id, BestResult.score).where(
        BestResult.citizen_id == citizen_id, BestResult.round_id.in_([r.id for r in rounds]))).tuples().all())
    periods = [PeriodStanding(r.id, r.name, counted.get(r.id), r.question_count,
                              period_place(r, citizen_id) if r.id in counted else None) for r in rounds]
    leaders = _masked_leaders(contest_id, top, int(time.monotonic() // LEADERS_SECONDS))
    name = rounds[0].contest.name if rounds else ""
    return MyStanding(name, periods, citizen_standing(contest_id, citizen_id), leaders)
