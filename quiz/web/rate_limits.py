"""Rate limits (Flask-Limiter, stored in Redis): keyed on the phone, the attempt or the staff account.

Per-IP limits stay loose on purpose: a mobile carrier puts thousands of phones behind one address,
and a commune hall's Wi-Fi serves a queue of citizens registering with a helper.
"""
import hashlib
import hmac
import logging
import os
import time

from flask import Flask, current_app, request
from flask_login import current_user
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import RateLimiter, SlidingWindowCounterRateLimiter

from quiz.infra.extensions import limiter
from quiz.infra.phones import InvalidPhone, normalise_phone

LOGIN_PER_PHONE = "10 per 10 minutes"
REGISTER_PER_PHONE = "5 per hour"
PER_IP = os.environ.get("RATELIMIT_PER_IP", "2000 per hour")
ANSWER_SAVES_PER_ATTEMPT = "240 per 10 minutes"
ASSISTED_PER_HELPER = "300 per hour"
STANDING_VIEWS_PER_CITIZEN = "30 per 10 minutes"  # "Thứ hạng của tôi" counts over every result of the contest
DIGITS_SEARCHES_PER_STAFF = "30 per hour"  # phone-digit searches: enough for a hall, too few to enumerate
FEED_CUT_OFFS_PER_IP = "20 per minute"  # the public feed as of a cut-off: each one a full aggregate, uncached


def init_app(app: Flask) -> None:
    """Every limit here is a decorator on its view (checked when the view is called) or a direct check;
    Flask-Limiter's before-request hook only looks for default, application, meta and (Redis down) fallback
    limits, which this app does not have, yet it cost 3-6 % of a citizen's CPU over the 28 requests (issue 20).
    So the hook goes, and such limits, if ever configured, stop the app at start instead of being ignored."""
    configured = [name for name in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META",
                                    "RATELIMIT_IN_MEMORY_FALLBACK") if app.config.get(name)]
    if limiter.limit_manager.default_limits or limiter.limit_manager.application_limits:
        configured.append("Limiter(default_limits=…, application_limits=…)")
    if configured:
        raise RuntimeError(f"{', '.join(configured)}: put the limit on its views (quiz/web/rate_limits.py)")
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]


def phone_key() -> str:
    """The canonical phone number typed in the form (one bucket whatever its spelling)."""
    raw = request.form.get("phone", "")
    try:
        return "phone:" + _pseudonym(normalise_phone(raw))
    except InvalidPhone:
        return "phone:invalid:" + _pseudonym("".join(ch for ch in raw if ch.isdigit())[-12:])


def _pseudonym(value: str) -> str:
    """A keyed hash: the phone never appears in Redis keys or in Flask-Limiter's "exceeded" log line."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:24]


log = logging.getLogger(__name__)
_ANSWER_SAVES = parse(ANSWER_SAVES_PER_ATTEMPT)
_IN_MEMORY = SlidingWindowCounterRateLimiter(MemoryStorage())
REDIS_RETRY_SECONDS = 30.0  # after a failed call, saves count in memory this long before Redis is asked again
_redis_back_at = [0.0]


def answer_save_wait(attempt_id: int, citizen_id: int) -> int | None:
    """None while the attempt's saves stay within ANSWER_SAVES_PER_ATTEMPT, else the seconds to wait.

    The contest's most frequent request (20 a citizen) asks Flask-Limiter's own strategy and storage
    directly, in one Redis call: the extension's two passes around that call were a fifth of a save's
    CPU. Redis unreachable: this process counts in memory, as Flask-Limiter's fallback does.
    """
    if not limiter.enabled:
        return None
    # keyed on the citizen too: saves are counted before the attempt is known to be theirs, and another
    # citizen's flood must not use up this attempt's allowance
    keys = (current_app.config["RATELIMIT_KEY_PREFIX"], f"attempt:{attempt_id}:c{citizen_id}", "quiz.save_answer")
    if time.monotonic() >= _redis_back_at[0]:
        try:
            return _wait(limiter.limiter, keys)
        except Exception as error:  # noqa: BLE001 - as RATELIMIT_SWALLOW_ERRORS: a limit never fails a save
            _redis_back_at[0] = time.monotonic() + REDIS_RETRY_SECONDS
            log.warning("answer-save limit counted in memory for %.0f s: %s", REDIS_RETRY_SECONDS,
                        error.__class__.__name__)
    return _wait(_IN_MEMORY, keys)


def forget_fallback_counts() -> None:
    """This process's in-memory save counts and Redis back-off, forgotten (the test suite reuses attempt ids)."""
    _IN_MEMORY.storage.reset()
    _redis_back_at[0] = 0.0


def _wait(strategy: RateLimiter, keys: tuple[str, ...]) -> int | None:
    if strategy.hit(_ANSWER_SAVES, *keys):
        return None
    return max(1, int(strategy.get_window_stats(_ANSWER_SAVES, *keys).reset_time - time.time()))


def practice_key() -> str:
    return f"practice:{(request.view_args or {}).get('practice_id')}"


def citizen_key() -> str:
    return f"citizen:{current_user.id}" if current_user.is_authenticated else "citizen:anonymous"


def staff_key() -> str:
    return f"staff:{current_user.get_id()}" if current_user.is_authenticated else "staff:anonymous"


def client_ip() -> str:
    """The client address (ProxyFix makes this the real one behind nginx)."""
    return request.remote_addr or "unknown"
