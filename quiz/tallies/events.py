"""Tally events: queued by the write transaction that causes them, sent to Redis only after it commits.

A write path calls `queue(...)` inside its transaction; a session hook sends the queued events once
the commit succeeded and drops them on rollback, so no path can forget to move a tally and none can
count a write that did not happen. Each event carries the ids that make it idempotent (see scripts.lua).
"""
import json
import logging
from datetime import datetime
from typing import Protocol

import redis
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.infra.clock import local_day
from quiz.infra.extensions import db
from quiz.infra.redis_client import run_script, run_script_many
from quiz.models import Attempt, BestResult, Citizen
from quiz.tallies.keys import prefix
from quiz.tallies.scripts import WRITE
from quiz.tallies.state import State, report_lost_writes

log = logging.getLogger(__name__)
_QUEUE = "tally_events"


def queue(event: dict) -> None:
    """Send `event` after the current transaction commits (nothing if it rolls back)."""
    db.session().info.setdefault(_QUEUE, []).append(event)


def registration(citizen_id: int, commune_code: str, created_at: datetime) -> dict:
    return {"t": "reg", "id": citizen_id, "code": commune_code, "day": local_day(created_at)}


def result(attempt_id: int, round_id: int, commune_code: str, day: str, first: bool,
           score_delta: int, passed_delta: int) -> dict:
    """A newly graded attempt: one more attempt, perhaps a first completion, best-score deltas."""
    return {"t": "res", "attempt": attempt_id, "round": round_id, "code": commune_code, "day": day,
            "first": int(first), "score": score_delta, "passed": passed_delta}


class _Best(Protocol):
    """Read-only, so a frozen dataclass (quiz.contest.attempts.BestSnapshot) satisfies it."""

    @property
    def score(self) -> int: ...

    @property
    def passed(self) -> bool: ...


class GradedAttempt(Protocol):
    """What a submission tells the tallies (quiz.contest.attempts.SubmitOutcome has these fields).

    Read-only properties: the tallies only read them, and the frozen SubmitOutcome cannot offer settable ones.
    """

    @property
    def attempt_id(self) -> int: ...

    @property
    def newly_graded(self) -> bool: ...

    @property
    def round_id(self) -> int: ...

    @property
    def commune_code(self) -> str: ...

    @property
    def day(self) -> str: ...

    @property
    def previous_best(self) -> _Best | None: ...

    @property
    def best(self) -> _Best | None: ...


def graded(outcome: GradedAttempt) -> dict:
    """The event of a newly graded attempt: deltas between the citizen's previous and new best result."""
    previous, best = outcome.previous_best, outcome.best
    assert best is not None, "only a newly graded attempt has an event"
    return result(outcome.attempt_id, outcome.round_id, outcome.commune_code, outcome.day, first=previous is None,
                  score_delta=best.score - (previous.score if previous else 0),
                  passed_delta=int(best.passed) - (int(previous.passed) if previous else 0))


def commune_change(citizen_id: int, old_code: str, new_code: str) -> dict:
    """A citizen's registration and round figures move from one commune to another (read in the transaction)."""
    citizen = db.session.get(Citizen, citizen_id)
    assert citizen is not None, "called in the transaction that changes this citizen's commune"
    rounds = []
    for best in db.session.scalars(select(BestResult).where(BestResult.citizen_id == citizen_id)):
        rounds.append({"round": best.round_id, "attempts": _submitted_count(best.round_id, citizen_id),
                       "completed": 1, "passed": int(best.passed), "score_sum": best.score,
                       "day": local_day(best.first_completed_at)})
    return {"t": "move", "old": old_code, "new": new_code, "day": local_day(citizen.created_at), "rounds": rounds}


def _submitted_count(round_id: int, citizen_id: int) -> int:
    stmt = select(db.func.count(Attempt.id)).where(Attempt.round_id == round_id, Attempt.citizen_id == citizen_id,
                                                  Attempt.is_submitted)
    return db.session.scalar(stmt) or 0


def send(event: dict) -> None:
    """Apply one event to the current generation now; a Redis failure only schedules a rebuild."""
    try:
        report_lost_writes()
        outcome = run_script(WRITE, [prefix()], json.dumps(event))
    except redis.RedisError as error:
        log.warning("tallies: Redis write failed (%s); they will be rebuilt", error.__class__.__name__)
        State.needs_rebuild = True
        return
    if outcome == -1:
        from quiz.tallies.rebuilding import request_rebuild
        request_rebuild()


PIPELINE_EVENTS = 500  # a bulk write (the overdue sweep's batch) sends its events in pipelines of this size


def send_many(events: list[dict]) -> None:
    """Apply several events in one round trip per PIPELINE_EVENTS (each is still one atomic script call)."""
    try:
        report_lost_writes()
        outcomes: list[object] = []
        for start in range(0, len(events), PIPELINE_EVENTS):
            chunk = events[start:start + PIPELINE_EVENTS]
            outcomes += run_script_many(WRITE, [prefix()], [(json.dumps(event),) for event in chunk])
    except redis.RedisError as error:
        log.warning("tallies: Redis write failed (%s); they will be rebuilt", error.__class__.__name__)
        State.needs_rebuild = True
        return
    if -1 in outcomes:
        from quiz.tallies.rebuilding import request_rebuild
        request_rebuild()


@sa_event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    queued = session.info.pop(_QUEUE, [])
    if len(queued) == 1:
        send(queued[0])
    elif queued:
        send_many(queued)


@sa_event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_QUEUE, None)
