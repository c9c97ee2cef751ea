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


def percentiles(values: list[int]) -> tuple[int, int, int]:
    """p50, p95 and p99 of sorted values (zeros when there are none)."""
    return tuple(values[min(len(values) - 1, int(len(values) * f))] if values else 0  # type: ignore[return-value]
                 for f in (0.5, 0.95, 0.99))
