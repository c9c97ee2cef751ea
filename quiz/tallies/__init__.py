"""Live per-commune tallies in Redis. The only module that names a Redis key.

Layout, under the versioned prefix `cds:v1:<province>`: `gen` points at the current generation;
a generation `g:<n>` holds hashes per figure (`reg` commune→registered, `reg:day` day→count,
`r:<round>:completed|attempts|passed|score_sum` commune→value, `r:<round>:day[:<commune>]`) and
bitmaps of counted citizens and graded attempts, which make every event idempotent.
Events are applied by Lua scripts, so each write is one atomic round trip. `rebuild()` builds a
new generation from the database and swaps the pointer atomically, replaying events that arrived
meanwhile. The database is the truth: on any Redis error the citizen's request still succeeds,
readers fall back to database aggregates, and the tallies are rebuilt once Redis answers again.
"""
import json
import logging
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import redis
from flask import Flask, current_app
from sqlalchemy import select

from quiz.contest.attempts import SubmitOutcome
from quiz.infra.clock import local_day, utcnow
from quiz.infra.extensions import db
from quiz.infra.redis_client import get_redis, run_script
from quiz.models import Attempt, BestResult, Citizen
from quiz.tallies.figures import (
    CommuneFigures,
    FiguresView,
    daily_from_database,
    figures_from_database,
    province_codes,
)
from quiz.tallies.snapshot import (
    Snapshot,
    bitmap,
    completions_by_day,
    registrations_by_day,
    take_snapshot,
)

log = logging.getLogger(__name__)
FIGURES = ("attempts", "completed", "passed", "score_sum")
FALLBACK_SECONDS = 5.0
LOCK_SECONDS = 600
_APPLY = (Path(__file__).with_name("scripts.lua")).read_text()

WRITE = _APPLY + """
local ev = cjson.decode(ARGV[2])
local gen = redis.call('GET', ARGV[1] .. ':gen')
local building = redis.call('GET', ARGV[1] .. ':building')
if building and ev.t == 'move' then
  redis.call('INCR', ARGV[1] .. ':stale')  -- not idempotent: the snapshot may hold it already, so rebuild again
elseif building then
  redis.call('RPUSH', ARGV[1] .. ':g:' .. building .. ':pending', ARGV[2])
end
if not gen then return -1 end
return apply(ARGV[1] .. ':g:' .. gen, ev)
"""

READ = """
local gen = redis.call('GET', ARGV[1] .. ':gen')
if not gen or redis.call('EXISTS', ARGV[1] .. ':stale') == 1 then return false end
local g = ARGV[1] .. ':g:' .. gen
local out = {redis.call('HGETALL', g .. ':reg')}
for i = 3, #ARGV do table.insert(out, redis.call('HGETALL', g .. ARGV[i])) end
return out
"""

SWAP = _APPLY + """
local g = ARGV[1] .. ':g:' .. ARGV[2]
local pending = redis.call('LRANGE', g .. ':pending', 0, -1)
for _, raw in ipairs(pending) do apply(g, cjson.decode(raw)) end
redis.call('DEL', g .. ':pending')
local old = redis.call('GET', ARGV[1] .. ':gen')
redis.call('SET', ARGV[1] .. ':gen', ARGV[2])
if redis.call('GET', ARGV[1] .. ':building') == ARGV[2] then redis.call('DEL', ARGV[1] .. ':building') end
if redis.call('GET', ARGV[1] .. ':stale') == (ARGV[3] ~= '' and ARGV[3] or false) then
  redis.call('DEL', ARGV[1] .. ':stale')  -- no write was lost since the snapshot was taken
end
return old
"""


RELEASE = """
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
"""


class _State:
    """Per-process memory: a Redis write was lost (not yet reported to Redis), the last database fallbacks."""

    needs_rebuild = False
    fallback: dict = {}
    lock = threading.Lock()


def prefix() -> str:
    return f"cds:v1:{current_app.config['PROVINCE_CODE']}"


def generation_key(generation: str) -> str:
    return f"{prefix()}:g:{generation}"


def building_key() -> str:
    return f"{prefix()}:building"


def stale_key() -> str:
    """A counter raised whenever a write was lost: readers serve the database until a rebuild clears it."""
    return f"{prefix()}:stale"


def rebuild_lock_key() -> str:
    return f"{prefix()}:rebuild-lock"


def round_key(generation_prefix: str, round_id: int, figure: str) -> str:
    return f"{generation_prefix}:r:{round_id}:{figure}"


# --- writes (after the database commit) -------------------------------------------------

def record_registration(citizen: Citizen) -> None:
    """Count a new registration."""
    _send({"t": "reg", "id": citizen.id, "code": citizen.commune_code, "day": local_day(citizen.created_at)})


def record_submission(outcome: SubmitOutcome) -> None:
    """Move the figures for a newly graded attempt: attempts, first completion, best-score deltas."""
    if not outcome.newly_graded or outcome.best is None:
        return
    previous = outcome.previous_best
    _send({"t": "res", "attempt": outcome.attempt_id, "round": outcome.round_id, "code": outcome.commune_code,
           "day": outcome.day, "first": 1 if previous is None else 0,
           "score": outcome.best.score - (previous.score if previous else 0),
           "passed": int(outcome.best.passed) - (int(previous.passed) if previous else 0)})


def record_commune_change(citizen_id: int, old_code: str, new_code: str) -> None:
    """Move a citizen's registration and round figures from one commune to another."""
    citizen = db.session.get(Citizen, citizen_id)
    rounds = []
    for best in db.session.scalars(select(BestResult).where(BestResult.citizen_id == citizen_id)):
        rounds.append({"round": best.round_id, "attempts": _submitted_count(best.round_id, citizen_id),
                       "completed": 1, "passed": int(best.passed), "score_sum": best.score,
                       "day": local_day(best.first_completed_at)})
    _send({"t": "move", "old": old_code, "new": new_code, "day": local_day(citizen.created_at),
           "rounds": rounds})


def _submitted_count(round_id: int, citizen_id: int) -> int:
    stmt = select(db.func.count(Attempt.id)).where(Attempt.round_id == round_id, Attempt.citizen_id == citizen_id,
                                                  Attempt.submitted_at.is_not(None))
    return db.session.scalar(stmt) or 0


def _send(event: dict) -> None:
    try:
        _report_lost_writes()
        result = run_script(WRITE, prefix(), json.dumps(event))
    except redis.RedisError as error:
        log.warning("tallies: Redis write failed (%s); they will be rebuilt", error.__class__.__name__)
        _State.needs_rebuild = True
        return
    if result == -1:
        request_rebuild()


def _report_lost_writes() -> None:
    """Once Redis answers again, mark the tallies stale for every worker (this one lost a write)."""
    if _State.needs_rebuild:
        get_redis().incr(stale_key())
        _State.needs_rebuild = False


# --- reads ----------------------------------------------------------------------------

def read_commune_figures(round_id: int | None) -> FiguresView:
    """Every commune's figures from Redis; from the database (degraded) when Redis cannot answer."""
    codes = province_codes(current_app.config["PROVINCE_CODE"])
    round_fields = [f":r:{round_id}:{figure}" for figure in FIGURES] if round_id is not None else []
    try:
        _report_lost_writes()
        raw = run_script(READ, prefix(), "", *round_fields)
    except redis.RedisError:
        return _fallback(round_id)
    if raw is None:
        request_rebuild()
        return _fallback(round_id)
    figures = {code: CommuneFigures(code) for code in codes}
    _fill(figures, "registered", raw[0])
    for figure, pairs in zip(FIGURES, raw[1:]):
        _fill(figures, figure, pairs)
    return FiguresView(by_commune=figures, as_of=utcnow())


def _fill(figures: dict[str, CommuneFigures], name: str, pairs: list) -> None:
    for code, value in zip(pairs[::2], pairs[1::2]):
        if code in figures:
            setattr(figures[code], name, int(value))


def _fallback(round_id: int | None) -> FiguresView:
    """Database aggregates, cached for a few seconds in this process so a Redis outage stays cheap."""
    return _cached(("figures", round_id), lambda: FiguresView(
        by_commune=figures_from_database(current_app.config["PROVINCE_CODE"], round_id),
        as_of=utcnow(), degraded=True))


def _cached(key: tuple, compute):  # type: ignore[no-untyped-def]
    with _State.lock:
        cached = _State.fallback.get(key)
    if cached and time.monotonic() - cached[0] < FALLBACK_SECONDS:
        return cached[1]
    value = compute()
    with _State.lock:
        _State.fallback[key] = (time.monotonic(), value)
    return value


def read_daily(round_id: int | None, commune_code: str | None = None) -> list[tuple[str, int, int]]:
    """(day, registrations, first completions) for the city or a commune; from the database if Redis fails."""
    suffix = f":{commune_code}" if commune_code else ""
    fields = [f":reg:day{suffix}"] + ([f":r:{round_id}:day{suffix}"] if round_id is not None else [])
    try:
        _report_lost_writes()
        raw = run_script(READ, prefix(), "", *fields)
    except redis.RedisError:
        raw = None
    if raw is None:
        return _cached(("daily", round_id, commune_code), lambda: daily_from_database(round_id, commune_code))
    days: dict[str, list[int]] = {}
    for column, pairs in enumerate(raw[1:]):
        for day, value in zip(pairs[::2], pairs[1::2]):
            days.setdefault(day, [0, 0])[column] = int(value)
    return [(day, regs, done) for day, (regs, done) in sorted(days.items()) if regs or done]


# --- rebuild, verify --------------------------------------------------------------------

def rebuild(wait_seconds: float = 120.0) -> str:
    """Recompute every tally from the database into a new generation and swap it in atomically.

    Holds the rebuild lock (waiting for a rebuild already under way): two rebuilds at once could
    each drop the other's `building` marker and so lose the events that arrive meanwhile.
    """
    token, deadline = uuid.uuid4().hex, time.monotonic() + wait_seconds
    while not get_redis().set(rebuild_lock_key(), token, nx=True, ex=LOCK_SECONDS):
        if time.monotonic() > deadline:
            raise TimeoutError("tallies: another rebuild still holds the lock")
        time.sleep(0.1)
    try:
        return _rebuild_locked()
    finally:
        _release_lock(token)


def _release_lock(token: str) -> None:
    try:
        run_script(RELEASE, rebuild_lock_key(), token)
    except redis.RedisError:
        pass  # it expires by itself


def _rebuild_locked() -> str:
    client = get_redis()
    generation = str(client.incr(f"{prefix()}:generation-seq"))
    client.set(building_key(), generation, ex=3600)
    stale_token = client.get(stale_key()) or ""
    _write_snapshot(client, generation_key(generation), take_snapshot(current_app.config["PROVINCE_CODE"]))
    old = run_script(SWAP, prefix(), generation, stale_token, client=client)
    with _State.lock:
        _State.fallback.clear()
    if old:
        _delete_generation(client, generation_key(old))
    return generation


def _write_snapshot(client: redis.Redis, g: str, snapshot: Snapshot) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.hset(f"{g}:reg", mapping={k: v for k, v in snapshot.registered.items() if v} or {"_": 0})
    pipe.set(f"{g}:reg:seen", bitmap(snapshot.citizen_ids))
    for (code, day), count in snapshot.registrations_by_day.items():
        pipe.hincrby(f"{g}:reg:day", day, count)
        pipe.hincrby(f"{g}:reg:day:{code}", day, count)
    for round_id, snap in snapshot.rounds.items():
        pipe.sadd(f"{g}:rounds", round_id)
        for figure in FIGURES:
            values = {code: getattr(f, figure) for code, f in snap.figures.items() if getattr(f, figure)}
            if values:
                pipe.hset(round_key(g, round_id, figure), mapping=values)
        for (code, day), count in snap.completions_by_day.items():
            pipe.hincrby(round_key(g, round_id, "day"), day, count)
            pipe.hincrby(f"{round_key(g, round_id, 'day')}:{code}", day, count)
        pipe.set(round_key(g, round_id, "graded"), bitmap(snap.graded_attempt_ids))
    pipe.execute()


def _delete_generation(client: redis.Redis, generation_prefix: str) -> None:
    for key in client.scan_iter(match=f"{generation_prefix}:*", count=1000):
        client.unlink(key)


def request_rebuild() -> None:
    """Rebuild in a background thread unless another worker already is (a Redis lock)."""
    app, token = current_app._get_current_object(), uuid.uuid4().hex
    try:
        if not get_redis().set(rebuild_lock_key(), token, nx=True, ex=LOCK_SECONDS):
            return
    except redis.RedisError:
        return
    threading.Thread(target=_rebuild_in_background, args=(app, token), daemon=True).start()


def _rebuild_in_background(app: Flask, token: str) -> None:
    with app.app_context():
        try:
            _rebuild_locked()
        except Exception:  # noqa: BLE001 - logged; the next read tries again
            log.exception("tallies: automatic rebuild failed")
        finally:
            _release_lock(token)
            db.session.remove()


def verify(round_ids: list[int]) -> list[str]:
    """Differences between Redis and the database, one line per commune and figure; empty when equal."""
    differences = []
    for round_id in [None, *round_ids]:
        view = read_commune_figures(round_id)
        if view.degraded:
            return ["Redis không có số liệu (đang mất kết nối hoặc chưa dựng lại)"]
        truth = figures_from_database(current_app.config["PROVINCE_CODE"], round_id)
        for code, expected in truth.items():
            got = view.by_commune[code]
            names = ("registered",) if round_id is None else ("registered",) + FIGURES
            for name in names:
                if getattr(got, name) != getattr(expected, name):
                    differences.append(f"round {round_id} commune {code} {name}: "
                                       f"redis={getattr(got, name)} database={getattr(expected, name)}")
        differences += _daily_differences(round_id, list(truth))
    return differences


def _daily_differences(round_id: int | None, codes: list[str]) -> list[str]:
    """Per-day chart counts (per commune and city) in the current generation against the database."""
    client = get_redis()
    g = generation_key(client.get(f"{prefix()}:gen") or "none")
    if round_id is None:
        name, base, truth = "registrations", f"{g}:reg:day", registrations_by_day()
    else:
        name, base, truth = "completions", round_key(g, round_id, "day"), completions_by_day(round_id)
    pipe = client.pipeline(transaction=True)
    for code in codes:
        pipe.hgetall(f"{base}:{code}")
    pipe.hgetall(base)
    stored = pipe.execute()
    city: Counter = Counter()
    for (code, day), count in truth.items():
        city[("all", day)] += count
    expected = {**{k: v for k, v in truth.items() if k[0] in codes}, **city}
    got = {(code, day): int(value) for code, pairs in zip([*codes, "all"], stored) for day, value in pairs.items()}
    return [f"round {round_id} commune {code} {name} on {day}: redis={got.get((code, day), 0)} "
            f"database={expected.get((code, day), 0)}"
            for code, day in sorted(set(got) | set(expected))
            if got.get((code, day), 0) != expected.get((code, day), 0)]
