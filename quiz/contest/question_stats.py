"""Question statistics: served, percent correct, discrimination, the favourite wrong answer; per topic and commune.

`compute_stats` derives every figure with a handful of GROUP BY queries (one pass for the province, one
for all communes at once: attempts are never loaded into Python). At contest scale that takes seconds,
so `refresh_stats` materialises the result in question_stat_snapshots (the `questions stats-refresh`
command, or the button on the page) and the pages read only that small table.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnExpressionArgument,
    Integer,
    Select,
    String,
    Subquery,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
)

from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import (
    Attempt,
    AttemptItem,
    Citizen,
    Commune,
    Question,
    QuestionStatSnapshot,
    QuestionVersion,
    Topic,
)

PROVINCE = ""  # the scope of the province-wide rows
MIN_ATTEMPTS_FOR_DISCRIMINATION = 4  # the upper and lower 27% need at least one attempt each


@dataclass
class QuestionStat:
    """One question's figures in a round (all its versions together)."""

    question_id: int
    text: str
    topic: str
    served: int
    correct_share: float
    discrimination: float | None  # share right in the top 27% of attempts minus share right in the bottom 27%
    top_wrong: str | None


def _graded(round_id: int, by_commune: bool) -> Subquery:
    """Submitted attempts with their scope, their place by score within it (ties by id) and the scope's size."""
    scope = Citizen.commune_code if by_commune else literal_column(f"'{PROVINCE}'", String)
    partition = [scope] if by_commune else None
    place = func.row_number().over(partition_by=partition, order_by=(Attempt.score.desc(), Attempt.id.asc()))
    stmt = (select(Attempt.id, scope.label("scope"), place.label("place"),
                   func.count(Attempt.id).over(partition_by=partition).label("total"))
            .where(Attempt.round_id == round_id, Attempt.is_submitted))
    if by_commune:
        stmt = stmt.join(Citizen, Citizen.id == Attempt.citizen_id)
    return stmt.subquery()


def _items(graded: Subquery, *columns: ColumnExpressionArgument[Any]) -> Select[Any]:
    return (select(graded.c.scope, QuestionVersion.question_id, *columns).select_from(AttemptItem)
            .join(graded, graded.c.id == AttemptItem.attempt_id)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .group_by(graded.c.scope, QuestionVersion.question_id))


def _scope_figures(round_id: int, by_commune: bool) -> dict[tuple[str, int], dict]:
    graded = _graded(round_id, by_commune)
    right = cast(AttemptItem.is_correct, Integer)
    figures = {(scope, qid): {"served": served, "answered_right": int(r or 0), "discrimination": None,
                              "top_wrong": None}
               for scope, qid, served, r in db.session.execute(_items(graded, func.count(AttemptItem.id), func.sum(right)))}
    edge = (graded.c.total * 27 + 50) // 100  # 27% of the scope's attempts, rounded half up (integer division)
    rates = {}
    for name, condition in (("top", graded.c.place <= edge), ("bottom", graded.c.place > graded.c.total - edge)):
        stmt = _items(graded, func.avg(right)).where(condition, graded.c.total >= MIN_ATTEMPTS_FOR_DISCRIMINATION)
        rates[name] = {(scope, qid): float(rate) for scope, qid, rate in db.session.execute(stmt)}
    for key in rates["top"].keys() & rates["bottom"].keys():
        figures[key]["discrimination"] = rates["top"][key] - rates["bottom"][key]
    for key, label in _favourite_wrong(graded).items():
        figures[key]["top_wrong"] = label
    return figures


def _favourite_wrong(graded: Subquery) -> dict[tuple[str, int], str]:
    """The wrong answer chosen most often (a multiple-answer selection counts as a whole), per scope and question."""
    answer = cast(AttemptItem.selected, String)
    count = func.count(AttemptItem.id)
    stmt = (_items(graded, QuestionVersion.id, answer, count)
            .where(AttemptItem.is_correct.is_(False), AttemptItem.selected.is_not(None))
            .group_by(QuestionVersion.id, answer).order_by(count.desc(), QuestionVersion.id, answer))
    best: dict[tuple[str, int], tuple[int, str]] = {}
    for scope, question_id, version_id, selected, _ in db.session.execute(stmt):
        best.setdefault((scope, question_id), (version_id, selected))  # rows come most chosen first
    choices = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.choices)
                                      .where(QuestionVersion.id.in_({v for v, _ in best.values()}))).tuples().all())
    labels = {}
    for key, (version_id, selected) in best.items():
        indices = [int(i) for i in selected.strip("[] ").split(",") if i.strip().isdigit()]
        labels[key] = "; ".join(choices[version_id][i] for i in indices if i < len(choices[version_id]))
    return labels


def compute_stats(round_id: int) -> dict[tuple[str, int], dict]:
    """Every question's figures for the province ("") and for each commune: {(scope, question_id): figures}."""
    return {**_scope_figures(round_id, False), **_scope_figures(round_id, True)}


def refresh_stats(round_id: int, now: datetime) -> int:
    """Recompute the round's statistics and replace its snapshot rows in one transaction; returns the row count."""
    figures = compute_stats(round_id)
    rows = [{"round_id": round_id, "commune_code": scope, "question_id": qid, "refreshed_at": now, **values}
            for (scope, qid), values in figures.items()]
    with write_transaction():
        db.session.execute(delete(QuestionStatSnapshot).where(QuestionStatSnapshot.round_id == round_id))
        if rows:
            db.session.execute(insert(QuestionStatSnapshot), rows)
    return len(rows)


def refreshed_at(round_id: int) -> datetime | None:
    """When the round's statistics were last computed (None: never)."""
    return db.session.scalar(select(func.max(QuestionStatSnapshot.refreshed_at))
                             .where(QuestionStatSnapshot.round_id == round_id))


def question_stats(round_id: int, commune_code: str | None = None) -> list[QuestionStat]:
    """One row per question served in the round (province or one commune), hardest first, from the snapshot."""
    snap = QuestionStatSnapshot
    stmt = (select(snap, QuestionVersion.text, Topic.name).join(Question, Question.id == snap.question_id)
            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
            .join(Topic, Topic.id == Question.topic_id)
            .where(snap.round_id == round_id, snap.commune_code == (commune_code or PROVINCE)))
    stats = [QuestionStat(row.question_id, text, topic, row.served, row.answered_right / row.served,
                          row.discrimination, row.top_wrong) for row, text, topic in db.session.execute(stmt)]
    return sorted(stats, key=lambda s: (s.correct_share, s.question_id))


def topic_stats(round_id: int, commune_code: str | None = None) -> list[tuple[str, int, float]]:
    """(topic, answers, share correct) for the round, weakest topic first, from the snapshot."""
    snap = QuestionStatSnapshot
    stmt = (select(Topic.name, func.sum(snap.served), func.sum(snap.answered_right))
            .join(Question, Question.id == snap.question_id).join(Topic, Topic.id == Question.topic_id)
            .where(snap.round_id == round_id, snap.commune_code == (commune_code or PROVINCE)).group_by(Topic.name))
    return sorted(((name, int(n), int(r) / int(n)) for name, n, r in db.session.execute(stmt) if n),
                  key=lambda row: (row[2], row[0]))


def commune_stats(round_id: int) -> list[tuple[str, str, int, float]]:
    """(commune code, name, answers, share correct) for the round, weakest commune first, from the snapshot."""
    snap = QuestionStatSnapshot
    stmt = (select(Commune.code, Commune.name, func.sum(snap.served), func.sum(snap.answered_right))
            .join(Commune, Commune.code == snap.commune_code).where(snap.round_id == round_id)
            .group_by(Commune.code, Commune.name))
    return sorted(((code, name, int(n), int(r) / int(n)) for code, name, n, r in db.session.execute(stmt) if n),
                  key=lambda row: (row[3], row[1]))
