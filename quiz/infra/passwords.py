"""Password rules, and the one function that checks a password against its stored hash.

Every check goes through `verify_password` (the hashing algorithm may change there alone), and a
person who does not exist costs the same hash as one who does: a log-in must not tell an attacker
which phones or usernames are registered.
"""
import secrets
from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from quiz.infra import passwords_hash
from quiz.infra.passwords_hash import OWASP_MINIMUM, HashCost, PasswordCheck

STAFF_MIN_LENGTH = 12
CITIZEN_MIN_LENGTH = 8
MAX_LENGTH = 128
TEMPORARY_PASSWORD_HOURS = 72  # a reset's temporary password: one log-in within this time
_COMMON = frozenset(FREQUENCY_LISTS["passwords"])  # zxcvbn's 30,000 most common passwords
_SCORED_PREFIX = 64  # zxcvbn's time grows with the length; the first 64 characters decide


def password_problem(password: str, *, staff: bool, initial_password_hash: str | None = None,
                     cost: HashCost = OWASP_MINIMUM) -> str | None:
    """The Vietnamese sentence saying why the password is refused, or None when it is acceptable."""
    minimum = STAFF_MIN_LENGTH if staff else CITIZEN_MIN_LENGTH
    if len(password or "") < minimum:
        return f"Mật khẩu cần có ít nhất {minimum} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự."
    if is_common(password):
        return ("Mật khẩu này quá phổ biến hoặc dễ đoán (ví dụ 12345678, chuỗi lặp lại, số điện thoại). "
                "Vui lòng chọn mật khẩu khác, ví dụ ghép vài từ dễ nhớ.")
    if initial_password_hash and verify_password(initial_password_hash, password, cost).matches:
        return "Mật khẩu mới phải khác mật khẩu được cấp ban đầu."
    return None


def is_common(password: str) -> bool:
    """On zxcvbn's list of common passwords, or guessable in under a million tries (zxcvbn score 0–1)."""
    if password.casefold() in _COMMON:
        return True
    return zxcvbn(password[:_SCORED_PREFIX])["score"] < 2


def hash_password(password: str, cost: HashCost = OWASP_MINIMUM) -> str:
    return passwords_hash.hash_password(password, cost)


def verify_password(stored_hash: str | None, password: str, cost: HashCost = OWASP_MINIMUM) -> PasswordCheck:
    """Whether the password matches (and a rehash to store when due); with no stored hash (no such person)
    a dummy hash is checked all the same, so both answers take the same time."""
    if not stored_hash:
        passwords_hash.verify_password(_dummy_hash(cost), password or "", cost)
        return PasswordCheck(False)
    return passwords_hash.verify_password(stored_hash, password or "", cost)


@lru_cache(maxsize=8)
def _dummy_hash(cost: HashCost) -> str:
    return passwords_hash.hash_password(secrets.token_urlsafe(16), cost)


def new_session_token() -> str:
    """A fresh per-account session token: changing it ends every session and remember-me cookie of the account."""
    return secrets.token_urlsafe(16)
