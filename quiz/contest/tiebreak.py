"""The published tie-break chain: the organizer's ordered criteria, as a pure key and as SQL ORDER BY.

`chain_key` is the reference: `order_by` must give the database the very same order, and so must
`rank_key_expression`, the whole chain as one text that sorts like it (stored on each best result and
indexed, so that the top of any chain is read in index order); a property test checks both on random data. Results whose chain keys are equal share a place ("đồng hạng");
the attempt id after the chain only makes the listing stable, it never separates a shared place.
"""
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, String, case, cast, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from quiz.errors import DomainError

ColumnExpression = ColumnElement[Any] | InstrumentedAttribute[Any]  # a column, or a mapped model attribute

# A missing prediction ranks after every given one: predictions and answers are bounded by 10**15
# (quiz.contest.rounds.PREDICTION_LIMIT), so a distance stays below this, and below PostgreSQL's BIGINT.
NO_PREDICTION = 2**62

# criterion -> how the rules page says it (higher place first)
CRITERIA: dict[str, str] = {
    "score": "điểm cao hơn xếp trên",
    "prediction": "dự đoán gần đáp án đúng hơn xếp trên (người không dự đoán xếp sau người có dự đoán)",
    "duration": "thời gian làm bài ngắn hơn xếp trên",
    "submitted_at": "nộp bài sớm hơn xếp trên",
    "started_at": "bắt đầu làm bài sớm hơn xếp trên",
    "attempts_used": "dùng ít lượt thi hơn xếp trên",
}
CRITERION_NAMES: dict[str, str] = {
    "score": "Điểm", "prediction": "Độ lệch dự đoán", "duration": "Thời gian làm bài",
    "submitted_at": "Thời điểm nộp bài", "started_at": "Thời điểm bắt đầu", "attempts_used": "Số lượt đã dùng",
}
DEFAULT_CHAIN = ["score", "duration", "prediction", "submitted_at"]  # the order before chains existed


class ChainError(DomainError):
    """A tie-break chain the organizer entered is not valid."""


class RankedResult(NamedTuple):
    """One citizen's counting attempt with everything any chain can depend on (a tuple: cheap by the million)."""

    citizen_id: int
    attempt_id: int
    score: int
    duration_seconds: int
    prediction: int | None
    submitted_at: datetime
    started_at: datetime | None = None
    attempts_used: int = 1


def validate_chain(chain: Iterable[str]) -> list[str]:
    """Known criteria, each once, the score among them."""
    criteria = [c.strip() for c in chain if c and c.strip()]
    unknown = [c for c in criteria if c not in CRITERIA]
    if unknown:
        raise ChainError(f"Tiêu chí xếp hạng không hợp lệ: {', '.join(unknown)}.", "tiebreak_chain")
    if len(set(criteria)) != len(criteria):
        raise ChainError("Mỗi tiêu chí xếp hạng chỉ được chọn một lần.", "tiebreak_chain")
    if "score" not in criteria:
        raise ChainError("Thứ tự xếp hạng phải có tiêu chí điểm.", "tiebreak_chain")
    return criteria


def prediction_distance(prediction: int | None, prediction_answer: int | None) -> int:
    """How far a prediction is from the true answer; missing (or no answer yet) ranks last."""
    if prediction_answer is None or prediction is None:
        return NO_PREDICTION
    return abs(prediction - prediction_answer)


def _criterion_value(result: RankedResult, criterion: str, prediction_answer: int | None):
    if criterion == "score":
        return -result.score
    if criterion == "prediction":
        return prediction_distance(result.prediction, prediction_answer)
    if criterion == "duration":
        return result.duration_seconds
    if criterion == "submitted_at":
        return result.submitted_at
    if criterion == "started_at":
        return result.started_at or result.submitted_at
    return result.attempts_used


def chain_key(result: RankedResult, chain: Sequence[str], prediction_answer: int | None) -> tuple:
    """The result's place key under the chain: equal keys share a place."""
    return tuple(_criterion_value(result, criterion, prediction_answer) for criterion in chain)


def chain_key_function(chain: Sequence[str], prediction_answer: int | None) -> Callable[[RankedResult], tuple]:
    """`chain_key` for one chain and answer, built once: a million results are keyed in seconds."""
    getters = [_GETTERS[c](prediction_answer) for c in chain]
    return lambda result: tuple(getter(result) for getter in getters)


_GETTERS: dict[str, Callable[[int | None], Callable[[RankedResult], object]]] = {
    "score": lambda _answer: lambda r: -r.score,
    "prediction": lambda answer: lambda r: prediction_distance(r.prediction, answer),
    "duration": lambda _answer: lambda r: r.duration_seconds,
    "submitted_at": lambda _answer: lambda r: r.submitted_at,
    "started_at": lambda _answer: lambda r: r.started_at or r.submitted_at,
    "attempts_used": lambda _answer: lambda r: r.attempts_used,
}


def listing_key(result: RankedResult, chain: Sequence[str], prediction_answer: int | None) -> tuple:
    """The chain key, then the attempt id: a stable total order for listings."""
    return (*chain_key(result, chain, prediction_answer), result.attempt_id)


def ranked(results: Iterable[RankedResult], chain: Sequence[str], prediction_answer: int | None) -> list[RankedResult]:
    """Results in the chain's order (ties in listing order)."""
    return sorted(results, key=lambda r: listing_key(r, chain, prediction_answer))


def places(ordered: Sequence[RankedResult], chain: Sequence[str], prediction_answer: int | None) -> list[int]:
    """The place of each result of an ordered list: equal chain keys share the place of the first."""
    numbers: list[int] = []
    previous = None
    for index, result in enumerate(ordered):
        key = chain_key(result, chain, prediction_answer)
        numbers.append(numbers[-1] if key == previous else index + 1)
        previous = key
    return numbers


@dataclass(frozen=True)
class ChainColumns:
    """The SQL columns a chain reads (from the counting result and its attempt)."""

    score: ColumnExpression
    prediction: ColumnExpression
    duration: ColumnExpression
    submitted_at: ColumnExpression
    started_at: ColumnExpression
    attempts_used: ColumnExpression
    attempt_id: ColumnExpression


def order_by(chain: Sequence[str], columns: ChainColumns, prediction_answer: int | None) -> list[ColumnElement]:
    """The ORDER BY that sorts rows exactly like `listing_key`."""
    order: list[ColumnElement] = []
    for criterion in chain:
        if criterion == "score":
            order.append(columns.score.desc())
        elif criterion == "prediction":
            if prediction_answer is not None:  # without a true answer every distance is the same
                answer = literal(prediction_answer, BigInteger)  # BIGINT arithmetic: no int4 overflow on PostgreSQL
                order.append(case((columns.prediction.is_(None), cast(literal(NO_PREDICTION, BigInteger), BigInteger)),
                                  else_=func.abs(cast(columns.prediction, BigInteger) - answer)).asc())
        else:
            order.append(getattr(columns, criterion).asc())
    return [*order, columns.attempt_id.asc()]


class sortable_time(FunctionElement):
    """A stored time as fixed-width text that sorts like the time, to the microsecond."""

    type = String()
    inherit_cache = True


@compiles(sortable_time)
def _sortable_time_sqlite(element, compiler, **kw) -> str:
    # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff'; a value written without microseconds gets them
    return f"substr({compiler.process(element.clauses, **kw)} || '.000000', 1, 26)"


@compiles(sortable_time, "postgresql")
def _sortable_time_postgresql(element, compiler, **kw) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYYMMDDHH24MISSUS')"


def _fixed_width(value: ColumnExpression, digits: int) -> ColumnElement[str]:
    """An integer in (-10**digits, 10**digits) as digits + 1 characters that sort like the integer."""
    return cast(literal(2 * 10**digits, BigInteger) + cast(value, BigInteger), String)


def rank_key_expression(chain: Sequence[str], columns: ChainColumns,
                        prediction_answer: int | ColumnElement[int] | None) -> ColumnElement[str]:
    """The chain key as one text: equal keys exactly when `chain_key` is equal, and the same order.

    Each criterion has a fixed width (scores below 10**6, durations below 10**10 s, attempts below 10**7,
    prediction distances below 10**16), so the text compares criterion by criterion.
    """
    parts: list[ColumnElement[str]] = [literal("", String)]
    for criterion in chain:
        if criterion == "score":
            parts.append(_fixed_width(-columns.score, 6))
        elif criterion == "prediction":
            if prediction_answer is not None:  # without a true answer every distance is the same
                answer = (literal(prediction_answer, BigInteger) if isinstance(prediction_answer, int)
                          else prediction_answer)
                parts.append(_fixed_width(case((columns.prediction.is_(None), literal(10**16 - 1, BigInteger)),
                                               else_=func.abs(cast(columns.prediction, BigInteger) - answer)), 16))
        elif criterion == "duration":
            parts.append(_fixed_width(columns.duration, 10))
        elif criterion == "attempts_used":
            parts.append(_fixed_width(columns.attempts_used, 7))
        elif criterion == "started_at":
            parts.append(sortable_time(func.coalesce(columns.started_at, columns.submitted_at)))
        else:
            parts.append(sortable_time(columns.submitted_at))
    key = parts[0]
    for part in parts[1:]:
        key = key + part
    return key


def describe_chain(chain: Sequence[str]) -> list[str]:
    """The chain in plain Vietnamese, one sentence part per criterion, in order."""
    return [CRITERIA[criterion] for criterion in chain]
