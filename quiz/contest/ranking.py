"""The order of a period's results under its published tie-break chain (quiz.contest.tiebreak).

`round_ranking` reads the top N in the order of the stored rank key (the chain as one indexed text,
kept by `refresh_rank_keys`), so a page never sorts or loads the whole period, whatever the chain;
`ranking_rows` streams every row for winners and exports in the chain's ORDER BY of the columns themselves. Places are shared when every criterion of the chain is equal ("đồng hạng").
"""
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import BigInteger, Update, and_, bindparam, exists, literal, null, select, update

from quiz.contest.tiebreak import (  # noqa: F401  (re-exported: the ranking's vocabulary)
    DEFAULT_CHAIN,
    NO_PREDICTION,
    ChainColumns,
    ColumnExpression,
    RankedResult,
    chain_key,
    chain_key_function,
    listing_key,
    order_by,
    prediction_distance,
    rank_key_expression,
)
from quiz.contest.tiebreak import ranked as ranked_by_chain
from quiz.infra.database import execute_core
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Commune, Disqualification, FrozenPlace, PhoneVerification, Round

ANONYMISED = "(đã ẩn danh)"


def rank_key(result: RankedResult, prediction_answer: int | None) -> tuple:
    """Today's default chain: score desc, time taken, prediction distance, submission time, attempt id."""
    return listing_key(result, DEFAULT_CHAIN, prediction_answer)


def ranked(results: list[RankedResult], prediction_answer: int | None) -> list[RankedResult]:
    """Results in the default chain's order."""
    return ranked_by_chain(results, DEFAULT_CHAIN, prediction_answer)


class RankingRow(NamedTuple):
    """A place in the ranking, with what organizers see and whether the place is shared."""

    place: int
    result: RankedResult
    full_name: str
    commune_name: str
    commune_code: str = ""
    passed: bool = True
    shared: bool = False
    anonymised: bool = False
    extra: tuple = ()  # the eligibility columns asked for by the caller
    prize_eligible: bool = True  # False: the round requires a verified phone for prizes and this one is not


COLUMNS = ChainColumns(score=BestResult.score, prediction=Attempt.prediction, duration=BestResult.duration_seconds,
                       submitted_at=BestResult.submitted_at, started_at=Attempt.started_at,
                       attempts_used=BestResult.attempts_count, attempt_id=BestResult.attempt_id)
_RESULT_COLUMNS = (BestResult.citizen_id, BestResult.attempt_id, BestResult.score, BestResult.duration_seconds,
                   Attempt.prediction, BestResult.submitted_at, Attempt.started_at, BestResult.attempts_count)
_PERSON_COLUMNS = (Citizen.full_name, Commune.name, Citizen.commune_code, BestResult.passed,
                   Citizen.anonymised_at.is_not(None))


def _ranking_statement(round_: Round, commune_code: str | None, extra_columns: tuple = (),
                       with_names: bool = True, by_rank_key: bool = False):
    names = (Citizen.full_name, Commune.name) if with_names else (null(), null())
    phone_ok = (exists().where(PhoneVerification.citizen_id == BestResult.citizen_id)
                if round_.verified_phone_for_prizes else literal(True))
    stmt = (select(*_RESULT_COLUMNS, *names, *_PERSON_COLUMNS[2:], phone_ok, *extra_columns)
            .join(Attempt, Attempt.id == BestResult.attempt_id)
            .join(Citizen, Citizen.id == BestResult.citizen_id)
            .where(BestResult.round_id == round_.id, *ranked_entries(round_.id)))
    if with_names:
        stmt = stmt.join(Commune, Commune.code == Citizen.commune_code)
    if commune_code:
        stmt = stmt.where(Citizen.commune_code == commune_code)
    if by_rank_key:  # the index's order: the top of any chain without sorting the period
        return stmt.order_by(BestResult.rank_key, BestResult.attempt_id)
    return stmt.order_by(*order_by(round_.tiebreak_chain, COLUMNS, round_.prediction_answer))


def refresh_rank_keys(round_id: int, chain: Sequence[str], prediction_answer: int | None,
                      citizen_ids: Sequence[int] | None = None) -> None:
    """Write the stored rank key of the period's results (of these citizens only, when given).

    Called wherever a criterion can change: a graded attempt, the overdue sweep, a new true answer
    to the prediction (or chain) of the period.
    """
    stmt = _rank_key_update(tuple(chain), prediction_answer is not None, citizen_ids is not None)
    parameters = {"of_round": round_id, "answer": prediction_answer, "of_citizens": list(citizen_ids or [])}
    execute_core(stmt, parameters)


@lru_cache(maxsize=256)
def _rank_key_update(chain: tuple[str, ...], with_answer: bool, of_citizens: bool) -> Update:
    """The UPDATE for one chain, built once: a submit pays for the statement, not for building it."""
    answer = bindparam("answer", type_=BigInteger) if with_answer else None
    key = select(rank_key_expression(chain, COLUMNS, answer)).where(Attempt.id == BestResult.attempt_id)
    stmt = update(BestResult).where(BestResult.round_id == bindparam("of_round"))
    if of_citizens:
        stmt = stmt.where(BestResult.citizen_id.in_(bindparam("of_citizens", expanding=True)))
    return stmt.values(rank_key=key.scalar_subquery())


def refresh_round_rank_keys(round_: Round) -> None:
    """Every rank key of the period, after its chain or its prediction's true answer changed."""
    refresh_rank_keys(round_.id, round_.tiebreak_chain, round_.prediction_answer)


def _rows(raw_rows, round_: Round) -> Iterator[RankingRow]:
    """Rows with their places: equal chain keys share the place of the first of them."""
    key_of = chain_key_function(round_.tiebreak_chain, round_.prediction_answer)
    previous_key, place = None, 0
    pending: RankingRow | None = None
    for index, row in enumerate(raw_rows, start=1):
        result = RankedResult(*row[:8])
        key = key_of(result)
        shared = key == previous_key
        place = place if shared else index
        if pending is not None:
            yield _shared(pending) if shared and not pending.shared else pending
        name, commune_name, code, passed, anonymised, phone_ok = row[8:14]
        pending = RankingRow(place, result, name or ANONYMISED, commune_name, code, bool(passed),
                             shared, bool(anonymised), tuple(row[14:]), bool(phone_ok))
        previous_key = key
    if pending is not None:
        yield pending


def _shared(row: RankingRow) -> RankingRow:
    return row._replace(shared=True)


def round_ranking(round_: Round, limit: int, commune_code: str | None = None) -> list[RankingRow]:
    """The top `limit` of a period, province-wide or for one commune, in the chain's order with shared places.

    Once the winners are frozen, the ranking they were chosen from is shown (`frozen_rows`).
    """
    if is_frozen(round_.id):
        return list(frozen_rows(round_.id, commune_code, max(limit, 0)))
    stmt = _ranking_statement(round_, commune_code, by_rank_key=True).limit(max(limit, 0) + 1)  # one more: is the last place shared?
    rows = list(_rows(db.session.execute(stmt), round_))
    return rows[:max(limit, 0)]


def ranking_rows(round_: Round, extra_columns: tuple = (), commune_code: str | None = None,
                 with_names: bool = True) -> Iterator[RankingRow]:
    """Every ranked result of the period in order, streamed (for winners and the full export)."""
    stmt = _ranking_statement(round_, commune_code, extra_columns, with_names).execution_options(yield_per=5000)
    yield from _rows(db.session.execute(stmt), round_)


_FROZEN_COLUMNS = (FrozenPlace.citizen_id, FrozenPlace.attempt_id, FrozenPlace.score, FrozenPlace.duration_seconds,
                   FrozenPlace.prediction, FrozenPlace.submitted_at, FrozenPlace.started_at, FrozenPlace.attempts_used,
                   FrozenPlace.place, FrozenPlace.shared, Citizen.full_name, Commune.name, Citizen.commune_code,
                   FrozenPlace.passed, Citizen.anonymised_at.is_not(None), FrozenPlace.eligible, FrozenPlace.reason)


def is_frozen(round_id: int) -> bool:
    """Whether the period's ranking was frozen with its winners."""
    return db.session.scalar(select(FrozenPlace.id).where(FrozenPlace.round_id == round_id).limit(1)) is not None


def frozen_rows(round_id: int, commune_code: str | None = None, limit: int | None = None) -> Iterator[RankingRow]:
    """The frozen ranking in order (places are the province-wide ones); extra = (eligible, reason)."""
    stmt = (select(*_FROZEN_COLUMNS).join(Citizen, Citizen.id == FrozenPlace.citizen_id)
            .join(Commune, Commune.code == Citizen.commune_code).where(FrozenPlace.round_id == round_id))
    if commune_code:
        stmt = stmt.where(Citizen.commune_code == commune_code)
    stmt = stmt.order_by(FrozenPlace.position)
    if limit is not None:
        stmt = stmt.limit(limit)
    for row in db.session.execute(stmt.execution_options(yield_per=5000)):
        place, shared, name, commune_name, code, passed, anonymised, eligible, reason = row[8:]
        yield RankingRow(place, RankedResult(*row[:8]), name or ANONYMISED, commune_name, code, bool(passed),
                         bool(shared), bool(anonymised), (bool(eligible), reason))


def ranked_entries(round_id: int | ColumnExpression) -> tuple:
    """Conditions for a result to hold a place: a person still registered (a deleted registration's
    anonymous result stays in the figures, and the same phone registered again ranks once), and not
    disqualified by an organizer in that period (`round_id`: one period, or the result's own column)."""
    disqualified = exists().where(and_(Disqualification.round_id == round_id,
                                       Disqualification.citizen_id == BestResult.citizen_id,
                                       Disqualification.lifted_at.is_(None)))
    return (Citizen.anonymised_at.is_(None), ~disqualified)
