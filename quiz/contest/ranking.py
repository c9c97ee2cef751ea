"""The order of a round's results: best score, then speed, then the prediction, then who submitted first.

`rank_key` states the order as a pure function; `round_ranking` asks the database for the same
order (ORDER BY ... LIMIT), so a page of the top N never loads the whole round into Python.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, UnaryExpression, and_, case, cast, exists, func, literal, select

from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Commune, Disqualification, PhoneVerification, Round

# A missing prediction ranks after every given one: predictions and answers are bounded by 10**15
# (quiz.rounds.PREDICTION_LIMIT), so a distance stays below this, and below PostgreSQL's BIGINT.
NO_PREDICTION = 2**62


@dataclass(frozen=True)
class RankedResult:
    """One citizen's counting attempt with everything the order depends on."""

    citizen_id: int
    attempt_id: int
    score: int
    duration_seconds: int
    prediction: int | None
    submitted_at: datetime


def prediction_distance(prediction: int | None, prediction_answer: int | None) -> int:
    """How far a prediction is from the true answer; missing (or no answer yet) ranks last."""
    if prediction_answer is None or prediction is None:
        return NO_PREDICTION
    return abs(prediction - prediction_answer)


def rank_key(result: RankedResult, prediction_answer: int | None) -> tuple:
    """Score desc, time taken asc, prediction distance asc, submission time asc, then attempt id (unique)."""
    distance = prediction_distance(result.prediction, prediction_answer)
    return (-result.score, result.duration_seconds, distance, result.submitted_at, result.attempt_id)


def ranked(results: list[RankedResult], prediction_answer: int | None) -> list[RankedResult]:
    """Results in ranking order (a total order: no two results share a key)."""
    return sorted(results, key=lambda r: rank_key(r, prediction_answer))


@dataclass(frozen=True)
class RankingRow:
    """A place in the ranking, with the name and commune shown to organizers."""

    place: int
    result: RankedResult
    full_name: str
    commune_name: str
    prize_eligible: bool = True  # False: the round requires a verified phone for prizes and this one is not


def _distance_sql(prediction_answer: int | None) -> ColumnElement[int] | None:
    if prediction_answer is None:
        return None
    answer = literal(prediction_answer, BigInteger)  # BIGINT arithmetic: no int4 overflow on PostgreSQL
    return case((Attempt.prediction.is_(None), cast(literal(NO_PREDICTION, BigInteger), BigInteger)),
                else_=func.abs(cast(Attempt.prediction, BigInteger) - answer))


def round_ranking(round_: Round, limit: int, commune_code: str | None = None) -> list[RankingRow]:
    """The top `limit` of a round, province-wide or for one commune, ordered by the database like `rank_key`."""
    distance = _distance_sql(round_.prediction_answer)
    order: list[UnaryExpression[Any]] = [BestResult.score.desc(), BestResult.duration_seconds.asc()]
    order += [distance.asc()] if distance is not None else []
    order += [BestResult.submitted_at.asc(), BestResult.attempt_id.asc()]
    verified = exists().where(PhoneVerification.citizen_id == BestResult.citizen_id)
    stmt = (select(BestResult.citizen_id, BestResult.attempt_id, BestResult.score, BestResult.duration_seconds,
                   Attempt.prediction, BestResult.submitted_at, Citizen.full_name, Commune.name, verified)
            .join(Attempt, Attempt.id == BestResult.attempt_id)
            .join(Citizen, Citizen.id == BestResult.citizen_id)
            .join(Commune, Commune.code == Citizen.commune_code)
            .where(BestResult.round_id == round_.id, *ranked_entries(round_.id)))
    if commune_code:
        stmt = stmt.where(Citizen.commune_code == commune_code)
    rows = db.session.execute(stmt.order_by(*order).limit(max(limit, 0))).all()
    return [RankingRow(place, RankedResult(*row[:6]), row[6] or "(đã ẩn danh)", row[7],
                       bool(row[8]) or not round_.verified_phone_for_prizes)
            for place, row in enumerate(rows, start=1)]


def ranked_entries(round_id: int) -> tuple:
    """Conditions for a result to hold a place: a person still registered (a deleted registration's
    anonymous result stays in the figures, and the same phone registered again ranks once), and not
    disqualified by an organizer."""
    disqualified = exists().where(and_(Disqualification.round_id == round_id,
                                       Disqualification.citizen_id == BestResult.citizen_id,
                                       Disqualification.lifted_at.is_(None)))
    return (Citizen.anonymised_at.is_(None), ~disqualified)
