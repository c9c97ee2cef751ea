"""Reading the live tallies: every commune's figures and the daily chart, from the database when Redis fails."""
import time
from collections.abc import Callable
from typing import TypeVar, cast

import redis

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.redis_client import run_script
from quiz.infra.replica import replica_reads
from quiz.infra.settings import settings
from quiz.tallies.figures import (
    CommuneFigures,
    FiguresView,
    daily_from_database,
    figures_from_database,
    province_codes,
)
from quiz.tallies.keys import prefix
from quiz.tallies.rebuilding import request_rebuild
from quiz.tallies.scripts import READ
from quiz.tallies.state import State, report_lost_writes

FIGURES = ("attempts", "completed", "passed", "score_sum")
FALLBACK_SECONDS = 5.0
_T = TypeVar("_T")
# What READ answers: per requested hash a flat [field, value, field, value, ...] list (the client
# decodes to str), or nil when no generation is live; redis-py types a script's result as object.
_ReadResult = list[list[str]] | None


def read_commune_figures(round_id: int | None) -> FiguresView:
    """Every commune's figures from Redis; from the database (degraded) when Redis cannot answer."""
    codes = province_codes(settings().province_code)
    round_fields = [f":r:{round_id}:{figure}" for figure in FIGURES] if round_id is not None else []
    try:
        report_lost_writes()
        raw = cast(_ReadResult, run_script(READ, [prefix()], *round_fields))
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


def _fill(figures: dict[str, CommuneFigures], name: str, pairs: list[str]) -> None:
    for code, value in zip(pairs[::2], pairs[1::2]):
        if code in figures:
            setattr(figures[code], name, int(value))


def _fallback(round_id: int | None) -> FiguresView:
    """Database aggregates, cached for a few seconds in this process so a Redis outage stays cheap."""
    def compute() -> FiguresView:
        with replica_reads(db.engine) as read:
            figures = figures_from_database(settings().province_code, round_id)
        return FiguresView(by_commune=figures, as_of=read.fresh_as_of, degraded=True)
    return _cached(("figures", round_id), compute)


def _cached(key: tuple, compute: Callable[[], _T]) -> _T:
    with State.lock:
        cached = State.fallback.get(key)
    if cached and time.monotonic() - cached[0] < FALLBACK_SECONDS:
        return cast(_T, cached[1])  # stored below by the same key, so the same kind of value
    value = compute()
    with State.lock:
        State.fallback[key] = (time.monotonic(), value)
    return value


def read_daily(round_id: int | None, commune_code: str | None = None) -> list[tuple[str, int, int]]:
    """(day, registrations, first completions) for the city or a commune; from the database if Redis fails."""
    suffix = f":{commune_code}" if commune_code else ""
    fields = [f":reg:day{suffix}"] + ([f":r:{round_id}:day{suffix}"] if round_id is not None else [])
    try:
        report_lost_writes()
        raw = cast(_ReadResult, run_script(READ, [prefix()], *fields))
    except redis.RedisError:
        raw = None
    if raw is None:
        return _cached(("daily", round_id, commune_code), lambda: _daily_from_replica(round_id, commune_code))
    days: dict[str, list[int]] = {}
    for column, pairs in enumerate(raw[1:]):
        for day, value in zip(pairs[::2], pairs[1::2]):
            days.setdefault(day, [0, 0])[column] = int(value)
    return [(day, regs, done) for day, (regs, done) in sorted(days.items()) if regs or done]


def _daily_from_replica(round_id: int | None, commune_code: str | None) -> list[tuple[str, int, int]]:
    with replica_reads(db.engine):
        return daily_from_database(round_id, commune_code)
