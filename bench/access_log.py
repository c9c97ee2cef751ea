"""The time each request spent inside gunicorn, read from its access log (the `%(M)sms` field).

Set beside wrk's figures it splits a client's latency into work in a worker and waiting for one.
"""
import re
from pathlib import Path

_SERVED = re.compile(r'" \d{3} \S+ (\d+)ms "')


def mark(path: Path) -> int:
    """Where the log ends now: read_times(path, mark) sees only the requests logged after it."""
    return path.stat().st_size if path.exists() else 0


def read_times(path: Path, since: int) -> list[int]:
    """Milliseconds per request logged after `since`, sorted."""
    with path.open("rb") as handle:
        handle.seek(since)
        text = handle.read().decode("utf-8", "replace")
    return sorted(int(match.group(1)) for match in _SERVED.finditer(text))


def percentile(values: list[int], fraction: float) -> int:
    return values[min(len(values) - 1, int(len(values) * fraction))] if values else 0
