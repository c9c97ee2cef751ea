"""What one process remembers about the tallies: a lost write not yet reported, recent database fallbacks."""
import threading

from quiz.infra.redis_client import get_redis
from quiz.tallies.keys import stale_key


class State:
    needs_rebuild = False
    fallback: dict = {}
    lock = threading.Lock()


def report_lost_writes() -> None:
    """Once Redis answers again, mark the tallies stale for every worker (this one lost a write)."""
    if State.needs_rebuild:
        get_redis().incr(stale_key())
        State.needs_rebuild = False
