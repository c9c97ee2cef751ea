"""The admission room for "Bắt đầu": when starts arrive faster than the servers' capacity, citizens wait their turn.

A round (or each commune group of a staggered round) opens with a draw: citizens who press "Bắt đầu" in its
first `draw_seconds` get tickets in random order, so hammering the button first gives no advantage; later
arrivals queue in arrival order behind them. Starts are let through at the capacity the organizer set
(a generic cell rate algorithm: one start every `interval`, at most `burst` at once), the head of the queue
first. Waiting citizens see their approximate wait and retry by themselves; a ticket nobody polls for a
while is dropped. Tickets live in Redis (one hash tag per round, so it works on a Redis Cluster); when
Redis cannot answer, each process admits its share of the capacity on its own, without a queue.
"""
import math
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import cast

import redis

from quiz.infra.redis_client import run_script

ADMIT = Path(__file__).with_name("admission_room.lua").read_text()
PASS_SECONDS = 120  # an admitted citizen may press again within this (a failed start, a double tap)
STALE_SECONDS = 60  # a waiting page retries at least every RETRY_MAX seconds; silence this long means gone
RETRY_MIN, RETRY_MAX = 2.0, 20.0
KEY_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class RoomSettings:
    """The capacity the organizer set, and how the room behaves at an opening."""

    starts_per_minute: float  # 0: no admission room
    province_code: str
    draw_seconds: float = 10.0
    burst_seconds: float = 5.0  # starts that may go at once: this many seconds' worth
    processes: int = 1  # app processes sharing the capacity when each must admit alone (Redis down)

    @property
    def interval(self) -> float:
        return 60.0 / self.starts_per_minute

    @property
    def burst(self) -> int:
        return max(2, math.ceil(self.burst_seconds / self.interval))


@dataclass(frozen=True)
class Verdict:
    """Admitted, or the waiting page's figures: place in the queue, approximate wait, when to retry."""

    admitted: bool
    position: int = 0
    wait_seconds: float = 0.0
    retry_seconds: float = 0.0
    opens_at: datetime | None = None  # the citizen's group opens later (staggered opening)
    drawing: bool = False  # the opening's draw is under way
    degraded: bool = False  # Redis did not answer: this process's own share of the capacity


@dataclass(frozen=True)
class RoomKeys:
    """Every Redis key of one round's room, all under the round's hash tag (one cluster slot)."""

    waiting: str
    seen: str
    passes: str
    pace: str

    def as_list(self) -> list[str]:
        return [self.waiting, self.seen, self.passes, self.pace]


def room_keys(province_code: str, round_id: int, group: int) -> RoomKeys:
    """The one place that names the admission room's keys."""
    tag = f"{{cds:v1:{province_code}:admission:r{round_id}}}"
    return RoomKeys(waiting=f"{tag}:g{group}:waiting", seen=f"{tag}:g{group}:seen",
                    passes=f"{tag}:passes", pace=f"{tag}:pace")


def commune_group(commune_code: str, province_codes: list[str], groups: int) -> int:
    """The commune's group in a staggered opening: the province's communes by code, in `groups` equal blocks."""
    if groups <= 1 or commune_code not in province_codes:
        return 0
    return province_codes.index(commune_code) * groups // len(province_codes)


def group_opens_at(round_opens_at: datetime, group: int, stagger_minutes: int) -> datetime:
    return round_opens_at + timedelta(minutes=group * stagger_minutes)


def admit(client: redis.Redis, settings: RoomSettings, round_id: int, group: int, opens_at: datetime,
          citizen_id: int, now: datetime, rng: random.Random | None = None) -> Verdict:
    """One press of "Bắt đầu" (or one retry): admitted now, or where the citizen stands."""
    rng = rng or random.Random()
    if settings.starts_per_minute <= 0:
        return Verdict(True)
    if now < opens_at:
        return _before_opening(settings, opens_at, now, rng)
    keys = room_keys(settings.province_code, round_id, group)
    draw_end = opens_at.timestamp() + settings.draw_seconds
    try:
        reply = cast(list, run_script(ADMIT, keys.as_list(), *_args(settings, citizen_id, now.timestamp(), draw_end, rng),
                                      client=client))
    except redis.RedisError:
        return _local_share(settings).admit(now.timestamp(), rng)
    return _verdict(settings, reply, now.timestamp(), draw_end, rng)


def _args(settings: RoomSettings, citizen_id: int, now: float, draw_end: float, rng: random.Random) -> list:
    return [citizen_id, f"{now:.6f}", f"{draw_end:.6f}", settings.interval, settings.burst, PASS_SECONDS,
            STALE_SECONDS, f"{rng.random():.12f}", KEY_TTL_SECONDS]


def _verdict(settings: RoomSettings, reply: list, now: float, draw_end: float, rng: random.Random) -> Verdict:
    if int(reply[0]) == 1:
        return Verdict(True)
    rank, available = int(reply[1]), int(reply[2])
    if available < 0:  # the draw is still open: wait for it, then for the starts ahead in the drawn order
        ahead = max(0, rank + 1 - settings.burst)
        wait = draw_end - now + ahead * settings.interval
        return Verdict(False, rank + 1, wait, _retry(max(draw_end - now, wait / 2), rng), drawing=True)
    wait = (rank + 1 - available) * settings.interval
    return Verdict(False, rank + 1, wait, _retry(wait / 2, rng))


def _before_opening(settings: RoomSettings, opens_at: datetime, now: datetime, rng: random.Random) -> Verdict:
    """The citizen's group opens later: come back during its draw (a random moment of it, not all at once)."""
    until = (opens_at - now).total_seconds()
    if until > RETRY_MAX * 3:
        retry = min(until - RETRY_MAX, 300.0) * rng.uniform(0.8, 1.0)
    else:
        retry = until + rng.uniform(0.2, 0.8) * settings.draw_seconds
    return Verdict(False, 0, until, retry, opens_at=opens_at)


def _retry(seconds: float, rng: random.Random) -> float:
    """Retry delay with ±20 % jitter, so a crowd of waiting pages does not come back in step."""
    return min(RETRY_MAX, max(RETRY_MIN, seconds)) * rng.uniform(0.8, 1.2)


class LocalShare:
    """Redis down: this process admits its share of the capacity (one start per interval × processes)."""

    def __init__(self, interval: float, burst: int) -> None:
        self.interval, self.burst = interval, burst
        self.pace = 0.0
        self.lock = threading.Lock()

    def admit(self, now: float, rng: random.Random) -> Verdict:
        with self.lock:
            self.pace = max(self.pace, now - self.burst * self.interval)
            if now - self.pace >= self.interval:
                self.pace += self.interval
                return Verdict(True, degraded=True)
            wait = self.pace + self.interval - now
        return Verdict(False, 1, wait, _retry(wait, rng), degraded=True)


_shares: dict[tuple[float, int], LocalShare] = {}
_shares_lock = threading.Lock()


def _local_share(settings: RoomSettings) -> LocalShare:
    interval = settings.interval * max(1, settings.processes)
    burst = max(1, settings.burst // max(1, settings.processes))
    with _shares_lock:
        return _shares.setdefault((interval, burst), LocalShare(interval, burst))
