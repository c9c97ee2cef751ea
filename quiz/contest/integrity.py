"""Cheap integrity signals: they flag a result for an organizer to look at, never block anything.

- too_fast: an attempt submitted faster than the round's minimum seconds per question;
- device_burst / net_burst: several accounts registering or starting attempts from one device cookie,
  or very many from one network (/24 or /64), within a short window;
- same_answers: the same answers to the same questions, mistakes included, from different accounts.
Only keyed hashes of the network and the cookie are kept (quiz.web.client_signals).
"""
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Attempt, ClientSignal, IntegrityFlag, Round

DEVICE_BURST = (3, timedelta(hours=1))  # distinct accounts on one device cookie within the window
NET_BURST = (30, timedelta(minutes=10))  # distinct accounts from one network: loose, carriers share addresses
KINDS = {
    "too_fast": "Làm bài quá nhanh",
    "device_burst": "Nhiều tài khoản trên một thiết bị",
    "net_burst": "Rất nhiều tài khoản từ một mạng trong thời gian ngắn",
    "same_answers": "Trả lời giống hệt tài khoản khác (kể cả câu sai)",
}


def scan_round(round_id: int, now: datetime) -> int:
    """Add the round's new flags (existing ones are kept as they are); the number added."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        return 0
    found: dict[tuple[int, str], dict] = {}
    found.update(_too_fast(round_))
    found.update(_bursts(round_))
    found.update(_same_answers(round_id))
    return _store(round_id, found, now)


def _too_fast(round_: Round) -> dict[tuple[int, str], dict]:
    if round_.min_seconds_per_question <= 0:
        return {}
    minimum = Attempt.max_score * round_.min_seconds_per_question
    stmt = (select(Attempt.citizen_id, func.min(Attempt.duration_seconds))
            .where(Attempt.round_id == round_.id, Attempt.submitted_at.is_not(None),
                   Attempt.closed_automatically.is_(False), Attempt.duration_seconds < minimum)
            .group_by(Attempt.citizen_id))
    return {(citizen_id, "too_fast"): {"giay": seconds, "toi_thieu_moi_cau": round_.min_seconds_per_question}
            for citizen_id, seconds in db.session.execute(stmt)}


def _bursts(round_: Round) -> dict[tuple[int, str], dict]:
    window_start = round_.opens_at - DEVICE_BURST[1]
    stmt = (select(ClientSignal.citizen_id, ClientSignal.net_key, ClientSignal.device_key, ClientSignal.at)
            .where((ClientSignal.round_id == round_.id) |
                   ((ClientSignal.round_id.is_(None)) & (ClientSignal.at >= window_start) &
                    (ClientSignal.at <= round_.closes_at)))
            .order_by(ClientSignal.at))
    rows = db.session.execute(stmt).all()
    flags = {}
    for kind, index, (count, window) in (("device_burst", 2, DEVICE_BURST), ("net_burst", 1, NET_BURST)):
        by_key: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        for row in rows:
            by_key[row[index]].append((row.at, row.citizen_id))
        for events in by_key.values():
            for citizen_id, accounts in _crowded(events, count, window):
                flags[(citizen_id, kind)] = {"so_tai_khoan": accounts, "phut": int(window.total_seconds() // 60)}
    return flags


def _crowded(events: list[tuple[datetime, int]], count: int, window: timedelta) -> Iterable[tuple[int, int]]:
    """Citizens in any window holding at least `count` distinct citizens (events sorted by time).

    A sliding window with a count per citizen: linear in the events, even for a carrier's shared network.
    """
    inside: Counter = Counter()
    start, crowded = 0, False
    flagged: dict[int, int] = {}
    for at, citizen_id in events:
        inside[citizen_id] += 1
        while at - events[start][0] > window:
            gone = events[start][1]
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            start += 1
        now_crowded = len(inside) >= count
        for member in (inside if now_crowded and not crowded else (citizen_id,) if now_crowded else ()):
            flagged[member] = max(flagged.get(member, 0), len(inside))
        crowded = now_crowded
    return flagged.items()


def _same_answers(round_id: int) -> dict[tuple[int, str], dict]:
    """Equal fingerprints from two or more accounts; all-right attempts say nothing (everyone right is alike)."""
    shared = (select(Attempt.answers_digest)
              .where(Attempt.round_id == round_id, Attempt.answers_digest.is_not(None),
                     Attempt.score < Attempt.max_score)
              .group_by(Attempt.answers_digest).having(func.count(func.distinct(Attempt.citizen_id)) >= 2))
    stmt = (select(Attempt.citizen_id, Attempt.answers_digest)
            .where(Attempt.round_id == round_id, Attempt.answers_digest.in_(shared.scalar_subquery())))
    groups: dict[str, set[int]] = defaultdict(set)
    for citizen_id, digest in db.session.execute(stmt):
        groups[digest].add(citizen_id)
    return {(citizen_id, "same_answers"): {"so_tai_khoan": len(citizens)}
            for citizens in groups.values() for citizen_id in citizens}


def _store(round_id: int, found: dict[tuple[int, str], dict], now: datetime) -> int:
    existing = set(db.session.execute(select(IntegrityFlag.citizen_id, IntegrityFlag.kind)
                                      .where(IntegrityFlag.round_id == round_id)).tuples())
    new = [key for key in found if key not in existing]
    if not new:
        return 0
    with write_transaction():
        db.session.add_all(IntegrityFlag(round_id=round_id, citizen_id=citizen_id, kind=kind,
                                         detail=found[(citizen_id, kind)], created_at=now)
                           for citizen_id, kind in new)
    return len(new)
