"""Comparing the live tallies with the database (`flask tallies verify`)."""
from collections import Counter
from typing import cast

from quiz.infra.redis_client import get_redis
from quiz.infra.settings import settings
from quiz.tallies.figures import figures_from_database
from quiz.tallies.keys import (
    current_generation_key,
    generation_key,
    registration_key,
    round_key,
)
from quiz.tallies.reads import FIGURES, read_commune_figures
from quiz.tallies.snapshot import completions_by_day, registrations_by_day


def verify(round_ids: list[int]) -> list[str]:
    """Differences between Redis and the database, one line per commune and figure; empty when equal."""
    differences = []
    for round_id in [None, *round_ids]:
        view = read_commune_figures(round_id)
        if view.degraded:
            return ["Redis không có số liệu (đang mất kết nối hoặc chưa dựng lại)"]
        truth = figures_from_database(settings().province_code, round_id)
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
    # the client decodes responses (decode_responses=True), so a str; redis-py types it bytes | str
    g = generation_key(cast(str | None, client.get(current_generation_key())) or "none")
    if round_id is None:
        name, base, truth = "registrations", registration_key(g, ":day"), registrations_by_day()
    else:
        name, base, truth = "completions", round_key(g, round_id, "day"), completions_by_day(round_id)
    pipe = client.pipeline(transaction=True)
    for code in codes:
        pipe.hgetall(f"{base}:{code}")
    pipe.hgetall(base)
    stored = pipe.execute()
    city: Counter = Counter()
    for (_code, day), count in truth.items():
        city[("all", day)] += count
    expected = {**{k: v for k, v in truth.items() if k[0] in codes}, **city}
    got = {(code, day): int(value) for code, pairs in zip([*codes, "all"], stored) for day, value in pairs.items()}
    return [f"round {round_id} commune {code} {name} on {day}: redis={got.get((code, day), 0)} "
            f"database={expected.get((code, day), 0)}"
            for code, day in sorted(set(got) | set(expected))
            if got.get((code, day), 0) != expected.get((code, day), 0)]
