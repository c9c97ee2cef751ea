"""What a result page may show: before the reveal only the attempt's summary, after it the full review.

The review (each question with the citizen's answer, the key and the explanation) is put in the page's
context only once answers are revealed, so no template, class name or count can give a verdict away.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Round


@dataclass(frozen=True)
class ResultSummary:
    """The figures of a submitted attempt that never tell which question was right."""

    attempt_id: int
    number: int
    round_name: str
    score: int
    max_score: int
    percent: float
    passed: bool
    duration_seconds: int
    submitted_at: datetime
    closed_automatically: bool
    reveals_at: datetime | None  # when the review will be shown (None: it is shown now)


def answers_revealed(round_: Round, now: datetime, grace: timedelta) -> bool:
    """At once if the round says so; otherwise only when no attempt of the round can still accept answers."""
    if round_.reveal_answers == Round.REVEAL_AFTER_SUBMIT:
        return True
    if not round_.reveals_answers(now, grace):
        return False
    still_open = select(Attempt.id).where(Attempt.round_id == round_.id, Attempt.submitted_at.is_(None),
                                          Attempt.deadline_at >= now - grace).limit(1)
    return db.session.scalar(still_open) is None


def result_context(attempt: Attempt, now: datetime, grace: timedelta) -> dict:
    """The template's whole context: `summary` always, `review` (the served items) only after the reveal."""
    round_, submitted_at = attempt.round, attempt.submitted_at
    assert submitted_at is not None, "a result page is only for a submitted attempt"
    revealed = answers_revealed(round_, now, grace)
    summary = ResultSummary(attempt.id, attempt.number, round_.name, attempt.score or 0, attempt.max_score,
                            attempt.percent or 0.0, bool(attempt.passed), attempt.duration_seconds or 0,
                            submitted_at, attempt.closed_automatically,
                            None if revealed else round_.closes_at + grace)
    review: list[AttemptItem] | None = list(attempt.items) if revealed else None
    return {"summary": summary, "review": review}
