"""The order of a round's results: best score, then speed, then the prediction, then who submitted first."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Commune, Round

NO_PREDICTION = 10**12  # a missing prediction ranks after every given one


@dataclass(frozen=True)
class RankedResult:
    """One citizen's counting attempt with everything the order depends on."""

    citizen_id: int
    attempt_id: int
    score: int
    duration_seconds: int
    prediction: int | None
    submitted_at: datetime


def rank_key(result: RankedResult, prediction_answer: int | None) -> tuple:
    """Score desc, time taken asc, prediction distance asc, submission time asc, then attempt id (unique)."""
    if prediction_answer is None or result.prediction is None:
        distance = NO_PREDICTION
    else:
        distance = abs(result.prediction - prediction_answer)
    return (-result.score, result.duration_seconds, distance, result.submitted_at, result.attempt_id)


def ranked(results: list[RankedResult], prediction_answer: int | None) -> list[RankedResult]:
    """Results in ranking order (a total order: no two results share a key)."""
    return sorted(results, key=lambda r: rank_key(r, prediction_answer))


@dataclass(frozen=True)
class RankingRow:
    place: int
    result: RankedResult
    full_name: str
    commune_name: str


def round_ranking(round_: Round, limit: int, commune_code: str | None = None) -> list[RankingRow]:
    """The top `limit` of a round, province-wide or for one commune (anonymised citizens keep their place)."""
    stmt = (select(BestResult, Attempt.prediction, Citizen.full_name, Commune.name)
            .join(Attempt, Attempt.id == BestResult.attempt_id)
            .join(Citizen, Citizen.id == BestResult.citizen_id)
            .join(Commune, Commune.code == Citizen.commune_code)
            .where(BestResult.round_id == round_.id))
    if commune_code:
        stmt = stmt.where(Citizen.commune_code == commune_code)
    rows = {}
    for best, prediction, name, commune_name in db.session.execute(stmt):
        result = RankedResult(best.citizen_id, best.attempt_id, best.score, best.duration_seconds, prediction,
                              best.submitted_at)
        rows[best.attempt_id] = (result, name or "(đã ẩn danh)", commune_name)
    ordered = ranked([r for r, _, _ in rows.values()], round_.prediction_answer)[:limit]
    return [RankingRow(place, r, rows[r.attempt_id][1], rows[r.attempt_id][2])
            for place, r in enumerate(ordered, start=1)]
