"""Question statistics from SQL aggregates: served, percent correct, discrimination, the favourite wrong answer.

Every figure is a GROUP BY in the database (attempts are never loaded into Python); a page view
runs a fixed handful of queries whatever the number of attempts.
"""
import json
from dataclasses import dataclass

from sqlalchemy import Integer, String, cast, func, select

from quiz.extensions import db
from quiz.models import Attempt, AttemptItem, Citizen, Commune, Question, QuestionVersion, Topic

GROUP_SHARE = 0.27  # the classic upper and lower 27% of attempts by score
MIN_ATTEMPTS_FOR_DISCRIMINATION = 4


@dataclass
class QuestionStat:
    """One question's figures in a round (all its versions together)."""

    question_id: int
    text: str
    topic: str
    served: int
    correct_share: float
    discrimination: float | None  # share right in the top 27% minus share right in the bottom 27%
    top_wrong: str | None


def _graded(round_id: int, commune_code: str | None):  # type: ignore[no-untyped-def]
    """Submitted attempts of the round (of one commune), numbered best score first (ties by id)."""
    place = func.row_number().over(order_by=(Attempt.score.desc(), Attempt.id.asc()))
    stmt = select(Attempt.id, place.label("place")).where(Attempt.round_id == round_id,
                                                           Attempt.submitted_at.is_not(None))
    if commune_code:
        stmt = stmt.join(Citizen, Citizen.id == Attempt.citizen_id).where(Citizen.commune_code == commune_code)
    return stmt.subquery()


def _items(graded):  # type: ignore[no-untyped-def]
    return (select().select_from(AttemptItem).join(graded, graded.c.id == AttemptItem.attempt_id)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id))


def question_stats(round_id: int, commune_code: str | None = None) -> list[QuestionStat]:
    """One row per question served in the round, hardest first."""
    graded = _graded(round_id, commune_code)
    right = func.sum(cast(AttemptItem.is_correct, Integer))
    rows = db.session.execute(_items(graded).add_columns(QuestionVersion.question_id, func.count(AttemptItem.id), right)
                              .group_by(QuestionVersion.question_id)).all()
    total = db.session.scalar(select(func.count()).select_from(graded)) or 0
    top, bottom = {}, {}
    if total >= MIN_ATTEMPTS_FOR_DISCRIMINATION:
        edge = max(1, round(total * GROUP_SHARE))
        top = _group_rates(graded, graded.c.place <= edge)
        bottom = _group_rates(graded, graded.c.place > total - edge)
    wrong = _favourite_wrong(graded)
    labels = dict((qid, (text, topic)) for qid, text, topic in db.session.execute(
        select(Question.id, QuestionVersion.text, Topic.name)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .join(Topic, Topic.id == Question.topic_id).where(Question.id.in_([r[0] for r in rows]))))
    stats = []
    for question_id, served, right_count in rows:
        both = question_id in top and question_id in bottom
        stats.append(QuestionStat(question_id, *labels[question_id], served, (right_count or 0) / served,
                                  top[question_id] - bottom[question_id] if both else None, wrong.get(question_id)))
    return sorted(stats, key=lambda s: (s.correct_share, s.question_id))


def _group_rates(graded, condition) -> dict[int, float]:  # type: ignore[no-untyped-def]
    share = func.avg(cast(AttemptItem.is_correct, Integer))
    stmt = (_items(graded).add_columns(QuestionVersion.question_id, share).where(condition)
            .group_by(QuestionVersion.question_id))
    return {question_id: float(rate or 0) for question_id, rate in db.session.execute(stmt)}


def _favourite_wrong(graded) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """The wrong answer chosen most often per question (a multiple-answer selection counts as a whole)."""
    answer = cast(AttemptItem.selected, String)
    stmt = (_items(graded).add_columns(QuestionVersion.id, QuestionVersion.question_id, answer,
                                       func.count(AttemptItem.id))
            .where(AttemptItem.is_correct.is_(False), AttemptItem.selected.is_not(None))
            .group_by(QuestionVersion.id, QuestionVersion.question_id, answer)
            .order_by(func.count(AttemptItem.id).desc(), QuestionVersion.id, answer))
    best: dict[int, tuple[int, int, str]] = {}
    for version_id, question_id, selected, count in db.session.execute(stmt):
        best.setdefault(question_id, (count, version_id, selected))  # rows come most chosen first
    choices = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.choices)
                                      .where(QuestionVersion.id.in_([v for _, v, _ in best.values()]))).all())
    labels = {}
    for question_id, (_, version_id, selected) in best.items():
        indices = [int(i) for i in json.loads(selected)] if selected.startswith("[") else []
        labels[question_id] = "; ".join(choices[version_id][i] for i in indices if i < len(choices[version_id]))
    return labels


def topic_stats(round_id: int, commune_code: str | None = None) -> list[tuple[str, int, float]]:
    """(topic, answers, share correct) for the round, weakest topic first."""
    right = func.sum(cast(AttemptItem.is_correct, Integer))
    stmt = (_items(_graded(round_id, commune_code)).add_columns(Topic.name, func.count(AttemptItem.id), right)
            .join(Question, Question.id == QuestionVersion.question_id).join(Topic, Topic.id == Question.topic_id)
            .group_by(Topic.name))
    return sorted(((name, n, (r or 0) / n) for name, n, r in db.session.execute(stmt) if n), key=lambda row: row[2])


def commune_stats(round_id: int) -> list[tuple[str, str, int, float]]:
    """(commune code, name, answers, share correct) for the round, weakest commune first."""
    right = func.sum(cast(AttemptItem.is_correct, Integer))
    stmt = (select(Commune.code, Commune.name, func.count(AttemptItem.id), right).select_from(AttemptItem)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id).join(Citizen, Citizen.id == Attempt.citizen_id)
            .join(Commune, Commune.code == Citizen.commune_code)
            .where(Attempt.round_id == round_id, Attempt.submitted_at.is_not(None))
            .group_by(Commune.code, Commune.name))
    return sorted(((code, name, n, (r or 0) / n) for code, name, n, r in db.session.execute(stmt) if n),
                  key=lambda row: (row[3], row[1]))
