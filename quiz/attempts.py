"""Attempts: drawing questions, saving answers, submitting; the server's deadline rules."""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quiz import grading
from quiz.clock import local_day
from quiz.database import write_transaction
from quiz.errors import AttemptError
from quiz.extensions import db
from quiz.models import Attempt, AttemptItem, BestResult, Citizen, Question, QuestionVersion, Round

NOT_FOUND = "Không tìm thấy bài thi này."


@dataclass(frozen=True)
class BestSnapshot:
    """The figures of a citizen's counting attempt that the tallies need."""

    score: int
    percent: float
    passed: bool


@dataclass(frozen=True)
class SubmitOutcome:
    """What a submission changed: the tallies are moved from this after the commit."""

    attempt: Attempt
    newly_graded: bool
    commune_code: str
    round_id: int
    day: str
    previous_best: BestSnapshot | None = None
    best: BestSnapshot | None = None

    @property
    def first_completion(self) -> bool:
        return self.newly_graded and self.previous_best is None


def current_round(now: datetime) -> Round | None:
    """The round open now (the one that opened last, if several overlap)."""
    stmt = (select(Round).where(Round.opens_at <= now, Round.closes_at > now)
            .order_by(Round.opens_at.desc()).limit(1))
    return db.session.scalar(stmt)


def attempts_used(round_id: int, citizen_id: int) -> int:
    stmt = select(func.count(Attempt.id)).where(
        Attempt.round_id == round_id, Attempt.citizen_id == citizen_id)
    return db.session.scalar(stmt) or 0


def open_attempt(round_id: int, citizen_id: int) -> Attempt | None:
    """The citizen's unsubmitted attempt in the round, if any."""
    stmt = select(Attempt).where(Attempt.round_id == round_id, Attempt.citizen_id == citizen_id,
                                 Attempt.submitted_at.is_(None))
    return db.session.scalar(stmt.order_by(Attempt.number.desc()).limit(1))


def start_attempt(citizen_id: int, round_: Round, now: datetime, grace: timedelta,
                  rng: random.Random | None = None) -> Attempt:
    """Resume the citizen's unfinished attempt, or draw a new one if the allowance permits."""
    if not round_.is_open(now):
        raise AttemptError("Đợt thi này hiện không mở.")
    existing = open_attempt(round_.id, citizen_id)
    if existing is not None:
        if now <= existing.deadline_at + grace:
            return existing
        submit_attempt(existing.id, citizen_id, None, None, now, grace)  # time ran out while away
    used = attempts_used(round_.id, citizen_id)
    if used >= round_.attempts_allowed:
        raise AttemptError(f"Bạn đã dùng hết {round_.attempts_allowed} lượt thi của đợt này.")
    try:
        with write_transaction():
            attempt = _new_attempt(citizen_id, round_, used + 1, now, rng or random.SystemRandom())
    except IntegrityError:  # a parallel tap started the same attempt number first
        attempt = open_attempt(round_.id, citizen_id)
        if attempt is None:
            raise AttemptError("Không bắt đầu được bài thi. Vui lòng thử lại.") from None
    return attempt


def _new_attempt(citizen_id: int, round_: Round, number: int, now: datetime,
                 rng: random.Random) -> Attempt:
    version_ids = draw_version_ids(round_, rng)
    attempt = Attempt(round_id=round_.id, citizen_id=citizen_id, number=number, started_at=now,
                      deadline_at=now + timedelta(seconds=round_.time_limit_seconds),
                      max_score=len(version_ids))
    db.session.add(attempt)
    db.session.flush()
    choice_counts = _choice_counts(version_ids)
    for position, version_id in enumerate(version_ids):
        order = list(range(choice_counts[version_id]))
        rng.shuffle(order)
        db.session.add(AttemptItem(attempt_id=attempt.id, position=position,
                                   question_version_id=version_id, choice_order=order))
    return attempt


def draw_version_ids(round_: Round, rng: random.Random) -> list[int]:
    """Draw current versions of active questions: per-topic quotas or uniformly, in random order."""
    stmt = select(Question.topic_id, Question.current_version_id).where(
        Question.active.is_(True), Question.current_version_id.is_not(None))
    pool: dict[int, list[int]] = {}
    for topic_id, version_id in db.session.execute(stmt):
        pool.setdefault(topic_id, []).append(version_id)
    if round_.topic_quotas:
        drawn = []
        for topic_id, count in round_.topic_quotas.items():
            candidates = sorted(pool.get(int(topic_id), []))
            if len(candidates) < count:
                raise AttemptError("Ngân hàng câu hỏi chưa đủ câu cho đợt thi này.")
            drawn += rng.sample(candidates, count)
    else:
        candidates = sorted(v for versions in pool.values() for v in versions)
        if len(candidates) < round_.question_count:
            raise AttemptError("Ngân hàng câu hỏi chưa đủ câu cho đợt thi này.")
        drawn = rng.sample(candidates, round_.question_count)
    rng.shuffle(drawn)
    return drawn


def _choice_counts(version_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(select(QuestionVersion.id, QuestionVersion.choices)
                              .where(QuestionVersion.id.in_(version_ids)))
    return {version_id: len(choices) for version_id, choices in rows}


def citizen_attempt(attempt_id: int, citizen_id: int, lock: bool = False) -> Attempt:
    """The attempt if it belongs to this citizen; another citizen's is simply not found."""
    stmt = select(Attempt).where(Attempt.id == attempt_id, Attempt.citizen_id == citizen_id)
    attempt = db.session.scalar(stmt.with_for_update() if lock else stmt)
    if attempt is None:
        raise AttemptError(NOT_FOUND)
    return attempt


def save_answer(attempt_id: int, citizen_id: int, position: int, shown: list[int],
                now: datetime, grace: timedelta) -> None:
    """Store one answer (choice positions as shown) while the attempt is open."""
    with write_transaction():
        attempt = citizen_attempt(attempt_id, citizen_id)
        _check_accepting(attempt, now, grace)
        item = _item(attempt, position)
        _store(item, shown, now)


def _check_accepting(attempt: Attempt, now: datetime, grace: timedelta) -> None:
    if attempt.is_submitted:
        raise AttemptError("Bài thi đã được nộp, không thể sửa câu trả lời.")
    if now > attempt.deadline_at + grace:
        raise AttemptError("Đã hết giờ làm bài; câu trả lời này không được ghi nhận.")


def _item(attempt: Attempt, position: int) -> AttemptItem:
    stmt = select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                     AttemptItem.position == position)
    item = db.session.scalar(stmt)
    if item is None:
        raise AttemptError("Câu hỏi này không có trong bài thi của bạn.")
    return item


def _store(item: AttemptItem, shown: list[int], now: datetime) -> None:
    try:
        selected = grading.shown_to_original(shown, item.choice_order)
    except ValueError:
        raise AttemptError("Lựa chọn này không có trong câu hỏi.") from None
    if len(selected) > 1 and not item.version.is_multiple:
        raise AttemptError("Câu này chỉ chọn một đáp án.")
    item.selected = selected or None
    item.answered_at = now


def submit_attempt(attempt_id: int, citizen_id: int, answers: dict[int, list[int]] | None,
                   prediction: int | None, now: datetime, grace: timedelta) -> SubmitOutcome:
    """Grade the attempt once; a repeated submit returns the same result and changes nothing.

    Answers sent with a late submit (after deadline plus grace) are ignored, and answers
    saved after the deadline do not count: the server's clock decides.
    """
    try:
        return _submit_once(attempt_id, citizen_id, answers, prediction, now, grace)
    except IntegrityError:  # two attempts of one citizen created the best result at once
        return _submit_once(attempt_id, citizen_id, answers, prediction, now, grace)


def _submit_once(attempt_id: int, citizen_id: int, answers: dict[int, list[int]] | None,
                 prediction: int | None, now: datetime, grace: timedelta) -> SubmitOutcome:
    with write_transaction():
        attempt = citizen_attempt(attempt_id, citizen_id, lock=True)
        citizen = db.session.get(Citizen, citizen_id)
        if attempt.is_submitted:
            return SubmitOutcome(attempt, False, citizen.commune_code, attempt.round_id,
                                 local_day(attempt.submitted_at))
        in_time = now <= attempt.deadline_at + grace
        if in_time:
            _store_submitted_answers(attempt, answers or {}, now)
        _grade(attempt, now, in_time, prediction)
        previous, best = _update_best(attempt, now)
    return SubmitOutcome(attempt, True, citizen.commune_code, attempt.round_id,
                         local_day(now), previous, best)


def _store_submitted_answers(attempt: Attempt, answers: dict[int, list[int]], now: datetime) -> None:
    """Answers sent with the submit form; an entry that is not on this attempt counts for nothing."""
    items = {item.position: item for item in attempt.items}
    for position, shown in answers.items():
        if position in items:
            try:
                _store(items[position], shown, now)
            except AttemptError:
                continue


def _grade(attempt: Attempt, now: datetime, in_time: bool, prediction: int | None) -> None:
    pairs = []
    for item in attempt.items:
        counted = item.answered_at is not None and (in_time or item.answered_at <= attempt.deadline_at)
        item.is_correct = counted and grading.is_item_correct(item.selected, item.version.correct)
        pairs.append((item.selected if counted else None, item.version.correct))
    result = grading.grade(pairs, attempt.round.pass_percent)
    attempt.score, attempt.percent, attempt.passed = result.score, result.percent, result.passed
    attempt.submitted_at = now
    attempt.duration_seconds = int((min(now, attempt.deadline_at) - attempt.started_at).total_seconds())
    if prediction is not None and attempt.round.prediction_question:
        attempt.prediction = prediction


def _update_best(attempt: Attempt, now: datetime) -> tuple[BestSnapshot | None, BestSnapshot]:
    stmt = select(BestResult).where(BestResult.round_id == attempt.round_id,
                                    BestResult.citizen_id == attempt.citizen_id)
    best = db.session.scalar(stmt.with_for_update())
    previous = BestSnapshot(best.score, best.percent, best.passed) if best else None
    if best is None:
        best = BestResult(round_id=attempt.round_id, citizen_id=attempt.citizen_id,
                          first_completed_at=now, attempts_count=0)
        db.session.add(best)
    best.attempts_count += 1
    if previous is None or _better(attempt, best):
        best.attempt_id, best.score, best.percent = attempt.id, attempt.score, attempt.percent
        best.passed, best.duration_seconds = attempt.passed, attempt.duration_seconds
        best.submitted_at = attempt.submitted_at
    return previous, BestSnapshot(best.score, best.percent, best.passed)


def _better(attempt: Attempt, best: BestResult) -> bool:
    """Higher score wins; at equal score the faster attempt counts."""
    return (attempt.score, -attempt.duration_seconds) > (best.score, -best.duration_seconds)
