"""The overdue sweep: the server closes attempts whose time ran out, as Moodle's overdue handling does.

An attempt past its deadline plus the network grace that nobody submitted is graded on the answers
saved before its deadline, recorded as submitted at its deadline (closed automatically), and counted
in the best results and the tallies. Set-based: a batch of attempts costs a few statements, not a
submit each, so a backlog of 100,000 is cleared in well under a minute.
"""
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update

from quiz.contest import grading
from quiz.contest.attempts import BestSnapshot, SubmitOutcome
from quiz.contest.ranking import refresh_rank_keys
from quiz.infra.clock import local_day
from quiz.infra.database import execute_core, write_transaction
from quiz.models import Attempt, AttemptItem, BestResult, Citizen, QuestionVersion, Round
from quiz.tallies import events as tally_events

BATCH = 2000


@dataclass
class _Due:
    id: int
    round_id: int
    citizen_id: int
    started_at: datetime
    deadline_at: datetime
    commune_code: str
    pass_percent: int


@dataclass
class _Best:
    id: int | None  # None: to be inserted
    round_id: int
    citizen_id: int
    attempt_id: int
    score: int
    percent: float
    passed: bool
    duration_seconds: int
    submitted_at: datetime
    first_completed_at: datetime
    attempts_count: int
    changed: bool = False

    def snapshot(self) -> BestSnapshot:
        return BestSnapshot(self.score, self.percent, self.passed)


def close_overdue(now: datetime, grace: timedelta, limit: int | None = None, batch: int = BATCH) -> int:
    """Close every attempt past deadline + grace (at most `limit`); the number closed. Safe to run twice."""
    total = 0
    while limit is None or total < limit:
        size = batch if limit is None else min(batch, limit - total)
        outcomes = _close_batch(now - grace, size)
        total += len(outcomes)
        if len(outcomes) < size:
            break
    return total


def _close_batch(cut_off: datetime, size: int) -> list[SubmitOutcome]:
    with write_transaction():
        due = _lock_due(cut_off, size)
        if not due:
            return []
        scores = _scores(due)
        grades = [_grade(attempt, scores) for attempt in due]
        execute_core(_SAVE, grades)
        outcomes = _update_bests(due, grades)
        _refresh_rank_keys(due)
        for outcome in outcomes:  # sent after the commit, as for every graded attempt
            tally_events.queue(tally_events.graded(outcome))
        return outcomes


_DUE = (select(Attempt.id, Attempt.round_id, Attempt.citizen_id, Attempt.started_at, Attempt.deadline_at,
               Citizen.commune_code, Round.pass_percent)
        .join(Citizen, Citizen.id == Attempt.citizen_id).join(Round, Round.id == Attempt.round_id)
        .where(Attempt.submitted_at.is_(None), Attempt.deadline_at < bindparam("cut_off"))
        .order_by(Attempt.deadline_at, Attempt.id).limit(bindparam("size"))
        # the citizen's row too, as a submit locks it: their best result is read and replaced here
        .with_for_update(of=[Attempt.id, Citizen.id], key_share=True, skip_locked=True))  # a column names its table


def _lock_due(cut_off: datetime, size: int) -> list[_Due]:
    return [_Due(*row) for row in execute_core(_DUE, {"cut_off": cut_off, "size": size})]


def _scores(due: list[_Due]) -> dict[int, tuple[int, int]]:
    """attempt id → (right, items), from the items' marks; the few marks that must change are written.

    An answer counts if saved by the deadline, with the mark its save stored. Answered later (within
    the grace): wrong, and marked so. Never answered: no mark is written (NULL counts as not right
    everywhere: the score, the statistics, the review), since writing False into a fifth of two million
    rows was most of the sweep's time on PostgreSQL. One read of four plain columns per batch.
    """
    deadlines = {attempt.id: attempt.deadline_at for attempt in due}
    right: Counter[int] = Counter()
    items: Counter[int] = Counter()
    now_wrong, unmarked = [], []
    for attempt_id, item_id, answered_at, mark in execute_core(_ITEM_MARKS, {"ids": list(deadlines)}):
        items[attempt_id] += 1
        if answered_at is None:
            continue
        if answered_at > deadlines[attempt_id]:
            if mark is not False:
                now_wrong.append({"item_id": item_id, "mark": False})
        elif mark is None:
            unmarked.append(item_id)
        elif mark:
            right[attempt_id] += 1
    for attempt_id, change in _mark_unmarked(unmarked):
        right[attempt_id] += int(change["mark"])
        now_wrong.append(change)
    if now_wrong:
        execute_core(_SET_MARK, now_wrong)
    return {attempt_id: (right[attempt_id], items[attempt_id]) for attempt_id in deadlines}


_ITEM_MARKS = (select(AttemptItem.attempt_id, AttemptItem.id, AttemptItem.answered_at, AttemptItem.is_correct)
               .where(AttemptItem.attempt_id.in_(bindparam("ids", expanding=True))))
_SET_MARK = update(AttemptItem).where(AttemptItem.id == bindparam("item_id")).values(is_correct=bindparam("mark"))


def _mark_unmarked(item_ids: list[int]) -> list[tuple[int, dict]]:
    """Answers saved before marks were stored on save (older rows) get their mark from the key now."""
    if not item_ids:
        return []
    rows = execute_core(select(AttemptItem.attempt_id, AttemptItem.id, AttemptItem.selected, QuestionVersion.correct)
                    .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
                    .where(AttemptItem.id.in_(item_ids)), {})
    return [(attempt_id, {"item_id": item_id, "mark": grading.is_item_correct(selected, correct)})
            for attempt_id, item_id, selected, correct in rows]


_SAVE = (update(Attempt).where(Attempt.id == bindparam("attempt_id"))
         .values(score=bindparam("score"), percent=bindparam("percent"), passed=bindparam("passed"),
                 submitted_at=bindparam("submitted_at"), duration_seconds=bindparam("duration_seconds"),
                 closed_automatically=True))


def _grade(attempt: _Due, scores: dict[int, tuple[int, int]]) -> dict:
    right, items = scores.get(attempt.id, (0, 0))
    result = grading.grade_marks([True] * right + [False] * (items - right), attempt.pass_percent)
    return {"attempt_id": attempt.id, "score": result.score, "percent": result.percent, "passed": result.passed,
            "submitted_at": attempt.deadline_at,
            "duration_seconds": int((attempt.deadline_at - attempt.started_at).total_seconds())}


def _update_bests(due: list[_Due], grades: list[dict]) -> list[SubmitOutcome]:
    """Each citizen's best result, in deadline order (several attempts of one citizen may be in a batch)."""
    bests = _current_bests(due)
    outcomes = []
    for attempt, graded in zip(due, grades, strict=True):
        key = (attempt.round_id, attempt.citizen_id)
        best = bests.get(key)
        previous = best.snapshot() if best else None
        if best is None:
            best = bests[key] = _Best(None, attempt.round_id, attempt.citizen_id, attempt.id, graded["score"],
                                      graded["percent"], graded["passed"], graded["duration_seconds"],
                                      attempt.deadline_at, attempt.deadline_at, 1, True)
        else:
            best.attempts_count += 1
            best.changed = True
            if (graded["score"], -graded["duration_seconds"]) > (best.score, -best.duration_seconds):
                best.attempt_id, best.score, best.percent, best.passed = (attempt.id, graded["score"],
                                                                          graded["percent"], graded["passed"])
                best.duration_seconds, best.submitted_at = graded["duration_seconds"], attempt.deadline_at
        outcomes.append(SubmitOutcome(attempt.id, True, attempt.commune_code, attempt.round_id,
                                      local_day(attempt.deadline_at), previous, best.snapshot()))
    _write_bests(bests.values())
    return outcomes


def _refresh_rank_keys(due: list[_Due]) -> None:
    rounds = select(Round.id, Round.tiebreak_chain, Round.prediction_answer).where(
        Round.id.in_({attempt.round_id for attempt in due}))
    for round_id, chain, answer in execute_core(rounds, {}):
        refresh_rank_keys(round_id, chain, answer, sorted({a.citizen_id for a in due if a.round_id == round_id}))


_BEST_COLUMNS = (BestResult.id, BestResult.round_id, BestResult.citizen_id, BestResult.attempt_id, BestResult.score,
                 BestResult.percent, BestResult.passed, BestResult.duration_seconds, BestResult.submitted_at,
                 BestResult.first_completed_at, BestResult.attempts_count)


def _current_bests(due: list[_Due]) -> dict[tuple[int, int], _Best]:
    citizen_ids = sorted({attempt.citizen_id for attempt in due})
    rows = execute_core(select(*_BEST_COLUMNS).where(BestResult.citizen_id.in_(citizen_ids)), {})
    wanted = {(attempt.round_id, attempt.citizen_id) for attempt in due}
    return {(row.round_id, row.citizen_id): _Best(*row) for row in rows if (row.round_id, row.citizen_id) in wanted}


_BEST_VALUES = ("attempt_id", "score", "percent", "passed", "duration_seconds", "submitted_at", "attempts_count")
_UPDATE_BEST = (update(BestResult).where(BestResult.id == bindparam("best_id"))
                .values({name: bindparam(name) for name in _BEST_VALUES}))


def _write_bests(bests: Iterable[_Best]) -> None:
    new, changed = [], []
    for best in bests:
        values = {name: getattr(best, name) for name in _BEST_VALUES}
        if best.id is None:
            new.append({**values, "round_id": best.round_id, "citizen_id": best.citizen_id,
                        "first_completed_at": best.first_completed_at})
        elif best.changed:
            changed.append({**values, "best_id": best.id})
    if new:
        execute_core(insert(BestResult), new)
    if changed:
        execute_core(_UPDATE_BEST, changed)

