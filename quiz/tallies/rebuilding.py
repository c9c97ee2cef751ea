"""Rebuilding the tallies from the database into a new generation, swapped in atomically."""
import logging
import threading
import time
import uuid
from typing import cast

import redis
from flask import Flask, current_app
from redis.typing import EncodableT, FieldT
from werkzeug.local import LocalProxy

from quiz.infra.extensions import db
from quiz.infra.redis_client import get_redis, run_script
from quiz.infra.settings import settings
from quiz.tallies.keys import (
    building_key,
    generation_counter_key,
    generation_key,
    prefix,
    rebuild_lock_key,
    registration_key,
    round_key,
    stale_key,
)
from quiz.tallies.scripts import RELEASE, SWAP
from quiz.tallies.snapshot import Snapshot, bitmap, take_snapshot
from quiz.tallies.state import State

log = logging.getLogger(__name__)
FIGURES = ("attempts", "completed", "passed", "score_sum")
LOCK_SECONDS = 600


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
        run_script(RELEASE, [rebuild_lock_key()], token)
    except redis.RedisError:
        pass  # it expires by itself


def _rebuild_locked() -> str:
    client = get_redis()
    generation = str(client.incr(generation_counter_key()))
    client.set(building_key(), generation, ex=3600)
    stale_token = client.get(stale_key()) or ""
    _write_snapshot(client, generation_key(generation), take_snapshot(settings().province_code))
    # SWAP answers the generation it replaced (a decoded str) or nil; redis-py types a script's result as object
    old = cast(str | None, run_script(SWAP, [prefix()], generation, stale_token, client=client))
    with State.lock:
        State.fallback.clear()
    if old:
        _delete_generation(client, generation_key(old))
    return generation


def _write_snapshot(client: redis.Redis, g: str, snapshot: Snapshot) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.hset(registration_key(g), mapping={k: v for k, v in snapshot.registered.items() if v} or {"_": 0})
    pipe.set(registration_key(g, ":seen"), bitmap(snapshot.citizen_ids))
    for (code, day), count in snapshot.registrations_by_day.items():
        pipe.hincrby(registration_key(g, ":day"), day, count)
        pipe.hincrby(registration_key(g, f":day:{code}"), day, count)
    for round_id, snap in snapshot.rounds.items():
        pipe.sadd(f"{g}:rounds", round_id)
        for figure in FIGURES:
            values: dict[FieldT, EncodableT] = {code: getattr(f, figure) for code, f in snap.figures.items() if getattr(f, figure)}
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
    # current_app is a LocalProxy (typed by Flask as the app itself); the thread needs the real app
    app, token = cast("LocalProxy[Flask]", current_app)._get_current_object(), uuid.uuid4().hex
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
