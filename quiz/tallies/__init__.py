"""Live per-commune tallies in Redis: this package is their whole interface (keys.py names every key).

Layout, under the versioned prefix `cds:v1:<province>`: `gen` points at the current generation;
a generation `g:<n>` holds hashes per figure (`reg` commune→registered, `reg:day` day→count,
`r:<round>:completed|attempts|passed|score_sum` commune→value, `r:<round>:day[:<commune>]`) and
bitmaps of counted citizens and graded attempts, which make every event idempotent.
Events are applied by Lua scripts, so each write is one atomic round trip. `rebuild()` builds a
new generation from the database and swaps the pointer atomically, replaying events that arrived
meanwhile. The database is the truth: on any Redis error the citizen's request still succeeds,
readers fall back to database aggregates, and the tallies are rebuilt once Redis answers again.
"""
from typing import TYPE_CHECKING

from quiz.tallies import events
from quiz.tallies.events import send
from quiz.tallies.keys import (  # noqa: F401  (the tests and benches build keys through the package)
    building_key,
    generation_key,
    prefix,
    rebuild_lock_key,
    round_key,
    stale_key,
)
from quiz.tallies.reads import FIGURES, read_commune_figures, read_daily  # noqa: F401
from quiz.tallies.rebuilding import rebuild, request_rebuild  # noqa: F401
from quiz.tallies.verify import verify  # noqa: F401

if TYPE_CHECKING:
    from quiz.models import Citizen


def record_registration(citizen: "Citizen") -> None:
    """Count a registration now (write paths queue it in their transaction; this is for replays and benches)."""
    send(events.registration(citizen.id, citizen.commune_code, citizen.created_at))


def record_submission(outcome: events.GradedAttempt) -> None:
    """Apply a graded attempt now; a replay of an event already counted changes nothing."""
    if outcome.newly_graded and outcome.best is not None:
        send(events.graded(outcome))


def record_commune_change(citizen_id: int, old_code: str, new_code: str) -> None:
    """Move a citizen's figures now (write paths queue this inside their transaction)."""
    send(events.commune_change(citizen_id, old_code, new_code))
