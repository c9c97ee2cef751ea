"""Password hashing: argon2id at OWASP's minimum cost; older Werkzeug hashes still verify and are upgraded.

Every log-in and registration pays one hash, so its cost bounds how many citizens a server lets in per
second: argon2id at m=19 MiB, t=2, p=1 costs about a quarter of Werkzeug's default scrypt on this
hardware, with memory hardness OWASP accepts. Accounts created before the switch carry Werkzeug hashes
(`scrypt:…`, `pbkdf2:…`): they verify as before and come back with an argon2id hash to store.
"""
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash


@dataclass(frozen=True)
class HashCost:
    """argon2id parameters: memory in KiB, passes over it, parallel lanes."""

    memory_kib: int = 19 * 1024
    iterations: int = 2
    lanes: int = 1


OWASP_MINIMUM = HashCost()


@dataclass(frozen=True)
class PasswordCheck:
    """The verdict on a typed password, and a fresh hash to store when the stored one is outdated."""

    matches: bool
    new_hash: str | None = None


def hash_password(password: str, cost: HashCost = OWASP_MINIMUM) -> str:
    """An argon2id hash (PHC string `$argon2id$v=19$m=…,t=…,p=…$salt$hash`)."""
    return _hasher(cost).hash(password)


def verify_password(stored_hash: str | None, password: str, cost: HashCost = OWASP_MINIMUM) -> PasswordCheck:
    """Check a password against any hash we ever stored; offer an argon2id rehash at `cost` when due."""
    if not stored_hash:
        return PasswordCheck(False)
    if not stored_hash.startswith("$argon2"):
        if not check_password_hash(stored_hash, password):  # Werkzeug's scrypt/pbkdf2 of earlier releases
            return PasswordCheck(False)
        return PasswordCheck(True, hash_password(password, cost))
    hasher = _hasher(cost)
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return PasswordCheck(False)
    return PasswordCheck(True, hasher.hash(password) if hasher.check_needs_rehash(stored_hash) else None)


@lru_cache(maxsize=8)
def _hasher(cost: HashCost) -> PasswordHasher:
    return PasswordHasher(time_cost=cost.iterations, memory_cost=cost.memory_kib, parallelism=cost.lanes,
                          hash_len=32, salt_len=16, type=Type.ID)
