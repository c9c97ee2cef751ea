"""Every Redis key of the app is named here (tallies, their rebuild, the rate-limit prefix).

All tally keys of a province share the hash tag `{cds:v1:<province>}`, so they sit in one Redis Cluster
slot and the Lua scripts that touch several of them stay atomic there. The scripts get that prefix
as KEYS[1] and derive the rest of a generation's names from it (the generation is read inside the
script, so its key names cannot be known before it runs).
"""
from quiz.infra.settings import settings


def prefix(province_code: str | None = None) -> str:
    code = province_code or settings().province_code
    return "{cds:v1:" + code + "}"


def generation_key(generation: str) -> str:
    return f"{prefix()}:g:{generation}"


def current_generation_key() -> str:
    return f"{prefix()}:gen"


def generation_counter_key() -> str:
    return f"{prefix()}:generation-seq"


def building_key() -> str:
    return f"{prefix()}:building"


def stale_key() -> str:
    """A counter raised whenever a write was lost: readers serve the database until a rebuild clears it."""
    return f"{prefix()}:stale"


def rebuild_lock_key() -> str:
    return f"{prefix()}:rebuild-lock"


def round_key(generation_prefix: str, round_id: int, figure: str) -> str:
    return f"{generation_prefix}:r:{round_id}:{figure}"


def registration_key(generation_prefix: str, suffix: str = "") -> str:
    """`reg` (commune → registered), `reg:seen` (bitmap), `reg:day[:<commune>]` (day → count)."""
    return f"{generation_prefix}:reg{suffix}"
