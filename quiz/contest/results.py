"""When a result page may show the review: each question with the citizen's answer, the key and the explanation.

The review is put in the page's context only once answers are revealed; before that the page has only
totals (quiz.contest.result_summary), so no template, class name or per-topic count can give a verdict away.
"""
from datetime import datetime, timedelta

from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Round


def answers_revealed(round_: Round, now: datetime, grace: timedelta) -> bool:
    """At once if the round says so; otherwise only when no attempt of the round can still accept answers."""
    if round_.reveal_answers == Round.REVEAL_AFTER_SUBMIT:
        return True
    if not round_.reveals_answers(now, grace):
        return False
    still_open = select(Attempt.id).where(Attempt.round_id == round_.id, Attempt.submitted_at.is_(None),
                                          Attempt.deadline_at >= now - grace).limit(1)
    return db.session.scalar(still_open) is None


def review_items(attempt: Attempt, now: datetime, grace: timedelta) -> list[AttemptItem] | None:
    """The served items (answers, key, explanation) for the result page, or None before the reveal."""
    return list(attempt.items) if answers_revealed(attempt.round, now, grace) else None
