"""Question statistics from SQL aggregates: served, percent correct, discrimination, the favourite wrong answer."""
from dataclasses import dataclass

from sqlalchemy import Integer, String, cast, func, select

from quiz.extensions import db
from quiz.models import Attempt, AttemptItem, Citizen, Question, QuestionVersion, Topic

GROUP_SHARE = 0.27  # the classic upper/lower 27% groups


@dataclass
class QuestionStat:
    question_id: int
    text: str
    topic: str
    served: int
    correct_share: float
    discrimination: float | None
    top_wrong: str | None


def _base(round_id: int, commune_code: str | None):  # type: ignore[no-untyped-def]
    stmt = (select().select_from(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .where(Attempt.round_id == round_id, Attempt.submitted_at.is_not(None)))
    if commune_code:
        stmt = stmt.join(Citizen, Citizen.id == Attempt.citizen_id).where(Citizen.commune_code == commune_code)
    return stmt


def score_bounds(round_id: int, commune_code: str | None) -> tuple[int | None, int | None]:
    """Scores at the edge of the bottom and top 27% of attempts (from the score histogram)."""
    stmt = select(Attempt.score, func.count(Attempt.id)).where(Attempt.round_id == round_id,
                                                               Attempt.submitted_at.is_not(None))
    if commune_code:
        stmt = stmt.join(Citizen, Citizen.id == Attempt.citizen_id).where(Citizen.commune_code == commune_code)
    histogram = sorted(db.session.execute(stmt.group_by(Attempt.score)).all())
    total = sum(count for _, count in histogram)
    if total < 4:
        return None, None
    edge = max(1, round(total * GROUP_SHARE))
    return _score_at(histogram, edge), _score_at(list(reversed(histogram)), edge)


def _score_at(histogram: list, edge: int) -> int:
    seen = 0
    for score, count in histogram:
        seen += count
        if seen >= edge:
            return score
    return histogram[-1][0]


def question_stats(round_id: int, commune_code: str | None = None) -> list[QuestionStat]:
    """One row per question served in the round (all versions of a question together)."""
    correct = func.sum(cast(AttemptItem.is_correct, Integer))
    rows = db.session.execute(_base(round_id, commune_code).add_columns(
        QuestionVersion.question_id, func.count(AttemptItem.id), correct)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .group_by(QuestionVersion.question_id)).all()
    low, high = score_bounds(round_id, commune_code)
    top = _group_rates(round_id, commune_code, Attempt.score >= high) if high is not None else {}
    bottom = _group_rates(round_id, commune_code, Attempt.score <= low) if low is not None else {}
    wrong = _favourite_wrong(round_id, commune_code)
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_([r[0] for r in rows])))}
    stats = []
    for question_id, served, right in rows:
        question = questions[question_id]
        discrimination = (top[question_id] - bottom[question_id]) if question_id in top and question_id in bottom else None
        stats.append(QuestionStat(question_id, question.current_version.text, question.topic.name, served,
                                  (right or 0) / served, discrimination, wrong.get(question_id)))
    return sorted(stats, key=lambda s: s.correct_share)


def _group_rates(round_id: int, commune_code: str | None, condition) -> dict[int, float]:  # type: ignore[no-untyped-def]
    correct = func.avg(cast(AttemptItem.is_correct, Integer))
    stmt = (_base(round_id, commune_code).add_columns(QuestionVersion.question_id, correct)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .where(condition).group_by(QuestionVersion.question_id))
    return {question_id: float(rate or 0) for question_id, rate in db.session.execute(stmt)}


def _favourite_wrong(round_id: int, commune_code: str | None) -> dict[int, str]:
    """The wrong answer chosen most often, per question (answers grouped as stored, by version)."""
    answer = cast(AttemptItem.selected, String)
    stmt = (_base(round_id, commune_code).add_columns(AttemptItem.question_version_id, answer, func.count(AttemptItem.id))
            .where(AttemptItem.is_correct.is_(False), AttemptItem.selected.is_not(None))
            .group_by(AttemptItem.question_version_id, answer))
    best: dict[int, tuple[int, str]] = {}
    versions = {}
    for version_id, selected, count in db.session.execute(stmt):
        versions.setdefault(version_id, db.session.get(QuestionVersion, version_id))
        version = versions[version_id]
        indices = [int(i) for i in selected.strip("[]").split(",") if i.strip().isdigit()]
        label = "; ".join(version.choices[i] for i in indices if i < len(version.choices))
        if count > best.get(version.question_id, (0, ""))[0]:
            best[version.question_id] = (count, label)
    return {question_id: label for question_id, (_, label) in best.items()}


def topic_stats(round_id: int, commune_code: str | None = None) -> list[tuple[str, int, float]]:
    """(topic, answers, share correct) for the round."""
    correct = func.sum(cast(AttemptItem.is_correct, Integer))
    stmt = (_base(round_id, commune_code).add_columns(Topic.name, func.count(AttemptItem.id), correct)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .join(Question, Question.id == QuestionVersion.question_id).join(Topic, Topic.id == Question.topic_id)
            .group_by(Topic.name))
    return sorted(((name, n, (right or 0) / n) for name, n, right in db.session.execute(stmt) if n), key=lambda r: r[2])
