"""Practice mode ("Thi thử"): unlimited sittings from the same bank, graded and reviewed at once.

A practice sitting lives in `practice_attempts`, never in `attempts` or `best_results`, and sends
no tally event: no figure, ranking, tally or report can count it. Like the real quiz it has the
round's time limit, saves each answer as it is given, and past its deadline plus the network grace
only the answers saved in time are graded.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from quiz.contest import grading
from quiz.contest.attempts import CLOSED, draw_version_ids
from quiz.contest.results import key_keeper
from quiz.errors import AttemptError, AttemptNotFound
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import PracticeAttempt, QuestionVersion, Round
from quiz.models.contest import accepts_until

NOT_FOUND = "Không tìm thấy bài thi thử này."


@dataclass(frozen=True)
class _Draw:
    """The draw rules a practice sitting borrows (the open round's, or a uniform draw)."""

    question_count: int
    topic_quotas: dict | None
    time_limit_seconds: int | None


def start_practice(citizen_id: int, round_: Round | None, now: datetime, rng: random.Random | None = None,
                   default_count: int = 20) -> PracticeAttempt:
    """A new practice sitting drawn and timed like the open round (any number of them); untimed without one."""
    draw = (_Draw(round_.question_count, round_.topic_quotas, round_.time_limit_seconds) if round_
            else _Draw(default_count, None, None))
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
        deadline = now + timedelta(seconds=draw.time_limit_seconds) if draw.time_limit_seconds else None
        practice = PracticeAttempt(citizen_id=citizen_id, started_at=now, deadline_at=deadline, items=items,
                                   max_score=len(items))
        db.session.add(practice)
    return practice


def own_practice(practice_id: int, citizen_id: int, for_update: bool = False) -> PracticeAttempt:
    """The citizen's own sitting; for_update locks its row (saves rewrite the whole items list)."""
    stmt = select(PracticeAttempt).where(PracticeAttempt.id == practice_id, PracticeAttempt.citizen_id == citizen_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    practice = db.session.scalar(stmt)
    if practice is None:
        raise AttemptNotFound(NOT_FOUND)
    return practice


def is_accepting(practice: PracticeAttempt, now: datetime, grace: timedelta) -> bool:
    """Not yet graded, and (when timed) not past its deadline plus the network grace."""
    return practice.submitted_at is None and (practice.deadline_at is None
                                              or now <= accepts_until(practice.deadline_at, grace))


def save_practice_answer(practice_id: int, citizen_id: int, position: int, shown: list[int], now: datetime,
                         grace: timedelta) -> None:
    """Keep one answer (choice positions as shown) while the sitting accepts answers."""
    with write_transaction():
        practice = own_practice(practice_id, citizen_id, for_update=True)
        if not is_accepting(practice, now, grace):
            raise AttemptError(CLOSED)
        if not 0 <= position < len(practice.items):
            raise AttemptError("Câu hỏi này không có trong bài thi thử của bạn.")
        try:
            selected = grading.shown_to_original(shown, practice.items[position]["o"]) or None
        except ValueError:
            raise AttemptError("Lựa chọn này không có trong câu hỏi.") from None
        items = list(practice.items)  # a new list: the JSON column sees the change
        items[position] = {**items[position], "s": selected}
        practice.items = items


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


def withholding_round(now: datetime, grace: timedelta) -> Round | None:
    """The round that keeps practice reviews back, score included (results.key_keeper): a review would hand
    its key out, even a score would, a sitting with one answer at a time. A round that shows its own answers
    after submit withholds too: unlimited sittings gave the whole key before its one attempt."""
    return key_keeper(now, grace)


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


def submit_practice(practice_id: int, citizen_id: int, answers: dict[int, list[int]], now: datetime,
                    grace: timedelta) -> PracticeAttempt:
    """Grade the sitting once (a repeated submit changes nothing): the submitted answers over the saved
    ones while it accepts answers, only the saved ones once its time is over."""
    with write_transaction():
        practice = own_practice(practice_id, citizen_id, for_update=True)
        if practice.submitted_at is not None:
            return practice
        in_time = is_accepting(practice, now, grace)
        correct: dict[int, list] = dict(db.session.execute(select(QuestionVersion.id, QuestionVersion.correct).where(
            QuestionVersion.id.in_([item["v"] for item in practice.items]))).tuples().all())
        items, score = [], 0
        for position, item in enumerate(practice.items):
            selected = item["s"]
            if in_time and position in answers:
                try:
                    selected = grading.shown_to_original(answers[position], item["o"]) or None
                except ValueError:
                    selected = None
            score += grading.is_item_correct(selected, correct[item["v"]])
            items.append({**item, "s": selected})
        practice.items, practice.score, practice.submitted_at = items, score, now
    return practice
