"""Failed log-ins and password checks: a growing delay per account and per client address.

After FREE_FAILURES wrong passwords for one account the next try must wait 2 s, then 4 s, 8 s …
up to MAX_DELAY_SECONDS, even with the right password; a success clears the account's count. The
address counts too, far more loosely (a carrier's NAT puts thousands of phones behind one address).
Counts live in Redis under the prefix given by the caller (config LOGIN_THROTTLE_PREFIX) and
expire a day after the last failure; when Redis cannot answer, log-ins go on (as the rate limits do).
"""
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass

import redis as redis_lib

FREE_FAILURES = {"account": 5, "address": 100}
FIRST_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 15 * 60
FORGET_AFTER_SECONDS = 24 * 3600
log = logging.getLogger(__name__)


def delay_after(failures: int, kind: str) -> int:
    """Seconds to wait after this many consecutive failures (0 while within the free ones)."""
    over = failures - FREE_FAILURES[kind]
    if over < 0:
        return 0
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(over, 20))


@dataclass(frozen=True)
class LoginThrottle:
    """The throttle for one kind of account ("citizen", "staff"), over a Redis client."""

    redis: redis_lib.Redis | None
    prefix: str
    secret: bytes
    enabled: bool = True

    def keys(self, kind: str, identity: str, address: str) -> dict[str, str]:
        """Redis keys for the account (a keyed hash: no phone or username in Redis) and the address."""
        pseudonym = hmac.new(self.secret, f"{kind}:{identity}".encode(), hashlib.sha256).hexdigest()[:24]
        return {"account": f"{self.prefix}:account:{pseudonym}", "address": f"{self.prefix}:address:{address}"}

    def wait_seconds(self, keys: dict[str, str], now: float | None = None) -> int:
        """How long the account or the address must still wait before a password is checked (0: go ahead)."""
        if not self.enabled or self.redis is None:
            return 0
        now = time.time() if now is None else now
        try:
            untils = [self.redis.hget(key, "until") for key in keys.values()]
        except redis_lib.RedisError as error:
            log.warning("login throttle unavailable: %s", error.__class__.__name__)
            return 0
        return max((int(float(u) - now + 0.999) for u in untils if u and float(u) > now), default=0)

    def failed(self, keys: dict[str, str], now: float | None = None) -> None:
        """Count one failure for the account and the address, and set the time before the next try."""
        if not self.enabled or self.redis is None:
            return
        now = time.time() if now is None else now
        try:
            for kind, key in keys.items():
                failures = self.redis.hincrby(key, "failures", 1)
                pipe = self.redis.pipeline()
                pipe.hset(key, "until", now + delay_after(failures, kind))
                pipe.expire(key, FORGET_AFTER_SECONDS)
                pipe.execute()
        except redis_lib.RedisError as error:
            log.warning("login throttle unavailable: %s", error.__class__.__name__)

    def succeeded(self, keys: dict[str, str]) -> None:
        """The right password: the account starts afresh (the address keeps its count)."""
        if not self.enabled or self.redis is None:
            return
        try:
            self.redis.delete(keys["account"])
        except redis_lib.RedisError as error:
            log.warning("login throttle unavailable: %s", error.__class__.__name__)


def wait_message(seconds: int) -> str:
    """What the person reads while they must wait."""
    minutes, rest = divmod(seconds, 60)
    wait = f"{minutes} phút {rest} giây" if minutes else f"{rest} giây"
    return f"Bạn đã nhập sai mật khẩu nhiều lần. Vì an toàn, vui lòng thử lại sau {wait}."
