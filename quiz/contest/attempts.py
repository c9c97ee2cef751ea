"""Attempts: drawing questions, saving answers, submitting; the server's deadline rules."""
import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    DateTime,
    Executable,
    Select,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from quiz.contest import allowance, answer_keys, contest_rules, grading
from quiz.contest.ranking import refresh_rank_keys
from quiz.errors import AttemptError, AttemptNotFound
from quiz.infra.clock import local_day
from quiz.infra.database import execute_core, single_statement_rowcount, write_transaction
from quiz.infra.extensions import db
from quiz.infra.pseudonyms import ClientKeys
from quiz.models import (
    Attempt,
    AttemptItem,
    BestResult,
    Citizen,
    ClientSignal,
    Question,
    QuestionVersion,
    Round,
)
from quiz.models.contest import accepts_until
from quiz.tallies import events as tally_events

NOT_FOUND = "Không tìm thấy bài thi này."
NOT_A_NUMBER = 2**63  # a typed prediction that is no integer: outside every round's bounds
CLOSED = ("Đã hết giờ làm bài hoặc đợt thi đã đóng; câu trả lời này không được ghi nhận. "
          "Các câu đã lưu trước giờ kết thúc vẫn được chấm.")


@dataclass(frozen=True)
class BestSnapshot:
    """The figures of a citizen's counting attempt that the tallies need."""

    score: int
    percent: float
    passed: bool


@dataclass(frozen=True)
class SubmitOutcome:
    """What a submission changed, as plain values: the tallies are moved from this after the commit."""

    attempt_id: int
    newly_graded: bool
    commune_code: str
    round_id: int
    day: str
    previous_best: BestSnapshot | None = None
    best: BestSnapshot | None = None
    late: bool = False  # submitted after deadline + grace: graded on the answers saved in time

    @property
    def first_completion(self) -> bool:
        return self.newly_graded and self.previous_best is None

    @property
    def attempt(self) -> Attempt:
        """The graded attempt, loaded on demand (the submission itself never needs the object)."""
        attempt = db.session.get(Attempt, self.attempt_id)
        if attempt is None:
            raise AttemptNotFound(NOT_FOUND)
        return attempt


@dataclass(frozen=True)
class _BestSoFar:
    id: int
    score: int
    percent: float
    passed: bool
    duration_seconds: int


@dataclass(frozen=True)
class _Submitting:
    """The locked attempt with its citizen's commune and its round's grading rules."""

    id: int
    round_id: int
    citizen_id: int
    started_at: datetime
    deadline_at: datetime
    submitted_at: datetime | None
    commune_code: str
    pass_percent: int
    asks_prediction: bool
    counting: str
    closes_at: datetime
    prediction_min: int
    prediction_max: int
    tiebreak_chain: list[str]
    prediction_answer: int | None
    best: _BestSoFar | None

    @property
    def ends_at(self) -> datetime:
        return ends_at(self.deadline_at, self.closes_at)


@dataclass(frozen=True)
class _Graded:
    score: int
    percent: float
    passed: bool
    submitted_at: datetime
    duration_seconds: int


@dataclass(frozen=True)
class _GradingRow:
    """One served question with just what grading needs (no question text or choices)."""

    id: int
    position: int
    choice_order: list[int]
    selected: list[int] | None
    answered_at: datetime | None
    marked: bool | None  # the mark stored when the answer was saved
    correct: list[int]
    is_multiple: bool
    version_id: int
    changed: bool = False  # a different answer came with the submit form


def current_round(now: datetime) -> Round | None:
    """The round open now (the one that opened last, if several overlap)."""
    return db.session.scalar(_CURRENT_ROUND, {"now": now})


# Built once, like the start's other statements: building one per call costs more CPU than its round trip.
_CURRENT_ROUND = (select(Round).where(Round.is_open(bindparam("now", type_=DateTime())))  # type: ignore[arg-type]  # SQL side
                  .order_by(Round.opens_at.desc()).limit(1))


def attempts_used(round_id: int, citizen_id: int) -> int:
    """Attempts used in the round by the citizen's phone (every registration of it counts)."""
    return allowance.attempts_used(round_id, citizen_id)


def open_attempt(round_id: int, citizen_id: int) -> Attempt | None:
    """The citizen's unsubmitted attempt in the round, if any."""
    return db.session.scalar(_OPEN_ATTEMPT, {"round_id": round_id, "citizen_id": citizen_id})


def open_attempt_deadline(round_id: int, citizen_id: int) -> tuple[int, datetime] | None:
    """The open attempt's id and deadline (the contest page says how long is left), or None."""
    row = execute_core(_OPEN_STARTED, {"round_id": round_id, "citizen_id": citizen_id}).first()
    return (row.id, row.deadline_at) if row else None


_OPEN_ATTEMPT = (select(Attempt).where(Attempt.round_id == bindparam("round_id"),
                                       Attempt.citizen_id == bindparam("citizen_id"), ~Attempt.is_submitted)
                 .order_by(Attempt.number.desc()).limit(1))
_OPEN_STARTED = _OPEN_ATTEMPT.with_only_columns(Attempt.id, Attempt.started_at, Attempt.deadline_at)


@dataclass(frozen=True)
class Started:
    """The attempt a start hands out, resumed or new, as plain values (its commit expires ORM objects)."""

    id: int
    started_at: datetime
    deadline_at: datetime
    cut_short: bool = False  # a new attempt the round's close leaves less than the time limit

    @classmethod
    def of(cls, attempt: Attempt) -> "Started":
        return cls(attempt.id, attempt.started_at, attempt.deadline_at)


def start_attempt(citizen_id: int, round_: Round, now: datetime, grace: timedelta,
                  rng: random.Random | None = None, signals: ClientKeys | None = None) -> Attempt:
    """Resume the citizen's unfinished attempt, or draw a new one if the allowance permits."""
    started = resume_or_start(citizen_id, round_, open_attempt(round_.id, citizen_id), now, grace, rng, signals)
    attempt = db.session.get(Attempt, started.id)
    assert attempt is not None, "the attempt was just started or resumed"
    return attempt


def resume_or_start(citizen_id: int, round_: Round, pending: Attempt | None, now: datetime, grace: timedelta,
                    rng: random.Random | None = None, signals: ClientKeys | None = None) -> Started:
    """start_attempt, given the citizen's open attempt in the round as the caller just read it (open_attempt).

    An open attempt past its deadline is graded first. A parallel tap that started an attempt after
    `pending` was read is found again under the phone's lock (it committed before the lock was ours) or
    by the attempt numbers (it commits while we count, see allowance.lock_for_start).
    """
    if not round_.is_open(now):
        raise AttemptError("Đợt thi này hiện không mở.")
    if pending is not None:
        if now <= pending.accepts_until(grace):
            return Started.of(pending)
        submit_attempt(pending.id, citizen_id, None, None, now, grace)  # time ran out while away
    try:
        with write_transaction():
            use = allowance.lock_for_start(round_, citizen_id, now)
            meanwhile = execute_core(_OPEN_STARTED, {"round_id": round_.id, "citizen_id": citizen_id}).first()
            if meanwhile is not None:  # another tap's start committed after the caller's read
                return Started(*meanwhile)
            contest_rules.check_start(round_, use)
            started = _new_attempt(citizen_id, round_, allowance.take_one(use, now), now,
                                   rng or random.SystemRandom())
            if signals is not None:
                execute_core(_INSERT_SIGNAL, {"kind": ClientSignal.ATTEMPT, "citizen_id": citizen_id,
                                          "round_id": round_.id, "net_key": signals.net_key,
                                          "device_key": signals.device_key, "at": now})
    except IntegrityError:  # a parallel tap started the same attempt number first
        existing = open_attempt(round_.id, citizen_id)
        if existing is None:
            raise AttemptError("Không bắt đầu được bài thi. Vui lòng thử lại.") from None
        return Started.of(existing)
    return started


def _new_attempt(citizen_id: int, round_: Round, number: int, now: datetime, rng: random.Random) -> Started:
    version_ids = draw_version_ids(round_, rng)
    deadline = round_.attempt_deadline(now)
    row = {"round_id": round_.id, "citizen_id": citizen_id, "number": number, "started_at": now,
           "deadline_at": deadline, "max_score": len(version_ids)}
    attempt_id = cast(CursorResult, execute_core(_INSERT_ATTEMPT, row)).inserted_primary_key[0]
    choice_counts = _choice_counts(version_ids)
    items = []
    for position, version_id in enumerate(version_ids):
        order = list(range(choice_counts[version_id]))
        rng.shuffle(order)
        items.append({"attempt_id": attempt_id, "position": position, "question_version_id": version_id,
                      "choice_order": order})
    execute_core(_INSERT_ITEMS, items)
    return Started(attempt_id, now, deadline, cut_short=deadline == round_.closes_at)


_INSERT_ATTEMPT, _INSERT_ITEMS, _INSERT_SIGNAL = insert(Attempt), insert(AttemptItem), insert(ClientSignal)


def draw_version_ids(round_: Round, rng: random.Random) -> list[int]:
    """Draw current versions of active questions: per-topic quotas or uniformly, in random order."""
    pool: dict[int, list[int]] = {}
    for topic_id, version_id in db.session.execute(_DRAW_POOL):
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


_DRAW_POOL = select(Question.topic_id, Question.current_version_id).where(
    Question.active.is_(True), Question.current_version_id.is_not(None))


def _choice_counts(version_ids: list[int]) -> dict[int, int]:
    return dict(execute_core(_CHOICE_COUNTS, {"version_ids": version_ids}).tuples().all())


# json_array_length (SQLite and PostgreSQL's json): the lengths, without sending and decoding the texts
_CHOICE_COUNTS = select(QuestionVersion.id, func.json_array_length(QuestionVersion.choices)).where(
    QuestionVersion.id.in_(bindparam("version_ids", expanding=True)))


def citizen_attempt(attempt_id: int, citizen_id: int, lock: bool = False) -> Attempt:
    """The attempt (with its round) if it belongs to this citizen; another citizen's is simply not found."""
    attempt = db.session.scalar(_LOCKED_CITIZEN_ATTEMPT if lock else _CITIZEN_ATTEMPT,
                                {"attempt_id": attempt_id, "citizen_id": citizen_id})
    if attempt is None:
        raise AttemptNotFound(NOT_FOUND)
    return attempt


# Built once; the round comes in the same statement (every page of an attempt reads it).
_CITIZEN_ATTEMPT = (select(Attempt).where(Attempt.id == bindparam("attempt_id"),
                                          Attempt.citizen_id == bindparam("citizen_id"))
                    .options(joinedload(Attempt.round, innerjoin=True)))
_LOCKED_CITIZEN_ATTEMPT = _CITIZEN_ATTEMPT.with_for_update(of=Attempt)


def _in_session(plain: Executable, in_session: Executable, parameters: dict[str, Any],
                session_token: str | None) -> tuple[Executable, dict[str, Any]]:
    """A hot endpoint's statement and parameters: the variant that also checks the session token when one is
    given (a session ended by log-out or reset then matches nothing), else the plain one."""
    if session_token is None:
        return plain, parameters
    return in_session, {**parameters, "session_token": session_token}


def save_answer(attempt_id: int, citizen_id: int, position: int, shown: list[int],
                now: datetime, grace: timedelta, session_token: str | None = None) -> None:
    """Store one answer (choice positions as shown) while the attempt is open (and, given a session
    token, only while it is still the citizen's: a session ended by log-out or reset saves nothing).

    The common case is one statement: the attempt's keys are known to the process (answer_keys) and the
    update itself checks, under the attempt's lock, that it may store. Anything else takes the checked
    path, which reads the attempt under the lock and says why it refuses.
    """
    if not _store_with_known_keys(attempt_id, citizen_id, position, shown, now, grace, session_token):
        _save_checked(attempt_id, citizen_id, position, shown, now, grace, session_token)


def _store_with_known_keys(attempt_id: int, citizen_id: int, position: int, shown: list[int],
                           now: datetime, grace: timedelta, session_token: str | None) -> bool:
    keys = answer_keys.keys_for(attempt_id, citizen_id)
    key = keys.items.get(position) if keys else None
    if keys is None or key is None:
        return False
    try:
        selected = _selection(shown, list(key.choice_order), key.is_multiple)
    except AttemptError:
        return False  # the checked path refuses, a closed attempt's reason first
    parameters = {"item_id": key.item_id, "attempt": attempt_id, "citizen": citizen_id,
                  "started_at": keys.started_at, "cutoff": now - grace, "selected": selected, "answered_at": now,
                  "is_correct": grading.is_item_correct(selected, key.correct)}
    stored = single_statement_rowcount(*_in_session(_STORE_IF_OPEN, _STORE_IF_OPEN_IN_SESSION, parameters, session_token))
    if not stored:  # submitted, closed, ended session, or the kept keys no longer match: read everything again
        answer_keys.forget(attempt_id)
    return bool(stored)


def _save_checked(attempt_id: int, citizen_id: int, position: int, shown: list[int],
                  now: datetime, grace: timedelta, session_token: str | None) -> None:
    with write_transaction():
        served = _served_item(attempt_id, citizen_id, position, session_token)
        _check_accepting(served, now, grace)
        if served.item_id is None:
            raise AttemptError("Câu hỏi này không có trong bài thi của bạn.")
        assert served.choice_order is not None and served.correct is not None, "a served item has its order and key"
        selected = _selection(shown, served.choice_order, QuestionVersion.multiple_flag(served.multiple, served.correct))
        execute_core(_STORE_ANSWER, {"item_id": served.item_id, "selected": selected, "answered_at": now,
                                     "is_correct": grading.is_item_correct(selected, served.correct)})


# The attempt still takes answers: this citizen's (active, and in this session when a token is given), started
# when the kept keys say, not submitted, and now <= accepts_until(ends_at(deadline, close), grace) written as
# deadline >= now - grace and close >= now - grace (the rule of _check_accepting, which the checked path applies;
# test_a_save_exactly_at_the_deadline_plus_grace_counts_on_both_paths). FOR SHARE as in _SERVED_ITEM: a submit in
# flight makes the update wait, then see it submitted.
_TAKING_ANSWERS = (
    select(Attempt.id).join(Round, Round.id == Attempt.round_id).join(Citizen, Citizen.id == Attempt.citizen_id)
    .where(Attempt.id == bindparam("attempt"), Attempt.citizen_id == bindparam("citizen"),
           Attempt.started_at == bindparam("started_at"), Attempt.submitted_at.is_(None),
           Attempt.deadline_at >= bindparam("cutoff"), Round.closes_at >= bindparam("cutoff"), Citizen.is_active))
_STORE_VALUES: dict[str, BindParameter[Any]] = {
    "selected": bindparam("selected"), "answered_at": bindparam("answered_at"), "is_correct": bindparam("is_correct")}


def _store_if_open(open_attempt: Select) -> Update:
    return (update(AttemptItem).values(_STORE_VALUES)
            .where(AttemptItem.id == bindparam("item_id"),
                   AttemptItem.attempt_id.in_(open_attempt.with_for_update(of=Attempt.__table__, read=True))))


_STORE_IF_OPEN = _store_if_open(_TAKING_ANSWERS)
_STORE_IF_OPEN_IN_SESSION = _store_if_open(_TAKING_ANSWERS.where(Citizen.session_token == bindparam("session_token")))


def save_form_answers(attempt_id: int, citizen_id: int, answers: dict[int, list[int]], now: datetime,
                      grace: timedelta) -> None:
    """Keep the answers of a submit form that was sent back (one save each; a refused one is skipped)."""
    for position, shown in answers.items():
        try:
            save_answer(attempt_id, citizen_id, position, shown, now, grace)
        except AttemptError:
            continue


@dataclass(frozen=True)
class _ServedItem:
    """The attempt's state and one of its questions (item_id None: no question at that position)."""

    submitted_at: datetime | None
    deadline_at: datetime
    closes_at: datetime
    item_id: int | None
    choice_order: list[int] | None
    correct: list[int] | None
    multiple: bool | None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def _served_item(attempt_id: int, citizen_id: int, position: int, session_token: str | None) -> _ServedItem:
    parameters = {"attempt_id": attempt_id, "citizen_id": citizen_id, "position": position}
    row = execute_core(*_in_session(_SERVED_ITEM, _SERVED_ITEM_IN_SESSION, parameters, session_token)).first()
    if row is None:
        raise AttemptNotFound(NOT_FOUND)
    return _ServedItem(*row)


# FOR SHARE on PostgreSQL: saves of one attempt run side by side, but a submit waits for those in flight
# and a save arriving after the submit sees it (SQLite's write lock already orders them).
_SERVED_ITEM = (
    select(Attempt.submitted_at, Attempt.deadline_at, Round.closes_at, AttemptItem.id, AttemptItem.choice_order,
           QuestionVersion.correct, QuestionVersion.multiple)
    .join(Round, Round.id == Attempt.round_id)
    .outerjoin(AttemptItem, and_(AttemptItem.attempt_id == Attempt.id, AttemptItem.position == bindparam("position")))
    .outerjoin(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
    .join(Citizen, Citizen.id == Attempt.citizen_id)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.citizen_id == bindparam("citizen_id"),
           Citizen.is_active)
    .with_for_update(of=Attempt.__table__, read=True))
_SERVED_ITEM_IN_SESSION = _SERVED_ITEM.where(Citizen.session_token == bindparam("session_token"))


def _check_accepting(served: _ServedItem, now: datetime, grace: timedelta) -> None:
    if served.is_submitted:
        raise AttemptError("Bài thi đã được nộp, không thể sửa câu trả lời.")
    if now > accepts_until(ends_at(served.deadline_at, served.closes_at), grace):
        raise AttemptError(CLOSED)


def ends_at(deadline_at: datetime, closes_at: datetime) -> datetime:
    """When an attempt stops accepting answers (before the grace): its deadline, and never after the close.

    Deadlines are capped at the close when drawn and when the close moves; the second cap holds any row
    that escaped those (a close changed in the database directly).
    """
    return min(deadline_at, closes_at)


def _selection(shown: list[int], choice_order: list[int], is_multiple: bool) -> list[int] | None:
    """The choice indices for positions as shown; None for an emptied answer."""
    try:
        selected = grading.shown_to_original(shown, choice_order)
    except ValueError:
        raise AttemptError("Lựa chọn này không có trong câu hỏi.") from None
    if len(selected) > 1 and not is_multiple:
        raise AttemptError("Câu này chỉ chọn một đáp án.")
    return selected or None


def submit_attempt(attempt_id: int, citizen_id: int, answers: dict[int, list[int]] | None,
                   prediction: int | None, now: datetime, grace: timedelta,
                   session_token: str | None = None) -> SubmitOutcome:
    """Grade the attempt once; a repeated submit returns the same result and changes nothing.

    Answers sent with a late submit (after deadline plus grace) are ignored, and answers
    saved after the deadline do not count: the server's clock decides.
    """
    try:
        return _submit_once(attempt_id, citizen_id, answers, prediction, now, grace, session_token)
    except IntegrityError:  # two attempts of one citizen created the best result at once
        return _submit_once(attempt_id, citizen_id, answers, prediction, now, grace, session_token)


def _submit_once(attempt_id: int, citizen_id: int, answers: dict[int, list[int]] | None,
                 prediction: int | None, now: datetime, grace: timedelta,
                 session_token: str | None = None) -> SubmitOutcome:
    """One transaction of three Core statements (five when marks or answers change): the write lock is held briefly."""
    with write_transaction():
        found, rows = _locked_for_submit(attempt_id, citizen_id, session_token)
        if found.submitted_at is not None:
            return SubmitOutcome(found.id, False, found.commune_code, found.round_id, local_day(found.submitted_at))
        in_time = now <= accepts_until(found.ends_at, grace)
        if in_time:
            _check_prediction(found, prediction)
            rows = _with_submitted_answers(rows, answers or {}, now)
        graded = _grade(found, rows, now, in_time)
        _save_grade(found, graded, prediction if found.asks_prediction and in_time else None, rows, in_time)
        previous, best = _update_best(found, graded)
        refresh_rank_keys(found.round_id, found.tiebreak_chain, found.prediction_answer, [found.citizen_id])
        outcome = SubmitOutcome(found.id, True, found.commune_code, found.round_id, local_day(graded.submitted_at),
                                previous, best, late=not in_time)
        tally_events.queue(tally_events.graded(outcome))
        return outcome


class PredictionOutOfBounds(AttemptError):
    """The prediction is not an integer within the organizer's bounds: nothing was submitted."""


def _check_prediction(found: _Submitting, prediction: int | None) -> None:
    if found.asks_prediction and prediction is not None and not found.prediction_min <= prediction <= found.prediction_max:
        raise PredictionOutOfBounds(prediction_rule(found.prediction_min, found.prediction_max), "prediction")


def prediction_rule(low: int, high: int) -> str:
    """The Vietnamese sentence stating the bounds (84.360 style numbers)."""
    return f"Câu dự đoán cần một số nguyên từ {low:,} đến {high:,}.".replace(",", ".")


def _locked_for_submit(attempt_id: int, citizen_id: int,
                       session_token: str | None = None) -> tuple[_Submitting, list[_GradingRow]]:
    """The citizen's attempt with the commune, the round's rules, the best result so far and the served
    items, in one query (one row per item).

    Locking the citizen's row too makes the citizen's submissions take turns, so the best
    result read here is still the best when it is replaced (and a commune correction waits).
    """
    parameters = {"attempt_id": attempt_id, "citizen_id": citizen_id}
    result = execute_core(*_in_session(_LOCKED_FOR_SUBMIT, _LOCKED_FOR_SUBMIT_IN_SESSION, parameters,
                                       session_token)).all()
    if not result:
        raise AttemptNotFound(NOT_FOUND)
    attempt_end, best_end = len(_ATTEMPT_COLUMNS), len(_ATTEMPT_COLUMNS) + len(_BEST_COLUMNS)
    attempt, best = result[0][:attempt_end], result[0][attempt_end:best_end]
    values = [*attempt, _BestSoFar(*best) if best[0] is not None else None]  # the last field is best
    found = _Submitting(*values)
    return found, [_grading_row(row[best_end:]) for row in result if row[best_end] is not None]


def _grading_row(item: Sequence) -> _GradingRow:
    """_ITEM_COLUMNS as a _GradingRow (the stored "multiple" flag may be unset: the key decides)."""
    *head, correct, multiple, version_id = item
    values = [*head, correct, QuestionVersion.multiple_flag(multiple, correct), version_id]
    return _GradingRow(*values)


_ATTEMPT_COLUMNS = (Attempt.id, Attempt.round_id, Attempt.citizen_id, Attempt.started_at, Attempt.deadline_at,
                    Attempt.submitted_at, Citizen.commune_code, Round.pass_percent,
                    Round.prediction_question.is_not(None), Round.counting, Round.closes_at, Round.prediction_min,
                    Round.prediction_max, Round.tiebreak_chain, Round.prediction_answer)
_BEST_COLUMNS = (BestResult.id, BestResult.score, BestResult.percent, BestResult.passed, BestResult.duration_seconds)
_ITEM_COLUMNS = (AttemptItem.id, AttemptItem.position, AttemptItem.choice_order, AttemptItem.selected,
                 AttemptItem.answered_at, AttemptItem.is_correct, QuestionVersion.correct, QuestionVersion.multiple,
                 AttemptItem.question_version_id)
_LOCKED_FOR_SUBMIT = (
    select(*_ATTEMPT_COLUMNS, *_BEST_COLUMNS, *_ITEM_COLUMNS)
    .join(Citizen, Citizen.id == Attempt.citizen_id).join(Round, Round.id == Attempt.round_id)
    .outerjoin(BestResult, and_(BestResult.round_id == Attempt.round_id, BestResult.citizen_id == Attempt.citizen_id))
    .outerjoin(AttemptItem, AttemptItem.attempt_id == Attempt.id)
    .outerjoin(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.citizen_id == bindparam("citizen_id"),
           Citizen.is_active)
    .order_by(AttemptItem.position)
    .with_for_update(of=[Attempt.id, Citizen.id], key_share=True))  # a column names its table in OF
_LOCKED_FOR_SUBMIT_IN_SESSION = _LOCKED_FOR_SUBMIT.where(Citizen.session_token == bindparam("session_token"))


def _with_submitted_answers(rows: list[_GradingRow], answers: dict[int, list[int]],
                            now: datetime) -> list[_GradingRow]:
    """Answers sent with the submit form that differ from the saved ones; a foreign entry counts for nothing."""
    updated = []
    for row in rows:
        if row.position in answers:
            try:
                selected = _selection(answers[row.position], row.choice_order, row.is_multiple)
            except AttemptError:
                selected = row.selected
            if selected != row.selected:
                row = replace(row, selected=selected, answered_at=now, changed=True)
        updated.append(row)
    return updated


def _grade(found: _Submitting, rows: list[_GradingRow], now: datetime, in_time: bool) -> _Graded:
    """Score the attempt and store its marks.

    Each save already marked its item, so usually nothing is written here: only answers sent with
    the form, answers saved too late to count and never-answered items (still unmarked) change.
    """
    marks = [_counts(row, found, in_time) and grading.is_item_correct(row.selected, row.correct) for row in rows]
    changed = [{"item_id": row.id, "selected": row.selected, "answered_at": row.answered_at, "is_correct": mark}
               for row, mark in zip(rows, marks) if row.changed]
    if changed:
        execute_core(_STORE_ANSWER, changed)
    remarked = [(row.id, mark) for row, mark in zip(rows, marks) if not row.changed and row.marked != mark]
    if remarked:
        execute_core(_MARK_ITEMS, {"item_ids": [id_ for id_, _ in remarked],
                               "correct_ids": [id_ for id_, mark in remarked if mark]})
    result = grading.grade_marks(marks, found.pass_percent)
    submitted_at = now if in_time else found.ends_at  # a late attempt counts as closed at its deadline
    duration = int((min(submitted_at, found.ends_at) - found.started_at).total_seconds())
    return _Graded(result.score, result.percent, result.passed, submitted_at, duration)


def _counts(row: _GradingRow, found: _Submitting, in_time: bool) -> bool:
    """An answer counts if given, and, for a late submission, given before the deadline."""
    return row.answered_at is not None and (in_time or row.answered_at <= found.ends_at)


_STORE_ANSWER = (update(AttemptItem).where(AttemptItem.id == bindparam("item_id"))
                 .values(selected=bindparam("selected"), answered_at=bindparam("answered_at"),
                         is_correct=bindparam("is_correct")))
_MARK_ITEMS = (update(AttemptItem).where(AttemptItem.id.in_(bindparam("item_ids", expanding=True)))
               .values(is_correct=AttemptItem.id.in_(bindparam("correct_ids", expanding=True))))


def _save_grade(found: _Submitting, graded: _Graded, prediction: int | None, rows: list[_GradingRow],
                in_time: bool) -> None:
    digest = answers_digest((row.version_id, row.selected if _counts(row, found, in_time) else None) for row in rows)
    execute_core(_SAVE_GRADE, {"of_attempt": found.id, **_grade_values(graded), "prediction": prediction,
                           "closed_automatically": not in_time, "answers_digest": digest})


def answers_digest(answers: Iterable[tuple[int, list[int] | None]]) -> str:
    """A short fingerprint of (question version, answer) pairs: equal for the same answers to the same questions."""
    canonical = json.dumps(sorted((version_id, sorted(selected or [])) for version_id, selected in answers))
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


def _grade_values(graded: _Graded) -> dict:
    return {name: getattr(graded, name) for name in _GRADE_COLUMNS}


_GRADE_COLUMNS = tuple(field.name for field in fields(_Graded))  # the same names on attempts and best_results
_SAVE_GRADE = (update(Attempt).where(Attempt.id == bindparam("of_attempt"))
               .values({name: bindparam(name)
                        for name in (*_GRADE_COLUMNS, "prediction", "closed_automatically", "answers_digest")}))


def _update_best(found: _Submitting, graded: _Graded) -> tuple[BestSnapshot | None, BestSnapshot]:
    """Insert the citizen's counting result, or count the attempt and keep whichever is better.

    When the period counts the first attempt, later attempts are counted but never replace it.
    """
    new = BestSnapshot(graded.score, graded.percent, graded.passed)
    best = found.best
    if best is None:
        execute_core(_INSERT_BEST, {"round_id": found.round_id, "citizen_id": found.citizen_id,
                                "attempt_id": found.id, "first_completed_at": graded.submitted_at,
                                "attempts_count": 1, **_grade_values(graded)})
        return None, new
    previous = BestSnapshot(best.score, best.percent, best.passed)
    if found.counting == contest_rules.COUNT_BEST and _better(graded, best.score, best.duration_seconds):
        execute_core(_REPLACE_BEST, {"best_id": best.id, "attempt_id": found.id, **_grade_values(graded)})
        return previous, new
    execute_core(_COUNT_ATTEMPT, {"best_id": best.id})
    return previous, previous


_INSERT_BEST = insert(BestResult)
_COUNT_ATTEMPT = (update(BestResult).where(BestResult.id == bindparam("best_id"))
                  .values(attempts_count=BestResult.attempts_count + 1))
_REPLACE_BEST = _COUNT_ATTEMPT.values({name: bindparam(name) for name in (*_GRADE_COLUMNS, "attempt_id")})


def _better(graded: _Graded, best_score: int, best_duration: int) -> bool:
    """Higher score wins; at equal score the faster attempt counts."""
    return (graded.score, -graded.duration_seconds) > (best_score, -best_duration)

