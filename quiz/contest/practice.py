"""Practice mode ("Thi thử"): unlimited sittings from the same bank, graded and reviewed at once.

A practice sitting lives in `practice_attempts`, never in `attempts` or `best_results`, and sends
no tally event: no figure, ranking, tally or report can count it.
"""
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.contest import grading
from quiz.contest.attempts import draw_version_ids
from quiz.errors import AttemptError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import PracticeAttempt, QuestionVersion, Round

NOT_FOUND = "Không tìm thấy bài thi thử này."


@dataclass(frozen=True)
class _Draw:
    """The draw rules a practice sitting borrows (the open round's, or a uniform draw)."""

    question_count: int
    topic_quotas: dict | None


def start_practice(citizen_id: int, round_: Round | None, now: datetime, rng: random.Random | None = None,
                   default_count: int = 20) -> PracticeAttempt:
    """A new practice sitting drawn like the open round (any number of them)."""
    draw = _Draw(round_.question_count, round_.topic_quotas) if round_ else _Draw(default_count, None)
    generator = rng or random.SystemRandom()
    version_ids = draw_version_ids(draw, generator)  # type: ignore[arg-type]
    counts: dict[int, list] = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.choices)
                                     .where(QuestionVersion.id.in_(version_ids))).tuples().all())
    items = []
    for version_id in version_ids:
        order = list(range(len(counts[version_id])))
        generator.shuffle(order)
        items.append({"v": version_id, "o": order, "s": None})
    with write_transaction():
        practice = PracticeAttempt(citizen_id=citizen_id, started_at=now, items=items, max_score=len(items))
        db.session.add(practice)
    return practice


def own_practice(practice_id: int, citizen_id: int) -> PracticeAttempt:
    practice = db.session.scalar(select(PracticeAttempt).where(PracticeAttempt.id == practice_id,
                                                               PracticeAttempt.citizen_id == citizen_id))
    if practice is None:
        raise AttemptError(NOT_FOUND)
    return practice


@dataclass(frozen=True)
class PracticeItem:
    """A practice question as shown, and after grading its answer, the correct choices and why."""

    position: int
    text: str
    choices: list[str]
    multiple: bool
    selected: list[int]
    correct: list[int]
    is_correct: bool
    explanation: str


def practice_items(practice: PracticeAttempt) -> list[PracticeItem]:
    versions = {v.id: v for v in db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.id.in_([item["v"] for item in practice.items])))}
    shown = []
    for position, item in enumerate(practice.items):
        version, order = versions[item["v"]], item["o"]
        selected = set(item["s"] or [])
        shown.append(PracticeItem(position, version.text, [version.choices[i] for i in order], version.is_multiple,
                                  [p for p, i in enumerate(order) if i in selected],
                                  [p for p, i in enumerate(order) if i in set(version.correct)],
                                  grading.is_item_correct(item["s"], version.correct), version.explanation))
    return shown


def submit_practice(practice_id: int, citizen_id: int, answers: dict[int, list[int]], now: datetime) -> PracticeAttempt:
    """Grade the sitting once (a repeated submit changes nothing)."""
    with write_transaction():
        practice = own_practice(practice_id, citizen_id)
        if practice.submitted_at is not None:
            return practice
        correct: dict[int, list] = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.correct).where(
            QuestionVersion.id.in_([item["v"] for item in practice.items]))).tuples().all())
        items, score = [], 0
        for position, item in enumerate(practice.items):
            try:
                selected = grading.shown_to_original(answers.get(position, []), item["o"]) or None
            except ValueError:
                selected = None
            score += grading.is_item_correct(selected, correct[item["v"]])
            items.append({**item, "s": selected})
        practice.items, practice.score, practice.submitted_at = items, score, now
    return practice
