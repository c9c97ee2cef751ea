"""When a result page may show the review: each question with the citizen's answer, the key and the explanation.

The review is put in the page's context only once answers are revealed; before that the page has only
totals (quiz.contest.result_summary), so no template, class name or per-topic count can give a verdict away.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from quiz.contest import contest_rules
from quiz.contest.result_summary import ResultSummary, summarise
from quiz.infra.database import execute_core
from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Round


def key_keeper(now: datetime, grace: timedelta, besides: int | None = None) -> Round | None:
    """The round whose key a review (of a practice sitting, or of another round's attempt) would hand out:
    every round draws from the one bank, so any round not yet closed (open, still to come, or in its grace),
    whatever it shows its own contestants after they submit. The last of them to close; None: none left."""
    stmt = select(Round).where(Round.closes_at > now - grace)
    if besides is not None:
        stmt = stmt.where(Round.id != besides)
    return db.session.scalar(stmt.order_by(Round.closes_at.desc()).limit(1))


def answers_revealed(round_: Round, now: datetime, grace: timedelta) -> bool:
    """At once if the round says so, otherwise only when no attempt of the round can still accept answers;
    and in both cases only once no other round still keeps the bank's key (key_keeper)."""
    if round_.reveal_answers != Round.REVEAL_AFTER_SUBMIT and not _own_answers_out(round_, now, grace):
        return False
    return key_keeper(now, grace, besides=round_.id) is None


def _own_answers_out(round_: Round, now: datetime, grace: timedelta) -> bool:
    if not round_.reveals_answers(now, grace):
        return False
    still_open = select(Attempt.id).where(Attempt.round_id == round_.id, Attempt.submitted_at.is_(None),
                                          Attempt.deadline_at >= now - grace).limit(1)
    return db.session.scalar(still_open) is None


def review_items(attempt: Attempt, now: datetime, grace: timedelta) -> list[AttemptItem] | None:
    """The served items (answers, key, explanation) for the result page, or None before the reveal."""
    return list(attempt.items) if answers_revealed(attempt.round, now, grace) else None


@dataclass(frozen=True)
class ResultPage:
    """A submitted attempt's figures, and its review once answers are revealed (None before)."""

    summary: ResultSummary
    review: list[AttemptItem] | None
    waits_for: Round | None = None  # another round whose close the review waits for (None: its own)


def result_page(attempt: Attempt, known_phone: str | None, now: datetime, grace: timedelta) -> ResultPage:
    """What the result page shows of the citizen's submitted attempt (known_phone: see attempt_allowance)."""
    used = contest_rules.attempt_allowance(attempt.round, attempt.citizen_id, now, known_phone).used  # day/week/period
    review = review_items(attempt, now, grace)
    answers = [item.selected for item in review] if review is not None else saved_answers(attempt.id)
    waits_for = key_keeper(now, grace, besides=attempt.round_id) if review is None else None
    return ResultPage(summarise(attempt, answers, used, now, grace), review, waits_for)


def saved_answers(attempt_id: int) -> list[list[int] | None]:
    """The saved answer of each served item: what the totals need, without the questions' texts."""
    return list(execute_core(_SAVED_ANSWERS, {"attempt_id": attempt_id}).scalars())


_SAVED_ANSWERS = select(AttemptItem.selected).where(AttemptItem.attempt_id == bindparam("attempt_id"))
