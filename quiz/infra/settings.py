"""The few settings the core needs, read once from the app's configuration at start-up.

Domain and tally code read `settings()` instead of `current_app.config`, so they work the same in a
request, a CLI command, a background thread or a test that calls them directly. Every app in a
process serves the same province (create_app sets them; the last app created wins).
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from quiz.infra.passwords_hash import OWASP_MINIMUM, HashCost


@dataclass(frozen=True)
class Settings:
    province_code: str = "31"
    submit_grace: timedelta = timedelta(seconds=30)
    password_cost: HashCost = OWASP_MINIMUM


_current = Settings()


def configure(config: Mapping[str, Any]) -> Settings:
    """Take the core's settings from a Flask config (called by create_app)."""
    global _current
    _current = Settings(province_code=config["PROVINCE_CODE"],
                        submit_grace=timedelta(seconds=config["SUBMIT_GRACE_SECONDS"]),
                        password_cost=HashCost(config["ARGON2_MEMORY_KIB"], config["ARGON2_TIME_COST"],
                                               config["ARGON2_LANES"]))
    return _current


def settings() -> Settings:
    return _current
