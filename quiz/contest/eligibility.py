"""Who may receive a prize: one hook, `eligibility`, that every prize computation asks.

It checks what exists: the pass mark (when the period requires it), the citizen not anonymised
and, once those columns exist (issue 14), not disqualified and a verified phone when the period
requires one. The optional columns are looked up by name here, in this one place.
"""
from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement

from quiz.contest.ranking import RankingRow
from quiz.models import Attempt, BestResult, Citizen, Round

# Column names another change may add; the first that exists on its model is used.
DISQUALIFIED_COLUMNS = ((BestResult, "disqualified"), (BestResult, "disqualified_at"), (Attempt, "disqualified"),
                (Attempt, "disqualified_at"), (Citizen, "disqualified"), (Citizen, "disqualified_at"))
PHONE_VERIFIED_COLUMNS = ((Citizen, "phone_verified"), (Citizen, "phone_verified_at"))
ROUND_REQUIRES_VERIFIED_PHONE = ("requires_verified_phone", "require_verified_phone", "phone_verification_required")


@dataclass(frozen=True)
class Eligibility:
    """Whether a ranked result may receive a prize, and why not (a Vietnamese phrase)."""

    eligible: bool
    reason: str = ""


ELIGIBLE = Eligibility(True)  # one object: the hook answers a million times


def _first_column(candidates) -> ColumnElement | None:
    for model, name in candidates:
        if hasattr(model, name):
            return getattr(model, name)
    return None


def extra_columns() -> tuple[ColumnElement, ColumnElement]:
    """The columns the hook reads besides the ranking's own (NULL when the column does not exist yet)."""
    from sqlalchemy import null
    disqualified = _first_column(DISQUALIFIED_COLUMNS)
    verified = _first_column(PHONE_VERIFIED_COLUMNS)
    return (null() if disqualified is None else disqualified, null() if verified is None else verified)


def requires_verified_phone(round_: Round) -> bool:
    return any(bool(getattr(round_, name, False)) for name in ROUND_REQUIRES_VERIFIED_PHONE)


@dataclass(frozen=True)
class PrizeConditions:
    """What the period requires of a prize winner, read once from its settings."""

    requires_pass: bool
    requires_verified_phone: bool


def conditions_of(round_: Round) -> PrizeConditions:
    return PrizeConditions(bool(round_.prize_requires_pass), requires_verified_phone(round_))


ANONYMISED = Eligibility(False, "đã xoá dữ liệu cá nhân")
DISQUALIFIED = Eligibility(False, "bị loại")
NOT_PASSED = Eligibility(False, "chưa đạt")
PHONE_NOT_VERIFIED = Eligibility(False, "chưa xác thực số điện thoại")


def eligibility(row: RankingRow, conditions: PrizeConditions) -> Eligibility:
    """The hook: may this ranked result receive a prize of the period?"""
    disqualified, verified = (row.extra + (None, None))[:2]
    if row.anonymised:
        return ANONYMISED
    if disqualified:
        return DISQUALIFIED
    if conditions.requires_pass and not row.passed:
        return NOT_PASSED
    if conditions.requires_verified_phone and not verified:
        return PHONE_NOT_VERIFIED
    return ELIGIBLE
