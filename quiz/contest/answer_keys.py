"""The keys of recently started attempts, kept per process: what an answer save needs to map the shown
choices back and mark the answer, read once per attempt and worker instead of at each of its saves.

An attempt's items never change after the draw, so a kept entry cannot go stale while the attempt
exists; the save's own statement still checks, under the attempt's lock, that the attempt is the
citizen's, still open and started when the entry says (a database whose ids were reused after a
restore does not match), and any refusal takes the full path, which reads everything again.
"""
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from quiz.infra.database import single_statement_rows
from quiz.models import Attempt, AttemptItem, QuestionVersion

KEPT_ATTEMPTS = 2048  # about 12 MB per worker (20 items an attempt), several times the attempts a worker serves at once


@dataclass(frozen=True)
class ItemKey:
    item_id: int
    choice_order: tuple[int, ...]
    correct: tuple[int, ...]
    is_multiple: bool


@dataclass(frozen=True)
class AttemptKeys:
    citizen_id: int
    started_at: datetime
    items: dict[int, ItemKey]  # by position


_kept: OrderedDict[int, AttemptKeys] = OrderedDict()
_lock = threading.Lock()


def keys_for(attempt_id: int, citizen_id: int) -> AttemptKeys | None:
    """The attempt's keys if it is this citizen's: kept, else read (only while it is not submitted) and kept;
    else None. A kept entry may belong to an attempt submitted since: the save's own statement checks that."""
    with _lock:
        keys = _kept.get(attempt_id)
        if keys is not None:
            _kept.move_to_end(attempt_id)
    if keys is not None and keys.citizen_id == citizen_id:
        return keys
    keys = _read(attempt_id, citizen_id)
    if keys is not None:
        with _lock:
            _kept[attempt_id] = keys
            while len(_kept) > KEPT_ATTEMPTS:
                _kept.popitem(last=False)
    return keys


def forget(attempt_id: int) -> None:
    with _lock:
        _kept.pop(attempt_id, None)


def forget_all() -> None:
    """Tests empty the tables and reuse ids."""
    with _lock:
        _kept.clear()


def _read(attempt_id: int, citizen_id: int) -> AttemptKeys | None:
    rows = single_statement_rows(_KEYS, {"attempt_id": attempt_id, "citizen_id": citizen_id})
    if not rows:
        return None
    items = {row.position: ItemKey(row.id, tuple(row.choice_order), tuple(row.correct),
                                   QuestionVersion.multiple_flag(row.multiple, row.correct)) for row in rows}
    return AttemptKeys(citizen_id, rows[0].started_at, items)


_KEYS = (select(Attempt.started_at, AttemptItem.position, AttemptItem.id, AttemptItem.choice_order,
                QuestionVersion.correct, QuestionVersion.multiple)
         .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
         .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
         .where(Attempt.id == bindparam("attempt_id"), Attempt.citizen_id == bindparam("citizen_id"),
                Attempt.submitted_at.is_(None)))
